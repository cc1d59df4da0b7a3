"""saisei plugin for 寒河江市 (062065): one sheet per fiscal year.

Year sheets are named ``R6``, ``R7`` … (full-width ``Ｒ７`` too).  In each: B2 (merged
B2:E2) the title ``令和6年度 地域再生計画KPI実績報告（寒河江市）``; row 4 the headers
``項目`` (B4:C4), ``実績`` (D4), ``備考`` (E4); rows 5, 6, 7 KPI ①, ②, ③ with the label
merged over B:C and the value in D (a number, or text with its unit: ``3団体``,
``1,203人``); D9 ``確定`` or ``見込`` (the status); D10 the date written.

The sheet ``記入例`` is a filled-in example and the hidden sheet ``リスト`` holds the
drop-down values: neither is read.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from saisei.plugin import (
    CIRCLED,
    ERAS,
    KPI,
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
    parse_fiscal_year,
    status_for,
    wareki_year_label,
)

__all__ = ["saisei_body_code", "saisei_detect", "saisei_read", "saisei_template"]

CODE = "062065"
NAME = "寒河江市"

EXAMPLE = "記入例"
LIST_SHEET = "リスト"
FORM_NAME = "地域再生計画KPI実績報告"
#: The title after NFKC with spaces removed: ``令和6年度地域再生計画KPI実績報告(寒河江市)``.
TITLE = re.compile(rf"(?P<example>【{EXAMPLE}】)?(?P<year>.+?年度){FORM_NAME}\((?P<body>[^)]*)\)")
TITLE_CELL = "B2"
FIRST_KPI_ROW = 5
VALUE_COLUMN = "D"
STATUS_CELL, DATE_CELL = "D9", "D10"
HEADERS = {"B4": "項目", "D4": "実績"}
STATUS_LABEL, DATE_LABEL = "確定・見込の別", "記入日"
STATUS = {"確定": "final", "見込": "provisional", "見込み": "provisional"}
#: The unit a clerk may type after each KPI's number (``3団体``, ``14人``).
UNITS = {1: ("団体",), 2: ("人",), 3: ("人",)}


# -------------------------------------------------------------------------
# the body served
# -------------------------------------------------------------------------


@hookimpl
def saisei_body_code() -> str:
    """寒河江市, by its code; its name, month, committee and publication are the plan's."""
    return CODE


# -------------------------------------------------------------------------
# reading
# -------------------------------------------------------------------------


def _squash(text: str) -> str:
    """NFKC without any space: titles are compared this way (spaces come and go)."""
    return normalize_text(text).replace(" ", "")


def _year_of_name(name: str) -> int | None:
    """The fiscal year a sheet's name gives (``R6``, ``Ｒ７``, ``令和6年度``), else None."""
    try:
        return parse_fiscal_year(name)
    except ValueError:
        return None


def _is_example(name: str) -> bool:
    return EXAMPLE in normalize_text(name)


def _is_title(text: str) -> bool:
    """True for this form's title (the example's too): the form's name and 寒河江市."""
    squashed = _squash(text)
    return FORM_NAME in squashed and NAME in squashed


@hookimpl
def saisei_detect(workbook: Workbook) -> bool:
    """A year sheet (``R6``) or the ``記入例`` sheet whose B2 is this form's title.

    Only sheets whose names look like this form's are opened.
    """
    for name in workbook.sheet_names:
        if (_is_example(name) or _year_of_name(name) is not None) and _is_title(workbook.sheet(name).text(TITLE_CELL)):
            return True
    return False


def _year_sheets(workbook: Workbook) -> list[str]:
    """The sheets to read: named for a fiscal year, or titled as a year sheet.

    ``記入例`` (the example) is never read, nor hidden sheets without a year's name
    (``リスト``), nor sheets of the clerk's own (notes) that carry no title of this form.
    A year sheet copied under another name (``R7 (2)``) is read by its title.
    """
    names = []
    for name in workbook.sheet_names:
        if _is_example(name):
            continue
        if _year_of_name(name) is not None:
            names.append(name)
        elif not workbook.is_hidden(name):
            title = workbook.sheet(name).text(TITLE_CELL)
            if _is_title(title) and EXAMPLE not in title:
                names.append(name)
    return names


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    reading = Reading(workbook, plan, entity_code=CODE)
    names = _year_sheets(workbook)
    if not names:
        shown = "、".join(workbook.sheet_names)
        reading.error(
            "missing-sheet",
            f"年度のシート（R6、R7 …）がありません（シート: {shown}。{EXAMPLE}シートは読みません）",
        )
        return reading
    seen: dict[int, str] = {}
    dates: list[dt.date] = []
    for name in names:
        written = _read_sheet(reading, workbook.sheet(name), seen)
        if written is not None:
            dates.append(written)
    reading.as_of = max(dates, default=None)
    return reading


def _sheet_year(reading: Reading, sheet: Sheet, seen: dict[int, str]) -> int | None:
    """The sheet's fiscal year, from its name and its title (B2), which must agree."""
    from_name = _year_of_name(sheet.name)
    raw = sheet.value(TITLE_CELL)
    title = _squash(display(raw)) if not is_blank(raw) else ""
    from_title: int | None = None
    broken = False
    if title:
        m = TITLE.fullmatch(title)
        if m is None:
            broken = True
            reading.error(
                "bad-header",
                f'見出し "{display(raw)}" が様式と違います（例: 令和6年度 地域再生計画KPI実績報告（{NAME}））',
                sheet=sheet.name,
                cell=TITLE_CELL,
            )
        else:
            if m["example"]:
                broken = True
                reading.error(
                    "bad-header",
                    f"見出しが【{EXAMPLE}】のままです（{EXAMPLE}シートを写した場合は、見出しから【{EXAMPLE}】を消し、"
                    "値を入れ直してください）",
                    sheet=sheet.name,
                    cell=TITLE_CELL,
                )
            if m["body"] != NAME:
                broken = True
                reading.error(
                    "unknown-body",
                    f"見出しの団体名「{m['body']}」が{NAME}ではありません（この様式は{NAME}の実績報告です）",
                    sheet=sheet.name,
                    cell=TITLE_CELL,
                )
            try:
                from_title = parse_fiscal_year(m["year"])
            except ValueError as exc:
                broken = True
                reading.error("bad-fiscal-year", f"見出しの{exc}", sheet=sheet.name, cell=TITLE_CELL)
    if from_name is not None and from_title is not None and from_name != from_title:
        reading.error(
            "bad-fiscal-year",
            f"シート名「{sheet.name}」（{wareki_year_label(from_name)}）と見出しの年度"
            f"（{wareki_year_label(from_title)}）が合いません（どちらかを直してください）",
            sheet=sheet.name,
            cell=TITLE_CELL,
        )
        return None
    year = from_title if from_title is not None else from_name
    if broken or year is None:
        return None
    problem = reading.plan.year_problem(year, what=f"シート「{sheet.name}」の年度", shown=wareki_year_label(year))
    if problem is not None:
        reading.error("bad-fiscal-year", problem, sheet=sheet.name, cell=TITLE_CELL)
        return None
    if year in seen:
        reading.error(
            "duplicate-row",
            f"{wareki_year_label(year)}のシートが「{seen[year]}」と「{sheet.name}」の2つあります（1年度1シートにしてください）",
            sheet=sheet.name,
            cell=TITLE_CELL,
        )
        return None
    seen[year] = sheet.name
    return year


def _check_headers(reading: Reading, sheet: Sheet) -> bool:
    good = True
    for ref, expected in HEADERS.items():
        found = sheet.text(ref)
        if found != expected:
            good = False
            reading.error(
                "bad-header",
                f"見出しが「{found or '空欄'}」です（「{expected}」のはずです）",
                sheet=sheet.name,
                cell=ref,
            )
    label = sheet.text("B9")
    if "確定" not in label:
        good = False
        reading.error(
            "bad-header",
            f"「{label or '空欄'}」の行に確定・見込を書く様式です（B9「{STATUS_LABEL}」、D9に確定か見込）",
            sheet=sheet.name,
            cell="B9",
        )
    return good


def _kpi_of_label(reading: Reading, raw: Any) -> KPI | None:
    """The KPI a label names: circled number and full name (``①事業により…``), either alone."""
    text = normalize_text(display(raw))  # NFKC turns ① into 1
    m = re.fullmatch(r"(?:KPI)?\s*([0-9]+)?\s*[.、:)]?\s*(.*)", text)
    assert m is not None  # the pattern matches any text
    number = int(m[1]) if m[1] else None
    named = reading.plan.kpi_named(m[2]) if m[2] else None
    if named is not None and number not in (None, named.number):
        return None  # the number and the name disagree
    if named is None and m[2]:
        return None  # a name that is no KPI's
    return named or (reading.plan.kpi(number) if number is not None else None)


def _check_label(reading: Reading, sheet: Sheet, row: int, kpi: KPI) -> bool:
    ref = f"B{row}"
    raw = sheet.value(ref)
    expected = f"{CIRCLED[kpi.number - 1]}{kpi.name}"
    if is_blank(raw):
        reading.error("missing-value", f"項目が空欄です（{row}行目は「{expected}」です）", sheet=sheet.name, cell=ref)
        return False
    found = _kpi_of_label(reading, raw)
    if found is None or found.number != kpi.number:
        reading.error(
            "unknown-kpi",
            f'項目 "{display(raw)}" は {row}行目の「{expected}」ではありません（行を入れ替え・挿入していないか確認してください）',
            sheet=sheet.name,
            cell=ref,
        )
        return False
    return True


def _status(reading: Reading, sheet: Sheet, reported: bool) -> str | None:
    """D9: 確定 → final, 見込 → provisional.  Blank is an error when the sheet has values."""
    raw = sheet.value(STATUS_CELL)
    if is_blank(raw):
        if reported:
            reading.error(
                "missing-value",
                "確定・見込の別が空欄です（「確定」か「見込」を選んでください）",
                sheet=sheet.name,
                cell=STATUS_CELL,
            )
        return None
    status = STATUS.get(normalize_text(display(raw)))
    if status is None:
        reading.error(
            "bad-status",
            f'確定・見込の別 "{display(raw)}" は「確定」「見込」のどちらでもありません',
            sheet=sheet.name,
            cell=STATUS_CELL,
        )
    return status


def _read_sheet(reading: Reading, sheet: Sheet, seen: dict[int, str]) -> dt.date | None:
    """Read one year sheet; return the date written in D10 (None when blank or wrong)."""
    year = _sheet_year(reading, sheet, seen)
    headers_ok = _check_headers(reading, sheet)
    label = wareki_year_label(year) if year is not None else sheet.name
    found: list[tuple[KPI, str, int]] = []
    reported = False
    for offset, kpi in enumerate(reading.plan.kpis_for(CODE)):
        row = FIRST_KPI_ROW + offset
        ref = f"{VALUE_COLUMN}{row}"
        raw = sheet.value(ref)
        reported = reported or not is_blank(raw)
        label_ok = _check_label(reading, sheet, row, kpi)
        merged = sheet.hidden_by_merge(ref)
        if merged is not None:
            reading.error(
                "bad-header",
                f"{kpi.label}の実績欄が結合されています（{merged}）。結合を解除してD列に入力してください",
                sheet=sheet.name,
                cell=ref,
            )
            continue
        value = reading.count(sheet, ref, value=raw, units=UNITS.get(kpi.number, ()), what=f"{label} {kpi.label}の実績")
        if value is not None and label_ok:
            found.append((kpi, ref, value))
    status = _status(reading, sheet, reported)
    written = _date_written(reading, sheet)
    if year is not None and status == "final" and written is not None and status_for(year, written) != "final":
        reading.warning(
            "final-before-year-end",
            f"{label}の実績が「確定」ですが、記入日 {written.isoformat()} は年度末（{year + 1}年3月31日）より前です"
            "（年度が終わっていなければ「見込」のはずです。確かめてください）",
            sheet=sheet.name,
            cell=STATUS_CELL,
        )
    if year is None or status is None or not headers_ok:
        return written
    for kpi, ref, value in found:
        reading.observe(kpi=kpi.number, fiscal_year=year, value=value, status=status, sheet=sheet.name, cell=ref)
    return written


def _date_written(reading: Reading, sheet: Sheet) -> dt.date | None:
    """D10, the date written: optional (the status is D9's), but a date when given."""
    if is_blank(sheet.value(DATE_CELL)):
        return None
    return reading.date(sheet, DATE_CELL, what=DATE_LABEL)


# -------------------------------------------------------------------------
# writing
# -------------------------------------------------------------------------


def _sheet_name(fiscal_year: int) -> str:
    """``R6`` for 2024: the era's letter and year, as the city names its sheets."""
    era = next(e for e in ERAS if e.first_year <= fiscal_year)
    return f"{era.letter}{fiscal_year - era.first_year + 1}"


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


@hookimpl
def saisei_template(fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Template:
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

    name = _sheet_name(fiscal_year)
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
