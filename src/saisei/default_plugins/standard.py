"""標準様式 — the standard form, read by the core (山形県, and any body without a plugin).

One sheet ``KPI実績`` whose header is ``団体コード | 団体名 | 年度 | KPI | 実績値 | 区分 | 備考``
(row 1 as issued), one row per body, year and KPI.  Other sheets (``記入方法``) are
instructions and are not read.

The table is found by its labels (:mod:`saisei.core.tables`): the header may move down
or right (a note row above, a column at the left), columns may be reordered, and columns
the form does not know (目標値, うち町外, a hidden helper) are ignored; 備考 may be left
out.  Blank rows are skipped and a row whose 団体コード or 団体名 says 合計 ends the table.
"""

from __future__ import annotations

import datetime as dt

from ..plugin import (
    Detection,
    Field,
    Header,
    Plan,
    Reading,
    Sheet,
    Slot,
    Template,
    Workbook,
    detect_table,
    display,
    hookimpl,
    is_blank,
    normalize_text,
    parse_ref,
    read_header,
    rows_after_total,
    table_rows,
)

SHEET = "KPI実績"
HEADER = ("団体コード", "団体名", "年度", "KPI", "実績値", "区分", "備考")
FIELDS = (
    Field("code", ("団体コード",)),
    Field("name", ("団体名",)),
    Field("year", ("年度",)),
    Field("kpi", ("KPI",)),
    Field("value", ("実績値",)),
    Field("status", ("区分",)),
    Field("note", ("備考",), required=False),
)
STATUS = {"確定": "final", "見込み": "provisional", "見込": "provisional"}


@hookimpl
def saisei_body_code() -> str | None:
    return None  # serves any body of the plan


@hookimpl
def saisei_detect(workbook: Workbook, explain: bool = False) -> Detection:
    return detect_table(workbook, SHEET, FIELDS, explain=explain)


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    name = workbook.find_sheet(SHEET)
    if name is None:
        return None
    sheet = workbook.sheet(name)
    reading = Reading(workbook, plan)
    header = read_header(reading, sheet, FIELDS)
    if header is None:
        return reading
    columns = header.columns
    data = [columns[f.key] for f in FIELDS if f.key != "note" and f.key in columns]
    totals = (columns["code"], columns["name"], columns["year"], columns["kpi"])
    rows = table_rows(sheet, data, header.row + 1, total_columns=totals)
    rows_after_total(reading, sheet, rows, header.first_column)
    seen: dict[tuple[str, int, int], int] = {}
    for row in rows.rows:
        _read_row(reading, sheet, header, row, seen)
    return reading


def _key(sheet: Sheet, header: Header, key: str, row: int) -> str:
    """The cell holding ``key``'s value for ``row``: its own, or the first cell of the merged
    range it lies in (団体コード, 団体名, 年度 or 区分 merged down over several rows is one
    value shown for each of them, as the clerk sees it)."""
    ref = header.ref(key, row)
    merged = sheet.hidden_by_merge(ref) if sheet.merged and is_blank(sheet.value(ref)) else None
    if merged is None:
        return ref
    first = merged.partition(":")[0]
    return first if parse_ref(first)[1] == header.columns[key] else ref  # down its own column only


def _read_row(reading: Reading, sheet: Sheet, header: Header, row: int, seen: dict[tuple[str, int, int], int]) -> None:
    plan = reading.plan
    ref = header.ref
    code = reading.body_code(sheet, _key(sheet, header, "code", row))
    year = reading.fiscal_year(sheet, _key(sheet, header, "year", row))
    kpi = reading.kpi(sheet, ref("kpi", row))
    value = reading.count(sheet, ref("value", row), what="実績値")
    status = _status(reading, sheet, _key(sheet, header, "status", row))
    if code is not None:
        body = plan.body(code)
        assert body is not None
        name_ref = _key(sheet, header, "name", row)
        given = sheet.value(name_ref)
        if not is_blank(given) and normalize_text(str(given)) != normalize_text(body.name):
            reading.error(
                "unknown-body",
                f'団体名 "{display(given)}" が団体コード {code}（{body.name}）と合いません',
                sheet=sheet.name,
                cell=name_ref,
            )
        if kpi is not None and not plan.kpi(kpi).is_reported_by(code):  # type: ignore[union-attr]
            reading.error(
                "unknown-kpi",
                f"{plan.kpi(kpi).label} は {body.name} が報告するKPIではありません",  # type: ignore[union-attr]
                sheet=sheet.name,
                cell=ref("kpi", row),
            )
            kpi = None
    if None in (code, year, kpi) or status is None:
        return
    assert code is not None and year is not None and kpi is not None
    key = (code, year, kpi)
    if key in seen:
        reading.error(
            "duplicate-row",
            f"{code} の {year}年度 KPI{kpi} は {seen[key]}行目にもあります（1つの団体・年度・KPIは1行にしてください）",
            sheet=sheet.name,
            cell=ref("code", row),
        )
        return
    seen[key] = row
    if value is None:
        return  # blank: not reported
    reading.observe(
        entity_code=code,
        kpi=kpi,
        fiscal_year=year,
        value=value,
        status=status,
        sheet=sheet.name,
        cell=ref("value", row),
    )


def _status(reading: Reading, sheet: Sheet, ref: str) -> str | None:
    value = sheet.value(ref)
    if is_blank(value):
        reading.error(
            "missing-value", "区分が空欄です（「確定」か「見込み」を入力してください）", sheet=sheet.name, cell=ref
        )
        return None
    status = STATUS.get(normalize_text(str(value)).replace(" ", ""))
    if status is None:
        reading.error(
            "bad-status",
            f'区分 "{display(value)}" は「確定」「見込み」のどちらでもありません',
            sheet=sheet.name,
            cell=ref,
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
