"""標準様式 — the standard form, read by the core (山形県, and any body without a plugin).

One sheet ``KPI実績`` whose row 1 is exactly
``団体コード | 団体名 | 年度 | KPI | 実績値 | 区分 | 備考``, one row per body, year and KPI.
Other sheets (``記入方法``) are instructions and are not read.
"""

from __future__ import annotations

import datetime as dt

from ..plugin import Plan, Reading, Slot, Template, Workbook, display, hookimpl, is_blank, normalize_text

SHEET = "KPI実績"
HEADER = ("団体コード", "団体名", "年度", "KPI", "実績値", "区分", "備考")
STATUS = {"確定": "final", "見込み": "provisional", "見込": "provisional"}


@hookimpl
def saisei_body_code() -> str | None:
    return None  # serves any body of the plan


def _sheet_name(workbook: Workbook) -> str | None:
    return workbook.find_sheet(SHEET)


@hookimpl
def saisei_detect(workbook: Workbook) -> bool:
    name = _sheet_name(workbook)
    if name is None:
        return False
    sheet = workbook.sheet(name)
    return tuple(sheet.text(f"{c}1") for c in "ABCDEFG") == HEADER


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    name = _sheet_name(workbook)
    if name is None:
        return None
    sheet = workbook.sheet(name)
    reading = Reading(workbook, plan)
    seen: dict[tuple[str, int, int], int] = {}
    for row in range(2, sheet.max_row + 1):
        cells = [sheet.at(row, c) for c in range(1, 8)]
        if all(is_blank(v) for v in cells[:6]):
            continue  # an empty line (備考 alone is never read)
        code = reading.body_code(sheet, f"A{row}")
        year = reading.fiscal_year(sheet, f"C{row}")
        kpi = reading.kpi(sheet, f"D{row}")
        value = reading.count(sheet, f"E{row}", what="実績値")
        status = _status(reading, sheet.name, row, cells[5])
        if code is not None:
            body = plan.body(code)
            assert body is not None
            given = cells[1]
            if not is_blank(given) and normalize_text(str(given)) != normalize_text(body.name):
                reading.error(
                    "unknown-body",
                    f'団体名 "{display(given)}" が団体コード {code}（{body.name}）と合いません',
                    sheet=sheet.name,
                    cell=f"B{row}",
                )
            if kpi is not None and not plan.kpi(kpi).is_reported_by(code):  # type: ignore[union-attr]
                reading.error(
                    "unknown-kpi",
                    f"{plan.kpi(kpi).label} は {body.name} が報告するKPIではありません",  # type: ignore[union-attr]
                    sheet=sheet.name,
                    cell=f"D{row}",
                )
                kpi = None
        if None in (code, year, kpi) or status is None:
            continue
        assert code is not None and year is not None and kpi is not None
        key = (code, year, kpi)
        if key in seen:
            reading.error(
                "duplicate-row",
                f"{code} の {year}年度 KPI{kpi} は {seen[key]}行目にもあります（1つの団体・年度・KPIは1行にしてください）",
                sheet=sheet.name,
                cell=f"A{row}",
            )
            continue
        seen[key] = row
        if value is None:
            continue  # blank: not reported
        reading.observe(
            entity_code=code, kpi=kpi, fiscal_year=year, value=value, status=status, sheet=sheet.name, cell=f"E{row}"
        )
    return reading


def _status(reading: Reading, sheet: str, row: int, value: object) -> str | None:
    if is_blank(value):
        reading.error(
            "missing-value", "区分が空欄です（「確定」か「見込み」を入力してください）", sheet=sheet, cell=f"F{row}"
        )
        return None
    status = STATUS.get(normalize_text(str(value)))
    if status is None:
        reading.error(
            "bad-status",
            f'区分 "{display(value)}" は「確定」「見込み」のどちらでもありません',
            sheet=sheet,
            cell=f"F{row}",
        )
    return status


@hookimpl
def saisei_template(fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Template:
    """One row per body and KPI of the plan for ``fiscal_year``; 区分 by ``as_of``."""
    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.styles import Font

    from ..core.cycle import status_for

    book = XlsxWorkbook()
    ws = book.active
    ws.title = SHEET
    ws.append(list(HEADER))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    status = status_for(fiscal_year, as_of) if as_of else "final"
    label = "確定" if status == "final" else "見込み"
    slots = []
    for body in plan.bodies:
        if body.plugin is not None:
            continue
        for kpi in plan.kpis_for(body.code):
            ws.append([body.code, body.name, fiscal_year, kpi.label, None, label, None])
            row = ws.max_row
            ws.cell(row, 1).number_format = "@"
            slots.append(Slot(kpi.number, fiscal_year, SHEET, f"E{row}"))
    for column, width in zip("ABCDEFG", (12, 12, 8, 8, 12, 8, 30), strict=True):
        ws.column_dimensions[column].width = width
    notes = book.create_sheet("記入方法")
    notes["A1"] = "1行に1件。年度は西暦または令和、区分は「確定」か「見込み」。実績値の空欄は未報告（ゼロは0と入力）。"
    return Template(book, tuple(slots), status)
