"""The library's front door: :func:`consolidate`, and the :class:`Consolidation` it
returns, which can write its report.

This module sits above the pipeline (which makes the results) and the report (which
reads them), so neither needs the other: the result types themselves are in
:mod:`saisei.results`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from .core.cycle import review_year_problem
from .core.fiscal import parse_date
from .core.issues import Issue
from .core.plan import Plan
from .pipeline import assemble, collect_files, read_files
from .plans import load_plan
from .plugins import Registry, get_registry
from .pool import default_workers
from .recording import consolidate_into
from .report import write_outputs
from .report.data import to_dict
from .results import Consolidation as Result
from .results import FileResult
from .sendback import SendBack, sendback
from .workbook import Limits

__all__ = ["Consolidation", "consolidate"]


class Consolidation(Result):
    """A :class:`saisei.results.Consolidation` that can write its report and JSON."""

    @classmethod
    def of(cls, result: Result) -> Consolidation:
        """``result``, as this class (the same fields, not copied)."""
        return cls(**{f.name: getattr(result, f.name) for f in dataclasses.fields(result)})

    def to_dict(self) -> dict[str, Any]:
        """The JSON document ``saisei consolidate --json`` prints."""
        return to_dict(self)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``report.xlsx``, ``values.csv`` and ``values.parquet`` into ``out_dir``."""
        return write_outputs(self, Path(out_dir))

    def sendback(
        self,
        out_dir: str | Path,
        *,
        due: dt.date | None = None,
        errors_only: bool = False,
        checked: dt.date | None = None,
    ) -> list[SendBack]:
        """Write, for every workbook with a problem, its annotated copy
        (``<stem>_要確認.xlsx``: 確認事項 first, each flagged cell filled and commented,
        every other part as received) and its cover letter (``<stem>_要確認.txt``).

        :param due: the date to send the fixed workbook back by (in the letter and the list)
        :param errors_only: only workbooks with an error (not those with warnings alone)
        :param checked: the date the list and the letter carry (default: today)
        """
        return sendback(self, Path(out_dir), due=due, errors_only=errors_only, checked=checked)


def _paths(paths: object, *, allow_empty: bool = False) -> list[str | Path]:
    """``paths`` as a list: one path or string is one path, never its characters (none at
    all only with ``allow_empty``: a record alone gives its earlier runs' figures)."""
    if isinstance(paths, str | os.PathLike):
        return [Path(paths)]
    if isinstance(paths, bytes) or not isinstance(paths, Iterable):
        raise TypeError(
            f"paths にはファイルやフォルダーのパス（str か Path）、またはその一覧を渡してください"
            f"（渡されたのは {type(paths).__name__}）"
        )
    out: list[str | Path] = []
    for path in paths:
        if not isinstance(path, str | os.PathLike):
            raise TypeError(
                f"paths の要素はパス（str か Path）にしてください（{type(path).__name__} {path!r} があります）"
            )
        out.append(Path(path))
    if not out and not allow_empty:
        raise ValueError("paths が空です: 読み込むブックのファイルかフォルダーを一つ以上渡してください")
    return out


def _as_of(as_of: object, plan: Plan) -> dt.date | None:
    """``as_of`` as a date (a ``datetime`` or text such as ``"2025-09-01"`` too), checked
    to give a year of the plan to review."""
    if as_of is None:
        return None
    if not isinstance(as_of, str | dt.date):
        raise TypeError(f'as_of には日付（datetime.date か "2025-09-01" のような文字列）を渡してください（{as_of!r}）')
    try:
        day = parse_date(as_of)
    except ValueError as exc:
        raise ValueError(f"as_of: {exc}") from None
    problem = review_year_problem(day, plan)
    if problem is not None:
        raise ValueError(problem)
    return day


def _plan(plan: object) -> Plan:
    if plan is None or isinstance(plan, str | os.PathLike):
        return load_plan(plan)  # type: ignore[arg-type]
    if not isinstance(plan, Plan):
        raise TypeError(f"plan には Plan か計画ファイルのパスを渡してください（{type(plan).__name__}）")
    return plan


def _workers(workers: object) -> int | Literal["auto"] | None:
    if workers is None or workers == "auto":
        return workers
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise TypeError(f'workers には 1 以上の整数か "auto" か None を渡してください（{workers!r}）')
    if workers < 1:
        raise ValueError(f"workers は 1 以上にしてください（{workers}）")
    return workers


def consolidate(
    paths: str | Path | Sequence[str | Path],
    *,
    record: str | Path | None = None,
    out: str | Path | None = None,
    read_only: bool = False,
    waiting: Callable[[str], None] | None = None,
    plan: Plan | str | Path | None = None,
    as_of: dt.date | str | None = None,
    registry: Registry | None = None,
    limits: Limits | None = None,
    progress: Callable[[Path], None] | None = None,
    workers: int | Literal["auto"] | None = None,
    exclude: Sequence[str | Path] = (),
    found: Callable[[list[Path]], None] | None = None,
) -> Consolidation:
    """Read every workbook under ``paths`` and consolidate them.

    :param paths: files and folders (folders are searched recursively), or one of them
    :param record: the plan's record (:mod:`saisei.record`; created when missing): the
        figures of its earlier runs count too, workbooks it already holds are not read
        again, and this run is added to it, in one transaction
    :param out: write the report into this folder (with a record: inside the run's
        transaction, the outputs' hashes recorded with the run)
    :param read_only: use the record's earlier runs but add nothing (``saisei validate``)
    :param waiting: told when another run holds the record and this one waits for it
    :param plan: the plan, or the path of a plan file (default: the Yamagata plan
        shipped with saisei)
    :param as_of: the consolidation date that picks the fiscal year under review, a date
        or text (``"2025-09-01"``; default: the newest date the forms carry, else today).
        A date whose year under review is outside the plan is a ``ValueError``
    :param registry: the plugins (default: the built-ins and every installed plugin)
    :param limits: size limits for workbooks
    :param progress: called with each file's path as it is read
    :param found: called once with the workbooks found, before any is read (to size a
        progress bar)
    :param exclude: output folders (``out`` is one): saisei's own outputs in them are left
        out without a word; its outputs found anywhere else are left out with one warning
        (own-output).  Any other file in them is read
    :param workers: processes that read files, this one included (see
        :func:`saisei.pipeline.read_files`).  Default: ``SAISEI_WORKERS``, else one.
        ``"auto"``: :func:`saisei.pool.default_workers` for the number of files found (one
        per idle CPU for many files), as ``saisei consolidate`` does.  Worker processes
        import the calling script again, as Python's multiprocessing always does: a script
        that asks for workers keeps its work under ``if __name__ == "__main__":``.
    """
    wanted = _paths(paths, allow_empty=record is not None)
    the_plan = _plan(plan)
    day = _as_of(as_of, the_plan)
    workers = _workers(workers)
    own_registry = registry is None
    registry = registry or get_registry()
    if record is not None:  # a record kept in the folder of submissions is not one of them
        exclude = (*exclude, Path(record), Path(f"{record}-journal"))
    if out is not None:
        exclude = (*exclude, out)
    files, ignored, own, unreadable = collect_files(wanted, exclude=exclude)
    if found is not None:
        found(files)
    chosen = default_workers(len(files)) if workers == "auto" else workers
    outputs = [Path(o).resolve() for o in exclude]

    def read(which: list[Path]) -> list[FileResult]:
        results = read_files(
            which, the_plan, registry, limits=limits, progress=progress, workers=chosen, portable_registry=own_registry
        )
        for r in results:  # a report of this run's output folder is left out without a word
            if r.own_output and r.path.resolve().parent not in outputs:
                own.append(r.path)
        return [r for r in results if not r.own_output]

    def noted(made: Result) -> Consolidation:
        """``made`` with the folders that could not be searched and saisei's own outputs said."""
        return Consolidation.of(dataclasses.replace(made, issues=[*collect_notes(own, unreadable), *made.issues]))

    if record is None:
        result = noted(assemble(read(files), the_plan, registry, as_of=day, ignored=ignored))
        if out is not None:
            result = dataclasses.replace(result, outputs=tuple(result.write(out)))
        return result
    written: list[Path] = []

    def write(made: Result) -> list[Path]:
        assert out is not None
        written.extend(noted(made).write(out))
        return written

    made = consolidate_into(
        Path(record),
        files,
        ignored,
        read,
        the_plan,
        registry,
        day,
        read_only=read_only,
        waiting=waiting,
        write=write if out is not None else None,
    )
    return dataclasses.replace(noted(made), outputs=tuple(written))


def collect_notes(own: list[Path], unreadable: list[tuple[Path, OSError]]) -> list[Issue]:
    """An error for each folder that could not be searched; one line for saisei's own outputs."""
    notes = [
        Issue.at(
            "error",
            "folder-unreadable",
            f"フォルダー {path} を{'開けません（権限がありません）' if isinstance(exc, PermissionError) else f'読めません（{exc.strerror or exc}）'}。"
            "中のブックは読んでいません（フォルダーの権限を確かめてください）",
            file=path.name,
        )
        for path, exc in unreadable
    ]
    if own:
        names = "、".join(str(p) for p in own[:3]) + (f" ほか{len(own) - 3}件" if len(own) > 3 else "")
        notes.append(
            Issue.at(
                "warning",
                "own-output",
                f"saisei が書き出したファイル {len(own)} 件は提出ではないため読んでいません: {names}",
            )
        )
    return notes
