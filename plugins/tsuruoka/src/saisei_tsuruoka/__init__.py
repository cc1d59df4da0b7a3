"""saisei plugin for 鶴岡市 (062031): the 実績報告書 form.

One sheet ``実績報告``: the title merged over A1:J1, ``団体名：鶴岡市`` in A2 and the report
date as 和暦 text in A3 (``報告日：令和7年8月29日``).  Rows 5–6 are the header: ``No.`` /
``指標名`` / ``単位``, then a pair of columns per fiscal year (``令和6年度`` over ``目標`` and
``実績``) and ``累計``.  Rows 7, 8, 9 are KPI ①, ②, ③.  Only the 実績 cells are read;
目標 is the city's own target.  累計 is ``=SUM(…)`` of the 実績 cells and only cross-checked.

Status: a fiscal year that had ended before the report date is final (確定), else
provisional (見込み).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from saisei.plugin import (
    KPI,
    CellError,
    NoCachedValue,
    Plan,
    Reading,
    Sheet,
    Slot,
    Template,
    Workbook,
    cell_ref,
    display,
    fiscal_year_start,
    hookimpl,
    is_blank,
    normalize_text,
    parse_date,
    range_ref,
    status_for,
    wareki_date,
    wareki_year_label,
)

__all__ = ["saisei_body_code", "saisei_detect", "saisei_read", "saisei_template"]

CODE = "062031"
NAME = "鶴岡市"

SHEET = "実績報告"
TITLE = "地域再生計画 KPI実績報告書"
BODY_LABEL = "団体名"
DATE_LABEL = "報告日"
YEAR_ROW = 5  # 令和6年度 … 累計
PART_ROW = 6  # 目標 | 実績 under each year
FIRST_KPI_ROW = 7
FIRST_YEAR_COLUMN = 4  # D
TARGET, ACTUAL, TOTAL = "目標", "実績", "累計"
#: The units the city's form shows in column C (the form's wording, not the plan's).
UNITS = {1: "団体", 2: "人", 3: "人"}
NOTE = "※実績欄の空欄は未報告（ゼロではありません）"
_WEEKDAY = re.compile(r"\s*\([月火水木金土日]\)$")  # after NFKC, （金） is (金)


# -------------------------------------------------------------------------
# the body served
# -------------------------------------------------------------------------


@hookimpl
def saisei_body_code() -> str:
    """鶴岡市, by its code; its name, month, committee and publication are the plan's."""
    return CODE


# -------------------------------------------------------------------------
# reading
# -------------------------------------------------------------------------


def _squash(text: str) -> str:
    """NFKC without any space: titles are compared this way (spaces come and go)."""
    return normalize_text(text).replace(" ", "")


@hookimpl
def saisei_detect(workbook: Workbook) -> bool:
    """The sheet ``実績報告`` with the report's title in A1 and ``No.``/``指標名`` in row 5."""
    name = workbook.find_sheet(SHEET)
    if name is None:
        return False
    sheet = workbook.sheet(name)
    return "KPI実績報告書" in _squash(sheet.text("A1")) and (sheet.text("A5"), sheet.text("B5")) == ("No.", "指標名")


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    name = workbook.find_sheet(SHEET)
    if name is None:
        return None
    sheet = workbook.sheet(name)
    reading = Reading(workbook, plan, entity_code=CODE)
    _check_body_name(reading, sheet)
    columns, total_column = _year_columns(reading, sheet)
    kpis = plan.kpis_for(CODE)
    reported = any(
        not is_blank(sheet.at(FIRST_KPI_ROW + offset, column)) for offset in range(len(kpis)) for _, column in columns
    )
    reported_on = _report_date(reading, sheet, required=reported)
    reading.as_of = reported_on
    for offset, kpi in enumerate(kpis):
        row = FIRST_KPI_ROW + offset
        if not _check_label(reading, sheet, row, kpi):
            continue
        _read_row(reading, sheet, row, kpi, columns, total_column, reported_on)
    return reading


def _check_body_name(reading: Reading, sheet: Sheet) -> None:
    """A2 says ``団体名：鶴岡市``; another body's name there means the wrong form was used."""
    text = sheet.text("A2")
    given = text.removeprefix(BODY_LABEL).lstrip(":： ").strip()
    if not given:
        reading.warning(
            "missing-value",
            f"団体名が空欄です（「{BODY_LABEL}：{NAME}」と入力してください）",
            sheet=sheet.name,
            cell="A2",
        )
    elif not given.startswith(NAME):  # 鶴岡市 (企画部 …) is fine
        reading.error(
            "unknown-body",
            f'団体名 "{given}" が{NAME}ではありません（この様式は{NAME}の実績報告書です）',
            sheet=sheet.name,
            cell="A2",
        )


def _report_date(reading: Reading, sheet: Sheet, *, required: bool) -> dt.date | None:
    """The report date: ``報告日：令和7年8月29日`` in A3 (or an Excel date, in A3 or B3).

    The status of every value follows from it, so a missing date is an error at A3 when
    any 実績 is filled in (without it, 確定 and 見込み cannot be told apart); a form with
    no 実績 at all reports nothing and needs no date.  An unreadable date is always an
    error.
    """
    raw: Any = sheet.value("A3")
    ref = "A3"
    if isinstance(raw, str):
        text = normalize_text(raw)
        if text.startswith(DATE_LABEL):
            text = text.removeprefix(DATE_LABEL).lstrip(": ").strip()
        raw = _WEEKDAY.sub("", text)  # 令和7年8月29日(金)
    if is_blank(raw) and not is_blank(sheet.value("B3")):
        raw, ref = sheet.value("B3"), "B3"  # 報告日： in A3, the date typed into B3
    if is_blank(raw):
        if not required:
            return None
        reading.error(
            "missing-value",
            f"報告日が空欄です（確定・見込みは報告日で決まります。例: {DATE_LABEL}：令和7年8月29日）",
            sheet=sheet.name,
            cell="A3",
        )
        return None
    if isinstance(raw, CellError | NoCachedValue):
        reading.error("bad-date", f'報告日 "{raw}" は日付ではありません', sheet=sheet.name, cell=ref)
        return None
    try:
        return parse_date(raw)
    except ValueError:
        reading.error(
            "bad-date",
            f'報告日 "{display(raw)}" を日付として読めません（例: {DATE_LABEL}：令和7年8月29日）',
            sheet=sheet.name,
            cell=ref,
        )
        return None


def _year_columns(reading: Reading, sheet: Sheet) -> tuple[list[tuple[int, int]], int | None]:
    """The (fiscal year, 実績 column) pairs of the header, and the 累計 column.

    Row 5 holds a fiscal year over each pair of columns from D, then 累計; row 6 holds
    目標 and 実績 under each year.  Every header that is not so is an error at its cell,
    and its column is not read.
    """
    columns: list[tuple[int, int]] = []
    seen: dict[int, str] = {}
    column = FIRST_YEAR_COLUMN
    while True:
        ref = cell_ref(YEAR_ROW, column)
        head = sheet.text(ref)
        if head == TOTAL:
            if column == FIRST_YEAR_COLUMN:
                reading.error(
                    "bad-header",
                    "年度の列がありません（「累計」の前に、年度ごとに「目標」「実績」の2列が必要です）",
                    sheet=sheet.name,
                    cell=ref,
                )
            return columns, column
        if not head:
            # past the sheet's last column the header simply ends (the form lost 累計);
            # a blank inside the table, or no year at all, is a broken header
            if column == FIRST_YEAR_COLUMN or column <= sheet.max_column:
                reading.error(
                    "bad-header",
                    "年度の見出しが空欄です（例: 令和6年度。年度ごとに「目標」「実績」の2列、最後に「累計」）",
                    sheet=sheet.name,
                    cell=ref,
                )
            break
        year = reading.fiscal_year(sheet, ref, what="年度の見出し")
        good = year is not None
        for part, col in ((TARGET, column), (ACTUAL, column + 1)):
            part_ref = cell_ref(PART_ROW, col)
            if sheet.text(part_ref) != part:
                good = False
                found = sheet.text(part_ref) or "空欄"
                reading.error(
                    "bad-header", f"見出しが「{found}」です（「{part}」のはずです）", sheet=sheet.name, cell=part_ref
                )
        if year is not None and year in seen:
            good = False
            reading.error(
                "bad-header",
                f"{wareki_year_label(year)}の列が {seen[year]} にもあります（年度は1列ずつにしてください）",
                sheet=sheet.name,
                cell=ref,
            )
        if good and year is not None:
            seen[year] = ref
            columns.append((year, column + 1))
        column += 2
    return columns, None


def _check_label(reading: Reading, sheet: Sheet, row: int, kpi: KPI) -> bool:
    """True when the 指標名 in column B of ``row`` names ``kpi`` (its full name or an alias)."""
    ref = f"B{row}"
    raw = sheet.value(ref)
    expected = f"{kpi.label}「{kpi.name}」"
    if is_blank(raw):
        reading.error("missing-value", f"指標名が空欄です（{row}行目は{expected}の行です）", sheet=sheet.name, cell=ref)
        return False
    found = reading.plan.kpi_named(display(raw))
    if found is None or found.number != kpi.number:
        reading.error(
            "unknown-kpi",
            f'指標名 "{display(raw)}" は {row}行目の{expected}ではありません（行を入れ替え・挿入していないか確認してください）',
            sheet=sheet.name,
            cell=ref,
        )
        return False
    return True


def _read_row(
    reading: Reading,
    sheet: Sheet,
    row: int,
    kpi: KPI,
    columns: list[tuple[int, int]],
    total_column: int | None,
    reported_on: dt.date | None,
) -> None:
    """The 実績 of one KPI for every year column, then the 累計 cross-check."""
    actuals: dict[str, tuple[int, Any]] = {}
    complete = True  # every non-blank 実績 of the row was read
    for year, column in columns:
        ref = cell_ref(row, column)
        what = f"{kpi.label} {wareki_year_label(year)}の実績"
        merged = sheet.hidden_by_merge(ref)
        if merged is not None:
            complete = False
            reading.error(
                "bad-header",
                f"{what}の欄が結合されています（{merged}）。結合を解除して実績欄に入力してください",
                sheet=sheet.name,
                cell=ref,
            )
            continue
        raw = sheet.value(ref)
        value = reading.count(sheet, ref, value=raw, what=what)
        if value is None:
            complete = complete and is_blank(raw)
            continue  # blank: not reported (or an error, recorded)
        actuals[ref] = (value, raw)
        if reported_on is None:
            continue  # no status without a report date (an error at A3)
        if fiscal_year_start(year) > reported_on:
            reading.error(
                "future-year",
                f'{what} "{display(raw)}" は報告日（{wareki_date(reported_on)}）にまだ始まっていない年度の値です'
                "（目標を実績欄に入力していないか確認してください）",
                sheet=sheet.name,
                cell=ref,
            )
            continue
        reading.observe(
            kpi=kpi.number,
            fiscal_year=year,
            value=value,
            status=status_for(year, reported_on),
            sheet=sheet.name,
            cell=ref,
        )
    if total_column is not None and complete:
        _check_total(reading, sheet, row, kpi, total_column, actuals)


def _check_total(
    reading: Reading, sheet: Sheet, row: int, kpi: KPI, column: int, actuals: dict[str, tuple[int, Any]]
) -> None:
    """Warn when the 累計 Excel cached disagrees with the 実績 read (SUM skips text)."""
    ref = cell_ref(row, column)
    cached = sheet.value(ref)
    if isinstance(cached, bool) or not isinstance(cached, int | float):
        return  # blank, or a formula never calculated: nothing to compare with
    expected = sum(value for value, _ in actuals.values())
    if cached == expected:
        return
    cells = "、".join(actuals) or "なし"
    texts = [f"{r}「{display(raw)}」" for r, (_, raw) in actuals.items() if isinstance(raw, str)]
    if texts:
        hint = f"文字で入力された実績（{'、'.join(texts)}）はExcelのSUMで数えられません。数値で入力し直してください"
    else:
        hint = "累計の数式が実績の列を合計しているか確認してください"
    reading.warning(
        "total-mismatch",
        f"{kpi.label}の累計 {display(cached)} が実績の合計 {expected:,}（{cells}）と合いません（{hint}）。"
        "集計には実績欄の値を使います",
        sheet=sheet.name,
        cell=ref,
    )


# -------------------------------------------------------------------------
# writing
# -------------------------------------------------------------------------


@hookimpl
def saisei_template(fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Template:
    """The 実績報告書 with a pair of columns for every plan year; slots: ``fiscal_year``'s 実績.

    The report date is ``as_of``; with ``None`` it is left for the clerk to fill (a form
    read without it is an error at A3).
    """
    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.styles import Alignment, Border, Font, Side

    if not plan.has_year(fiscal_year):
        raise ValueError(f"{fiscal_year}年度は計画期間（{plan.years_text}）の外です")
    book = XlsxWorkbook()
    ws = book.active
    ws.title = SHEET
    kpis = plan.kpis_for(CODE)
    total_column = FIRST_YEAR_COLUMN + 2 * len(plan.fiscal_years)
    last_row = FIRST_KPI_ROW + len(kpis) - 1
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = center
    ws.merge_cells(range_ref(1, 1, 1, total_column))
    ws["A2"] = f"{BODY_LABEL}：{NAME}"
    ws["A3"] = f"{DATE_LABEL}：{wareki_date(as_of)}" if as_of else f"{DATE_LABEL}："

    for column, head in enumerate(("No.", "指標名", "単位"), start=1):
        ws.cell(YEAR_ROW, column, head)
        ws.merge_cells(range_ref(YEAR_ROW, column, PART_ROW, column))
    slot_column = 0
    for i, year in enumerate(plan.fiscal_years):
        column = FIRST_YEAR_COLUMN + 2 * i
        ws.cell(YEAR_ROW, column, wareki_year_label(year))
        ws.merge_cells(range_ref(YEAR_ROW, column, YEAR_ROW, column + 1))
        ws.cell(PART_ROW, column, TARGET)
        ws.cell(PART_ROW, column + 1, ACTUAL)
        if year == fiscal_year:
            slot_column = column + 1
    ws.cell(YEAR_ROW, total_column, TOTAL)
    ws.merge_cells(range_ref(YEAR_ROW, total_column, PART_ROW, total_column))

    slots = []
    actual_columns = [FIRST_YEAR_COLUMN + 2 * i + 1 for i in range(len(plan.fiscal_years))]
    for offset, kpi in enumerate(kpis):
        row = FIRST_KPI_ROW + offset
        ws.cell(row, 1, offset + 1)
        ws.cell(row, 2, kpi.name)
        ws.cell(row, 3, UNITS.get(kpi.number, kpi.unit))
        for column in range(FIRST_YEAR_COLUMN, total_column + 1):
            ws.cell(row, column).number_format = "#,##0"
        ws.cell(row, total_column, f"=SUM({','.join(cell_ref(row, c) for c in actual_columns)})")
        slots.append(Slot(kpi.number, fiscal_year, SHEET, cell_ref(row, slot_column)))
    ws.cell(last_row + 2, 1, NOTE)

    for row in ws.iter_rows(min_row=YEAR_ROW, max_row=last_row, max_col=total_column):
        for cell in row:
            cell.border = box
            if cell.row <= PART_ROW:
                cell.alignment = center
                cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 52
    ws.column_dimensions["C"].width = 6
    for column in range(FIRST_YEAR_COLUMN, total_column + 1):
        ws.column_dimensions[cell_ref(1, column)[:-1]].width = 10
    status = status_for(fiscal_year, as_of) if as_of else "provisional"
    return Template(book, tuple(slots), status)
