"""Detecting and reading the 実績一覧 workbook."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from saisei.plugin import (
    CellError,
    Detection,
    Header,
    NoCachedValue,
    Plan,
    Reading,
    Sheet,
    Workbook,
    cell_ref,
    detect_table,
    display,
    find_header,
    find_label,
    label_key,
    normalize_text,
    parse_date,
    read_header,
    value_beside,
)

from ._checks import check_summary, check_totals
from ._form import AS_OF_WORDS, CODE, FIELDS, LEDGER, SUMMARY, SUMMARY_FIELDS, TITLE_KEY
from ._ledger import Layout, read_ledger

__all__ = ["detect", "parse_as_of", "read"]

#: How far right of A the as-of date is looked for above the header.
SEARCH_COLUMNS = 30

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


def detect(workbook: Workbook, explain: bool = False) -> Detection:
    """The 実績一覧 sheet with the ledger's header, found by its labels anywhere in its first
    rows and columns (the file's name is never looked at).  When it is not there, how close
    the workbook came: the sheet is missing, renamed, or its header lacks labels."""
    found = detect_table(workbook, LEDGER, FIELDS, explain=explain)
    if not explain or found.claimed or found.score > 0:
        return found
    summary = workbook.find_sheet(SUMMARY)  # the city's pivot without its ledger
    header = None if summary is None else find_header(workbook.sheet(summary), SUMMARY_FIELDS, first_only=True)[0]
    if summary is None or header is None:
        return found
    return Detection(
        False,
        0.5,
        f"シート『{LEDGER}』がありません（集計のシート『{summary}』だけがあります。"
        f"事業を1行ずつ書いたシート『{LEDGER}』も入れてください）",
        sheet=summary,
        cell=cell_ref(header.row, header.first_column),
    )


def read(workbook: Workbook, plan: Plan) -> Reading | None:
    name = workbook.find_sheet(LEDGER)
    if name is None:
        return None
    sheet = workbook.sheet(name)
    reading = Reading(workbook, plan, entity_code=CODE)
    header = read_header(reading, sheet, FIELDS)
    if header is None:
        return reading
    as_of = _as_of(reading, sheet, header)
    reading.as_of = as_of
    ledger = read_ledger(reading, sheet, plan, as_of, Layout.of(header))
    _other_ledgers(reading, workbook, sheet)
    if reading.has_errors:
        return reading  # the ledger is incomplete or ambiguous: comparing its sums would mislead
    check_totals(reading, sheet, ledger)
    summary = workbook.find_sheet(SUMMARY)
    if summary is not None:
        check_summary(reading, workbook.sheet(summary), sheet.name, ledger)
    return reading


def _other_ledgers(reading: Reading, workbook: Workbook, ledger: Sheet) -> None:
    """Another sheet holding the ledger's header (a copy ``実績一覧 (2)``, a sheet the clerk
    went on with) is never skipped silently: read is the 実績一覧 sheet; a copy that is
    hidden or holds the same cells is a warning, one that holds other cells is an error
    at its header (which sheet holds the events?).  A visible copy named after the ledger
    (``実績一覧 (2)``) that holds the same cells is left to the core's warning about copies."""
    summary = workbook.find_sheet(SUMMARY)
    key = label_key(ledger.name)
    twins = workbook.find_sheets(ledger.name)
    for name in workbook.sheet_names:
        if name in (ledger.name, summary) or name in twins:
            continue  # a twin of the ledger's name (実績 一覧) is check_reading's
        other = workbook.sheet(name)
        header, _, _ = find_header(other, FIELDS, first_only=True)
        if header is None:
            continue
        ref = cell_ref(header.row, header.first_column)
        hidden = workbook.is_hidden(name)
        if hidden or list(other.rows) == list(ledger.rows):
            if not hidden and label_key(name).startswith(key):
                continue  # check_reading names it
            same = "非表示" if hidden else "同じ内容"
            reading.warning(
                "ambiguous-sheet",
                f"シート『{name}』にも実績一覧の表がありますが、{same}のシートなので読んでいません"
                f"（シート『{ledger.name}』を読みました。不要なら削除してください）",
                sheet=name,
                cell=ref,
            )
        else:
            reading.error(
                "ambiguous-sheet",
                f"シート『{name}』にも実績一覧の表があり、シート『{ledger.name}』と内容が違います"
                f"（どちらの事業を数えるか決められません。事業を『{ledger.name}』にまとめ、もう一方は削除してください）",
                sheet=name,
                cell=ref,
            )


def _dated(value: Any) -> bool:
    """Whether a cell above the header is meant as the as-of date: an Excel date, a text
    with 現在, 時点 or 作成日 (令和7年8月20日現在), or a date alone (2025年8月20日)."""
    if isinstance(value, dt.date):
        return True
    if not isinstance(value, str):
        return False
    key = label_key(value)
    if any(word in key for word in AS_OF_WORDS):
        return True
    try:
        parse_date(key)
    except ValueError:
        return False
    return True


def _as_of(reading: Reading, sheet: Sheet, header: Header) -> dt.date | None:
    """The as-of date: the one cell above the header that holds it (A2 as issued, below the
    title), or an Excel date beside a label 作成日.  Two such cells with different dates are
    an error at the second (which one dates the ledger?); none is an error where the form
    has it (below the title; else above the header, or at it when nothing is above)."""
    header_row = header.row
    places = []
    for row in range(1, header_row):
        for column in range(1, min(sheet.max_column, SEARCH_COLUMNS) + 1):
            value = sheet.at(row, column)
            if not _dated(value):
                continue
            if isinstance(value, str) and label_key(value).rstrip(":：") in AS_OF_WORDS:
                beside = value_beside(sheet, row, column)  # 作成日 | 2025/8/20
                if beside is not None:
                    row_column = beside
                    if row_column not in places:
                        places.append(row_column)
                    continue
            if (row, column) not in places:
                places.append((row, column))
    if not places:
        title = find_label(sheet, (TITLE_KEY,), rows=max(header_row - 1, 1), contains=True)
        if title is not None and title[0] + 1 < header_row:
            ref = cell_ref(title[0] + 1, title[1])
        else:
            ref = cell_ref(max(header_row - 1, 1), header.first_column)
        reading.error(
            "missing-value",
            f"作成日が空欄です（見出しより上に入力してください。確定・見込みの判定に使います。{_AS_OF_EXAMPLE}）",
            sheet=sheet.name,
            cell=ref,
        )
        return None
    found: dict[dt.date, str] = {}
    for row, column in places:
        ref = cell_ref(row, column)
        day = _as_of_at(reading, sheet, ref)
        if day is None:
            return None
        if found and day not in found:
            first = next(iter(found.values()))
            reading.error(
                "conflicting-label",
                f'作成日が {first} と {ref} の2か所にあり、日付が違います（"{display(sheet.value(first))}" と'
                f' "{display(sheet.value(ref))}"。どちらで確定・見込みを決めるか決められません。1つにしてください）',
                sheet=sheet.name,
                cell=ref,
            )
            return None
        found.setdefault(day, ref)
    return next(iter(found))


def _as_of_at(reading: Reading, sheet: Sheet, ref: str) -> dt.date | None:
    raw = sheet.value(ref)
    if isinstance(raw, CellError | NoCachedValue):
        reading.error(
            "bad-date", f'作成日 "{raw}" は日付ではありません（{_AS_OF_EXAMPLE}）', sheet=sheet.name, cell=ref
        )
        return None
    try:
        return parse_as_of(raw)
    except ValueError as exc:
        reading.error("bad-date", f"作成日 {exc}", sheet=sheet.name, cell=ref)
        return None
