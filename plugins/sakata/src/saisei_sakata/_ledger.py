"""The ledger (実績一覧): one event per row, read with polars expressions over whole columns.

A ledger may hold 100,000 rows, so nothing here calls a helper per cell.  The grid
(``Sheet.rows``) is turned into six columns once; each column becomes a type tag (blank,
text, number, date, anything else) and its text; dates, 指標区分 and 件数 are parsed by
polars expressions (NFKC, regular expressions, casts).  Only the rows the fast path
cannot settle — typically none, or a few with mistakes — go through the core's parsers
one by one, which give the exact message for each problem at its cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from saisei.core.cycle import status_for
from saisei.core.fiscal import fiscal_year_of, parse_date
from saisei.core.plan import Plan
from saisei.core.values import CellError, CellValueError, NoCachedValue, display, is_blank, parse_count
from saisei.reading import Reading
from saisei.workbook import Sheet

from ._form import CANCELLED, FIRST_ROW, KPI_BY_LABEL, LABEL_BY_KPI, SUBTOTAL_LABEL, TOTAL_LABEL, UNITS

__all__ = ["Ledger", "read_ledger"]

# Type tags of a cell value.  Anything else (bool, time, an Excel error, a formula without
# a cached value) gets a null tag: not blank, and never parsed by the fast path.
BLANK, TEXT, NUMBER, DATE = 0, 1, 2, 3
_TAGS: dict[type, int] = {
    type(None): BLANK,
    str: TEXT,
    float: NUMBER,
    int: NUMBER,
    dt.datetime: DATE,
    dt.date: DATE,
}
_COLUMNS = ("a", "b", "c", "d", "e", "f")  # 番号 実施日 事業名 指標区分 件数 備考
_INT64_MAX = 2**63 - 1

# The text dates parse_date accepts (after NFKC, trimmed, upper case), as polars regexes.
_DATE_PATTERNS = (
    r"^(?P<era>令和|平成|昭和|[RHS])\s*(?P<n>元|[0-9]{1,2})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*日$",
    r"^(?P<era>[RHS])\s*(?P<n>元|[0-9]{1,2})[./-](?P<m>[0-9]{1,2})[./-](?P<d>[0-9]{1,2})$",
    r"^(?P<y>[0-9]{4})[./-](?P<m>[0-9]{1,2})[./-](?P<d>[0-9]{1,2})$",
    r"^(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*日$",
)
_ERA_BASE = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988, "昭和": 1925, "S": 1925}
_ERA_LAST = {"令和": 99, "R": 99, "平成": 31, "H": 31, "昭和": 64, "S": 64}  # 平成31年 = 2019, 昭和64年 = 1989
# A count typed as text: digits (thousands commas in their places), then 人 or 団体.
_COUNT_PATTERN = r"^(?P<n>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?P<unit>人|団体)?$"
_ALL_UNITS = tuple(dict.fromkeys(UNITS.values()))


@dataclass(frozen=True)
class Ledger:
    """What the ledger gave, for the cross-checks against 合計 and 集計.

    :ivar events: the accepted events: ``row``, ``fiscal_year``, ``kpi``, ``value``,
        ``text_date`` and ``text_count`` (the date or the count was typed as text, so
        Excel's SUM and SUMIFS do not see it)
    :ivar totals: the 合計 rows: (row, the 件数 cell's value as read)
    """

    events: pl.DataFrame
    totals: list[tuple[int, Any]]


def _columns(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """The first six columns of the rows from FIRST_ROW on, as lists of equal length."""
    body = rows[FIRST_ROW - 1 :]
    shortest = min(map(len, body), default=0)
    return [
        [r[c] for r in body] if c < shortest else [r[c] if len(r) > c else None for r in body]
        for c in range(len(_COLUMNS))
    ]


def _typed(values: list[Any]) -> tuple[pl.Series, pl.Series]:
    """A column's type tags and its values as text (null where blank or not plain)."""
    tags = pl.Series(list(map(_TAGS.get, map(type, values))), dtype=pl.Int8)
    odd = tags.is_null()
    if odd.any():
        values = list(values)
        for i in odd.arg_true().to_list():
            values[i] = None
    if tags.is_in([BLANK, TEXT]).all():
        return tags, pl.Series(values, dtype=pl.String)  # polars' fast path: text only
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
    return column.str.normalize("NFKC").str.replace_all(r"\s+", "")


def _labelled(label: str) -> pl.Expr:
    """A row labelled ``label`` (合計, 小計) in 事業名 — or in 番号, 実施日 or 指標区分, where a
    label merged over A:D sits — white space aside."""
    pattern = r"^\s*" + r"\s*".join(label) + r"\s*$"
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
    found = [f"_date{i}" for i in range(len(_DATE_PATTERNS))]
    text = pl.col("key").str.normalize("NFKC").str.strip_chars().str.to_uppercase()
    frame = keys.with_columns(text.str.extract_groups(p).alias(c) for p, c in zip(_DATE_PATTERNS, found, strict=True))
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
        pl.col("_era").replace_strict(_ERA_BASE, default=None, return_dtype=pl.Int32).alias("_base"),
        pl.col("_era").replace_strict(_ERA_LAST, default=None, return_dtype=pl.Int32).alias("_last"),
    )
    era_year = pl.when((pl.col("_n") >= 1) & (pl.col("_n") <= pl.col("_last"))).then(pl.col("_base") + pl.col("_n"))
    year = pl.coalesce(era_year, pl.col("_year")).cast(pl.String)
    return frame.select(
        "key",
        pl.concat_str([year, "_month", "_day"], separator="-").str.to_date("%Y-%m-%d", strict=False).alias("text_date"),
    )


def _excel_dates(keys: pl.LazyFrame) -> pl.LazyFrame:
    """``key`` (an Excel date, as polars writes it) → ``excel_date``."""
    return keys.select("key", pl.col("key").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias("excel_date"))


def _text_counts(keys: pl.LazyFrame) -> pl.LazyFrame:
    """``key`` (a 件数 typed as text) → ``text_count`` and ``unit`` (null when not plain)."""
    found = keys.with_columns(_squeezed(pl.col("key")).str.extract_groups(_COUNT_PATTERN).alias("_m"))
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
    """Every sheet row from FIRST_ROW with what the fast path made of it.

    Columns: ``row``, ``event`` (a row that records an event), ``total`` (a 合計 row),
    ``date``, ``fiscal_year``, ``kpi``, ``count`` and ``unit`` (a 件数 the fast path
    read), ``unit_ok``, ``cancelled``, ``value`` (the count, or 0 when cancelled),
    ``number`` (the 番号 as a key), ``text_date``, ``text_count``, ``ok`` (settled: a
    date in the plan's years, a known 指標区分, a count with a fitting unit or a
    cancelled event).  The fast path leaves a value null whenever it is not sure; such
    rows go to the core's parsers one by one.
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


def read_ledger(reading: Reading, sheet: Sheet, plan: Plan, as_of: dt.date | None) -> Ledger:
    """Read every event row into ``reading`` (observations, and an error per problem).

    With ``as_of`` unknown (the A2 date is missing or unreadable, an error already
    recorded) the rows are still checked but give no observation: their status is unknown.
    """
    columns = _columns(sheet.rows)
    frame = parse(columns, plan)
    events = frame.filter(pl.col("event"))
    settled = events.filter(pl.col("ok")).select("row", "fiscal_year", "kpi", "value", "text_date", "text_count")
    fixed = [
        fixed_row
        for row in events.filter(~pl.col("ok")).iter_rows(named=True)
        if (fixed_row := _settle(reading, sheet.name, row, columns, plan)) is not None
    ]
    if fixed:
        settled = pl.concat([settled, pl.DataFrame(fixed, schema=settled.schema, orient="row")]).sort("row")
    _duplicates(reading, sheet.name, events, columns)
    if as_of is not None:
        statuses = {year: status_for(year, as_of) for year in plan.fiscal_years}
        reading.extend(
            settled.select(
                "fiscal_year",
                "kpi",
                "value",
                pl.col("fiscal_year").replace_strict(statuses, return_dtype=pl.String).alias("status"),
                pl.lit(sheet.name).alias("sheet"),
                pl.format("E{}", pl.col("row")).alias("cell"),
                pl.format("行{}", pl.col("row")).alias("period"),
            )
        )
    totals = [(r, columns[4][r - FIRST_ROW]) for r in frame.filter(pl.col("total"))["row"].to_list()]
    return Ledger(settled, totals)


def _settle(
    reading: Reading, sheet: str, parsed: dict[str, Any], columns: list[list[Any]], plan: Plan
) -> tuple[int, int, int, int, bool, bool] | None:
    """One row the fast path could not settle: an error per problem, or its values."""
    row: int = parsed["row"]
    raw_date, raw_kpi, raw_count = (columns[c][row - FIRST_ROW] for c in (1, 3, 4))

    day: dt.date | None = parsed["date"]
    if day is None:
        day = _slow_date(reading, sheet, f"B{row}", raw_date)
    year = None
    if day is not None:
        year = fiscal_year_of(day)
        problem = plan.year_problem(year, what="実施日", shown=display(raw_date))
        if problem is not None:
            reading.error("bad-fiscal-year", problem, sheet=sheet, cell=f"B{row}")
            year = None

    kpi: int | None = parsed["kpi"]
    if kpi is None:
        known = "、".join(f"「{label}」" for label in KPI_BY_LABEL)
        if is_blank(raw_kpi):
            reading.error("missing-value", f"指標区分が空欄です（{known}のどれか）", sheet=sheet, cell=f"D{row}")
        else:
            reading.error(
                "unknown-kpi",
                f'指標区分 "{display(raw_kpi)}" は様式の指標区分ではありません（{known}のどれか）',
                sheet=sheet,
                cell=f"D{row}",
            )

    value: int | None = None
    if parsed["cancelled"]:
        value = 0
    elif parsed["count"] is not None and kpi is not None and not parsed["unit_ok"]:
        label = LABEL_BY_KPI[kpi]
        reading.error(
            "unexpected-unit",
            f'件数 "{display(raw_count)}" の単位「{parsed["unit"]}」は指標区分「{label}」には使えません'
            f"（使える単位: {UNITS[kpi]}。単位なしの数だけでもかまいません）",
            sheet=sheet,
            cell=f"E{row}",
        )
    elif parsed["count"] is not None:
        value = parsed["count"]
    else:
        value = _slow_count(reading, sheet, f"E{row}", raw_count, (UNITS[kpi],) if kpi else _ALL_UNITS)
    if year is None or kpi is None or value is None:
        return None
    return (row, year, kpi, value, parsed["text_date"], parsed["text_count"])


def _slow_date(reading: Reading, sheet: str, ref: str, raw: Any) -> dt.date | None:
    if is_blank(raw):
        reading.error(
            "missing-value", "実施日が空欄です（例: 2024/12/01、令和6年11月3日、R6.10.5）", sheet=sheet, cell=ref
        )
        return None
    if isinstance(raw, CellError | NoCachedValue):
        reading.error(
            "bad-date",
            f'実施日 "{raw}" は日付ではありません（例: 2024/12/01、令和6年11月3日、R6.10.5）',
            sheet=sheet,
            cell=ref,
        )
        return None
    try:
        return parse_date(raw)
    except ValueError as exc:
        message = str(exc)
        if message.startswith("日付"):
            message = message.replace("日付", "実施日", 1)
        else:  # a message about the era (平成40年 はありません): say which cell value
            message = f'実施日 "{display(raw)}" は日付として読めません（{message}）'
        reading.error("bad-date", message, sheet=sheet, cell=ref)
        return None


def _slow_count(reading: Reading, sheet: str, ref: str, raw: Any, units: tuple[str, ...]) -> int | None:
    try:
        value = parse_count(raw, units=units, what="件数")
    except CellValueError as exc:
        reading.error(exc.code, exc.message, sheet=sheet, cell=ref)
        return None
    if value is None:
        reading.error(
            "missing-value",
            "件数が空欄です（0件なら0を入力してください。中止した事業は備考に「中止」と書いてください）",
            sheet=sheet,
            cell=ref,
        )
        return None
    if value > _INT64_MAX:
        reading.error("not-a-number", f'件数 "{display(raw)}" は大きすぎます', sheet=sheet, cell=ref)
        return None
    return value


def _duplicates(reading: Reading, sheet: str, events: pl.DataFrame, columns: list[list[Any]]) -> None:
    """An error at every event whose 番号 an earlier event already has."""
    numbered = events.filter(pl.col("number").is_not_null() & (pl.col("number") != ""))
    repeated = numbered.with_columns(pl.col("row").min().over("number").alias("first")).filter(
        pl.col("row") != pl.col("first")
    )
    for row, first in repeated.select("row", "first").iter_rows():
        raw = columns[0][row - FIRST_ROW]
        reading.error(
            "duplicate-row",
            f'番号 "{display(raw)}" は {first}行目と重複しています（1つの事業は1行に、番号は重ならないようにしてください）',
            sheet=sheet,
            cell=f"A{row}",
        )


def header_of(sheet: Sheet, row: int) -> tuple[str, ...]:
    """The header cells A..F of ``row``, normalized (NFKC, no white space)."""
    return tuple(sheet.text(f"{c}{row}").replace(" ", "") for c in "ABCDEF")
