"""The report's tables are written as sheet XML (``saisei.report.sheetdata``), not cell by
cell with openpyxl.  These tests hold that writer to what openpyxl itself would have
written: a reference table is written cell by cell with openpyxl here, and both workbooks
are read back (openpyxl, python-calamine) and compared cell by cell — value, type, style,
number format, wrapping, row height — plus the sheet's range, filter and frozen header.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from saisei.report import deterministic_xlsx
from saisei.report.sheetdata import clean_text, escaped, row_height, wrapped_lines
from saisei.report.xlsx import (
    COUNT,
    DAY,
    MONTH,
    RATE,
    STYLE_CENTRE,
    STYLE_FOR_FORMAT,
    STYLE_TEXT,
    STYLE_WRAP,
    register_styles,
    write_table,
)

HEADER = ("文字", "改行する文字", "件数", "率", "年月", "日付", "記号")
WIDTHS = (12, 20, 10, 8, 10, 12, 6)
FORMATS = {3: COUNT, 4: RATE, 5: MONTH, 6: DAY}
WRAP = (2,)
CENTRE = (7,)

TRICKY_TEXT = [
    "鶴岡市",
    "=1+1",
    '=HYPERLINK("http://x")',
    "@SUM(A1)",
    "+1",
    "a & b < c > d \"quoted\" 'single'",
    "  leading and trailing  ",
    "一行目\n二行目\n三行目",
    "windows\r\nline",
    "bell\x07 nul\x00 unit\x1f",
    "_x000D_ literal",
    "😀 絵文字と全角１２３",
    "x" * 40_000,
    "",
    "長い説明文" * 30,
]


def reference(ws: Any, rows: Sequence[Sequence[Any]]) -> None:
    """The table as openpyxl writes it cell by cell: the oracle."""
    column_style = {c: STYLE_FOR_FORMAT[f] for c, f in FORMATS.items()}
    column_style.update({c: STYLE_CENTRE for c in CENTRE})
    column_style.update({c: STYLE_WRAP for c in WRAP})
    for c, name in enumerate(HEADER, start=1):
        ws.cell(1, c, name).style = "saisei 見出し"
    for r, row in enumerate(rows, start=2):
        lines = 1
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c)
            cell.value = clean_text(value) if isinstance(value, str) else value
            if isinstance(value, str):
                cell.data_type = "s"
            style = column_style.get(c, STYLE_TEXT)
            if style == STYLE_TEXT and isinstance(value, str) and "\n" in value:
                style = STYLE_WRAP
            cell.style = style
            if style == STYLE_WRAP:
                lines = max(lines, wrapped_lines(cell.value, WIDTHS[c - 1]))
        height = row_height(lines)
        if height is not None:
            ws.row_dimensions[r].height = height
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions


def streamed_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    register_styles(book)
    ws = book.active
    ws.title = "表"
    table = write_table(ws, HEADER, rows, widths=WIDTHS, formats=FORMATS, wrap=WRAP, centre=CENTRE)
    buffer = io.BytesIO()
    book.save(buffer)
    return deterministic_xlsx(buffer.getvalue(), {"表": table})


def reference_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    register_styles(book)
    ws = book.active
    ws.title = "表"
    reference(ws, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sample_rows() -> list[tuple[Any, ...]]:
    rows = []
    for i, text in enumerate(TRICKY_TEXT):
        rows.append(
            (
                text,
                TRICKY_TEXT[-1 - i],
                [0, 1, 1234567, -3, 10**12, None, 2.5, 1e-7][i % 8],
                [None, 0.0, 0.125, 1.0, 1 / 3][i % 5],
                dt.date(2024 + i % 3, 1 + i % 12, 1),
                [dt.date(2025, 3, 31), dt.datetime(2025, 9, 1, 13, 30), None, dt.date(1900, 2, 1)][i % 4],
                ["○", None, True, False][i % 4],
            )
        )
    return rows


def cells(data: bytes) -> dict[str, Any]:
    ws = load_workbook(io.BytesIO(data))["表"]
    seen: dict[str, Any] = {
        "dimensions": ws.dimensions,
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
    }
    for row in ws.iter_rows():
        for cell in row:
            seen[cell.coordinate] = (
                cell.value,
                cell.data_type if cell.value is not None else None,  # a blank's type means nothing
                cell.style,
                cell.number_format,
                cell.alignment.wrap_text,
                cell.alignment.horizontal,
                cell.border.left.style,
            )
    for r in range(1, ws.max_row + 1):
        seen[f"height {r}"] = ws.row_dimensions[r].height
    return seen


def test_streamed_table_reads_back_as_openpyxl_would_have_written_it() -> None:
    rows = sample_rows()
    streamed, expected = cells(streamed_bytes(rows)), cells(reference_bytes(rows))
    different = {k: (streamed.get(k), v) for k, v in expected.items() if streamed.get(k) != v}
    assert not different
    assert streamed.keys() == expected.keys()
    # the things that must hold whatever openpyxl does
    assert streamed["A3"][0] == "=1+1" and streamed["A3"][1] == "s"
    assert streamed["A11"][0] == "bell\ufffd nul\ufffd unit\ufffd"
    assert len(streamed["A14"][0]) == 32_767
    assert streamed["dimensions"] == f"A1:G{len(rows) + 1}" == streamed["filter"]


def test_calamine_reads_the_streamed_table_like_the_reference() -> None:
    rows = sample_rows()
    streamed = CalamineWorkbook.from_filelike(io.BytesIO(streamed_bytes(rows))).get_sheet_by_name("表")
    expected = CalamineWorkbook.from_filelike(io.BytesIO(reference_bytes(rows))).get_sheet_by_name("表")
    assert streamed.to_python() == expected.to_python()


def test_an_empty_table_keeps_its_header_and_has_no_filter() -> None:
    ws = load_workbook(io.BytesIO(streamed_bytes([])))["表"]
    assert [c.value for c in ws[1]] == list(HEADER)
    assert ws.max_row == 1 and ws.auto_filter.ref is None


def test_a_row_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="row 2 has 2 cells"):
        streamed_bytes([("a", "b")])


def test_a_value_a_cell_cannot_hold_is_refused() -> None:
    row: list[Any] = ["a", "b", float("nan"), None, None, None, None]
    with pytest.raises(ValueError, match="C2"):
        streamed_bytes([tuple(row)])
    row[2] = object()
    with pytest.raises(TypeError, match="C2"):
        streamed_bytes([tuple(row)])


def test_a_table_for_a_sheet_that_is_not_there_is_refused() -> None:
    book = Workbook()
    register_styles(book)
    table = write_table(book.active, HEADER, [], widths=WIDTHS)
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValueError, match="ない"):
        deterministic_xlsx(buffer.getvalue(), {"ない": table})


text_cells = st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cs",)), max_size=60))
#: what each column of HEADER holds in a report
columns = (
    text_cells,
    text_cells,
    st.one_of(st.none(), st.integers(-(10**12), 10**12)),
    st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
    st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))),
    st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))),
    st.one_of(text_cells, st.booleans()),
)


def same(streamed: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Equal, floats to the 15 significant digits a spreadsheet keeps (openpyxl writes
    fewer digits than ``repr``; the streamed rows write all of them)."""
    if streamed.keys() != expected.keys():
        return False
    for key, value in expected.items():
        got = streamed[key]
        if isinstance(value, tuple) and isinstance(value[0], float) and isinstance(got[0], float):
            if not math.isclose(got[0], value[0], rel_tol=1e-14) or got[1:] != value[1:]:
                return False
        elif got != value:
            return False
    return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(*columns), min_size=1, max_size=6))
def test_any_values_read_back_as_the_reference(rows: list[tuple[Any, ...]]) -> None:
    streamed, expected = cells(streamed_bytes(rows)), cells(reference_bytes(rows))
    assert same(streamed, expected), (streamed, expected)


@given(st.text(st.sampled_from("&<>\r\n\"'a;#1漢字\x00"), max_size=20) | st.text(max_size=40))
def test_text_is_escaped_as_a_translation_table_escapes_it(text: str) -> None:
    table = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
    assert escaped(text) == text.translate(table)
