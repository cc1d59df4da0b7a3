"""The KPI schema: pandera models over polars frames.

Two frames travel through saisei:

* **observations** — what readers produce: one row per value read from one cell (or a
  ledger row, a month, a quarter), with the cell it came from;
* **consolidated values** — one row per body, fiscal year and KPI after the aggregation
  rules, with every source cell.

``OBSERVATION_COLUMNS`` and ``VALUE_COLUMNS`` give the polars dtypes; the pandera models
check the content.  Validation runs once per batch, not per sheet (each call has a fixed
cost of a few milliseconds).
"""

from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from .columns import OBSERVATION_COLUMNS, VALUE_COLUMNS

__all__ = [
    "OBSERVATION_COLUMNS",
    "VALUE_COLUMNS",
    "ConsolidatedValues",
    "Observations",
    "empty_observations",
]

STATUSES = ("final", "provisional")
CODE_PATTERN = r"^[0-9]{6}$"
CELL_PATTERN = r"^[A-Z]{1,3}[1-9][0-9]*$"


class Observations(pa.DataFrameModel):
    """One value a reader took from a workbook, with the cell it came from.

    ``period`` names the part of the year a row covers where the form splits it
    (``2024-Q1``, ``2024-04``, a ledger row ``行7``); rows of one workbook with the same
    body, year and KPI add up.
    """

    entity_code: str = pa.Field(str_matches=CODE_PATTERN)
    fiscal_year: int = pa.Field(ge=1989, le=2200)
    kpi: int = pa.Field(ge=1, le=99)
    value: int = pa.Field(ge=0)
    status: str = pa.Field(isin=STATUSES)
    file: str = pa.Field(str_length={"min_value": 1})
    sheet: str = pa.Field(str_length={"min_value": 1})
    cell: str = pa.Field(str_matches=CELL_PATTERN)
    period: Optional[str] = pa.Field(nullable=True)  # noqa: UP045 - pandera reads the annotation

    class Config:
        strict = True
        coerce = False


class ConsolidatedValues(pa.DataFrameModel):
    """One figure per body, fiscal year and KPI after reconciliation."""

    entity_code: str = pa.Field(str_matches=CODE_PATTERN)
    entity: str
    fiscal_year: int = pa.Field(ge=1989, le=2200)
    kpi: int = pa.Field(ge=1, le=99)
    value: int = pa.Field(ge=0)
    status: str = pa.Field(isin=STATUSES)

    class Config:
        strict = False  # ``sources`` is a list column pandera's model types cannot spell
        coerce = False


def empty_observations() -> pl.DataFrame:
    return pl.DataFrame(schema=OBSERVATION_COLUMNS)
