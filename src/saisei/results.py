"""What a consolidation gives: the result types, frozen once made.

The pipeline (:mod:`saisei.pipeline`) makes them; validation, the report and the command
line read them.  This module imports nothing of saisei's but the core, so every reader
can depend on it without depending on how the results were made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .core.issues import Issue
from .core.plan import Plan
from .core.verdict import Verdict

if TYPE_CHECKING:
    import polars as pl

__all__ = ["Consolidation", "FileResult"]


@dataclass(frozen=True)
class FileResult:
    """What became of one file: the plugin that read it, the body, the date it carries,
    its SHA-256, every issue found in it and its observations (None when not read)."""

    path: Path
    plugin: str | None = None
    entity_code: str | None = None
    as_of: dt.date | None = None
    sha256: str | None = None
    #: the sheet and cell of ``as_of``, when the plugin read it with ``Reading.date``
    as_of_cell: tuple[str, str] | None = None
    #: a report saisei wrote (recognized by its sheets), not a submission: left out
    own_output: bool = False
    issues: list[Issue] = field(default_factory=list)
    frame: pl.DataFrame | None = None
    verdicts: tuple[Verdict, ...] = ()

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)


@dataclass(frozen=True)
class Consolidation:
    """The outcome of a consolidation: values, totals, revisions and every issue.

    :ivar values: one row per body, fiscal year and KPI: ``entity_code``, ``entity``,
        ``fiscal_year``, ``kpi``, ``value``, ``status``, ``sources``
    :ivar totals: per fiscal year and KPI with any value: ``value``, ``target``,
        ``achievement``, ``bodies_reported``, ``provisional_bodies``
    :ivar revisions: figures that newer ones replaced: provisional by final
        (``kind`` ``provisional-final``) and, across the runs of a record, an accepted
        final by a different final (``revised-final``), with both sources and when the
        old one was accepted (``old_accepted``)
    :ivar observations: every accepted observation, with its cell (with a record: those
        of earlier runs' workbooks too)
    :ivar contributions: per value (entity_code, fiscal_year, kpi), ``submissions``: the
        numbers of the workbooks behind it (an index into ``files``, then into the earlier
        submissions the record gave)
    :ivar as_of_source: what set ``as_of``: ``file!sheet!cell`` of the form's date,
        ``"today"`` when no form carried a date it could use, ``None`` when it was given
    :ivar run: the record's number for this run (None without a record, or read-only)
    :ivar verdicts: the committees' verdicts that stand, per body and fiscal year
        (:data:`saisei.verdicts.VERDICT_COLUMNS`: the answers, ``reviewed_on``,
        ``suggested_effect`` from the figures, ``sources`` — the answers' cells)
    :ivar superseded_verdicts: older review sheets a newer one replaced
    :ivar outputs: the files written for it by ``consolidate(..., out=DIR)``

    :func:`saisei.consolidate` returns :class:`saisei.api.Consolidation`, this with
    ``write()`` and ``to_dict()``.
    """

    plan: Plan
    as_of: dt.date
    fiscal_year_under_review: int
    files: list[FileResult]
    observations: pl.DataFrame
    values: pl.DataFrame
    totals: pl.DataFrame
    revisions: pl.DataFrame
    issues: list[Issue]
    ignored_files: list[Path] = field(default_factory=list)
    contributions: pl.DataFrame | None = None
    run: int | None = None
    as_of_source: str | None = None
    outputs: tuple[Path, ...] = ()
    verdicts: pl.DataFrame | None = None
    superseded_verdicts: pl.DataFrame | None = None

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)

    def summary(self) -> pl.DataFrame:
        """Every fiscal year and KPI of the plan, with target, actual, level and rating."""
        from .core.aggregate import summary  # polars, only when asked: results are imported early

        return summary(self.values, self.plan, rated_through=self.fiscal_year_under_review)
