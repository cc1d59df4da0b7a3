"""The small read API over a record, for scripts and for ``saisei status``/``history``.

Every function takes an open :class:`~saisei.record.store.Record` or a path (opened
read-only for the call) and returns a polars frame::

    from saisei.record import read

    read.values("記録.sqlite")             # what the latest run accepted
    read.values("記録.sqlite", run=1)      # what the first run accepted
    read.history("記録.sqlite", "062049", fiscal_year=2024, kpi=1)  # one figure, every report of it
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import polars as pl

from ..core.aggregate import KEY, combine_within
from ..core.columns import OBSERVATION_COLUMNS
from .opening import open_record
from .store import Record

__all__ = ["history", "runs", "submissions", "values"]

T = TypeVar("T")


@contextmanager
def _opened(record: Record | str | Path) -> Iterator[Record]:
    if isinstance(record, Record):
        yield record
        return
    with open_record(record) as rec:
        yield rec


def _with(record: Record | str | Path, func: Callable[[Record], T]) -> T:
    with _opened(record) as rec:
        return func(rec)


def runs(record: Record | str | Path) -> pl.DataFrame:
    """Every run, in order: when, as-of date, fiscal year under review, plan, counts."""
    return _with(record, lambda rec: rec.runs())


def submissions(record: Record | str | Path) -> pl.DataFrame:
    """Every stored workbook (not its bytes): number, SHA-256, name as received, size,
    the run that added it, when, plugin and version, body, form date, accepted."""
    return _with(
        record,
        lambda rec: rec.frame(
            "SELECT submission, sha256, name, size, run, added_at, plugin, plugin_version, entity_code, form_date,"
            " accepted FROM submissions ORDER BY submission",
            schema={
                "submission": pl.Int64,
                "sha256": pl.String,
                "name": pl.String,
                "size": pl.Int64,
                "run": pl.Int64,
                "added_at": pl.String,
                "plugin": pl.String,
                "plugin_version": pl.String,
                "entity_code": pl.String,
                "form_date": pl.String,
                "accepted": pl.Int64,
            },
        ).with_columns(pl.col("accepted").cast(pl.Boolean)),
    )


VALUES_SCHEMA = {
    "run": pl.Int64,
    "entity_code": pl.String,
    "fiscal_year": pl.Int64,
    "kpi": pl.Int64,
    "value": pl.Int64,
    "status": pl.String,
    "sources": pl.String,
    "submissions": pl.String,
}


def values(record: Record | str | Path, run: int | None = None) -> pl.DataFrame:
    """The values a run accepted (default: the latest run), one row per body, fiscal year
    and KPI: ``value``, ``status``, ``sources`` and ``submissions`` (the workbooks behind it)."""

    def get(rec: Record) -> pl.DataFrame:
        which = run
        if which is None:
            which = int(rec.conn.execute("SELECT COALESCE(MAX(run), 0) FROM runs").fetchone()[0])
        frame = rec.frame(
            "SELECT run, entity_code, fiscal_year, kpi, value, status, sources, submissions FROM run_values"
            " WHERE run = ? ORDER BY entity_code, fiscal_year, kpi",
            (which,),
            schema=VALUES_SCHEMA,
        )
        return frame.with_columns(
            pl.col("sources").str.json_decode(pl.List(pl.String)),
            pl.col("submissions").str.json_decode(pl.List(pl.Int64)),
        )

    return _with(record, get)


HISTORY_COLUMNS = [
    *KEY,
    "value",
    "status",
    "file",
    "sources",
    "submission",
    "sha256",
    "received",
    "run",
    "accepted_by",
]


def history(
    record: Record | str | Path,
    entity_code: str | None = None,
    *,
    fiscal_year: int | None = None,
    kpi: int | None = None,
) -> pl.DataFrame:
    """Every figure ever reported (one per workbook, body, fiscal year and KPI), in the
    order the workbooks came: ``value``, ``status``, ``file`` (name as received),
    ``sources``, ``submission`` and ``sha256``, ``received`` (the day the record got
    it), ``run`` (the run that added it) and ``accepted_by`` (the runs whose accepted
    value it is)."""

    def get(rec: Record) -> pl.DataFrame:
        where, params = ["1 = 1"], []
        for column, wanted in (("entity_code", entity_code), ("fiscal_year", fiscal_year), ("kpi", kpi)):
            if wanted is not None:
                where.append(f"o.{column} = ?")
                params.append(wanted)
        obs = rec.frame(
            "SELECT o.submission, o.entity_code, o.fiscal_year, o.kpi, o.value, o.status, o.file, o.sheet, o.cell,"
            f" o.period FROM observations o JOIN submissions s USING (submission) WHERE {' AND '.join(where)}"
            " AND s.accepted = 1 ORDER BY o.rowid",
            params,
            schema={"submission": pl.Int64, **OBSERVATION_COLUMNS},
        )
        figures = combine_within(obs)
        subs = rec.frame(
            "SELECT submission, sha256, run, substr(added_at, 1, 10) AS received FROM submissions",
            schema={"submission": pl.Int64, "sha256": pl.String, "run": pl.Int64, "received": pl.String},
        )
        accepted = rec.frame(
            "SELECT run, entity_code, fiscal_year, kpi, submissions FROM run_values", schema=VALUES_SCHEMA
        )
        by = (
            accepted.with_columns(pl.col("submissions").str.json_decode(pl.List(pl.Int64)))
            .explode("submissions")
            .rename({"submissions": "submission", "run": "accepted_run"})
            .group_by([*KEY, "submission"])
            .agg(pl.col("accepted_run").unique().sort().alias("accepted_by"))
        )
        return (
            figures.join(subs, on="submission", how="left")
            .join(by, on=[*KEY, "submission"], how="left")
            .with_columns(pl.col("accepted_by").fill_null([]))
            .sort([*KEY, "run", "submission"])
            .select(HISTORY_COLUMNS)
        )

    return _with(record, get)
