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
* Rows that are entirely blank are skipped; a row whose 年度 cell starts with ``※`` and
  whose other cells are blank is a note.  Every other row must follow the 目標/実績 pattern.

The cells above are the form as issued; the table is found by its labels
(:mod:`saisei.core.tables`): the title anywhere in the first rows, the header row by
``年度`` and ``区分``, each KPI's column by its labels in the two header rows (``KPI②`` over
``関係人口数``; either alone is enough), the 作成日 beside its label.  Rows and columns
inserted above, left or inside, blank rows, columns the form does not know (hidden or
not), and KPI columns reordered with their headers read the same figures, cited where they
now are.  Two header rows naming different KPIs over one column, or one KPI over two
columns, are errors at the cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from saisei.plugin import (
    Detection,
    Field,
    Plan,
    Reading,
    Sheet,
    Slot,
    Template,
    Workbook,
    cell_ref,
    detect_table,
    display,
    find_label,
    fiscal_year_start,
    hookimpl,
    is_blank,
    kpi_columns,
    label_key,
    parse_fiscal_year,
    read_header,
    record,
    rows_after_total,
    status_for,
    table_rows,
    value_beside,
)

__all__ = ["saisei_body_code", "saisei_detect", "saisei_read", "saisei_template"]

CODE = "062120"
SHEET = "KPI進捗"
TITLE = "尾花沢市 地域再生計画KPI進捗管理表"
TITLE_KEY = "KPI進捗管理表"
TITLE_ROWS = 10
DATE_LABEL = "作成日"
FIRST_ROW = 5
#: The template's value columns and the KPI each holds (reading finds them by their labels).
COLUMNS = {"C": 1, "D": 2, "E": 3}
KPIS = (1, 2, 3)
TARGET, ACTUAL = "目標", "実績"


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


@dataclass(frozen=True)
class _Table:
    """Where the table is in the clerk's workbook: found by its labels, not its cells."""

    year: int  # the 年度 column
    part: int  # the 区分 column (目標 / 実績)
    kpis: dict[int, int]  # KPI → its column
    rows: tuple[int, ...]  # the rows below the header that hold something (blank ones left out)

    def ref(self, row: int, column: int) -> str:
        return cell_ref(row, column)


FIELDS = (Field("year", ("年度",)), Field("part", ("区分",)))


@hookimpl
def saisei_detect(workbook: Workbook, explain: bool = False) -> Detection:
    """The sheet ``KPI進捗`` whose title (in the first rows, anywhere) names the KPI進捗管理表."""
    name = workbook.find_sheet(SHEET)
    if name is None:
        return Detection(False, 0.0, f"シート『{SHEET}』がありません")
    sheet = workbook.sheet(name)
    if find_label(sheet, (TITLE_KEY,), rows=TITLE_ROWS, contains=True) is not None:
        return Detection(True)
    header = detect_table(workbook, SHEET, FIELDS)
    return Detection(
        False,
        0.8 if header.claimed else 0.5,
        f"シート『{name}』にタイトル『{TITLE}』が見つかりません（1〜{TITLE_ROWS}行目を探しました）",
        sheet=name,
        cell="A1",
    )


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    name = workbook.find_sheet(SHEET)
    if name is None:
        return None
    sheet = workbook.sheet(name)
    reading = Reading(workbook, plan, entity_code=CODE)
    made = reading.as_of = _date_made(reading, sheet)
    table = _table(reading, sheet, plan)
    if table is None:
        return reading
    for year, row in _years(reading, sheet, table):
        _read_actuals(reading, sheet, table, row, year, made)
    return reading


def _date_made(reading: Reading, sheet: Sheet) -> dt.date | None:
    """The date beside the label ``作成日`` (H1 as issued, G1 the label)."""
    label = find_label(sheet, (DATE_LABEL,), rows=10)
    if label is None:
        reading.error(
            "missing-value",
            f"「{DATE_LABEL}」の欄が見つかりません（表の上に「{DATE_LABEL}」と、その右に作成した日付を入れてください）",
            sheet=sheet.name,
            cell="H1",
        )
        return None
    text = sheet.text(cell_ref(*label))
    rest = text.removeprefix(DATE_LABEL).lstrip(":： ")
    if rest:  # 作成日：2025/2/14 in one cell
        return reading.date(sheet, cell_ref(*label), value=rest, what=DATE_LABEL)
    beside = value_beside(sheet, *label, labels=(DATE_LABEL,))
    ref = cell_ref(*(beside or (label[0], label[1] + 1)))
    return reading.date(sheet, ref, what=DATE_LABEL)


def _table(reading: Reading, sheet: Sheet, plan: Plan) -> _Table | None:
    """The header (``年度`` ``区分`` and a KPI per column, over one or two rows) and the rows."""
    header = read_header(reading, sheet, FIELDS)
    if header is None:
        return None
    year, part = header.columns["year"], header.columns["part"]
    others = [c for c in range(1, sheet.max_column + 1) if c not in (year, part)]
    kpis, problems = kpi_columns(sheet, (header.row, header.row + 1), others, plan)
    record(reading, sheet.name, problems)
    for number, column in sorted(kpis.items()):
        if number not in KPIS:  # KPI④ (the prefecture's): not this form's, its column is not read
            del kpis[number]
            reading.warning(
                "unknown-kpi",
                f"{_kpi_label(plan, number)} の列がありますが、{_kpi_label(plan, number)}は尾花沢市が報告するKPIでは"
                "ないので読みません（不要なら列を削除してください）",
                sheet=sheet.name,
                cell=cell_ref(header.row, column),
            )
    for number in KPIS:
        if number not in kpis:
            reading.error(
                "bad-header",
                f"{_kpi_label(plan, number)} の列が見つかりません（{header.row}〜{header.row + 1}行目の見出しに"
                f"「{_kpi_label(plan, number)}」か指標名を入れてください）",
                sheet=sheet.name,
                cell=cell_ref(header.row, max((year, part, *kpis.values())) + 1),
            )
    columns = (year, part, *kpis.values())
    found = table_rows(sheet, columns, header.row + 2, total_columns=(year, part))
    rows_after_total(reading, sheet, found, year)  # a 合計 row ends the table: nothing may hide below it
    rows = found.rows
    return _Table(year, part, kpis, tuple(r for r in rows if not _note_row(sheet, r, year, columns)))


def _kpi_label(plan: Plan, number: int) -> str:
    kpi = plan.kpi(number)
    if kpi is None:
        raise ValueError(f"the plan has no KPI {number}: this form needs KPI 1 to 3")
    return kpi.label


def _note_row(sheet: Sheet, row: int, year: int, columns: tuple[int, ...]) -> bool:
    """``※…`` in the 年度 column and nothing else in the table's columns: a note."""
    return sheet.text(cell_ref(row, year)).startswith("※") and all(
        is_blank(sheet.at(row, c)) for c in columns if c != year
    )


def _years(reading: Reading, sheet: Sheet, table: _Table) -> list[tuple[int | None, int]]:
    """Each fiscal year's 実績 row, checking the 目標/実績 pattern on the way.

    The pattern is read over the table's rows, blank rows left out: a 目標 row, then (the
    next row that holds anything) its 実績 row.  The year is None when its cell was wrong
    (the error is recorded); the 実績 row is still returned so that its values are
    checked too.
    """
    found: list[tuple[int | None, int]] = []
    seen: dict[int, int] = {}
    rows = table.rows
    i = 0
    while i < len(rows):
        row = rows[i]
        label = label_key(sheet.value(cell_ref(row, table.part)))  # 実 績 is 実績
        if label != TARGET:
            _out_of_pattern(reading, sheet, table, row, label)
            i += 1
            continue
        year = reading.fiscal_year(sheet, cell_ref(row, table.year))
        if year is not None and year in seen:
            reading.error(
                "duplicate-row",
                f"{year}年度 は{seen[year]}行目にもあります（1つの年度は目標・実績の2行を1組だけにしてください）",
                sheet=sheet.name,
                cell=cell_ref(row, table.year),
            )
            year = None
        elif year is not None:
            seen[year] = row
        actual = rows[i + 1] if i + 1 < len(rows) else row + 1
        following = label_key(sheet.value(cell_ref(actual, table.part)))
        if following != ACTUAL:
            found_label = sheet.value(cell_ref(actual, table.part))
            shown = f'"{display(found_label)}"' if not is_blank(found_label) else "空欄"
            reading.error(
                "missing-row",
                f"{display(sheet.value(cell_ref(row, table.year)))} の「{ACTUAL}」の行がありません（区分が {shown}。"
                f"目標の行の次に実績の行を置いてください）",
                sheet=sheet.name,
                cell=cell_ref(actual, table.part),
            )
            # the next year's 目標 row is read on its own; any other row was this year's
            i += 1 if following == TARGET else 2
            continue
        _check_merged_year(reading, sheet, table, actual, year)
        found.append((year, actual))
        i += 2
    return found


def _out_of_pattern(reading: Reading, sheet: Sheet, table: _Table, row: int, label: str) -> None:
    ref = cell_ref(row, table.part)
    raw = sheet.value(ref)
    if label == ACTUAL:
        detail = "「実績」の行の前に同じ年度の「目標」の行がありません（年度ごとに目標・実績の順に2行にしてください）"
    elif is_blank(raw):
        detail = "区分が空欄です（「目標」か「実績」を入力してください）"
    else:
        detail = f'区分 "{display(raw)}" は「目標」「実績」のどちらでもありません'
    reading.error("bad-row", detail, sheet=sheet.name, cell=ref)


def _check_merged_year(reading: Reading, sheet: Sheet, table: _Table, row: int, year: int | None) -> None:
    """The 実績 row's 年度 cell is the lower half of the merged year: blank, or the same year."""
    ref = cell_ref(row, table.year)
    raw = sheet.value(ref)
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
            cell=ref,
        )


def _read_actuals(
    reading: Reading, sheet: Sheet, table: _Table, row: int, year: int | None, made: dt.date | None
) -> None:
    for kpi, column in sorted(table.kpis.items(), key=lambda kc: kc[1]):
        ref = cell_ref(row, column)
        label = _kpi_label(reading.plan, kpi)
        value = reading.count(sheet, ref, what=f"{label}の実績", dashes=True)
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
