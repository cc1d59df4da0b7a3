"""The library's front door: :func:`consolidate`, and the :class:`Consolidation` it
returns, which can write its report.

This module sits above the pipeline (which makes the results) and the report (which
reads them), so neither needs the other: the result types themselves are in
:mod:`saisei.results`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

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


def consolidate(
    paths: Sequence[str | Path],
    *,
    record: str | Path | None = None,
    out: str | Path | None = None,
    read_only: bool = False,
    waiting: Callable[[str], None] | None = None,
    plan: Plan | None = None,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    limits: Limits | None = None,
    progress: Callable[[Path], None] | None = None,
    workers: int | Literal["auto"] | None = None,
    exclude: Sequence[str | Path] = (),
    found: Callable[[list[Path]], None] | None = None,
) -> Consolidation:
    """Read every workbook under ``paths`` and consolidate them.

    :param paths: files and folders (folders are searched recursively)
    :param record: the plan's record (:mod:`saisei.record`; created when missing): the
        figures of its earlier runs count too, workbooks it already holds are not read
        again, and this run is added to it, in one transaction
    :param out: write the report into this folder (with a record: inside the run's
        transaction, the outputs' hashes recorded with the run)
    :param read_only: use the record's earlier runs but add nothing (``saisei validate``)
    :param waiting: told when another run holds the record and this one waits for it
    :param plan: the plan (default: the Yamagata plan shipped with saisei)
    :param as_of: the consolidation date that picks the fiscal year under review
        (default: the newest date the forms carry, else today)
    :param registry: the plugins (default: the built-ins and every installed plugin)
    :param limits: size limits for workbooks
    :param progress: called with each file's path as it is read
    :param found: called once with the workbooks found, before any is read (to size a
        progress bar)
    :param exclude: folders not to search (the output folder, so a report is never read
        back as a submission)
    :param workers: processes that read files, this one included (see
        :func:`saisei.pipeline.read_files`).  Default: ``SAISEI_WORKERS``, else one.
        ``"auto"``: :func:`saisei.pool.default_workers` for the number of files found (one
        per idle CPU for many files), as ``saisei consolidate`` does.  Worker processes
        import the calling script again, as Python's multiprocessing always does: a script
        that asks for workers keeps its work under ``if __name__ == "__main__":``.
    """
    plan = plan or load_plan()
    own_registry = registry is None
    registry = registry or get_registry()
    files, ignored = collect_files(paths, exclude=exclude)
    if found is not None:
        found(files)
    chosen = default_workers(len(files)) if workers == "auto" else workers

    def read(which: list[Path]) -> list[FileResult]:
        return read_files(
            which, plan, registry, limits=limits, progress=progress, workers=chosen, portable_registry=own_registry
        )

    if record is None:
        result = Consolidation.of(assemble(read(files), plan, registry, as_of=as_of, ignored=ignored))
        if out is not None:
            result = dataclasses.replace(result, outputs=tuple(result.write(out)))
        return result
    written: list[Path] = []

    def write(made: Result) -> list[Path]:
        assert out is not None
        written.extend(Consolidation.of(made).write(out))
        return written

    made = consolidate_into(
        Path(record),
        files,
        ignored,
        read,
        plan,
        registry,
        as_of,
        read_only=read_only,
        waiting=waiting,
        write=write if out is not None else None,
    )
    return Consolidation.of(dataclasses.replace(made, outputs=tuple(written)))
