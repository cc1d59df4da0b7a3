"""The pipeline: files → open workbook → plugin reads → observations → validate →
reconcile → totals, giving the results of :mod:`saisei.results`.  :func:`saisei.consolidate`
(in :mod:`saisei.api`) runs it; writing the report is :mod:`saisei.report`'s business.

Every step records issues instead of stopping: a broken file is an error for that file and
the other files still consolidate.  A file with any error contributes no value at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .collect import collect_files, is_report
from .core.cycle import fiscal_year_under_review, review_year_problem
from .core.issues import Issue
from .core.plan import Plan
from .forms import check_reading
from .plugins import PluginCallError, Registry, get_registry
from .pool import env_workers, in_worker, share
from .reading import Reading
from .results import Consolidation, FileResult
from .validate import validate_observations
from .workbook import Limits, Workbook, WorkbookError, open_workbook

if TYPE_CHECKING:
    import polars as pl

    from .core.history import Earlier

__all__ = [
    "Consolidation",
    "FileResult",
    "assemble",
    "collect_files",
    "read_file",
    "read_files",
]

logger = logging.getLogger(__name__)


def read_file(path: Path, plan: Plan, registry: Registry, limits: Limits | None = None) -> FileResult:
    """Open one file, find the one plugin whose form it is, and read it.  Never raises.

    A bug in saisei itself while reading one file is an error for that file
    (``internal-error``, its traceback logged at debug level); the other files go on.
    """
    try:
        return _read_file(path, plan, registry, limits)
    except Exception as exc:
        logger.debug("internal error while reading %s", path, exc_info=True)
        message = (
            f"saisei の内部エラーでこのブックを読めませんでした（不具合です。--debug を付けて再実行し、"
            f"出力を開発者に送ってください）: {type(exc).__name__}: {exc}"
        )
        return FileResult(path, issues=[Issue.at("error", "internal-error", message, file=path.name)])


def _read_file(path: Path, plan: Plan, registry: Registry, limits: Limits | None) -> FileResult:
    name = path.name
    try:
        workbook = open_workbook(path, limits)
    except WorkbookError as exc:
        return FileResult(path, issues=[_workbook_issue(exc, name)])
    issues: list[Issue] = []
    plugin: str | None = None

    def done(**found: Any) -> FileResult:
        return FileResult(path, plugin=plugin, sha256=workbook.sha256, issues=issues, **found)

    try:
        claims, failures = registry.detect(workbook)
        for failure in failures:
            issue = _plugin_issue(failure, name)
            # several plugins tripping over the same sheet: the file's fault, said once
            if not any(i.message == issue.message and i.code == issue.code for i in issues):
                issues.append(issue)
        if failures and not claims:
            return done()
        if not claims:
            if is_report(workbook.sheet_names):  # saisei's own report, not a submission
                return FileResult(path, sha256=workbook.sha256, own_output=True)
            issues.append(_unknown_form(workbook, registry, plan))
            return done()
        if len(claims) > 1:
            issues.append(
                Issue.at(
                    "error",
                    "ambiguous-form",
                    f"複数のプラグインが自分の様式だと判定しました: {'、'.join(claims)}（どちらの様式か決められません）",
                    file=name,
                )
            )
            return done()
        plugin = claims[0]
        unplanned = registry.body_problem(plugin, plan, name)
        if unplanned is not None:
            issues.append(unplanned)
            return done()
        try:
            reading = registry.call(plugin, "saisei_read", workbook=workbook, plan=plan)
        except PluginCallError as exc:
            issues.append(_plugin_issue(exc, name))
            return done()
        except WorkbookError as exc:
            issues.append(_workbook_issue(exc, name, plugin))
            return done()
        if reading is None:
            issues.append(
                Issue.at(
                    "error",
                    "unknown-form",
                    f"プラグイン {plugin} が判定した様式を読めませんでした",
                    file=name,
                    plugin=plugin,
                )
            )
            return done()
        if not isinstance(reading, Reading):
            issues.append(
                Issue.at(
                    "error",
                    "plugin-failed",
                    f"プラグイン {plugin} の saisei_read が Reading 以外（{type(reading).__name__}）を返しました",
                    file=name,
                    plugin=plugin,
                )
            )
            return done()
        check_reading(workbook, reading)
        issues.extend(_with_plugin(i, plugin) for i in reading.issues)
        frame = None
        try:
            frame = reading.to_frame()
        except Exception as exc:  # a plugin's frame with columns of the wrong kind
            issues.append(
                Issue.at(
                    "error",
                    "plugin-failed",
                    f"プラグイン {plugin} の観測値を表にできません: {exc}",
                    file=name,
                    plugin=plugin,
                )
            )
        cell = reading.dated.get(reading.as_of) if reading.as_of is not None else None
        return done(
            as_of=reading.as_of,
            as_of_cell=cell,
            entity_code=reading.entity_code,
            frame=frame,
            verdicts=tuple(reading.verdicts),
        )
    except WorkbookError as exc:  # a sheet refused while a plugin looked at it
        issues.append(_workbook_issue(exc, name, plugin))
        return done()
    finally:
        workbook.close()


def _unknown_form(workbook: Workbook, registry: Registry, plan: Plan) -> Issue:
    """No plugin claims the workbook: name the closest form and what it missed, where."""
    sheets = "、".join(workbook.sheet_names) or "なし"
    nearest = registry.nearest(workbook)
    if nearest is None:
        return Issue.at(
            "error",
            "unknown-form",
            f"どの様式とも判定できません（シート: {sheets}）。様式を変えていないか確認してください"
            f"（読める様式: {'、'.join(registry.names())}）",
            file=workbook.name,
        )
    info, near = nearest
    body = info.body(plan)
    form = "標準様式" if body is None else f"{body.name}の様式"
    return Issue.at(
        "error",
        "unknown-form",
        f"{form}に近いですが、{near.missing}",
        file=workbook.name,
        sheet=near.sheet,
        cell=near.cell,
        plugin=info.name,
    )


def _with_plugin(issue: Issue, plugin: str) -> Issue:
    if issue.plugin:
        return issue
    return Issue(issue.severity, issue.code, issue.message, issue.file, issue.sheet, issue.cell, plugin)


def _workbook_issue(exc: WorkbookError, file: str, plugin: str | None = None) -> Issue:
    return Issue.at("error", exc.code, exc.message, file=file, sheet=exc.sheet, cell=exc.cell, plugin=plugin)


def _plugin_issue(exc: PluginCallError, file: str) -> Issue:
    if isinstance(exc.__cause__, WorkbookError):
        # The plugin asked for a sheet the opener refused: the file is at fault, not the plugin.
        return _workbook_issue(exc.__cause__, file, exc.plugin)
    return Issue.at(
        "error",
        "plugin-failed",
        f"プラグイン {exc.plugin} が失敗しました: {exc.message}（このブックは集計に含めていません。プラグインの担当者に連絡してください）",
        file=file,
        plugin=exc.plugin,
    )


def read_files(
    files: Sequence[Path],
    plan: Plan,
    registry: Registry,
    *,
    limits: Limits | None = None,
    progress: Callable[[Path], None] | None = None,
    workers: int | None = None,
    portable_registry: bool = False,
) -> list[FileResult]:
    """Read ``files``, in their order, on up to ``workers`` processes (this one included;
    default ``SAISEI_WORKERS``, else one).

    Each file is read on its own, so the results are the same whichever process read it,
    and they come back in input order (:func:`saisei.pool.share` says how the work is
    shared).  Worker processes rebuild the plugin registry once each, so workers are used
    only when ``portable_registry`` says the registry is the default one (a registry a
    caller built may hold plugins that exist only in this process).
    """
    workers = (env_workers() or 1) if workers is None else max(1, workers)
    if workers < 2 or len(files) < 2 or not portable_registry or in_worker():
        results: list[FileResult] = []
        for path in files:
            results.append(read_file(path, plan, registry, limits))
            if progress is not None:
                progress(path)
        return results
    # The fork server imports these once; each worker forked from it starts warm.
    preload = ["saisei.pipeline", "saisei.reading", "polars", "python_calamine"]
    preload += sorted({info.module for info in registry.plugins.values() if info.module})
    return share(
        files,
        local=lambda path: read_file(path, plan, registry, limits),
        remote=_read_chunk,
        initializer=_init_worker,
        initargs=(plan, limits),
        preload=preload,
        workers=workers,
        progress=progress,
    )


_worker_state: tuple[Plan, Registry, Limits | None] | None = None


def _init_worker(plan: Plan, limits: Limits | None) -> None:
    """In a worker process: build the plugin registry once, for every chunk it reads."""
    global _worker_state
    _worker_state = (plan, get_registry(), limits)


def _read_chunk(paths: list[Path]) -> list[FileResult]:
    """In a worker process: read ``paths`` as :func:`read_file` does here."""
    assert _worker_state is not None, "worker not initialised"
    plan, registry, limits = _worker_state
    return [read_file(path, plan, registry, limits) for path in paths]


def assemble(
    results: list[FileResult],
    plan: Plan,
    registry: Registry,
    *,
    as_of: dt.date | None = None,
    ignored: list[Path] | None = None,
    earlier: Earlier | None = None,
    today: dt.date | None = None,
) -> Consolidation:
    """Validate, reconcile and total what the files gave.

    Without ``as_of``, the newest date the forms carry sets it (see :func:`form_dates`),
    else ``today`` (default: the clock's).

    ``earlier``: what a record holds from earlier runs (figures of workbooks not given
    again, and the run each known workbook came in); the rules across runs of
    :mod:`saisei.core.history` then apply.
    """
    # polars and pandera, imported when there is work: importing the pipeline stays quick
    import polars as pl

    from .core.aggregate import combine_within, totals
    from .core.history import reconcile_history
    from .core.schema import OBSERVATION_COLUMNS

    issues: list[Issue] = [*registry.load_issues, *registry.plan_issues(plan)]
    frames, owners, heights = [], [], []
    for index, result in enumerate(results):
        if result.frame is not None and result.frame.height:
            frames.append(result.frame)
            owners.append(index)
            heights.append(result.frame.height)
    if frames:
        # One column for every file at once: a with_columns per file costs 1,741 polars calls.
        submission = pl.DataFrame(
            {"submission": owners, "_n": heights}, schema={"submission": pl.Int64, "_n": pl.Int64}
        )
        observations = pl.concat(frames, how="vertical").with_columns(
            submission.select(pl.col("submission").repeat_by("_n").explode())["submission"]
        )
    else:
        observations = pl.DataFrame(schema={**OBSERVATION_COLUMNS, "submission": pl.Int64})
    found = validate_observations(observations, results, plan, registry)
    results = [replace(r, issues=[*r.issues, *found[i]]) if i in found else r for i, r in enumerate(results)]
    for result in results:
        issues.extend(result.issues)
    bad = [i for i, r in enumerate(results) if r.has_errors]
    accepted = observations.filter(~pl.col("submission").is_in(bad)) if bad else observations

    source: str | None = None
    dated, odd = form_dates(results, today or dt.date.today())
    issues.extend(odd)
    if earlier is not None:
        dated += [(day, where) for day, where in earlier.form_dates if day <= (today or dt.date.today())]
    if as_of is None:
        as_of, source = max(dated) if dated else (today or dt.date.today(), "today")
        outside = review_year_problem(as_of, plan)
        if outside is not None:
            issues.append(
                Issue.at(
                    "warning",
                    "outside-plan",
                    f"{outside}。計画期間の{'最初' if fiscal_year_under_review(as_of) < plan.fiscal_years[0] else '最後'}の年度を審査対象にしました"
                    "（--as-of で基準日を指定できます）",
                )
            )
    review_year = fiscal_year_under_review(as_of, plan)
    trail = accepted
    if earlier is not None and earlier.observations.height:
        carried = earlier.observations.with_columns(pl.col("submission") + len(results))
        trail = pl.concat([accepted, carried.select(accepted.columns)], how="vertical")
    figures = combine_within(trail)
    if earlier is None:
        figures = figures.with_columns(pl.lit(0, pl.Int64).alias("gathering"))
        rec = reconcile_history(figures)
    else:
        of = dict(earlier.gathering_of)
        gatherings = [of.get(i, earlier.current) for i in range(len(results))]
        if earlier.observations.height:
            per = earlier.observations.group_by("submission").agg(pl.col("gathering").first()).sort("submission")
            extra = dict(zip(per["submission"].to_list(), per["gathering"].to_list(), strict=True))
            gatherings += [extra.get(k, 0) for k in range(max(extra) + 1)]
        lookup = pl.DataFrame({"submission": range(len(gatherings)), "gathering": gatherings}).cast(pl.Int64)
        figures = figures.join(lookup, on="submission", how="left")
        same_review = [g for g, year in earlier.reviewed.items() if year == review_year]
        rec = reconcile_history(
            figures,
            current=earlier.current,
            accepted_on=earlier.accepted_on,
            warn=same_review,
            names={b.code: b.name for b in plan.bodies},
        )
    issues.extend(rec.issues)
    names = pl.DataFrame({"entity_code": [b.code for b in plan.bodies], "entity": [b.name for b in plan.bodies]})
    values = (
        rec.values.join(names, on="entity_code", how="left")
        .select("entity_code", "entity", "fiscal_year", "kpi", "value", "status", "sources")
        .sort("entity_code", "fiscal_year", "kpi")
    )
    issues.extend(_not_reported(values, plan, review_year, results))
    verdicts, superseded, verdict_issues = _verdicts(results, plan, values, review_year, earlier)
    issues.extend(verdict_issues)
    issues.extend(
        Issue.at(
            "warning",
            "not-a-workbook",
            "表計算ファイル（.xlsx）ではないため読んでいません（KPIの値が入っているなら .xlsx で送ってもらってください）",
            file=path.name,
        )
        for path in ignored or ()
    )
    return Consolidation(
        plan=plan,
        as_of=as_of,
        fiscal_year_under_review=review_year,
        files=results,
        observations=trail.drop("submission"),
        values=values,
        totals=totals(values, plan),
        revisions=rec.revisions,
        issues=issues,
        ignored_files=list(ignored or []),
        as_of_source=source,
        contributions=rec.values.select("entity_code", "fiscal_year", "kpi", "submissions"),
        verdicts=verdicts,
        superseded_verdicts=superseded,
    )


#: A form's date more than this after the middle of the forms' dates is not believed.
FAR_FROM_OTHERS = dt.timedelta(days=366)


def form_dates(results: Sequence[FileResult], today: dt.date) -> tuple[list[tuple[dt.date, str]], list[Issue]]:
    """The forms' dates that may set the run's as-of date, each with where it is
    (``file!sheet!cell``), and a warning at the cell of each that may not.

    A date after ``today``, or more than a year after the middle of the forms' dates
    (one slip of a year, ``2029`` for ``2025``), would move the year under review for
    every body: it is said at its cell and left out.
    """
    dated = [r for r in results if r.as_of is not None and not r.has_errors]
    days = sorted(r.as_of for r in dated if r.as_of is not None)
    middle = days[(len(days) - 1) // 2] if days else today
    kept: list[tuple[dt.date, str]] = []
    odd: list[Issue] = []
    for r in dated:
        assert r.as_of is not None
        sheet, cell = r.as_of_cell or (None, None)
        where = "!".join(p for p in (r.name, sheet, cell) if p)
        if r.as_of > today:
            why = f"今日（{today.isoformat()}）より後の日付です"
        elif len(days) > 2 and r.as_of - middle > FAR_FROM_OTHERS:
            why = f"ほかの様式の日付（中ほどは {middle.isoformat()}）より1年以上後です"
        else:
            kept.append((r.as_of, where))
            continue
        odd.append(
            Issue.at(
                "warning",
                "odd-form-date",
                f"様式の日付 {r.as_of.isoformat()} は{why}。基準日には使っていません"
                f"（この日付で確定・見込みを決める様式もあります。日付を確かめてください）",
                file=r.name,
                sheet=sheet,
                cell=cell,
                plugin=r.plugin,
            )
        )
    return kept, odd


def _verdicts(
    results: list[FileResult], plan: Plan, values: pl.DataFrame, review_year: int, earlier: Earlier | None
) -> tuple[pl.DataFrame, pl.DataFrame, list[Issue]]:
    """The committees' verdicts of the accepted review sheets (:mod:`saisei.verdicts`)."""
    from .core.aggregate import summary
    from .verdicts import settle, verdict_frames

    current = earlier.current if earlier is not None else 0
    of = dict(earlier.gathering_of) if earlier is not None else {}
    candidates = [(v, of.get(i, current)) for i, r in enumerate(results) if not r.has_errors for v in r.verdicts]
    if earlier is not None:
        candidates += list(earlier.verdicts)
    settled = settle(candidates)
    frame, superseded, issues = verdict_frames(settled, plan, values, summary(values, plan, rated_through=review_year))
    return frame, superseded, [*settled.issues, *issues]


def _not_reported(values: pl.DataFrame, plan: Plan, fiscal_year: int, results: list[FileResult]) -> list[Issue]:
    """A warning (未報告) for every body with a KPI missing for the year under review."""
    import polars as pl  # as in assemble

    have = set(values.filter(pl.col("fiscal_year") == fiscal_year).select("entity_code", "kpi").iter_rows())
    failed = {r.entity_code for r in results if r.has_errors and r.entity_code}
    out = []
    for body in plan.bodies:
        missing = [k for k in plan.kpis_for(body.code) if (body.code, k.number) not in have]
        if not missing:
            continue
        which = "すべてのKPI" if len(missing) == len(plan.kpis_for(body.code)) else "、".join(k.label for k in missing)
        why = "（エラーのあるブックは集計に含めていません）" if body.code in failed else ""
        out.append(
            Issue.at(
                "warning",
                "not-reported",
                f"{body.name}（{body.code}）の {fiscal_year}年度 {which} の値が届いていません（未報告）{why}",
            )
        )
    return out
