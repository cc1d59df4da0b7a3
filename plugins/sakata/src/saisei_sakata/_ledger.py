"""The ledger (実績一覧): one event per row, read column by column.

A ledger may hold 100,000 rows; most hold a dozen.  Each cell gets a type tag (blank,
text, number, date, anything else) and, from the rules of :mod:`._rules` (the regular
expressions, the white space, the era table), a reading: a date, a 指標区分, a count and
its unit, a 中止 note, a 番号 as a key.

One engine for every size, plain Python: each column's distinct values (a ledger of
100,000 rows holds a few thousand distinct dates and counts, a handful of 指標区分) are
read once (:class:`_Column`), then one loop over the rows puts the readings together
(:func:`read_rows`); the observations go to the reading in one call.  The rules leave a value unset whenever they are not sure.  Only
the rows they cannot settle — typically none, or a few with mistakes — go through the
core's parsers one by one (:func:`_settle`), which give the exact message for each
problem at its cell.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import compress
from operator import or_
from typing import Any, NamedTuple, TypeVar

from saisei.plugin import (
    CellError,
    CellValueError,
    Header,
    NoCachedValue,
    Plan,
    Reading,
    Sheet,
    column_letter,
    display,
    fiscal_year_of,
    is_blank,
    is_dash,
    is_note,
    label_key,
    parse_count,
    parse_date,
    status_for,
)

from ._form import FIELDS, FIRST_ROW, KPI_BY_LABEL, LABEL_BY_KPI, UNITS
from ._rules import (
    ALL_UNITS,
    BLANK,
    DATE,
    INT64_MAX,
    NUMBER,
    SUBTOTAL_RE,
    TAGS,
    TEXT,
    TOTAL_MARK,
    TOTAL_RE,
    WHITE_SPACE,
    blank_cell,
    cancel_note,
    kpi_of,
    number_count,
    number_key,
    text_count,
    text_date,
    text_number,
)

__all__ = [
    "AS_ISSUED",
    "DASH",
    "Events",
    "Layout",
    "Ledger",
    "Missed",
    "RowReading",
    "Rows",
    "read_ledger",
    "read_rows",
]

T = TypeVar("T")

#: A 件数 that is a dash alone (ー, －, - …): no figure, read as a blank (truthy, as ``blank`` is).
DASH = 2


class Layout(NamedTuple):
    """Where the ledger is on its sheet: the first row below the header, the column
    (1-based) of each field in :data:`FIELDS` order, and the columns left of the table
    (a 合計 label merged over them sits there)."""

    first_row: int
    columns: tuple[int, ...]  #: 番号, 実施日, 事業名, 指標区分, 件数, 備考
    before: tuple[int, ...] = ()

    @classmethod
    def of(cls, header: Header) -> Layout:
        columns = tuple(header.columns[f.key] for f in FIELDS)
        return cls(header.row + 1, columns, tuple(range(1, header.first_column)))

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(column_letter(c) for c in self.columns)


#: The form as issued: header on row 3, A to F.
AS_ISSUED = Layout(FIRST_ROW, (1, 2, 3, 4, 5, 6))

# -- each column's cells, each distinct value read once ----------------------------------


class _Column:
    """A column's cells, each distinct value read once."""

    def __init__(self, values: list[Any]) -> None:
        self.values = values
        self.keys: list[Any] = values
        try:
            distinct: dict[Any, None] | None = dict.fromkeys(values)
        except TypeError:  # an unhashable value (no cell gives one): each is read
            distinct = None
        if distinct is not None and (0 in distinct or 1 in distinct):
            # True == 1 == 1.0 (False == 0): values the rules read apart may share a key
            types = set(map(type, values))
            if bool in types and len(types & {int, float}) > 0:
                self.keys = list(zip(map(type, values), values, strict=True))
                distinct = dict.fromkeys(self.keys)
        self._distinct = distinct

    def read(self, read: Callable[[Any, int | None], T]) -> list[T]:
        """``read(value, tag)`` for every cell, called once for each distinct value."""
        distinct, keys = self._distinct, self.keys
        if distinct is None:
            return [read(v, TAGS.get(type(v))) for v in self.values]
        if keys is self.values:
            table = {v: read(v, TAGS.get(type(v))) for v in distinct}
        else:
            table = {k: read(k[1], TAGS.get(k[0])) for k in distinct}
        return list(map(table.__getitem__, keys))

    def saying(self, *patterns: re.Pattern[str], mark: str = "") -> list[set[int]]:
        """For each pattern, the indexes of the texts that match it (whole); ``mark``: a
        character every match holds (a cheap test before the patterns)."""
        if self._distinct is None:
            distinct: Iterable[Any] = self.values
        elif self.keys is self.values:
            distinct = self._distinct
        else:
            distinct = (v for _, v in self._distinct)
        texts = [v for v in distinct if type(v) is str and mark in v]
        found = [{v for v in texts if pattern.fullmatch(v)} for pattern in patterns]
        if not any(found):
            return [set() for _ in patterns]
        if self._distinct is None:  # unhashable values: looked at one by one
            return [{i for i, v in enumerate(self.values) if type(v) is str and v in these} for these in found]
        # Only texts are in ``these``, and no other value equals a text.
        return [set(compress(range(len(self.values)), map(these.__contains__, self.values))) for these in found]


def _number_keys(values: list[Any]) -> tuple[list[Hashable], _Column | None]:
    """Each 番号 as a key (equal keys, the same 番号: ``"３ "``, ``3`` and ``3.0`` are), and
    the column when it holds more than numbers (a 合計 label merged over A:D sits in A)."""
    if set(map(type, values)) <= {float, type(None)}:  # as Excel stores them: the numbers are the keys
        return [v if v is not None and -(2.0**63) <= v < 2.0**63 else None for v in values], None
    column = _Column(values)
    return column.read(_number_key), column


def _number_key(value: Any, tag: int | None) -> str | None:
    return number_key(value) if tag == NUMBER else text_number(value) if tag == TEXT else None


def _date_cell(value: Any, tag: int | None) -> tuple[dt.date | None, int | None, bool]:
    """実施日: the day, its fiscal year, and whether it is text."""
    if tag == TEXT:
        day = text_date(value)
    elif tag == DATE:
        day = value.date() if isinstance(value, dt.datetime) else value
    else:
        return None, None, False
    return day, None if day is None else (day.year if day.month >= 4 else day.year - 1), tag == TEXT


def _named(value: Any, tag: int | None) -> bool:
    """事業名: whether it names an event (a note written under the table, ``※速報値``, does not)."""
    return not blank_cell(value, tag) and not (tag == TEXT and is_note(value))


def _kpi(value: Any, tag: int | None) -> int | None:
    return kpi_of(value) if tag == TEXT else None


def _count_cell(value: Any, tag: int | None) -> tuple[int | None, str | None, int, bool]:
    """件数: the count and its unit (None when not plain), whether it is blank (:data:`DASH`:
    a dash alone, no figure), whether text."""
    if tag == TEXT:
        count, unit = text_count(value)
        blank = not value.strip(WHITE_SPACE)
        if count is None and not blank and is_dash(value):
            return None, None, DASH, True
        return count, unit, blank, True
    return (number_count(value) if tag == NUMBER else None), None, tag == BLANK, False


def _note_cell(value: Any, tag: int | None) -> tuple[bool, bool]:
    """備考: whether it makes its row an event's (filled, and not a note alone such as
    ``※速報値`` written under the table, unless it says 中止), and whether it says 中止."""
    cancel = tag == TEXT and cancel_note(value)
    return not blank_cell(value, tag) and (cancel or not (tag == TEXT and is_note(value))), cancel


class RowReading(NamedTuple):
    """What the rules make of an event row they cannot settle (for :func:`_settle`)."""

    row: int
    date: dt.date | None
    fiscal_year: int | None
    kpi: int | None
    counted: int | None  #: the 件数 the rules read (None: blank, or not plain)
    unit: str | None  #: the unit typed after it
    unit_ok: bool  #: no unit, or the one the 指標区分 allows
    cancelled: bool  #: 件数 blank and 中止 in 備考
    text_date: bool  #: 実施日 typed as text
    text_count: bool  #: 件数 typed as text


Event = tuple[int, int, int, int, bool, bool]  # row, fiscal_year, kpi, value, text_date, text_count


#: From this many events on, the ledger's sums and observations go through polars (one call
#: each); below it, plain Python is faster. The results are the same (tests/test_ledger.py).
MANY = 1000


class Events(NamedTuple):
    """Accepted events column by column, in row order: no Python object a row (a ledger of
    100,000 rows would otherwise keep 100,000 tuples alive for the garbage collector to walk)."""

    row: list[int]
    fiscal_year: list[int]
    kpi: list[int]
    value: list[int]
    text_date: list[bool]  #: 実施日 typed as text
    text_count: list[bool]  #: 件数 typed as text

    @classmethod
    def empty(cls) -> Events:
        return cls([], [], [], [], [], [])

    def with_events(self, extra: list[Event]) -> Events:
        """These events and ``extra`` (a few, settled one by one), in row order."""
        if not extra:
            return self
        merged = sorted([*zip(*self, strict=True), *extra])
        return Events(*(list(column) for column in zip(*merged, strict=True)))


class Rows(NamedTuple):
    """The ledger's rows from FIRST_ROW on, as the rules read them."""

    #: the event rows the rules settled: a date in the plan's years, a known 指標区分, and a
    #: count with a fitting unit (or none: 中止)
    settled: Events
    unsettled: list[RowReading]  #: the other event rows
    duplicates: list[tuple[int, int]]  #: (row, the row above with the same 番号)
    totals: list[int]  #: the 合計 rows
    #: rows whose 件数 is a dash alone and that give no figure from it: (row, cancelled)
    #: — a prepared line (not an event) or a 中止 event (0); any other is unsettled
    dashes: list[tuple[int, bool]]


def read_rows(
    columns: list[list[Any]], plan: Plan, first_row: int = FIRST_ROW, before: Sequence[list[Any]] = ()
) -> Rows:
    """What the rules make of every row from ``first_row`` on (``columns``: 番号, 実施日,
    事業名, 指標区分, 件数, 備考; ``before``: the columns left of the table).

    An event row is one with something in 事業名, 件数 or 備考 that is not a 合計 or 小計 row
    (a note alone, ``※件数は速報値です``, in 事業名 or 備考 is not something).
    A 合計 or 小計 label in 番号, 実施日, 事業名 or 指標区分 makes a total row; left of the
    table (a label merged over the first columns, a column inserted at the left) only on a
    row whose 実施日 and 指標区分 are blank.
    """
    years = set(plan.fiscal_years)
    numbers, a = _number_keys(columns[0])
    b, c, d = (_Column(values) for values in columns[1:4])
    totals: set[int] = set()
    labelled: set[int] = set()
    for column in (a, b, c, d):
        if column is not None:
            total, subtotal = column.saying(TOTAL_RE, SUBTOTAL_RE, mark=TOTAL_MARK)
            totals |= total
            labelled |= subtotal
    for values in before:
        for found, into in zip(
            _Column(values).saying(TOTAL_RE, SUBTOTAL_RE, mark=TOTAL_MARK), (totals, labelled), strict=True
        ):
            into |= {i for i in found if is_blank(columns[1][i]) and is_blank(columns[3][i])}
    labelled = {i + first_row for i in labelled | totals}
    cells = zip(
        range(first_row, first_row + len(numbers)),
        c.read(_named),
        b.read(_date_cell),
        d.read(_kpi),
        _Column(columns[4]).read(_count_cell),
        _Column(columns[5]).read(_note_cell),
        numbers,
        strict=True,
    )
    settled = Events.empty()
    add_row, add_year, add_kpi, add_value, add_text_date, add_text_count = (column.append for column in settled)
    unsettled: list[RowReading] = []
    duplicates: list[tuple[int, int]] = []
    dashes: list[tuple[int, bool]] = []
    first: dict[Hashable, int] = {}
    units = UNITS
    for row, named, (day, year, date_is_text), kpi, (count, unit, blank, count_is_text), (
        noted,
        cancel,
    ), number in cells:
        if not (named or not blank or noted) or row in labelled:
            if blank == DASH and row not in labelled:
                dashes.append((row, False))  # a prepared line with a dash: no event
            continue  # not an event: an empty row, a 合計 or 小計 row
        if number is not None and number != "":
            if number in first:
                duplicates.append((row, first[number]))
            else:
                first[number] = row
        # A count read means a 件数 that is not blank (so not 中止); no count, a 件数 to settle.
        value = None
        if year in years and kpi is not None:
            if count is not None:
                if unit is None or unit == units[kpi]:
                    value = count
            elif blank and cancel:
                value = 0
                if blank == DASH:
                    dashes.append((row, True))
        if value is not None:
            add_row(row)
            add_year(year)
            add_kpi(kpi)
            add_value(value)
            add_text_date(date_is_text)
            add_text_count(count_is_text)
            continue
        unit_ok = unit is None or (kpi is not None and unit == units.get(kpi))
        cancelled = blank and cancel
        unsettled.append(RowReading(row, day, year, kpi, count, unit, unit_ok, cancelled, date_is_text, count_is_text))
    return Rows(settled, unsettled, duplicates, sorted(i + first_row for i in totals), dashes)


# -- what the cross-checks get -------------------------------------------------------------


class Missed(NamedTuple):
    """Ledger rows an Excel formula does not see (a 実施日 or 件数 typed as text)."""

    shown: Sequence[tuple[int, bool, bool]]  #: the first few: (row, text_date, text_count)
    how_many: int  #: how many in all


class Ledger:
    """What the ledger gave, for the cross-checks against 合計 and 集計 (:mod:`._checks`):
    the accepted events, and whether each 実施日 or 件数 was typed as text (Excel's SUM and
    SUMIFS do not see it)."""

    def __init__(self, events: Events, totals: list[tuple[int, Any]], count_column: str = "E") -> None:
        self.events = events
        #: the 合計 rows: (row, the 件数 cell's value as read)
        self.totals = totals
        self.count_column = count_column  #: the 件数 column's letter
        self._sums: dict[tuple[int, int], int] | None = None
        self._unseen: dict[tuple[int, int], list[int]] | None = None  # indexes of the events typed as text

    def _gather(self) -> dict[tuple[int, int], int]:
        """The sums by KPI and year, added up when first asked."""
        if self._sums is None:
            e = self.events
            # polars for a big ledger while no Int64 sum can overflow; a few events add up
            # faster in Python (polars' start costs more than 11 events), exact whatever the counts.
            if e.value and len(e.value) >= MANY and max(e.value) * len(e.value) < 2**63:
                import polars as pl  # not at import time (see _observe)

                names = ("kpi", "fiscal_year", "value")
                frame = pl.DataFrame([e.kpi, e.fiscal_year, e.value], schema=dict.fromkeys(names, pl.Int64))
                summed = frame.group_by("kpi", "fiscal_year").agg(pl.col("value").sum())
                self._sums = {(kpi, year): value for kpi, year, value in summed.iter_rows()}
            else:  # exact whatever the counts (Python's integers)
                sums: dict[tuple[int, int], int] = {}
                for key, value in zip(zip(e.kpi, e.fiscal_year, strict=True), e.value, strict=True):
                    sums[key] = sums.get(key, 0) + value
                self._sums = sums
        return self._sums

    def _missed(self, indexes: list[int], shown: int) -> Missed:
        e = self.events
        return Missed([(e.row[i], e.text_date[i], e.text_count[i]) for i in indexes[:shown]], len(indexes))

    def above(self, row: int, shown: int) -> tuple[int, Missed]:
        """The sum of the events above ``row``, and those of them whose 件数 is text."""
        n = bisect_left(self.events.row, row)  # the events are in row order
        return sum(self.events.value[:n]), self._missed(list(compress(range(n), self.events.text_count[:n])), shown)

    def summed(self, row: int, shown: int) -> tuple[int, Missed, bool]:
        """What a 合計 row at ``row`` adds up: the events above it, or when there is none
        (the 合計 row was moved to the top of the table), the events below it (then True)."""
        if bisect_left(self.events.row, row) > 0 or not self.events.row:
            return (*self.above(row, shown), False)
        e = self.events
        return sum(e.value), self._missed(list(compress(range(len(e.row)), e.text_count)), shown), True

    def sums(self) -> dict[tuple[int, int], int]:
        """(kpi, fiscal_year) → the sum of its events."""
        return dict(self._gather())

    def unseen(self, kpi: int, fiscal_year: int, shown: int) -> Missed:
        """The events of a KPI and year whose 実施日 or 件数 is text."""
        if self._unseen is None:
            e = self.events
            unseen: dict[tuple[int, int], list[int]] = {}
            for i in compress(range(len(e.row)), map(or_, e.text_date, e.text_count)):
                unseen.setdefault((e.kpi[i], e.fiscal_year[i]), []).append(i)
            self._unseen = unseen
        return self._missed(self._unseen.get((kpi, fiscal_year), []), shown)


# -- reading --------------------------------------------------------------------------------


def _columns(rows: Sequence[Sequence[Any]], layout: Layout = AS_ISSUED, *, before: bool = False) -> list[list[Any]]:
    """The ledger's columns (or with ``before``, the columns left of it) of the rows from
    its first row on, as lists of equal length (a row may end early: the cells after its
    last value are blank)."""
    body = rows[layout.first_row - 1 :]
    shortest = min(map(len, body), default=0)
    indexes = [c - 1 for c in (layout.before if before else layout.columns)]
    return [[r[c] for r in body] if c < shortest else [r[c] if len(r) > c else None for r in body] for c in indexes]


def read_ledger(
    reading: Reading, sheet: Sheet, plan: Plan, as_of: dt.date | None, layout: Layout = AS_ISSUED
) -> Ledger:
    """Read every event row into ``reading`` (observations, and an error per problem).

    With ``as_of`` unknown (the as-of date is missing or unreadable, an error already
    recorded) the rows are still checked but give no observation: their status is unknown.
    """
    columns = _columns(sheet.rows, layout)
    before = _columns(sheet.rows, layout, before=True) if layout.before else []
    first_row, letters = layout.first_row, layout.letters
    rows = read_rows(columns, plan, first_row, before)
    where = _Cells(sheet.name, first_row, letters, columns, sheet.hidden_by_merge)
    fixed = [e for p in rows.unsettled if not _header_again(where, p.row) and (e := _settle(reading, where, p, plan))]
    settled = rows.settled.with_events(fixed)
    for row, first in rows.duplicates:
        duplicate(reading, where, row, first)
    for row, cancelled in rows.dashes:
        _dash(reading, where, row, cancelled)
    if as_of is not None:
        _observe(reading, sheet.name, settled, statuses(plan, as_of), letters[4])
    return Ledger(settled, [(row, columns[4][row - first_row]) for row in rows.totals], letters[4])


class _Cells(NamedTuple):
    """The ledger's cells, for the messages about one row: sheet, first row, column letters."""

    sheet: str
    first_row: int
    letters: tuple[str, ...]
    columns: list[list[Any]]
    #: the merged range a cell is inside of without being its top-left (whose value it shows)
    merged: Callable[[str], str | None] = lambda ref: None

    def merged_away(self, field: int, row: int, what: str) -> str | None:
        """The message for a blank cell that a merged range above shows filled, if it is one."""
        ref = self.ref(field, row)
        span = self.merged(ref) if is_blank(self.raw(field, row)) else None
        if span is None:
            return None
        return (
            f"{what}が空欄です（{ref} は結合したセル {span} の中にあり、値は先頭のセルにしかありません。"
            f"結合を解除して、この行にも{what}を入力してください）"
        )

    def ref(self, field: int, row: int) -> str:
        return f"{self.letters[field]}{row}"

    def raw(self, field: int, row: int) -> Any:
        return self.columns[field][row - self.first_row]


NUMBER_FIELD, DATE_FIELD, KPI_FIELD, COUNT_FIELD = 0, 1, 3, 4


def _header_again(where: _Cells, row: int) -> bool:
    """Whether ``row`` repeats the header (the ledger pasted twice: an error the header search
    has given at that row), rather than an event with a date and a count to be told wrong."""
    return all(FIELDS[f].matches(label_key(where.raw(f, row))) for f in (DATE_FIELD, KPI_FIELD, COUNT_FIELD))


def _dash(reading: Reading, where: _Cells, row: int, cancelled: bool) -> None:
    """The warning at a 件数 that is a dash alone and gave no figure (a 中止 event counts 0)."""
    raw = where.raw(COUNT_FIELD, row)
    then = (
        "備考に「中止」とあるので0件として数えます"
        if cancelled
        else "事業名・備考も空なので、使っていない準備行として読み飛ばします"
    )
    reading.warning(
        "no-figure",
        f'件数 "{raw}" はダッシュだけなので「値なし」（空欄と同じ）として扱い、{then}'
        "（件数があるなら数字を、0件なら0を入力してください）",
        sheet=where.sheet,
        cell=where.ref(COUNT_FIELD, row),
    )


def _observe(reading: Reading, sheet: str, settled: Events, status: dict[int, str], column: str = "E") -> None:
    """An observation for each settled event: in one polars call for a big ledger (it may hold
    100,000), one by one for a few (a DataFrame costs more than 11 events)."""
    if not settled.row or len(settled.row) < MANY:
        for row, year, kpi, value in zip(settled.row, settled.fiscal_year, settled.kpi, settled.value, strict=True):
            reading.observe(
                kpi=kpi,
                fiscal_year=year,
                value=value,
                status=status[year],
                sheet=sheet,
                cell=f"{column}{row}",
                period=f"行{row}",
            )
        return
    # Not at import time: `saisei plugins` loads every plugin, and needs no polars.
    import polars as pl

    names = ("row", "fiscal_year", "kpi", "value")
    columns = {name: getattr(settled, name) for name in names}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(names, pl.Int64))
    reading.extend(
        frame.select(
            pl.lit(reading.entity_code, dtype=pl.String).alias("entity_code"),
            "fiscal_year",
            "kpi",
            "value",
            pl.col("fiscal_year").replace_strict(status, return_dtype=pl.String).alias("status"),
            pl.lit(sheet, dtype=pl.String).alias("sheet"),
            pl.format(column + "{}", "row").alias("cell"),
            pl.format("行{}", "row").alias("period"),
        )
    )


def statuses(plan: Plan, as_of: dt.date) -> dict[int, str]:
    return {year: status_for(year, as_of) for year in plan.fiscal_years}


def duplicate(reading: Reading, where: _Cells, row: int, first: int) -> None:
    """The error at an event whose 番号 an earlier event (at ``first``) already has."""
    raw = where.raw(NUMBER_FIELD, row)
    reading.error(
        "duplicate-row",
        f'番号 "{display(raw)}" は {first}行目と重複しています（1つの事業は1行に、番号は重ならないようにしてください）',
        sheet=where.sheet,
        cell=where.ref(NUMBER_FIELD, row),
    )


def _settle(reading: Reading, where: _Cells, parsed: RowReading, plan: Plan) -> Event | None:
    """One row the rules could not settle: an error per problem, or its values."""
    row, sheet = parsed.row, where.sheet
    raw_date, raw_kpi, raw_count = (where.raw(f, row) for f in (DATE_FIELD, KPI_FIELD, COUNT_FIELD))
    date_ref, kpi_ref, count_ref = (where.ref(f, row) for f in (DATE_FIELD, KPI_FIELD, COUNT_FIELD))

    day = parsed.date
    merged = where.merged_away(DATE_FIELD, row, "実施日")
    if merged is not None:
        reading.error("missing-value", merged, sheet=sheet, cell=date_ref)
    elif day is None:
        day = _slow_date(reading, sheet, date_ref, raw_date)
    year = None
    if day is not None:
        year = fiscal_year_of(day)
        problem = plan.year_problem(year, what="実施日", shown=display(raw_date))
        if problem is not None:
            reading.error("bad-fiscal-year", problem, sheet=sheet, cell=date_ref)
            year = None

    kpi = parsed.kpi
    if kpi is None:
        known = "、".join(f"「{label}」" for label in KPI_BY_LABEL)
        merged = where.merged_away(KPI_FIELD, row, "指標区分")
        if merged is not None:
            reading.error("missing-value", merged, sheet=sheet, cell=kpi_ref)
        elif is_blank(raw_kpi):
            reading.error("missing-value", f"指標区分が空欄です（{known}のどれか）", sheet=sheet, cell=kpi_ref)
        else:
            reading.error(
                "unknown-kpi",
                f'指標区分 "{display(raw_kpi)}" は様式の指標区分ではありません（{known}のどれか）',
                sheet=sheet,
                cell=kpi_ref,
            )

    value: int | None = None
    if parsed.cancelled:
        value = 0
    elif parsed.counted is not None and kpi is not None and not parsed.unit_ok:
        label = LABEL_BY_KPI[kpi]
        reading.error(
            "unexpected-unit",
            f'件数 "{display(raw_count)}" の単位「{parsed.unit}」は指標区分「{label}」には使えません'
            f"（使える単位: {UNITS[kpi]}。単位なしの数だけでもかまいません）",
            sheet=sheet,
            cell=count_ref,
        )
    elif parsed.counted is not None:
        value = parsed.counted
    else:
        value = _slow_count(reading, sheet, count_ref, raw_count, (UNITS[kpi],) if kpi else ALL_UNITS)
    if year is None or kpi is None or value is None:
        return None
    return (row, year, kpi, value, parsed.text_date, parsed.text_count)


def _slow_date(reading: Reading, sheet: str, ref: str, raw: Any) -> dt.date | None:
    if is_blank(raw):
        reading.error(
            "missing-value", "実施日が空欄です（例: 2024/12/01、令和6年11月3日、R6.10.5）", sheet=sheet, cell=ref
        )
        return None
    if isinstance(raw, NoCachedValue):
        reading.error(
            "formula-without-value",
            f'実施日の数式 "{raw}" に計算結果が保存されていません（Excelで開いて保存し直すか、日付を入力してください）',
            sheet=sheet,
            cell=ref,
        )
        return None
    if isinstance(raw, CellError):
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
    if is_dash(raw):  # like a blank: an event without its count
        reading.error(
            "missing-value",
            f'件数 "{raw}" はダッシュだけで、件数がありません（ダッシュは「値なし」の意味です。0件なら0を入力してください。'
            "中止した事業は備考に「中止」と書いてください）",
            sheet=sheet,
            cell=ref,
        )
        return None
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
