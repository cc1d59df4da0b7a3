"""saisei plugin for 尾花沢市 (062120): the KPI進捗管理表.

Sheet ``KPI進捗``: A1 the title ``尾花沢市 地域再生計画KPI進捗管理表``, G1 ``作成日`` and H1
the date the table was made.  Header rows 3–4: ``年度`` (A3:A4), ``区分`` (B3:B4), then
``KPI①`` ``KPI②`` ``KPI③`` in C3:E3 with short names under them in row 4.  From row 5, two
rows per fiscal year: the year (``2024年度``, ``令和6年度``) merged over both rows in column
A, ``目標`` then ``実績`` in column B, the values in C:E.

* Only 実績 rows give observations; 目標 is the city's own target and is not read.
* A 実績 value of ``－``, ``-`` or blank is "not known yet": no observation, no error.
  Any other text is an error at its cell.
* Status: the 実績 of a fiscal year that had not ended on the 作成日 is provisional
  (見込み), else final (確定).  尾花沢市 verifies in February, before its year ends.
* A 実績 value for a fiscal year that had not even begun on the 作成日 is an error: it
  cannot have been observed (usually a value typed into the wrong row).
* Rows that are entirely blank are skipped; a row whose column A starts with ``※`` and
  whose B:E are blank is a note.  Every other row must follow the 目標/実績 pattern.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from saisei.plugin import (
    Plan,
    Reading,
    Sheet,
    Slot,
    Template,
    Workbook,
    display,
    fiscal_year_start,
    hookimpl,
    is_blank,
    normalize_text,
    parse_fiscal_year,
    status_for,
)

__all__ = ["saisei_body_code", "saisei_detect", "saisei_read", "saisei_template"]

CODE = "062120"
SHEET = "KPI進捗"
TITLE = "尾花沢市 地域再生計画KPI進捗管理表"
TITLE_KEY = "KPI進捗管理表"
DATE_LABEL = "作成日"
FIRST_ROW = 5
#: Value columns and the KPI each holds.
COLUMNS = {"C": 1, "D": 2, "E": 3}
TARGET, ACTUAL = "目標", "実績"
#: What the form writes for "not known yet" (after NFKC, ``－`` is ``-``).
UNKNOWN = frozenset({"-"})


# -------------------------------------------------------------------------
# the body served
# -------------------------------------------------------------------------


@hookimpl
def saisei_body_code() -> str:
    """尾花沢市, by its code; its name, month, committee and publication are the plan's."""
    return CODE


# -------------------------------------------------------------------------
# reading
# -------------------------------------------------------------------------


def _sheet_name(workbook: Workbook) -> str | None:
    return workbook.find_sheet(SHEET)


@hookimpl
def saisei_detect(workbook: Workbook) -> bool:
    """The sheet ``KPI進捗`` whose A1 title names the KPI進捗管理表."""
    name = _sheet_name(workbook)
    if name is None:
        return False
    return TITLE_KEY in workbook.sheet(name).text("A1")


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    name = _sheet_name(workbook)
    if name is None:
        return None
    sheet = workbook.sheet(name)
    reading = Reading(workbook, plan, entity_code=CODE)
    made = reading.as_of = reading.date(sheet, "H1", what=DATE_LABEL)
    _check_header(reading, sheet, plan)
    for year, row in _years(reading, sheet):
        _read_actuals(reading, sheet, row, year, made)
    return reading


def _expect_text(reading: Reading, sheet: Sheet, ref: str, expected: str, what: str) -> bool:
    found = sheet.value(ref)
    if sheet.text(ref) == normalize_text(expected):
        return True
    shown = f'"{display(found)}"' if not is_blank(found) else "空欄"
    reading.error("bad-header", f"{what}が {shown} です（「{expected}」のはずです）", sheet=sheet.name, cell=ref)
    return False


def _kpi_label(plan: Plan, number: int) -> str:
    kpi = plan.kpi(number)
    if kpi is None:
        raise ValueError(f"the plan has no KPI {number}: this form needs KPI 1 to 3")
    return kpi.label


def _check_header(reading: Reading, sheet: Sheet, plan: Plan) -> None:
    _expect_text(reading, sheet, "G1", DATE_LABEL, "作成日の見出し")
    _expect_text(reading, sheet, "A3", "年度", "見出し")
    _expect_text(reading, sheet, "B3", "区分", "見出し")
    for column, number in COLUMNS.items():
        _expect_text(reading, sheet, f"{column}3", _kpi_label(plan, number), "KPIの見出し")


def _label(sheet: Sheet, row: int) -> str:
    return sheet.text(f"B{row}")


def _blank_row(sheet: Sheet, row: int) -> bool:
    return all(is_blank(sheet.at(row, c)) for c in range(1, 6))


def _note_row(sheet: Sheet, row: int) -> bool:
    return sheet.text(f"A{row}").startswith("※") and all(is_blank(sheet.at(row, c)) for c in range(2, 6))


def _years(reading: Reading, sheet: Sheet) -> list[tuple[int | None, int]]:
    """Each fiscal year's 実績 row, checking the 目標/実績 pattern on the way.

    The year is None when its cell was wrong (the error is recorded); the 実績 row is
    still returned so that its values are checked too.
    """
    found: list[tuple[int | None, int]] = []
    seen: dict[int, int] = {}
    row = FIRST_ROW
    last = sheet.max_row
    while row <= last:
        if _blank_row(sheet, row) or _note_row(sheet, row):
            row += 1
            continue
        label = _label(sheet, row)
        if label != TARGET:
            _out_of_pattern(reading, sheet, row, label)
            row += 1
            continue
        year = reading.fiscal_year(sheet, f"A{row}")
        if year is not None and year in seen:
            reading.error(
                "duplicate-row",
                f"{year}年度 は{seen[year]}行目にもあります（1つの年度は目標・実績の2行を1組だけにしてください）",
                sheet=sheet.name,
                cell=f"A{row}",
            )
            year = None
        elif year is not None:
            seen[year] = row
        actual = row + 1
        following = _label(sheet, actual)
        if following != ACTUAL:
            found_label = sheet.value(f"B{actual}")
            shown = f'"{display(found_label)}"' if not is_blank(found_label) else "空欄"
            reading.error(
                "missing-row",
                f"{display(sheet.value(f'A{row}'))} の「{ACTUAL}」の行がありません（B列が {shown}。"
                f"目標の行の次に実績の行を置いてください）",
                sheet=sheet.name,
                cell=f"B{actual}",
            )
            # the next year's 目標 row is read on its own; any other row was this year's
            row += 1 if following == TARGET else 2
            continue
        _check_merged_year(reading, sheet, actual, year)
        found.append((year, actual))
        row += 2
    return found


def _out_of_pattern(reading: Reading, sheet: Sheet, row: int, label: str) -> None:
    raw = sheet.value(f"B{row}")
    if label == ACTUAL:
        detail = "「実績」の行の前に同じ年度の「目標」の行がありません（年度ごとに目標・実績の順に2行にしてください）"
    elif is_blank(raw):
        detail = "区分が空欄です（「目標」か「実績」を入力してください）"
    else:
        detail = f'区分 "{display(raw)}" は「目標」「実績」のどちらでもありません'
    reading.error("bad-row", detail, sheet=sheet.name, cell=f"B{row}")


def _check_merged_year(reading: Reading, sheet: Sheet, row: int, year: int | None) -> None:
    """The 実績 row's A cell is the lower half of the merged year: blank, or the same year."""
    raw = sheet.value(f"A{row}")
    if is_blank(raw) or year is None:
        return
    try:
        same = parse_fiscal_year(raw) == year
    except ValueError:
        same = False
    if not same:
        reading.error(
            "bad-row",
            f'実績の行の年度 "{display(raw)}" が目標の行の {year}年度 と違います'
            "（年度は目標・実績の2行を結合したセルに1つだけ入力してください）",
            sheet=sheet.name,
            cell=f"A{row}",
        )


def _read_actuals(reading: Reading, sheet: Sheet, row: int, year: int | None, made: dt.date | None) -> None:
    for column, kpi in COLUMNS.items():
        ref = f"{column}{row}"
        raw = sheet.value(ref)
        if _unknown(raw):
            continue
        label = _kpi_label(reading.plan, kpi)
        value = reading.count(sheet, ref, what=f"{label}の実績", value=raw)
        if value is None or year is None or made is None:
            continue
        if made < fiscal_year_start(year):
            reading.error(
                "future-value",
                f"{year}年度は作成日（{made.isoformat()}）の時点でまだ始まっていないので、実績 {value} は入りません"
                "（作成日と、値を入れた行が合っているか確かめてください）",
                sheet=sheet.name,
                cell=ref,
            )
            continue
        reading.observe(
            kpi=kpi, fiscal_year=year, value=value, status=status_for(year, made), sheet=sheet.name, cell=ref
        )


def _unknown(raw: Any) -> bool:
    """Blank, ``－`` or ``-``: the value is not known yet."""
    return is_blank(raw) or (isinstance(raw, str) and normalize_text(raw) in UNKNOWN)


# -------------------------------------------------------------------------
# writing
# -------------------------------------------------------------------------


@hookimpl
def saisei_template(fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Template:
    """The 進捗管理表 with every plan year; slots are the 実績 of the years up to ``fiscal_year``.

    Later years' 実績 are ``－`` (not known yet), as the city writes them.  The
    complete status is that of ``fiscal_year`` on ``as_of`` (final without a date).
    """
    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.styles import Alignment, Font

    book = XlsxWorkbook()
    ws = book.active
    ws.title = SHEET
    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True)
    ws["G1"] = DATE_LABEL
    ws["H1"] = as_of
    ws["H1"].number_format = 'yyyy"年"m"月"d"日"'
    ws["A3"], ws["B3"] = "年度", "区分"
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    for column, number in COLUMNS.items():
        kpi = plan.kpi(number)
        assert kpi is not None
        ws[f"{column}3"] = kpi.label
        ws[f"{column}4"] = kpi.short_name
    slots: list[Slot] = []
    row = FIRST_ROW
    for year in plan.fiscal_years:
        ws[f"A{row}"] = f"{year}年度"
        ws.merge_cells(f"A{row}:A{row + 1}")
        ws[f"A{row}"].alignment = Alignment(vertical="center")
        ws[f"B{row}"], ws[f"B{row + 1}"] = TARGET, ACTUAL
        for column, number in COLUMNS.items():
            ref = f"{column}{row + 1}"
            if year <= fiscal_year:
                slots.append(Slot(number, year, SHEET, ref))
            else:
                ws[ref] = "－"
        row += 2
    for column, width in zip("ABCDEFGH", (12, 8, 16, 14, 14, 4, 8, 16), strict=True):
        ws.column_dimensions[column].width = width
    status = status_for(fiscal_year, as_of) if as_of else "final"
    return Template(book, tuple(slots), status)
