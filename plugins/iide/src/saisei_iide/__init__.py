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

The cells above are the form as issued; the table is found by its labels
(:mod:`saisei.core.tables`): 年度 and 作成日 with the value beside each, the header row by
``月`` and ``備考``, each KPI's column by its label (``関係人口（人）``, ``関係人口数`` …, line
breaks and spaces ignored), each month's row by its label, the 合計 row by its label.  Rows
and columns inserted above, left or inside, blank rows, columns the form does not know,
KPI columns and month rows reordered with their labels read the same figures, cited where
they now are; a month's row below the 合計 row (合計 moved to the top) is still that month,
and a month may name its year (``R6.4``, ``令和6年4月``, a date) if it is the form's 年度.  A KPI over two columns or a month twice is an error at the cells; a month
with no row is blank (the year stays 見込み).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from saisei.plugin import (
    CellError,
    CellValueError,
    Detection,
    Field,
    NoCachedValue,
    Plan,
    Reading,
    Rows,
    Sheet,
    Slot,
    Template,
    Workbook,
    cell_ref,
    detect_table,
    display,
    find_label,
    fiscal_year_of,
    hookimpl,
    is_blank,
    is_dash,
    kpi_columns,
    normalize_text,
    parse_count,
    parse_month,
    read_header,
    record,
    status_for,
    table_rows,
    value_beside,
    wareki_year_label,
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
YEAR_LABEL, DATE_LABEL = "年度", "作成日"
TOP_ROWS = 10
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


#: 備考 is required: its 見込 marks decide the status.
FIELDS = (Field("month", ("月",)), Field("note", ("備考",)))


@hookimpl
def saisei_detect(workbook: Workbook, explain: bool = False) -> Detection:
    """The sheet ``月別実績`` with a header row holding ``月`` (found by its label) or the
    label ``年度`` in its first rows."""
    found = detect_table(workbook, SHEET, FIELDS, rows=TOP_ROWS, explain=explain)
    if found.claimed or not found.sheet:
        return found
    if find_label(workbook.sheet(found.sheet), (YEAR_LABEL,), rows=TOP_ROWS) is not None:
        return Detection(True)
    return found


def _month_end_passed(fiscal_year: int, month: int, made: dt.date) -> bool:
    """True when the month of ``fiscal_year`` had ended before ``made``."""
    year = fiscal_year if month >= 4 else fiscal_year + 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return made >= following


def _period(fiscal_year: int, month: int) -> str:
    return f"{fiscal_year if month >= 4 else fiscal_year + 1}-{month:02d}"


@dataclass(frozen=True)
class _Table:
    month: int  # the 月 column
    note: int  # the 備考 column
    kpis: dict[int, int]  # KPI → column
    rows: Rows


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    name = workbook.find_sheet(SHEET)
    if name is None:
        return None
    sheet = workbook.sheet(name)
    reading = Reading(workbook, plan, entity_code=CODE)
    year = _beside(reading, sheet, YEAR_LABEL, "C2", reading.fiscal_year)
    made = reading.as_of = _beside(reading, sheet, DATE_LABEL, "F2", reading.date)
    table = _table(reading, sheet)
    if table is None:
        return reading
    months = _months(reading, sheet, table, year)

    # per KPI: (month, cell, value) read; whether any month is blank for it
    values: dict[int, list[tuple[int, str, int]]] = {k: [] for k in table.kpis}
    blank: dict[int, bool] = {k: len(months) < len(MONTHS) for k in table.kpis}
    bad_column: dict[int, bool] = dict.fromkeys(table.kpis, False)
    estimate = False
    for month, row in months.items():
        marked = ESTIMATE in sheet.text(cell_ref(row, table.note))
        estimate = estimate or marked
        filled = False
        for kpi, column in table.kpis.items():
            ref = cell_ref(row, column)
            raw = sheet.value(ref)
            if is_blank(raw):
                if sheet.merged and reading.merged_away(sheet, ref, what=f"{month}月の{_kpi_label(plan, kpi)}"):
                    bad_column[kpi] = True
                blank[kpi] = True
                continue
            value = reading.count(sheet, ref, what=f"{month}月の{_kpi_label(plan, kpi)}", value=raw)
            if is_dash(raw):
                blank[kpi] = True
                continue
            filled = True
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
                cell=cell_ref(row, table.note),
            )
    _cross_check_total(reading, sheet, table, values, bad_column)
    _check_below_table(reading, sheet, table)
    if year is None or made is None:
        return reading  # the errors are recorded; no observation without year and date
    year_status = status_for(year, made)
    for kpi, months_read in values.items():
        status = "provisional" if estimate or blank[kpi] or year_status == "provisional" else "final"
        for month, ref, value in months_read:
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


def _kpi_label(plan: Plan, number: int) -> str:
    """The KPI's header as the form prints it (``関係人口（人）``)."""
    return HEADER[next(c for c, k in COLUMNS.items() if k == number)]


def _beside(reading: Reading, sheet: Sheet, label: str, issued: str, parse: Any) -> Any:
    """The value beside ``label`` in the first rows (``issued`` is where the form put it)."""
    found = find_label(sheet, (label,), rows=TOP_ROWS)
    beside = value_beside(sheet, *found, labels=(YEAR_LABEL, DATE_LABEL)) if found else None
    if found is not None and beside is None:
        rest = sheet.text(cell_ref(*found)).removeprefix(label).lstrip(":： ")
        if rest:  # 作成日：2025/3/3 in one cell
            return parse(sheet, cell_ref(*found), value=rest, what=label)
    ref = cell_ref(*beside) if beside else (cell_ref(found[0], found[1] + 1) if found else issued)
    return parse(sheet, ref, what=label)


def _shown(raw: Any) -> str:
    return f'"{display(raw)}"' if not is_blank(raw) else "空欄"


def _table(reading: Reading, sheet: Sheet) -> _Table | None:
    """The header row (``月``, a column per KPI by its label, ``備考``) and the rows below it."""
    plan = reading.plan
    header = read_header(reading, sheet, FIELDS)
    if header is None:
        return None
    month, note = header.columns["month"], header.columns["note"]
    others = [c for c in range(1, sheet.max_column + 1) if c not in (month, note)]
    kpis, problems = kpi_columns(sheet, (header.row,), others, plan)
    record(reading, sheet.name, problems)
    for number, column in sorted(kpis.items()):
        if number not in COLUMNS.values():  # KPI④ (the prefecture's): not this form's, its column is not read
            del kpis[number]
            label = plan.kpi(number).label  # type: ignore[union-attr]
            reading.warning(
                "unknown-kpi",
                f"{label} の列がありますが、{label}は飯豊町が報告するKPIではないので読みません（不要なら列を削除してください）",
                sheet=sheet.name,
                cell=cell_ref(header.row, column),
            )
    for number in sorted(set(COLUMNS.values()) - set(kpis)):
        reading.error(
            "bad-header",
            f"{_kpi_label(plan, number)}の列が見つかりません（{header.row}行目の見出しに"
            f"「{HEADER[next(c for c, k in COLUMNS.items() if k == number)]}」を入れてください）",
            sheet=sheet.name,
            cell=cell_ref(header.row, max((month, *kpis.values())) + 1),
        )
    kpis = dict(sorted(kpis.items()))
    rows = table_rows(sheet, (month, *kpis.values()), header.row + 1, total_columns=(month,))
    # a month's row is known by its label: one below the 合計 row (合計 moved to the top) is still that month
    below = tuple(r for r in rows.after if _month_of(sheet.at(r, month)) is not None)
    if below:
        rows = Rows(rows.rows + below, rows.total_row, tuple(r for r in rows.after if r not in below))
    return _Table(month, note, kpis, rows)


def _month_of(raw: Any) -> int | None:
    """The month a row label names: ``4月``, ``４月``, ``04月``, 4, or a date in that month."""
    if isinstance(raw, dt.date):
        return raw.month
    if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer():
        return int(raw) if 1 <= raw <= 12 else None
    if isinstance(raw, str):
        m = _MONTH_TEXT.fullmatch(normalize_text(raw))
        if m and 1 <= int(m.group(1)) <= 12:
            return int(m.group(1))
        named = _month_with_year(raw)
        if named is not None:
            return named[1]
    return None


def _month_with_year(raw: Any) -> tuple[int, int] | None:
    """(year, month) of a label that names its year too: ``R6.4``, ``令和6年4月``, ``2024/04``, a date."""
    if isinstance(raw, dt.date):
        return raw.year, raw.month
    if not isinstance(raw, str):
        return None
    try:
        return parse_month(raw)
    except ValueError:
        return None


def _months(reading: Reading, sheet: Sheet, table: _Table, year: int | None) -> dict[int, int]:
    """Each month's row, by its label, in fiscal order; a row whose label is no month, a
    month twice, or a month of another fiscal year than the form's (``R5.4`` under
    令和6年度), is an error at the label."""
    found: dict[int, int] = {}
    for row in table.rows.rows:
        ref = cell_ref(row, table.month)
        raw = sheet.value(ref)
        month = _month_of(raw)
        named = _month_with_year(raw) if month is not None else None
        fiscal = fiscal_year_of(dt.date(named[0], named[1], 1)) if named is not None else None
        if month is not None and fiscal is not None and year is not None and fiscal != year:
            reading.error(
                "conflicting-label",
                f"月 {_shown(raw)} は{wareki_year_label(fiscal)}の月ですが、この表は{wareki_year_label(year)}です"
                "（年度か月を直してください）",
                sheet=sheet.name,
                cell=ref,
            )
        elif month is None:
            reading.error(
                "bad-month",
                f"月が {_shown(raw)} です（「4月」〜「3月」のどれかにしてください）",
                sheet=sheet.name,
                cell=ref,
            )
        elif month in found:
            reading.error(
                "duplicate-label",
                f"{month}月の行が {found[month]}行目にもあります（1つの月は1行にしてください）",
                sheet=sheet.name,
                cell=ref,
            )
        else:
            found[month] = row
    return {m: found[m] for m in MONTHS if m in found}


def _cross_check_total(
    reading: Reading,
    sheet: Sheet,
    table: _Table,
    values: dict[int, list[tuple[int, str, int]]],
    bad_column: dict[int, bool],
) -> None:
    """Compare each cached 合計 with the sum of the months read (a warning when they differ)."""
    row = table.rows.total_row
    if row is None:
        return  # no 合計 row: nothing to check
    for kpi, column in table.kpis.items():
        ref = cell_ref(row, column)
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


def _check_below_table(reading: Reading, sheet: Sheet, table: _Table) -> None:
    """Values typed below the 合計 row are not read: say so rather than drop them silently."""
    for row in table.rows.after:
        for column in table.kpis.values():
            raw = sheet.at(row, column)
            if not is_blank(raw):
                reading.warning(
                    "outside-table",
                    f"表の外（合計の行より下）の値 {_shown(raw)} は読みません（月の値は合計の行より上に入力してください）",
                    sheet=sheet.name,
                    cell=cell_ref(row, column),
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
