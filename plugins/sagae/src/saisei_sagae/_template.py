"""寒河江市's workbook for a fiscal year: 記入例, the year sheet (``R6``), hidden リスト."""

from __future__ import annotations

import datetime as dt
from typing import Any

from saisei.plugin import CIRCLED, KPI, Plan, Slot, Template, status_for, wareki_year_label

from ._form import (
    CODE,
    DATE_CELL,
    DATE_LABEL,
    EXAMPLE,
    FIRST_KPI_ROW,
    LIST_SHEET,
    NAME,
    STATUS_CELL,
    STATUS_LABEL,
    TITLE_CELL,
    VALUE_COLUMN,
    sheet_name,
)


def _year_sheet(book: Any, name: str, title: str, kpis: tuple[KPI, ...]) -> Any:
    from openpyxl.styles import Alignment, Border, Font, Side

    ws = book.create_sheet(name)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws[TITLE_CELL] = title
    ws[TITLE_CELL].font = Font(bold=True, size=12)
    ws.merge_cells("B2:E2")
    ws["B4"], ws["D4"], ws["E4"] = "項目", "実績", "備考"
    ws.merge_cells("B4:C4")
    for offset, kpi in enumerate(kpis):
        row = FIRST_KPI_ROW + offset
        ws[f"B{row}"] = f"{CIRCLED[kpi.number - 1]}{kpi.name}"
        ws.merge_cells(f"B{row}:C{row}")
    ws["B9"], ws["B10"] = STATUS_LABEL, DATE_LABEL
    ws.merge_cells("B9:C9")
    ws.merge_cells("B10:C10")
    ws[DATE_CELL].number_format = "yyyy/m/d"
    for rows in ("B4:E7", "B9:D10"):
        for line in ws[rows]:
            for cell in line:
                cell.border = box
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    ws.column_dimensions["A"].width = 2
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 14
    ws.column_dimensions["D"].width = 14
    ws.column_dimensions["E"].width = 24
    return ws


def make_template(fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Template:
    """The city's workbook for ``fiscal_year``: ``記入例``, the year sheet (``R6``), hidden ``リスト``.

    D9 gets the status ``as_of`` implies (確定 once the year has ended, else 見込) and
    D10 the date; with ``as_of=None`` both are left for the clerk (the reader then
    refuses values until D9 is chosen).
    """
    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.worksheet.datavalidation import DataValidation

    if not plan.has_year(fiscal_year):
        raise ValueError(f"{fiscal_year}年度は計画期間（{plan.years_text}）の外です")
    kpis = plan.kpis_for(CODE)
    book = XlsxWorkbook()
    book.remove(book.active)
    title = f"{wareki_year_label(fiscal_year)} 地域再生計画KPI実績報告（{NAME}）"

    example = _year_sheet(book, EXAMPLE, f"【{EXAMPLE}】{title}", kpis)
    for offset, sample in enumerate(("5団体", "20人", "1,500人")[: len(kpis)]):
        example[f"{VALUE_COLUMN}{FIRST_KPI_ROW + offset}"] = sample
    example[STATUS_CELL] = "確定"
    example[DATE_CELL] = dt.date(fiscal_year + 1, 7, 31)

    name = sheet_name(fiscal_year)
    ws = _year_sheet(book, name, title, kpis)
    status = status_for(fiscal_year, as_of) if as_of else "provisional"
    if as_of is not None:
        ws[STATUS_CELL] = "確定" if status == "final" else "見込"
        ws[DATE_CELL] = as_of

    choices = book.create_sheet(LIST_SHEET)
    choices["A1"], choices["A2"] = "確定", "見込"
    choices.sheet_state = "hidden"
    for sheet in (example, ws):
        validation = DataValidation(type="list", formula1=f"={LIST_SHEET}!$A$1:$A$2", allow_blank=True)
        sheet.add_data_validation(validation)
        validation.add(STATUS_CELL)
    book.active = book.sheetnames.index(name)
    slots = tuple(
        Slot(kpi.number, fiscal_year, name, f"{VALUE_COLUMN}{FIRST_KPI_ROW + offset}")
        for offset, kpi in enumerate(kpis)
    )
    return Template(book, slots, status)
