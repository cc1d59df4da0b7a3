"""A blank 実績一覧 for a fiscal year, in the city's layout."""

from __future__ import annotations

import datetime as dt

from saisei.plugin import (
    Plan,
    Slot,
    Template,
    fiscal_year_end,
    fiscal_year_start,
    status_for,
    wareki_date,
    wareki_year_label,
)

from ._form import CODE, FIRST_ROW, HEADER, HEADER_ROW, LABEL_BY_KPI, LEDGER, SUMMARY, TITLE, TOTAL_LABEL

__all__ = ["PREPARED_MONTHS", "ROWS_PER_KPI", "make_template", "sumifs_formula"]

#: The 実施日 of the prepared lines per 指標区分 (months of the fiscal year's calendar year);
#: a clerk adds lines (and widens the 合計 SUM) for more events.
PREPARED_MONTHS = (6, 9, 12)
ROWS_PER_KPI = len(PREPARED_MONTHS)
DATE_FORMAT = "yyyy/m/d"


def sumifs_formula(label: str, year: int) -> str:
    start, end = fiscal_year_start(year), fiscal_year_end(year)
    where = f"{LEDGER}!"
    return (
        f'=SUMIFS({where}E:E,{where}D:D,"{label}",'
        f'{where}B:B,">="&DATE({start.year},{start.month},{start.day}),'
        f'{where}B:B,"<="&DATE({end.year},{end.month},{end.day}))'
    )


def make_template(fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Template:
    """Prepared lines for each 指標区分 (番号, a 実施日 inside ``fiscal_year``, 指標区分;
    件数 is the slot), the 合計 row, and the 集計 sheet with the city's SUMIFS."""
    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.styles import Font

    book = XlsxWorkbook()
    ws = book.active
    ws.title = LEDGER
    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True, size=14)
    # Without a date, a visible gap the clerk fills (the reader refuses it until then).
    ws["A2"] = f"{wareki_date(as_of)}現在" if as_of else "令和　年　月　日現在"
    for number, label in enumerate(HEADER, start=1):
        ws.cell(HEADER_ROW, number, label).font = Font(bold=True)
    kpis = [k.number for k in plan.kpis_for(CODE) if k.number in LABEL_BY_KPI]
    slots = []
    row = FIRST_ROW
    for kpi in kpis:
        for month in PREPARED_MONTHS:
            ws.cell(row, 1, row - FIRST_ROW + 1)
            day = dt.date(fiscal_year, month, 1)
            ws.cell(row, 2, day).number_format = DATE_FORMAT
            ws.cell(row, 4, LABEL_BY_KPI[kpi])
            slots.append(Slot(kpi, fiscal_year, LEDGER, f"E{row}", period=f"行{row}"))
            row += 1
    ws.cell(row, 3, TOTAL_LABEL).font = Font(bold=True)
    ws.cell(row, 5, f"=SUM(E{FIRST_ROW}:E{row - 1})").font = Font(bold=True)
    for letter, width in zip("ABCDEF", (6, 12, 30, 10, 8, 20), strict=True):
        ws.column_dimensions[letter].width = width

    summary = book.create_sheet(SUMMARY)
    summary["A1"] = "指標区分"
    for j, year in enumerate(plan.fiscal_years, start=2):
        summary.cell(1, j, wareki_year_label(year))
    for i, kpi in enumerate(kpis, start=2):
        summary.cell(i, 1, LABEL_BY_KPI[kpi])
        for j, year in enumerate(plan.fiscal_years, start=2):
            summary.cell(i, j, sumifs_formula(LABEL_BY_KPI[kpi], year))
    status = status_for(fiscal_year, as_of) if as_of else "final"
    return Template(book, tuple(slots), status)
