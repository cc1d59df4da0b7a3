"""The polars dtypes of the frames that travel through saisei, without pandera.

Readers build observation frames in every worker process; importing pandera there (and
pandas, which pandera imports when it is installed) would cost a second per process for
two dicts.  :mod:`saisei.core.schema` re-exports these next to the pandera models.
"""

from __future__ import annotations

import polars as pl

__all__ = ["OBSERVATION_COLUMNS", "VALUE_COLUMNS"]

OBSERVATION_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "entity_code": pl.String,
    "fiscal_year": pl.Int64,
    "kpi": pl.Int64,
    "value": pl.Int64,
    "status": pl.String,
    "file": pl.String,
    "sheet": pl.String,
    "cell": pl.String,
    "period": pl.String,
}

VALUE_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "entity_code": pl.String,
    "entity": pl.String,
    "fiscal_year": pl.Int64,
    "kpi": pl.Int64,
    "value": pl.Int64,
    "status": pl.String,
    "sources": pl.List(pl.String),
}
