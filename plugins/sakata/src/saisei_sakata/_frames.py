"""The polars engine for big ledgers: the rules of :mod:`._ledger` as expressions over whole columns.

A ledger may hold 100,000 rows, so nothing here calls a helper per cell.  The grid is
turned into six columns once; each column becomes a type tag and its text; dates,
指標区分 and 件数 are parsed by polars expressions (NFKC, regular expressions, casts).
Only this module imports polars, and only :func:`._ledger.read_ledger` imports it, for
a ledger of :data:`._ledger.POLARS_FROM_ROWS` rows or more.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from saisei.plugin import Plan, Reading

from . import _ledger
from ._form import CANCELLED, FIRST_ROW, KPI_BY_LABEL, SUBTOTAL_LABEL, TOTAL_LABEL, UNITS
from ._ledger import (
    BLANK,
    COUNT_PATTERN,
    DATE,
    DATE_PATTERNS,
    ERA_BASE,
    ERA_LAST,
    NUMBER,
    TAGS,
    TEXT,
    WS,
    Ledger,
    Missed,
    label_pattern,
)

__all__ = ["parse", "read"]

_COLUMNS = ("a", "b", "c", "d", "e", "f")  # 番号 実施日 事業名 指標区分 件数 備考
_TEXT_KINDS = {str, type(None)}
_NUMBER_KINDS = {float, type(None)}
assert (BLANK, TEXT) == (0, 1)  # _typed makes these tags from is_not_null()


def _typed(values: list[Any]) -> tuple[pl.Series, pl.Series]:
    """A column's type tags and its values as text (null where blank or not plain)."""
    kinds = set(map(type, values))
    if kinds <= _TEXT_KINDS:  # 事業名, 指標区分, 備考: text and blanks only, tagged by polars
        text = pl.Series(values, dtype=pl.String)
        return text.is_not_null().cast(pl.Int8), text  # TEXT (1) where a value, BLANK (0) where none
    if kinds <= _NUMBER_KINDS:  # 番号 as Excel numbers: polars writes a float as it casts one
        numbers = pl.Series(values, dtype=pl.Float64)
        return (numbers.is_not_null().cast(pl.Int8) * NUMBER).cast(pl.Int8), numbers.cast(pl.String)
    tags = pl.Series(list(map(TAGS.get, map(type, values))), dtype=pl.Int8)
    if not kinds <= TAGS.keys():
        values = list(values)
        for i in tags.is_null().arg_true().to_list():
            values[i] = None
    return tags, pl.Series(values, dtype=pl.String, strict=False)


def _frame(columns: list[list[Any]]) -> pl.DataFrame:
    data: dict[str, pl.Series] = {}
    for name, values in zip(_COLUMNS, columns, strict=True):
        data[f"{name}_tag"], data[f"{name}_str"] = _typed(values)
    height = len(columns[0])
    return pl.DataFrame(data, height=height).with_columns(
        pl.int_range(FIRST_ROW, FIRST_ROW + height, dtype=pl.Int64).alias("row")
    )


def _tag(name: str) -> pl.Expr:
    return pl.col(f"{name}_tag")


def _blank(name: str) -> pl.Expr:
    """Blank: an empty cell or white space only.  A cell of another kind (null tag) is not."""
    text_blank = (_tag(name) == TEXT) & (pl.col(f"{name}_str").str.strip_chars() == "")
    return ((_tag(name) == BLANK) | text_blank).fill_null(False)


def _squeezed(column: pl.Expr) -> pl.Expr:
    """Text as parse_count sees it: NFKC, without white space."""
    return column.str.normalize("NFKC").str.replace_all(f"{WS}+", "")


def _labelled(label: str) -> pl.Expr:
    """A row labelled ``label`` (合計, 小計) in 事業名 — or in 番号, 実施日 or 指標区分, where a
    label merged over A:D sits — white space aside."""
    pattern = label_pattern(label)
    return pl.any_horizontal(
        ((_tag(c) == TEXT) & pl.col(f"{c}_str").str.contains(pattern)).fill_null(False) for c in "abcd"
    )


def _field(column: str, name: str) -> pl.Expr:
    return pl.col(column).struct.field(name)


# -- dictionaries: each distinct cell text parsed once ------------------------------------
#
# A ledger of 100,000 rows holds a few thousand distinct date texts and counts, and a
# handful of 指標区分: each is parsed once, in a small frame, and joined back by its text.


def _text_dates(keys: pl.LazyFrame) -> pl.LazyFrame:
    """``key`` (a 実施日 typed as text) → ``text_date``, by the spellings parse_date reads."""
    found = [f"_date{i}" for i in range(len(DATE_PATTERNS))]
    text = pl.col("key").str.normalize("NFKC").str.strip_chars().str.to_uppercase()
    frame = keys.with_columns(text.str.extract_groups(p).alias(c) for p, c in zip(DATE_PATTERNS, found, strict=True))
    frame = frame.with_columns(
        pl.coalesce(_field(found[0], "era"), _field(found[1], "era")).alias("_era"),
        pl.coalesce(_field(found[0], "n"), _field(found[1], "n")).alias("_n"),
        pl.coalesce(_field(found[2], "y"), _field(found[3], "y")).cast(pl.Int32).alias("_year"),
        pl.coalesce(*(_field(c, "m") for c in found)).alias("_month"),
        pl.coalesce(*(_field(c, "d") for c in found)).alias("_day"),
    ).with_columns(
        pl.when(pl.col("_n") == "元")
        .then(pl.lit(1, dtype=pl.Int32))
        .otherwise(pl.col("_n").cast(pl.Int32, strict=False))
        .alias("_n"),
        pl.col("_era").replace_strict(ERA_BASE, default=None, return_dtype=pl.Int32).alias("_base"),
        pl.col("_era").replace_strict(ERA_LAST, default=None, return_dtype=pl.Int32).alias("_last"),
    )
    era_year = pl.when((pl.col("_n") >= 1) & (pl.col("_n") <= pl.col("_last"))).then(pl.col("_base") + pl.col("_n"))
    year = pl.coalesce(era_year, pl.col("_year"))
    year = pl.when(year >= 1).then(year).cast(pl.String)  # no year 0 (0000/1/1): polars has one, Python not
    return frame.select(
        "key",
        pl.concat_str([year, "_month", "_day"], separator="-").str.to_date("%Y-%m-%d", strict=False).alias("text_date"),
    )


def _excel_dates(keys: pl.LazyFrame) -> pl.LazyFrame:
    """``key`` (an Excel date, as polars writes it) → ``excel_date``."""
    return keys.select("key", pl.col("key").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias("excel_date"))


def _text_counts(keys: pl.LazyFrame) -> pl.LazyFrame:
    """``key`` (a 件数 typed as text) → ``text_count`` and ``unit`` (null when not plain)."""
    found = keys.with_columns(_squeezed(pl.col("key")).str.extract_groups(COUNT_PATTERN).alias("_m"))
    return found.select(
        "key",
        _field("_m", "n").str.replace_all(",", "").cast(pl.Int64, strict=False).alias("text_count"),
        _field("_m", "unit").alias("unit"),
    )


def _number_counts(keys: pl.LazyFrame) -> pl.LazyFrame:
    """``key`` (a number, as polars writes it) → ``number_count`` when a whole number >= 0."""
    number = pl.col("key").cast(pl.Float64, strict=False)
    whole = number.is_finite() & (number >= 0) & (number == number.floor()) & (number < 2.0**53)
    return keys.select("key", pl.when(whole).then(number.cast(pl.Int64)).alias("number_count"))


def _kpis(keys: pl.LazyFrame) -> pl.LazyFrame:
    """``key`` (a 指標区分) → ``kpi``."""
    kpi = _squeezed(pl.col("key")).replace_strict(KPI_BY_LABEL, default=None, return_dtype=pl.Int64)
    return keys.select("key", kpi.alias("kpi"))


def _cancel_notes(keys: pl.LazyFrame) -> pl.LazyFrame:
    """``key`` (a 備考) → ``cancel_note``: it says 中止."""
    return keys.select(
        "key", pl.col("key").str.normalize("NFKC").str.contains(CANCELLED, literal=True).alias("cancel_note")
    )


_LOOKUPS = (
    ("b", TEXT, _text_dates),
    ("b", DATE, _excel_dates),
    ("e", TEXT, _text_counts),
    ("e", NUMBER, _number_counts),
    ("d", TEXT, _kpis),
    ("f", TEXT, _cancel_notes),
)


def _look_up(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the columns the dictionaries give, null where a cell has another type.

    (Eager on purpose: one lazy plan with seven joins costs more to optimize than to run.)
    """
    for column, tag, parse_values in _LOOKUPS:
        keys = frame.select(pl.when(_tag(column) == tag).then(pl.col(f"{column}_str")).alias("key"))
        values = parse_values(keys.lazy().select(pl.col("key").drop_nulls().unique())).collect()
        found = keys.join(values, on="key", how="left", maintain_order="left").drop("key")
        frame = frame.hstack(found)  # the narrow result only: the ledger itself is not copied
    return frame


def parse(columns: list[list[Any]], plan: Plan) -> pl.DataFrame:
    """Every sheet row from FIRST_ROW with what the fast path made of it: the columns of
    :func:`._ledger.parse_rows`, which reads the same rows the same way in Python.

    The fast path leaves a value null whenever it is not sure; such rows go to the core's
    parsers one by one.
    """
    a_number = pl.col("a_str").cast(pl.Float64, strict=False)
    number_key = (
        pl.when((_tag("a") == NUMBER) & (a_number == a_number.floor()))
        .then(a_number.cast(pl.Int64, strict=False).cast(pl.String))
        .when(_tag("a") == NUMBER)
        .then(pl.col("a_str"))
        .otherwise(_squeezed(pl.col("_a_text")))
    )
    fiscal_year = (
        pl.when(pl.col("date").dt.month() >= 4).then(pl.col("date").dt.year()).otherwise(pl.col("date").dt.year() - 1)
    )
    unit_ok = pl.col("unit").is_null() | (pl.col("unit") == pl.col("kpi").replace_strict(UNITS, default=None))
    lazy = (
        _look_up(_frame(columns))
        .lazy()
        .with_columns(
            _labelled(TOTAL_LABEL).alias("total"),
            _labelled(SUBTOTAL_LABEL).alias("_subtotal"),
            pl.coalesce("excel_date", "text_date").alias("date"),
            pl.coalesce("number_count", "text_count").alias("count"),
            (_blank("e") & pl.col("cancel_note").fill_null(False)).alias("cancelled"),
            (_tag("b") == TEXT).fill_null(False).alias("text_date"),
            (_tag("e") == TEXT).fill_null(False).alias("text_count"),
            pl.when(_tag("a") == TEXT).then(pl.col("a_str")).alias("_a_text"),  # NFKC only where text
            (~_blank("c") | ~_blank("e") | ~_blank("f")).alias("_filled"),
        )
        .with_columns(
            (pl.col("_filled") & ~pl.col("total") & ~pl.col("_subtotal")).alias("event"),
            fiscal_year.cast(pl.Int64).alias("fiscal_year"),
            unit_ok.fill_null(False).alias("unit_ok"),
            pl.when(pl.col("cancelled")).then(pl.lit(0, dtype=pl.Int64)).otherwise(pl.col("count")).alias("value"),
            number_key.alias("number"),
        )
        .with_columns(
            (
                pl.col("date").is_not_null()
                & pl.col("fiscal_year").is_in(list(plan.fiscal_years))
                & pl.col("kpi").is_not_null()
                & pl.col("value").is_not_null()
                & (pl.col("cancelled") | pl.col("unit_ok"))
            )
            .fill_null(False)
            .alias("ok")
        )
    )
    keep = ("row", "event", "total", "date", "fiscal_year", "kpi", "count", "unit", "unit_ok", "cancelled")
    return lazy.select(*keep, "value", "number", "text_date", "text_count", "ok").collect()


def read(reading: Reading, sheet: str, columns: list[list[Any]], plan: Plan, as_of: dt.date | None) -> Ledger:
    """The polars engine's :func:`._ledger.read_ledger`."""
    frame = parse(columns, plan)
    events = frame.filter(pl.col("event"))
    settled = events.filter(pl.col("ok")).select("row", "fiscal_year", "kpi", "value", "text_date", "text_count")
    fixed = [
        fixed_row
        for row in events.filter(~pl.col("ok")).iter_rows(named=True)
        if (fixed_row := _ledger._settle(reading, sheet, row, columns, plan)) is not None
    ]
    if fixed:
        settled = pl.concat([settled, pl.DataFrame(fixed, schema=settled.schema, orient="row")]).sort("row")
    _duplicates(reading, sheet, events, columns)
    if as_of is not None:
        reading.extend(
            settled.select(
                "fiscal_year",
                "kpi",
                "value",
                pl.col("fiscal_year")
                .replace_strict(_ledger.statuses(plan, as_of), return_dtype=pl.String)
                .alias("status"),
                pl.lit(sheet).alias("sheet"),
                pl.format("E{}", pl.col("row")).alias("cell"),
                pl.format("行{}", pl.col("row")).alias("period"),
            )
        )
    totals = [(r, columns[4][r - FIRST_ROW]) for r in frame.filter(pl.col("total"))["row"].to_list()]
    return _Events(settled, totals)


def _duplicates(reading: Reading, sheet: str, events: pl.DataFrame, columns: list[list[Any]]) -> None:
    """An error at every event whose 番号 an earlier event already has."""
    numbered = events.filter(pl.col("number").is_not_null() & (pl.col("number") != ""))
    repeated = numbered.with_columns(pl.col("row").min().over("number").alias("first")).filter(
        pl.col("row") != pl.col("first")
    )
    for row, first in repeated.select("row", "first").iter_rows():
        _ledger.duplicate(reading, sheet, row, first, columns)


class _Events:
    """The accepted events as a frame: ``row``, ``fiscal_year``, ``kpi``, ``value``,
    ``text_date``, ``text_count``, in row order."""

    def __init__(self, events: pl.DataFrame, totals: list[tuple[int, Any]]) -> None:
        self.events = events
        self.totals = totals
        self._unseen: pl.DataFrame | None = None

    def above(self, row: int, shown: int) -> tuple[int, Missed]:
        above = self.events.filter(pl.col("row") < row)
        return int(above["value"].sum()), _missed(above.filter(pl.col("text_count")), shown)

    def sums(self) -> dict[tuple[int, int], int]:
        sums = self.events.group_by("kpi", "fiscal_year").agg(pl.col("value").sum())
        return {(kpi, year): value for kpi, year, value in sums.iter_rows()}

    def unseen(self, kpi: int, fiscal_year: int, shown: int) -> Missed:
        if self._unseen is None:  # once for every 集計 cell that disagrees
            self._unseen = self.events.filter(pl.col("text_date") | pl.col("text_count"))
        return _missed(self._unseen.filter((pl.col("kpi") == kpi) & (pl.col("fiscal_year") == fiscal_year)), shown)


def _missed(rows: pl.DataFrame, shown: int) -> Missed:
    return Missed(list(rows.head(shown).select("row", "text_date", "text_count").iter_rows()), rows.height)
