"""Detecting and reading the 実績一覧 workbook."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from saisei.plugin import (
    CellError,
    NoCachedValue,
    Plan,
    Reading,
    Workbook,
    display,
    is_blank,
    normalize_text,
    parse_date,
)

from ._checks import check_summary, check_totals
from ._form import AS_OF_CELL, CODE, HEADER, HEADER_ROW, LEDGER, SUMMARY
from ._ledger import header_of, read_ledger

__all__ = ["detect", "parse_as_of", "read"]

_AS_OF_EXAMPLE = "例: 令和7年8月20日現在、2025/8/20現在"
# A date inside a longer text (作成日：令和7年8月20日現在): what parse_date may then read.
_DATE_INSIDE = re.compile(
    r"(?:令和|平成|昭和|[RHS])\s*(?:元|\d{1,2})\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[./-]\d{1,2}[./-]\d{1,2})"
    r"|\d{4}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[./-]\d{1,2}[./-]\d{1,2})"
)


def parse_as_of(value: Any) -> dt.date:
    """The as-of date in A2: ``令和7年8月20日現在``, ``R7.8.20現在``, ``2025/8/20 時点``,
    ``作成日：令和7年8月20日``, or an Excel date.  Raises ``ValueError`` otherwise."""
    if isinstance(value, dt.date):
        return parse_date(value)
    if not isinstance(value, str):
        raise ValueError(f'"{display(value)}" は日付ではありません（{_AS_OF_EXAMPLE}）')
    text = normalize_text(value).upper()
    bare = re.sub(r"\s*(現在|時点)$", "", text)
    try:
        return parse_date(bare)
    except ValueError:
        pass
    found = _DATE_INSIDE.search(text)
    if found is not None:
        try:
            return parse_date(found.group(0))
        except ValueError as exc:
            raise ValueError(f'"{value}" の日付を読み取れません（{exc}）') from None
    raise ValueError(f'"{value}" から日付を読み取れません（{_AS_OF_EXAMPLE}）')


def detect(workbook: Workbook) -> bool:
    """The 実績一覧 sheet with the ledger's header on row 3 (the file's name is never looked at)."""
    name = workbook.find_sheet(LEDGER)
    return name is not None and header_of(workbook.sheet(name), HEADER_ROW) == HEADER


def read(workbook: Workbook, plan: Plan) -> Reading | None:
    name = workbook.find_sheet(LEDGER)
    if name is None:
        return None
    sheet = workbook.sheet(name)
    if header_of(sheet, HEADER_ROW) != HEADER:
        return None
    raw = sheet.value(AS_OF_CELL)
    as_of: dt.date | None = None
    reading = Reading(workbook, plan, entity_code=CODE)
    if is_blank(raw):
        reading.error(
            "missing-value",
            f"作成日が空欄です（確定・見込みの判定に使います。{_AS_OF_EXAMPLE}）",
            sheet=sheet.name,
            cell=AS_OF_CELL,
        )
    elif isinstance(raw, CellError | NoCachedValue):
        reading.error(
            "bad-date", f'作成日 "{raw}" は日付ではありません（{_AS_OF_EXAMPLE}）', sheet=sheet.name, cell=AS_OF_CELL
        )
    else:
        try:
            as_of = parse_as_of(raw)
        except ValueError as exc:
            reading.error("bad-date", f"作成日 {exc}", sheet=sheet.name, cell=AS_OF_CELL)
    reading.as_of = as_of
    ledger = read_ledger(reading, sheet, plan, as_of)
    if reading.has_errors:
        return reading  # the ledger is incomplete: comparing its sums would mislead
    check_totals(reading, sheet, ledger)
    summary = workbook.find_sheet(SUMMARY)
    if summary is not None:
        check_summary(reading, workbook.sheet(summary), sheet.name, ledger)
    return reading
