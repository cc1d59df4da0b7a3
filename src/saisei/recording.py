"""A consolidation run into the plan's record (:mod:`saisei.record`).

The files given to the run are hashed first: a workbook the record already holds (the
same SHA-256, whatever its name) is not read again; its observations and issues come
from the record.  Every accepted workbook of earlier runs that is not given again still
contributes its figures, with their original ``file!sheet!cell``.  The rules across runs
are :mod:`saisei.core.history`'s.  Everything the run adds — the new workbooks' bytes,
their observations and issues, the run, its accepted values and totals, the revisions it
first saw, the outputs' hashes — is one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .pipeline import assemble
from .record.opening import open_record
from .record.store import Record
from .results import Consolidation, FileResult

if TYPE_CHECKING:
    from .core.plan import Plan
    from .plugins import Registry

__all__ = ["consolidate_into", "plan_sha256"]


def plan_sha256(plan: Plan) -> str:
    """The plan's content hash (its every field, as data)."""
    return hashlib.sha256(repr(plan).encode("utf-8")).hexdigest()


def consolidate_into(
    record: Path,
    files: list[Path],
    ignored: list[Path],
    read: Callable[[list[Path]], list[FileResult]],
    plan: Plan,
    registry: Registry,
    as_of: dt.date | None,
    *,
    read_only: bool = False,
    waiting: Callable[[str], None] | None = None,
    write: Callable[[Consolidation], list[Path]] | None = None,
) -> Consolidation:
    """Consolidate ``files`` with the record's earlier runs (:func:`saisei.consolidate`
    with ``record=`` comes here).

    :param read: reads the workbooks the record does not hold yet
    :param read_only: add nothing to the record (``saisei validate``); a missing record
        is then no earlier run at all
    :param waiting: told when another run holds the record and this one waits
    :param write: writes the report, inside the run's transaction; the outputs it returns
        are recorded (hashes and sizes) with the run
    """
    if read_only and not record.exists():
        return assemble(read(files), plan, registry, as_of=as_of, ignored=ignored)
    with open_record(record, write=not read_only) as rec:
        if read_only:
            rec.conn.execute("BEGIN")  # one consistent view of the record
            try:
                return _run(rec, files, ignored, read, plan, registry, as_of, write=False)
            finally:
                rec.conn.execute("ROLLBACK")
        with rec.transaction(waiting):
            result = _run(rec, files, ignored, read, plan, registry, as_of, write=True)
            if write is not None:
                assert result.run is not None
                rec.add_outputs(result.run, write(result))
        return result


def _run(
    rec: Record,
    files: list[Path],
    ignored: list[Path],
    read: Callable[[list[Path]], list[FileResult]],
    plan: Plan,
    registry: Registry,
    as_of: dt.date | None,
    *,
    write: bool,
) -> Consolidation:
    import polars as pl

    from .core.history import Earlier

    contents: dict[Path, bytes] = {}
    hashes: dict[Path, str] = {}
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:  # read_file says what is wrong with it
            continue
        contents[path] = data
        hashes[path] = hashlib.sha256(data).hexdigest()
    known = rec.submissions(hashes.values())
    fresh = [p for p in files if hashes.get(p) not in known]
    # The same bytes twice in one run (under two names) are one submission, read once:
    # the copy gives what the first gave, as it would in a later run.
    first_of: dict[str, Path] = {}
    to_read = []
    for path in fresh:
        sha = hashes.get(path)
        if sha is None or sha not in first_of:
            to_read.append(path)
            if sha is not None:
                first_of[sha] = path
    read_now = dict(zip(to_read, read(to_read), strict=True))
    copies = {p: replace(read_now[first_of[hashes[p]]], path=p) for p in fresh if p not in read_now}
    stored_obs = rec.observations([known[h].submission for h in set(hashes.values()) if h in known])
    stored_issues = rec.issues_of(s.submission for s in known.values())
    # One split of the stored observations, not a filter per known workbook (1,740 nationally).
    stored = {
        int(key[0]): part.drop("submission")
        for key, part in stored_obs.partition_by("submission", as_dict=True, maintain_order=True).items()
    }
    empty = stored_obs.clear().drop("submission")
    stored_verdicts = rec.verdicts(s.submission for s in known.values() if s.accepted)
    results: list[FileResult] = []
    gathering_of: dict[int, int] = {}
    for index, path in enumerate(files):
        if path in read_now or path in copies:
            results.append(read_now.get(path) or copies[path])
            continue
        sub = known[hashes[path]]
        frame = stored.get(sub.submission, empty)
        results.append(
            FileResult(
                path,
                plugin=sub.plugin,
                entity_code=sub.entity_code,
                as_of=sub.form_date,
                sha256=sub.sha256,
                issues=list(stored_issues.get(sub.submission, [])),
                frame=frame if sub.accepted and frame.height else None,
                verdicts=tuple(stored_verdicts.get(sub.submission, ())),
            )
        )
        gathering_of[index] = sub.run
    # Every accepted earlier submission not given again: its figures are carried forward.
    given = {hashes[p] for p in files if p in hashes}
    earlier_subs = [s for s in rec.submissions().values() if s.accepted and s.sha256 not in given]
    carried_ids = [s.submission for s in earlier_subs]
    number = {s: k for k, s in enumerate(carried_ids)}
    run_of = {s.submission: s.run for s in earlier_subs}
    carried = rec.observations(carried_ids)
    if carried.height:
        carried = carried.with_columns(
            pl.col("submission").replace_strict(run_of, return_dtype=pl.Int64).alias("gathering"),
            pl.col("submission").replace_strict(number, return_dtype=pl.Int64),
        )
    else:
        carried = carried.with_columns(pl.lit(0, pl.Int64).alias("gathering"))
    current = rec.next_run()
    reviewed = {int(r): int(y) for r, y in rec.conn.execute("SELECT run, fiscal_year_under_review FROM runs")}
    carried_verdicts = rec.verdicts(carried_ids)
    verdicts = [(v, run_of[s]) for s in carried_ids for v in carried_verdicts.get(s, ())]
    # The dates of the forms the record carries forward count too: a run that brings only a
    # review sheet (or nothing) reviews the year of the forms, not of today.
    dates = [(s.form_date, f"{s.name}（記録）") for s in earlier_subs if s.form_date]
    earlier = Earlier(carried, gathering_of, rec.accepted_on(), current, reviewed, verdicts, dates)
    result = assemble(results, plan, registry, as_of=as_of, ignored=ignored, earlier=earlier)
    if not write:
        return result
    # -- append the run ----------------------------------------------------------------
    new_subs = {hashes[p] for p in fresh if p in hashes}
    run = rec.add_run(
        as_of=result.as_of,
        fiscal_year_under_review=result.fiscal_year_under_review,
        plan_name=plan.name,
        plan_sha256=plan_sha256(plan),
        files=len(files),
        new_submissions=len(new_subs),
        errors=len(result.errors),
        warnings=len(result.warnings),
    )
    assert run == current, "runs are numbered in order"
    record_id: dict[str, int] = {h: s.submission for h, s in known.items()}
    per_file: set[int] = set()
    for path, res in zip(files, result.files, strict=True):  # with the validation's issues
        per_file.update(id(i) for i in res.issues)
        sha = hashes.get(path)
        if path not in read_now or sha is None or sha in record_id:
            continue
        info = registry.plugins.get(res.plugin) if res.plugin else None
        sub_id = rec.add_submission(
            run=run,
            content=contents[path],
            name=path.name,
            plugin=res.plugin,
            plugin_version=info.version if info else None,
            entity_code=res.entity_code,
            form_date=res.as_of,
            accepted=not res.has_errors,
        )
        record_id[sha] = sub_id
        if res.frame is not None and res.frame.height:
            rec.add_observations(sub_id, res.frame)
        if res.verdicts:
            rec.add_verdicts(sub_id, res.verdicts)
        rec.add_issues(run, sub_id, res.issues)
    rec.add_receipts(run, [(record_id[hashes[p]], p.name) for p in files if p in hashes])
    rec.add_issues(run, None, [i for i in result.issues if id(i) not in per_file])
    # The numbers behind each value: the run's files, then the carried submissions.
    index_to_record = [record_id.get(hashes.get(p, ""), -1) for p in files] + carried_ids
    assert result.contributions is not None
    mapping = {i: r for i, r in enumerate(index_to_record)}
    values = result.values.join(
        result.contributions, on=["entity_code", "fiscal_year", "kpi"], how="left"
    ).with_columns(
        pl.col("submissions")
        .list.eval(pl.element().replace_strict(mapping, default=-1, return_dtype=pl.Int64))
        .list.unique()
        .list.sort()
        .alias("record_submissions")
    )
    rec.add_values(run, values)
    rec.add_totals(run, result.totals)
    rec.add_revisions(run, result.revisions.filter(pl.col("new_gathering") == run).iter_rows(named=True))
    return replace(result, run=run)
