"""The ledger (実績一覧): one event per row, read by one set of rules in two engines.

A ledger may hold 100,000 rows; most hold a dozen.  Each cell gets a type tag (blank,
text, number, date, anything else) and, from the rules below (the regular expressions,
the white space, the era table), a reading: a date, a 指標区分, a count and its unit,
a 中止 note, a 番号 as a key.

- Big ledgers go through polars (:mod:`._frames`): whole columns, each distinct cell
  text parsed once, no Python call per cell.
- Small ledgers (under :data:`POLARS_FROM_ROWS` rows) go through :func:`parse_rows`,
  plain Python with the same rules: a polars call costs 0.1–0.3 ms however small its
  input, and the polars engine makes about 85 of them.

Both engines give the same row readings (a test holds them to it) and leave a value
unset whenever they are not sure.  Only the rows they cannot settle — typically none,
or a few with mistakes — go through the core's parsers one by one (:func:`_settle`),
which give the exact message for each problem at its cell.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal, NamedTuple, Protocol

from saisei.plugin import (
    CellError,
    CellValueError,
    NoCachedValue,
    Plan,
    Reading,
    Sheet,
    display,
    fiscal_year_of,
    is_blank,
    parse_count,
    parse_date,
    status_for,
)

from ._form import CANCELLED, FIRST_ROW, KPI_BY_LABEL, LABEL_BY_KPI, SUBTOTAL_LABEL, TOTAL_LABEL, UNITS

__all__ = ["POLARS_FROM_ROWS", "Engine", "Ledger", "Missed", "parse_rows", "read_ledger"]

#: From this many rows on (counted from FIRST_ROW), a ledger is read with polars.
POLARS_FROM_ROWS = 3_000

Engine = Literal["python", "polars"]

# -- the rules, shared by both engines --------------------------------------------------

# Type tags of a cell value.  Anything else (bool, time, an Excel error, a formula without
# a cached value) gets no tag (None, null in polars): not blank, and never parsed by the
# fast paths.
BLANK, TEXT, NUMBER, DATE = 0, 1, 2, 3
TAGS: dict[type, int] = {
    type(None): BLANK,
    str: TEXT,
    float: NUMBER,
    int: NUMBER,
    dt.datetime: DATE,
    dt.date: DATE,
}
INT64_MAX = 2**63 - 1

#: White space as polars (Rust) sees it, for ``\s`` and ``strip_chars()``: Unicode's
#: White_Space.  Python's ``\s`` and ``str.strip()`` also take U+001C..U+001F, so both
#: engines use this set, spelled out.
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
WS = f"[{WHITE_SPACE}]"

# The text dates parse_date accepts (after NFKC, trimmed, upper case).
DATE_PATTERNS = (
    rf"^(?P<era>令和|平成|昭和|[RHS]){WS}*(?P<n>元|[0-9]{{1,2}}){WS}*年{WS}*(?P<m>[0-9]{{1,2}}){WS}*月{WS}*(?P<d>[0-9]{{1,2}}){WS}*日$",
    rf"^(?P<era>[RHS]){WS}*(?P<n>元|[0-9]{{1,2}})[./-](?P<m>[0-9]{{1,2}})[./-](?P<d>[0-9]{{1,2}})$",
    r"^(?P<y>[0-9]{4})[./-](?P<m>[0-9]{1,2})[./-](?P<d>[0-9]{1,2})$",
    rf"^(?P<y>[0-9]{{4}}){WS}*年{WS}*(?P<m>[0-9]{{1,2}}){WS}*月{WS}*(?P<d>[0-9]{{1,2}}){WS}*日$",
)
ERA_BASE = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988, "昭和": 1925, "S": 1925}
ERA_LAST = {"令和": 99, "R": 99, "平成": 31, "H": 31, "昭和": 64, "S": 64}  # 平成31年 = 2019, 昭和64年 = 1989
#: A count typed as text (NFKC, white space removed): digits (thousands commas in their
#: places), then 人 or 団体.
COUNT_PATTERN = r"^(?P<n>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?P<unit>人|団体)?$"
_ALL_UNITS = tuple(dict.fromkeys(UNITS.values()))


def label_pattern(label: str) -> str:
    """A cell that says ``label`` (合計, 小計), white space anywhere aside."""
    return f"^{WS}*" + f"{WS}*".join(label) + f"{WS}*$"


# -- the Python engine: the same rules, cell by cell --------------------------------------

_DATES = tuple(re.compile(p) for p in DATE_PATTERNS)
_COUNT = re.compile(COUNT_PATTERN)
_WS_RUN = re.compile(f"{WS}+")
_TOTAL = re.compile(label_pattern(TOTAL_LABEL))
_SUBTOTAL = re.compile(label_pattern(SUBTOTAL_LABEL))
_TOTAL_LAST, _SUBTOTAL_LAST = TOTAL_LABEL[-1], SUBTOTAL_LABEL[-1]  # a cheap test before the pattern


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _squeezed(text: str) -> str:
    """Text as parse_count sees it: NFKC, without white space."""
    return _WS_RUN.sub("", _nfkc(text))


def _is_blank(value: Any, tag: int | None) -> bool:
    return tag == BLANK or (tag == TEXT and not value.strip(WHITE_SPACE))


@lru_cache(maxsize=4096)
def text_date(text: str) -> dt.date | None:
    """A 実施日 typed as text, when it is one of the spellings and a real day."""
    key = _nfkc(text).strip(WHITE_SPACE).upper()
    for pattern in _DATES:
        found = pattern.fullmatch(key)
        if found is None:
            continue
        parts = found.groupdict()
        era = parts.get("era")
        if era is None:
            year = int(parts["y"])
        else:
            n = 1 if parts["n"] == "元" else int(parts["n"])
            if not 1 <= n <= ERA_LAST[era]:
                return None
            year = ERA_BASE[era] + n
        try:
            return dt.date(year, int(parts["m"]), int(parts["d"]))
        except ValueError:
            return None
    return None


@lru_cache(maxsize=4096)
def text_count(text: str) -> tuple[int | None, str | None]:
    """A 件数 typed as text: the count and its unit, (None, None) when not plain."""
    found = _COUNT.fullmatch(_squeezed(text))
    if found is None:
        return None, None
    count = int(found["n"].replace(",", ""))
    return (count if count <= INT64_MAX else None), found["unit"]


def number_count(value: float) -> int | None:
    """A 件数 typed as a number: the count when it is a whole number >= 0."""
    try:
        number = float(value)
    except OverflowError:
        return None
    if math.isfinite(number) and number >= 0 and number == math.floor(number) and number < 2.0**53:
        return int(number)
    return None


@lru_cache(maxsize=256)
def kpi_of(text: str) -> int | None:
    return KPI_BY_LABEL.get(_squeezed(text))


@lru_cache(maxsize=1024)
def cancel_note(text: str) -> bool:
    return CANCELLED in _nfkc(text)


@lru_cache(maxsize=4096)
def text_number(text: str) -> str:
    """A 番号 typed as text, as a key (``"３ "`` and ``3`` are the same 番号)."""
    return _squeezed(text)


def number_key(value: float) -> str | None:
    """A 番号 typed as a number, as a key: the whole number, or the number as polars writes it."""
    if isinstance(value, int) and not -(2**127) <= value < 2**127:
        return None  # polars cannot hold it
    number = float(value)
    if not math.isfinite(number):
        return None
    if number == math.floor(number):
        return str(int(number)) if -(2**63) <= number < 2**63 else None
    return _float_text(number)


def _float_text(number: float) -> str:
    """A (finite, fractional) float as polars writes it: as Python does, but
    ``0.00001`` for ``1e-05`` and ``1e-7`` for ``1e-07``."""
    text = repr(number)
    mantissa, exponent_sign, exponent = text.partition("e-0")
    if not exponent_sign:
        return text
    if exponent == "5":
        sign = "-" if mantissa.startswith("-") else ""
        return f"{sign}0.0000{mantissa.lstrip('-').replace('.', '')}"
    return f"{mantissa}e-{exponent}"


def parse_rows(columns: list[list[Any]], plan: Plan) -> list[dict[str, Any]]:
    """Every sheet row from FIRST_ROW, as the polars engine's ``parse`` gives it (one dict a row).

    Keys: ``row``, ``event`` (a row that records an event), ``total`` (a 合計 row),
    ``date``, ``fiscal_year``, ``kpi``, ``count`` and ``unit`` (a 件数 the fast path
    read), ``unit_ok``, ``cancelled``, ``value`` (the count, or 0 when cancelled),
    ``number`` (the 番号 as a key), ``text_date``, ``text_count``, ``ok`` (settled: a
    date in the plan's years, a known 指標区分, a count with a fitting unit or a
    cancelled event).
    """
    years = set(plan.fiscal_years)
    tags = TAGS
    out = []
    for row, (a, b, c, d, e, f) in enumerate(zip(*columns, strict=True), start=FIRST_ROW):
        ta, tb, tc, td, te, tf = (tags.get(type(v)) for v in (a, b, c, d, e, f))
        labels = [v for v, t in ((a, ta), (b, tb), (c, tc), (d, td)) if t == TEXT]
        total = any(_TOTAL_LAST in v and _TOTAL.fullmatch(v) for v in labels)
        subtotal = any(_SUBTOTAL_LAST in v and _SUBTOTAL.fullmatch(v) for v in labels)
        day = text_date(b) if tb == TEXT else (b.date() if isinstance(b, dt.datetime) else b) if tb == DATE else None
        if te == TEXT:
            count, unit = text_count(e)
        else:
            count, unit = (number_count(e) if te == NUMBER else None), None
        kpi = kpi_of(d) if td == TEXT else None
        blank_e = _is_blank(e, te)
        cancelled = blank_e and tf == TEXT and cancel_note(f)
        unit_ok = unit is None or (kpi is not None and unit == UNITS.get(kpi))
        value = 0 if cancelled else count
        year = None if day is None else (day.year if day.month >= 4 else day.year - 1)
        filled = not _is_blank(c, tc) or not blank_e or not _is_blank(f, tf)
        out.append(
            {
                "row": row,
                "event": filled and not total and not subtotal,
                "total": total,
                "date": day,
                "fiscal_year": year,
                "kpi": kpi,
                "count": count,
                "unit": unit,
                "unit_ok": unit_ok,
                "cancelled": cancelled,
                "value": value,
                "number": number_key(a) if ta == NUMBER else text_number(a) if ta == TEXT else None,
                "text_date": tb == TEXT,
                "text_count": te == TEXT,
                "ok": (year in years and kpi is not None and value is not None and (cancelled or unit_ok)),
            }
        )
    return out


# -- what both engines give the cross-checks ----------------------------------------------


class Missed(NamedTuple):
    """Ledger rows an Excel formula does not see (a 実施日 or 件数 typed as text)."""

    shown: Sequence[tuple[int, bool, bool]]  #: the first few: (row, text_date, text_count)
    how_many: int  #: how many in all


class Ledger(Protocol):
    """What the ledger gave, for the cross-checks against 合計 and 集計 (:mod:`._checks`).

    The events are the accepted ones: a row, fiscal year, KPI and value each, and whether
    the 実施日 or the 件数 was typed as text (Excel's SUM and SUMIFS do not see it).
    """

    #: the 合計 rows: (row, the 件数 cell's value as read)
    totals: list[tuple[int, Any]]

    def above(self, row: int, shown: int) -> tuple[int, Missed]:
        """The sum of the events above ``row``, and those of them whose 件数 is text."""
        ...

    def sums(self) -> dict[tuple[int, int], int]:
        """(kpi, fiscal_year) → the sum of its events."""
        ...

    def unseen(self, kpi: int, fiscal_year: int, shown: int) -> Missed:
        """The events of a KPI and year whose 実施日 or 件数 is text."""
        ...


Event = tuple[int, int, int, int, bool, bool]  # row, fiscal_year, kpi, value, text_date, text_count


class _Events:
    """The accepted events as Python tuples, in row order."""

    def __init__(self, events: list[Event], totals: list[tuple[int, Any]]) -> None:
        self.events = events
        self.totals = totals

    def above(self, row: int, shown: int) -> tuple[int, Missed]:
        above = [e for e in self.events if e[0] < row]
        missed = [(e[0], e[4], e[5]) for e in above if e[5]]
        return sum(e[3] for e in above), Missed(missed[:shown], len(missed))

    def sums(self) -> dict[tuple[int, int], int]:
        sums: dict[tuple[int, int], int] = {}
        for _, year, kpi, value, _, _ in self.events:
            sums[(kpi, year)] = sums.get((kpi, year), 0) + value
        return sums

    def unseen(self, kpi: int, fiscal_year: int, shown: int) -> Missed:
        missed = [(e[0], e[4], e[5]) for e in self.events if e[2] == kpi and e[1] == fiscal_year and (e[4] or e[5])]
        return Missed(missed[:shown], len(missed))


# -- reading --------------------------------------------------------------------------------


def _columns(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """The first six columns of the rows from FIRST_ROW on, as lists of equal length."""
    body = rows[FIRST_ROW - 1 :]
    shortest = min(map(len, body), default=0)
    return [[r[c] for r in body] if c < shortest else [r[c] if len(r) > c else None for r in body] for c in range(6)]


def read_ledger(
    reading: Reading, sheet: Sheet, plan: Plan, as_of: dt.date | None, *, engine: Engine | None = None
) -> Ledger:
    """Read every event row into ``reading`` (observations, and an error per problem).

    With ``as_of`` unknown (the A2 date is missing or unreadable, an error already
    recorded) the rows are still checked but give no observation: their status is unknown.

    :param engine: ``"python"`` or ``"polars"``; by default polars from
        :data:`POLARS_FROM_ROWS` rows on.  Both read the same.
    """
    columns = _columns(sheet.rows)
    if engine is None:
        engine = "polars" if len(columns[0]) >= POLARS_FROM_ROWS else "python"
    if engine == "polars":
        from . import _frames

        return _frames.read(reading, sheet.name, columns, plan, as_of)
    return _read_rows(reading, sheet.name, columns, plan, as_of)


def _read_rows(reading: Reading, sheet: str, columns: list[list[Any]], plan: Plan, as_of: dt.date | None) -> Ledger:
    """The Python engine's :func:`read_ledger`."""
    parsed = parse_rows(columns, plan)
    events = [p for p in parsed if p["event"]]
    settled: list[Event] = []
    for p in events:
        if p["ok"]:
            settled.append((p["row"], p["fiscal_year"], p["kpi"], p["value"], p["text_date"], p["text_count"]))
        elif (fixed := _settle(reading, sheet, p, columns, plan)) is not None:
            settled.append(fixed)
    first: dict[str, int] = {}
    for p in events:
        number, row = p["number"], p["row"]
        if number is None or number == "":
            continue
        if number in first:
            duplicate(reading, sheet, row, first[number], columns)
        else:
            first[number] = row
    if as_of is not None:
        status = statuses(plan, as_of)
        for row, year, kpi, value, _, _ in settled:
            reading.observe(
                kpi=kpi,
                fiscal_year=year,
                value=value,
                status=status[year],
                sheet=sheet,
                cell=f"E{row}",
                period=f"行{row}",
            )
    totals = [(p["row"], columns[4][p["row"] - FIRST_ROW]) for p in parsed if p["total"]]
    return _Events(settled, totals)


def statuses(plan: Plan, as_of: dt.date) -> dict[int, str]:
    return {year: status_for(year, as_of) for year in plan.fiscal_years}


def duplicate(reading: Reading, sheet: str, row: int, first: int, columns: list[list[Any]]) -> None:
    """The error at an event whose 番号 an earlier event (at ``first``) already has."""
    raw = columns[0][row - FIRST_ROW]
    reading.error(
        "duplicate-row",
        f'番号 "{display(raw)}" は {first}行目と重複しています（1つの事業は1行に、番号は重ならないようにしてください）',
        sheet=sheet,
        cell=f"A{row}",
    )


def _settle(reading: Reading, sheet: str, parsed: dict[str, Any], columns: list[list[Any]], plan: Plan) -> Event | None:
    """One row the fast paths could not settle: an error per problem, or its values."""
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
    if value > INT64_MAX:
        reading.error("not-a-number", f'件数 "{display(raw)}" は大きすぎます', sheet=sheet, cell=ref)
        return None
    return value


def header_of(sheet: Sheet, row: int) -> tuple[str, ...]:
    """The header cells A..F of ``row``, normalized (NFKC, no white space)."""
    return tuple(sheet.text(f"{c}{row}").replace(" ", "") for c in "ABCDEF")
