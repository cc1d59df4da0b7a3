"""saisei plugin for 飯豊町 (064033): 月別実績, one row per month.

Sheet ``月別実績``: B2 ``年度`` and C2 the fiscal year (``令和6年度``); E2 ``作成日`` and F2
the date the form was made.  Header on row 4:
``月 | 受入体制整備（団体） | 関係人口（人） | 交流人口（人） | 備考`` in B:F.  Rows 5–16
are ``4月`` … ``3月`` in fiscal order; row 17 is ``合計`` with ``=SUM(…)``.

* Each month's value is one observation (period ``2024-04``); saisei adds a workbook's
  months up into the year's value.  C, D, E are KPI ①, ②, ③.
* The 合計 row is not read as a value.  When Excel cached its result, it is compared
  with the months: a disagreement is a warning ``total-mismatch`` at the 合計 cell (Excel's
  SUM skips numbers typed as text, which saisei reads).
* ``見込`` in a month's 備考 marks that month as an estimate.
* Status, per KPI: provisional (見込み) when any month is marked 見込, when any month's
  value for that KPI is blank (a month left blank — all three values blank — is blank for
  every KPI), or when the fiscal year had not ended on the 作成日; else final (確定).
  A month that had not ended on the 作成日 but holds values without 見込 is an estimate in
  fact: a warning ``unmarked-estimate`` names its 備考 cell.
* The 作成日 is required: a blank or unreadable F2 is an error at F2.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from saisei.plugin import (
    CellError,
    CellValueError,
    NoCachedValue,
    Plan,
    Reading,
    Sheet,
    Slot,
    Template,
    Workbook,
    display,
    hookimpl,
    is_blank,
    normalize_text,
    parse_count,
    status_for,
)

__all__ = ["saisei_body_code", "saisei_detect", "saisei_read", "saisei_template"]

CODE = "064033"
SHEET = "月別実績"
HEADER_ROW = 4
HEADER = {
    "B": "月",
    "C": "受入体制整備（団体）",
    "D": "関係人口（人）",
    "E": "交流人口（人）",
    "F": "備考",
}
#: Value columns and the KPI each holds.
COLUMNS = {"C": 1, "D": 2, "E": 3}
NOTE = "F"
FIRST_MONTH_ROW = 5
MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)  # fiscal order, rows 5..16
TOTAL_ROW = FIRST_MONTH_ROW + len(MONTHS)  # 17
TOTAL_LABEL = "合計"
ESTIMATE = "見込"
_MONTH_TEXT = re.compile(r"0?([0-9]{1,2})\s*月")


# -------------------------------------------------------------------------
# the body served
# -------------------------------------------------------------------------


@hookimpl
def saisei_body_code() -> str:
    """飯豊町, by its code; its name, month, committee and publication are the plan's."""
    return CODE


# -------------------------------------------------------------------------
# reading
# -------------------------------------------------------------------------


def _sheet_name(workbook: Workbook) -> str | None:
    return workbook.find_sheet(SHEET)


@hookimpl
def saisei_detect(workbook: Workbook) -> bool:
    """The sheet ``月別実績`` with the month header in B4 or the year label in B2."""
    name = _sheet_name(workbook)
    if name is None:
        return False
    sheet = workbook.sheet(name)
    return sheet.text(f"B{HEADER_ROW}") == HEADER["B"] or sheet.text("B2") == "年度"


def _month_end_passed(fiscal_year: int, month: int, made: dt.date) -> bool:
    """True when the month of ``fiscal_year`` had ended before ``made``."""
    year = fiscal_year if month >= 4 else fiscal_year + 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return made >= following


def _period(fiscal_year: int, month: int) -> str:
    return f"{fiscal_year if month >= 4 else fiscal_year + 1}-{month:02d}"


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    name = _sheet_name(workbook)
    if name is None:
        return None
    sheet = workbook.sheet(name)
    reading = Reading(workbook, plan, entity_code=CODE)
    _check_labels(reading, sheet)
    year = reading.fiscal_year(sheet, "C2")
    made = reading.as_of = reading.date(sheet, "F2", what="作成日")

    # per KPI: (month, cell, value) read; whether any month is blank for it
    values: dict[int, list[tuple[int, str, int]]] = {k: [] for k in COLUMNS.values()}
    blank: dict[int, bool] = dict.fromkeys(COLUMNS.values(), False)
    bad_column: dict[int, bool] = dict.fromkeys(COLUMNS.values(), False)
    estimate = False
    for index, month in enumerate(MONTHS):
        row = FIRST_MONTH_ROW + index
        _check_month_label(reading, sheet, row, month)
        marked = ESTIMATE in sheet.text(f"{NOTE}{row}")
        estimate = estimate or marked
        filled = False
        for column, kpi in COLUMNS.items():
            ref = f"{column}{row}"
            raw = sheet.value(ref)
            if is_blank(raw):
                blank[kpi] = True
                continue
            filled = True
            value = reading.count(sheet, ref, what=f"{month}月の{HEADER[column]}", value=raw)
            if value is None:
                bad_column[kpi] = True
            else:
                values[kpi].append((month, ref, value))
        if filled and not marked and year is not None and made is not None and not _month_end_passed(year, month, made):
            reading.warning(
                "unmarked-estimate",
                f"{month}月は作成日 {made.isoformat()} にはまだ終わっていないのに、備考に「見込」がありません"
                "（見込みの値として扱います。確定した値なら作成日を確かめてください）",
                sheet=sheet.name,
                cell=f"{NOTE}{row}",
            )
    _cross_check_total(reading, sheet, values, bad_column)
    _check_below_table(reading, sheet)
    if year is None or made is None:
        return reading  # the errors are recorded; no observation without year and date
    year_status = status_for(year, made)
    for kpi, months in values.items():
        status = "provisional" if estimate or blank[kpi] or year_status == "provisional" else "final"
        for month, ref, value in months:
            reading.observe(
                kpi=kpi,
                fiscal_year=year,
                value=value,
                status=status,
                sheet=sheet.name,
                cell=ref,
                period=_period(year, month),
            )
    return reading


def _shown(raw: Any) -> str:
    return f'"{display(raw)}"' if not is_blank(raw) else "空欄"


def _check_labels(reading: Reading, sheet: Sheet) -> None:
    checks = [("B2", "年度"), ("E2", "作成日")] + [(f"{c}{HEADER_ROW}", text) for c, text in HEADER.items()]
    for ref, expected in checks:
        if sheet.text(ref) != normalize_text(expected):
            reading.error(
                "bad-header",
                f"見出しが {_shown(sheet.value(ref))} です（「{expected}」のはずです）",
                sheet=sheet.name,
                cell=ref,
            )


def _month_of(raw: Any) -> int | None:
    """The month a row label names: ``4月``, ``４月``, ``04月``, 4, or a date in that month."""
    if isinstance(raw, dt.date):
        return raw.month
    if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer():
        return int(raw)
    if isinstance(raw, str):
        m = _MONTH_TEXT.fullmatch(normalize_text(raw))
        if m:
            return int(m.group(1))
    return None


def _check_month_label(reading: Reading, sheet: Sheet, row: int, month: int) -> None:
    raw = sheet.value(f"B{row}")
    if _month_of(raw) != month:
        reading.error(
            "bad-month",
            f"{row}行目の月が {_shown(raw)} です（「{month}月」のはずです。5〜16行目は4月〜3月の順です）",
            sheet=sheet.name,
            cell=f"B{row}",
        )


def _cross_check_total(
    reading: Reading, sheet: Sheet, values: dict[int, list[tuple[int, str, int]]], bad_column: dict[int, bool]
) -> None:
    """Compare each cached 合計 with the sum of the months read (a warning when they differ)."""
    label = sheet.value(f"B{TOTAL_ROW}")
    if is_blank(label) and all(is_blank(sheet.value(f"{c}{TOTAL_ROW}")) for c in COLUMNS):
        return  # the 合計 row was deleted: nothing to check
    if sheet.text(f"B{TOTAL_ROW}") != TOTAL_LABEL:
        reading.error(
            "bad-header",
            f"{TOTAL_ROW}行目の見出しが {_shown(label)} です（「{TOTAL_LABEL}」のはずです。月の行を足したり消したりしていませんか）",
            sheet=sheet.name,
            cell=f"B{TOTAL_ROW}",
        )
        return
    for column, kpi in COLUMNS.items():
        ref = f"{column}{TOTAL_ROW}"
        raw = sheet.value(ref)
        if is_blank(raw) or isinstance(raw, NoCachedValue | CellError) or bad_column[kpi]:
            continue  # not calculated yet, or a month cell is already an error
        try:
            cached = parse_count(raw, what="合計")
        except CellValueError:
            cached = None
        months = sum(v for _, _, v in values[kpi])
        if cached != months:
            reading.warning(
                "total-mismatch",
                f"合計 {_shown(raw)} が4月〜3月の値の合計 {months} と合いません"
                "（文字として入力された数値はExcelの合計に入りません。月の値を確かめてください。"
                "集計には月の値を使います）",
                sheet=sheet.name,
                cell=ref,
            )


def _check_below_table(reading: Reading, sheet: Sheet) -> None:
    """Values typed below the 合計 row are not read: say so rather than drop them silently."""
    for row in range(TOTAL_ROW + 1, sheet.max_row + 1):
        for column in COLUMNS:
            raw = sheet.value(f"{column}{row}")
            if not is_blank(raw):
                reading.warning(
                    "outside-table",
                    f"表の外（合計の行より下）の値 {_shown(raw)} は読みません（月の値は5〜16行目に入力してください）",
                    sheet=sheet.name,
                    cell=f"{column}{row}",
                )


# -------------------------------------------------------------------------
# writing
# -------------------------------------------------------------------------


@hookimpl
def saisei_template(fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Template:
    """The 月別実績 for ``fiscal_year``: slots for each month and KPI, 合計 as =SUM.

    Complete status: final when every month is filled without 見込 and the year had ended
    on ``as_of`` (final without a date, as the form reads once dated after the year).
    """
    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.styles import Font

    from saisei.plugin import wareki_year_label

    book = XlsxWorkbook()
    ws = book.active
    ws.title = SHEET
    ws["B2"], ws["C2"] = "年度", wareki_year_label(fiscal_year)
    ws["E2"], ws["F2"] = "作成日", as_of
    ws["F2"].number_format = "yyyy/m/d"
    for column, text in HEADER.items():
        ws[f"{column}{HEADER_ROW}"] = text
        ws[f"{column}{HEADER_ROW}"].font = Font(bold=True)
    slots: list[Slot] = []
    for index, month in enumerate(MONTHS):
        row = FIRST_MONTH_ROW + index
        ws[f"B{row}"] = f"{month}月"
        for column, kpi in COLUMNS.items():
            slots.append(Slot(kpi, fiscal_year, SHEET, f"{column}{row}", _period(fiscal_year, month)))
    last = TOTAL_ROW - 1
    ws[f"B{TOTAL_ROW}"] = TOTAL_LABEL
    for column in COLUMNS:
        ws[f"{column}{TOTAL_ROW}"] = f"=SUM({column}{FIRST_MONTH_ROW}:{column}{last})"
    for column, width in zip("ABCDEF", (2, 8, 20, 16, 16, 20), strict=True):
        ws.column_dimensions[column].width = width
    status = status_for(fiscal_year, as_of) if as_of else "final"
    return Template(book, tuple(slots), status)
