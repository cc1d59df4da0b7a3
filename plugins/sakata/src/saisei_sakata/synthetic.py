"""Synthetic 実績一覧 ledgers of any size, in the real form, for tests and benchmarks.

:func:`make_ledger` writes a workbook as a clerk's would look after a year of events:
実施日 as Excel dates and as the three text spellings (``R6.10.5``, ``令和6年11月3日``,
``2024/12/01``), 件数 as numbers, as text, in full-width digits, with thousands commas and
with the unit that fits the 指標区分, a few cancelled events (blank 件数, 中止 in 備考),
then the 合計 row and the 集計 sheet with the city's formulas.  openpyxl's write-only
mode stores no cached values, so 合計 and 集計 are formulas without results (as in a form
written by a program): the reader checks them only when they have one.

:func:`expected_totals` gives what a correct reading yields, from the same seed::

    data = make_ledger(100_000, seed=1)
    expected = expected_totals(100_000, seed=1)   # {(fiscal_year, kpi): value}
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass

from saisei.plugin import wareki_date

from ._form import FIRST_ROW, HEADER, LABEL_BY_KPI, LEDGER, SUMMARY, TITLE, TOTAL_LABEL, UNITS
from ._template import sumifs_formula

__all__ = ["AS_OF", "Event", "events", "expected_totals", "main", "make_ledger"]

#: The ledger's as-of date: FY2024 final, FY2025 provisional.
AS_OF = dt.date(2025, 8, 20)
_FIRST_DAY = dt.date(2024, 4, 1)
_NAMES = (
    "首都圏企業マッチング説明会",
    "地域課題ワークショップ",
    "酒田港まつり交流ツアー",
    "副業人材受入（DX支援）",
    "学会誘致（東北地区大会）",
    "子育て世帯お試し滞在",
    "関係人口交流会",
    "集落支援団体登録",
)
_FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


@dataclass(frozen=True)
class Event:
    """One ledger row: the cells as written, and what they mean."""

    number: int
    date_cell: object
    name: str
    kpi: int
    count_cell: object
    note: str | None
    fiscal_year: int
    value: int


def _date_cell(day: dt.date, style: int) -> object:
    if style == 0:
        return dt.datetime(day.year, day.month, day.day)
    if style == 1:
        return f"R{day.year - 2018}.{day.month}.{day.day}"
    if style == 2:
        return wareki_date(day)
    return f"{day.year}/{day.month:02d}/{day.day:02d}"


def _count_cell(value: int, kpi: int, style: int) -> object:
    if style == 0:
        return value
    if style == 1:
        return str(value)
    if style == 2:
        return str(value).translate(_FULL_WIDTH)
    if style == 3:
        return f"{value}{UNITS[kpi]}"
    return f"{value:,}".translate(_FULL_WIDTH) if value >= 1000 else f"{value:,}"


def events(rows: int, seed: int = 0) -> Iterator[Event]:
    """The ledger's rows, deterministic for a seed."""
    rng = random.Random(seed)
    span = (AS_OF - _FIRST_DAY).days
    for i in range(rows):
        day = _FIRST_DAY + dt.timedelta(days=rng.randrange(span))
        kpi = rng.choice((1, 2, 2, 3, 3, 3))
        value = rng.randint(1, 3) if kpi == 1 else rng.randint(1, 40) if kpi == 2 else rng.randint(10, 2500)
        cancelled = rng.random() < 0.01
        fiscal_year = day.year if day.month >= 4 else day.year - 1
        yield Event(
            number=i + 1,
            date_cell=_date_cell(day, rng.choice((0, 0, 0, 1, 2, 3))),
            name=rng.choice(_NAMES),
            kpi=kpi,
            count_cell=None if cancelled else _count_cell(value, kpi, rng.choice((0, 0, 0, 1, 2, 3, 4))),
            note="雨天のため中止" if cancelled else None,
            fiscal_year=fiscal_year,
            value=0 if cancelled else value,
        )


def expected_totals(rows: int, seed: int = 0) -> dict[tuple[int, int], int]:
    """What a correct reading gives: (fiscal_year, kpi) → sum of 件数."""
    totals: dict[tuple[int, int], int] = {}
    for event in events(rows, seed):
        key = (event.fiscal_year, event.kpi)
        totals[key] = totals.get(key, 0) + event.value
    return totals


def make_ledger(rows: int, seed: int = 0) -> bytes:
    """A 実績一覧 workbook with ``rows`` events, as xlsx bytes (openpyxl write-only)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    ws = book.create_sheet(LEDGER)
    ws.append([TITLE])
    ws.append([f"{wareki_date(AS_OF)}現在"])
    ws.append(list(HEADER))
    for event in events(rows, seed):
        date_cell = event.date_cell
        if isinstance(date_cell, dt.datetime):
            date_cell = WriteOnlyCell(ws, value=date_cell)
            date_cell.number_format = "yyyy/m/d"
        ws.append([event.number, date_cell, event.name, LABEL_BY_KPI[event.kpi], event.count_cell, event.note])
    last = FIRST_ROW + rows - 1
    ws.append([None, None, TOTAL_LABEL, None, f"=SUM(E{FIRST_ROW}:E{last})", None])
    summary = book.create_sheet(SUMMARY)
    years = (2024, 2025, 2026)
    summary.append(["指標区分", *(f"令和{y - 2018}年度" for y in years)])
    for kpi, label in LABEL_BY_KPI.items():
        summary.append([label, *(sumifs_formula(LABEL_BY_KPI[kpi], y) for y in years)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> None:
    """``python -m saisei_sakata.synthetic ROWS OUT.xlsx [SEED]``: write a ledger to a file."""
    import sys
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        raise SystemExit("usage: python -m saisei_sakata.synthetic ROWS OUT.xlsx [SEED]")
    rows, out = int(args[0]), Path(args[1])
    out.write_bytes(make_ledger(rows, int(args[2]) if len(args) == 3 else 0))


if __name__ == "__main__":
    main()
