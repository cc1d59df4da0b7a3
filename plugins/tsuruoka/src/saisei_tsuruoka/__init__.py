"""saisei plugin for 鶴岡市 (062031): the 実績報告書 form.

One sheet ``実績報告``: the title merged over A1:J1, ``団体名：鶴岡市`` in A2 and the report
date as 和暦 text in A3 (``報告日：令和7年8月29日``).  Rows 5–6 are the header: ``No.`` /
``指標名`` / ``単位``, then a pair of columns per fiscal year (``令和6年度`` over ``目標`` and
``実績``) and ``累計``.  Rows 7, 8, 9 are KPI ①, ②, ③.  Only the 実績 cells are read;
目標 is the city's own target.  累計 is ``=SUM(…)`` of the 実績 cells and only cross-checked.

Status: a fiscal year that had ended before the report date is final (確定), else
provisional (見込み).

The cells above are the form as issued; the table is found by its labels
(:mod:`saisei.core.tables`): the title, 団体名 and 報告日 anywhere in the first rows, the
header row by ``No.`` and ``指標名``, each year's 実績 column by the year over it (merged
over its columns, as issued) and ``実績`` under it, each KPI's row by its 指標名.  Rows and
columns inserted above, left or inside (even between 目標 and 実績), blank rows, columns
the form does not know, and KPI rows sorted with their labels read the same figures, cited
where they now are.  A 指標名 that disagrees with its No., a KPI or a year twice, are
errors at the cells.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from saisei.plugin import (
    KPI,
    CellError,
    Detection,
    Field,
    Header,
    NoCachedValue,
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
    label_key,
    normalize_text,
    parse_date,
    parse_fiscal_year,
    parse_kpi_label,
    parse_ref,
    range_ref,
    read_header,
    status_for,
    table_rows,
    value_beside,
    wareki_date,
    wareki_year_label,
)

__all__ = ["saisei_body_code", "saisei_detect", "saisei_read", "saisei_template"]

CODE = "062031"
NAME = "鶴岡市"

SHEET = "実績報告"
TITLE = "地域再生計画 KPI実績報告書"
TITLE_KEY = "KPI実績報告書"
TITLE_ROWS = 10
FIELDS = (
    Field("no", ("No.", "No", "NO.", "番号")),
    Field("name", ("指標名",)),
    Field("unit", ("単位",), required=False),
)
BODY_LABEL = "団体名"
DATE_LABEL = "報告日"
YEAR_ROW = 5  # 令和6年度 … 累計
PART_ROW = 6  # 目標 | 実績 under each year
FIRST_KPI_ROW = 7
FIRST_YEAR_COLUMN = 4  # D
TARGET, ACTUAL, TOTAL = "目標", "実績", "累計"
ACTUALS = frozenset({ACTUAL, "実績値"})
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


@hookimpl
def saisei_detect(workbook: Workbook, explain: bool = False) -> Detection:
    """The sheet ``実績報告`` with the report's title and the header ``No.`` / ``指標名``,
    each found by its labels in the first rows."""
    name = workbook.find_sheet(SHEET)
    if name is None:
        return Detection(False, 0.0, f"シート『{SHEET}』がありません")
    sheet = workbook.sheet(name)
    titled = find_label(sheet, (TITLE_KEY,), rows=TITLE_ROWS, contains=True) is not None
    header = detect_table(workbook, SHEET, FIELDS)
    if titled and header.claimed:
        return Detection(True)
    if titled:
        return Detection(False, max(0.5, header.score), header.missing, sheet=header.sheet, cell=header.cell)
    return Detection(
        False,
        0.8 if header.claimed else 0.3,
        f"シート『{name}』にタイトル『{TITLE}』が見つかりません（1〜{TITLE_ROWS}行目を探しました）",
        sheet=name,
        cell="A1",
    )


@dataclass(frozen=True)
class _Year:
    year: int
    actual: int  # the 実績 column


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    name = workbook.find_sheet(SHEET)
    if name is None:
        return None
    sheet = workbook.sheet(name)
    reading = Reading(workbook, plan, entity_code=CODE)
    _check_body_name(reading, sheet)
    header = read_header(reading, sheet, FIELDS)
    if header is None:
        return reading
    years, total_column = _year_columns(reading, sheet, header)
    rows = _kpi_rows(reading, sheet, header, [y.actual for y in years])
    reported = any(not is_blank(sheet.at(row, y.actual)) for row in rows.values() for y in years)
    reported_on = _report_date(reading, sheet, required=reported)
    reading.as_of = reported_on
    for kpi, row in rows.items():
        _read_row(reading, sheet, row, kpi, years, total_column, reported_on)
    return reading


def _check_body_name(reading: Reading, sheet: Sheet) -> None:
    """``団体名：鶴岡市`` (A2 as issued); another body's name there means the wrong form was used."""
    found = find_label(sheet, (BODY_LABEL,), rows=TITLE_ROWS) or find_label(sheet, (NAME,), rows=TITLE_ROWS)
    ref = cell_ref(*found) if found else "A2"
    given = _after_label(sheet.text(ref), BODY_LABEL)
    if not given and found is not None and (beside := value_beside(sheet, *found, labels=(DATE_LABEL,))) is not None:
        ref = cell_ref(*beside)
        given = sheet.text(ref)
    if not given:
        reading.warning(
            "missing-value",
            f"団体名が空欄です（「{BODY_LABEL}：{NAME}」と入力してください）",
            sheet=sheet.name,
            cell=ref,
        )
    elif not given.startswith(NAME):  # 鶴岡市 (企画部 …) is fine
        reading.error(
            "unknown-body",
            f'団体名 "{given}" が{NAME}ではありません（この様式は{NAME}の実績報告書です）',
            sheet=sheet.name,
            cell=ref,
        )


def _report_date(reading: Reading, sheet: Sheet, *, required: bool) -> dt.date | None:
    """The report date: ``報告日：令和7年8月29日`` (A3 as issued), or an Excel date beside
    the label ``報告日：``, or an Excel date in A3.

    The status of every value follows from it, so a missing date is an error when any 実績
    is filled in (without it, 確定 and 見込み cannot be told apart); a form with no 実績 at
    all reports nothing and needs no date.  An unreadable date is always an error.
    """
    found = find_label(sheet, (DATE_LABEL,), rows=TITLE_ROWS)
    label_ref = cell_ref(*found) if found else "A3"
    raw: Any = sheet.value(label_ref)
    ref = label_ref
    if isinstance(raw, str):
        text = normalize_text(raw)
        text = _after_label(text, DATE_LABEL)
        raw = _WEEKDAY.sub("", text)  # 令和7年8月29日(金)
    if is_blank(raw) and (beside := value_beside(sheet, *(found or (3, 1)), labels=(BODY_LABEL,))) is not None:
        ref = cell_ref(*beside)  # 報告日： in one cell, the date typed beside it
        raw = sheet.value(ref)
    if is_blank(raw):
        if not required:
            return None
        reading.error(
            "missing-value",
            f"報告日が空欄です（確定・見込みは報告日で決まります。例: {DATE_LABEL}：令和7年8月29日）",
            sheet=sheet.name,
            cell=label_ref,
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


def _after_label(text: str, label: str) -> str:
    """``text`` without a leading ``label`` and its colon, spaces inside the label allowed
    (``報 告 日：令和7年8月29日`` → ``令和7年8月29日``); ``text`` itself without the label."""
    m = re.match(r"\s*".join(label) + r"\s*[:：]?\s*", text)
    return text[m.end() :].strip() if m else text


_YEARISH = re.compile(r"(?:令和|平成|[RH])?[0-9]+年度?|.*年度")


def _is_year_label(value: Any) -> bool:
    """A header label that names a fiscal year (``令和6年度``, ``R6``, ``2024``,
    ``令和6年度（2024年度）``), or tries to: an unreadable one is read, to be an error."""
    try:
        parse_fiscal_year(value)
    except ValueError:
        return _YEARISH.fullmatch(label_key(value)) is not None
    return True


def _year_columns(reading: Reading, sheet: Sheet, header: Header) -> tuple[list[_Year], int | None]:
    """Each fiscal year's 実績 column, found by the labels of the two header rows, and 累計.

    On the header row, a fiscal year over its columns (merged, as issued: ``令和6年度``
    over D5:E5; or up to the next label); on the row below, ``実績`` under one of them
    (``目標`` and columns the form does not know are not read).  A year twice, or a year
    with no 実績 or two, is an error at its cell and that year is not read.
    """
    row, below = header.row, header.row + 1
    known = set(header.columns.values())
    labelled = [c for c in range(1, sheet.max_column + 1) if c not in known and not is_blank(sheet.at(row, c))]
    total = next((c for c in labelled if label_key(sheet.at(row, c)) == TOTAL), None)
    years: list[_Year] = []
    seen: dict[int, str] = {}
    under_a_year: set[int] = set()
    for i, column in enumerate(labelled):
        ref = cell_ref(row, column)
        if column == total or not _is_year_label(sheet.at(row, column)):
            continue  # a column the form does not know
        year = reading.fiscal_year(sheet, ref, what="年度の見出し")
        merged = sheet.merged_range(ref)
        last = (
            parse_ref(merged.split(":")[1])[1]
            if merged
            else (labelled[i + 1] - 1 if i + 1 < len(labelled) else column + 1)
        )
        under_a_year.update(range(column, last + 1))
        actuals = [c for c in range(column, last + 1) if label_key(sheet.at(below, c)) in ACTUALS]
        if year is None:
            continue
        if year in seen:
            reading.error(
                "duplicate-label",
                f"{wareki_year_label(year)}の列が {seen[year]} にもあります（年度は1つずつにしてください）",
                sheet=sheet.name,
                cell=ref,
            )
            continue
        seen[year] = ref
        if len(actuals) != 1:
            cells = "、".join(cell_ref(below, c) for c in range(column, last + 1))
            reading.error(
                "bad-header",
                f"{wareki_year_label(year)}の下（{cells}）に「{ACTUAL}」の見出しが"
                f"{'ありません' if not actuals else f'{len(actuals)}つあります'}（年度ごとに「{TARGET}」「{ACTUAL}」の2列にしてください）",
                sheet=sheet.name,
                cell=cell_ref(below, actuals[1] if actuals else column),
            )
            continue
        years.append(_Year(year, actuals[0]))
    for column in range(1, sheet.max_column + 1):
        # a 実績 column under no year would be left out without a word: which year is it?
        if column not in under_a_year and label_key(sheet.at(below, column)) in ACTUALS:
            shown = "空欄" if is_blank(sheet.at(row, column)) else f'"{display(sheet.at(row, column))}"'
            reading.error(
                "bad-header",
                f"「{ACTUAL}」の列の上の年度の見出しが{shown}で、どの年度の実績か分かりません"
                f"（{row}行目に「令和6年度」のように年度を入れてください）",
                sheet=sheet.name,
                cell=cell_ref(below, column),
            )
    if not seen:
        reading.error(
            "bad-header",
            "年度の列がありません（見出しの行に、年度ごとに「目標」「実績」の2列、最後に「累計」）",
            sheet=sheet.name,
            cell=cell_ref(row, total or max(known) + 1),
        )
    return years, total


def _kpi_rows(reading: Reading, sheet: Sheet, header: Header, actuals: list[int]) -> dict[int, int]:
    """The row of each KPI, found by its 指標名 (and its No., which must agree), in any order."""
    plan = reading.plan
    name, number = header.columns["name"], header.columns["no"]
    found: dict[int, int] = {}
    rows = table_rows(sheet, (name, *actuals), header.row + 2).rows
    for row in rows:
        ref = cell_ref(row, name)
        raw = sheet.value(ref)
        label = parse_kpi_label(raw, plan) if not is_blank(raw) else None
        kpi = plan.kpi(label.number) if label is not None and label.number is not None else None
        if kpi is None or not kpi.is_reported_by(CODE) or (label is not None and label.conflict):
            shown = "空欄" if is_blank(raw) else f'"{display(raw)}"'
            known = "、".join(f"{k.label}「{k.name}」" for k in plan.kpis_for(CODE))
            reading.error(
                "missing-value" if is_blank(raw) else "unknown-kpi",
                f"指標名が {shown} です（{known} のどれかにしてください）",
                sheet=sheet.name,
                cell=ref,
            )
            continue
        serial = sheet.value(cell_ref(row, number))
        if isinstance(serial, int | float) and not isinstance(serial, bool) and serial != kpi.number:
            reading.error(
                "conflicting-label",
                f"No. {display(serial)} の行の指標名が {kpi.label}「{kpi.name}」です（No. と指標名が合いません。"
                "行を並べ替えたときは No. も一緒に動かしてください）",
                sheet=sheet.name,
                cell=cell_ref(row, number),
            )
            continue
        if kpi.number in found:
            reading.error(
                "duplicate-label",
                f"{kpi.label}「{kpi.name}」の行が {found[kpi.number]}行目にもあります（1つの指標は1行にしてください）",
                sheet=sheet.name,
                cell=ref,
            )
            continue
        found[kpi.number] = row
    after = (rows[-1] if rows else header.row + 1) + 1
    for kpi in plan.kpis_for(CODE):
        if kpi.number not in found:
            reading.error(
                "missing-row",
                f"{kpi.label}「{kpi.name}」の行がありません（指標ごとに1行、指標名を入れてください）",
                sheet=sheet.name,
                cell=cell_ref(after, name),
            )
    return dict(sorted(found.items()))


def _read_row(
    reading: Reading,
    sheet: Sheet,
    row: int,
    number: int,
    years: list[_Year],
    total_column: int | None,
    reported_on: dt.date | None,
) -> None:
    """The 実績 of one KPI for every year column, then the 累計 cross-check."""
    kpi = reading.plan.kpi(number)
    assert kpi is not None
    actuals: dict[str, tuple[int, Any]] = {}
    complete = True  # every non-blank 実績 of the row was read
    for entry in years:
        year = entry.year
        ref = cell_ref(row, entry.actual)
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
