"""report.xlsx, written with openpyxl: values only, never a formula, the same bytes for
the same inputs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .data import KPI_HEADER, VALUE_HEADER, kpi_rows, value_rows

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from ..pipeline import Consolidation

__all__ = ["build_workbook", "put"]

FIXED_TIME = dt.datetime(2000, 1, 1)
ISSUE_HEADER = ("区分", "コード", "ファイル", "シート", "セル", "内容", "プラグイン")
SEVERITY_JA = {"error": "エラー", "warning": "警告"}


def put(ws: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    """Write one cell; text is always text (``=1+1`` from a workbook never becomes a formula)."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format


def write_table(
    ws: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[int] = (),
    formats: dict[int, str] | None = None,
) -> None:
    """A machine-readable table from A1: one header row, one value per cell, frozen header."""
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c, name in enumerate(header, start=1):
        put(ws, 1, c, name)
        ws.cell(1, c).font = bold
        ws.cell(1, c).fill = fill
    formats = formats or {}
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            put(ws, r, c, value, formats.get(c))
            if isinstance(value, str) and "\n" in value:
                ws.cell(r, c).alignment = wrap
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        from openpyxl.utils import get_column_letter

        ws.column_dimensions[get_column_letter(i)].width = width
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def build_workbook(result: Consolidation) -> Workbook:
    """The report workbook: data sheets and the list of issues."""
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "実績データ"
    write_table(
        first,
        VALUE_HEADER,
        value_rows(result),
        widths=(12, 12, 8, 6, 12, 8, 60),
        formats={5: "#,##0"},
    )
    write_table(
        book.create_sheet("KPI集計"),
        KPI_HEADER,
        kpi_rows(result),
        widths=(8, 6, 50, 10, 10, 10, 12, 10, 10, 10, 10, 22),
        formats={4: "#,##0", 5: "#,##0", 6: "0.0%", 10: "#,##0", 11: "#,##0"},
    )
    issues = book.create_sheet("要確認")
    write_table(
        issues,
        ISSUE_HEADER,
        ((SEVERITY_JA[i.severity], i.code, i.file, i.sheet, i.cell, i.message, i.plugin) for i in result.issues),
        widths=(8, 22, 30, 14, 8, 100, 12),
    )
    book.properties.creator = "saisei"
    book.properties.title = f"{result.plan.name} KPI集計"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    book.properties.lastModifiedBy = "saisei"
    return book
