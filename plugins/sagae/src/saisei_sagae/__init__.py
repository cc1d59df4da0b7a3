"""saisei plugin for 寒河江市 (062065): one sheet per fiscal year.

Year sheets are named ``R6``, ``R7`` … (full-width ``Ｒ７`` too).  In each: B2 (merged
B2:E2) the title ``令和6年度 地域再生計画KPI実績報告（寒河江市）``; row 4 the headers
``項目`` (B4:C4), ``実績`` (D4), ``備考`` (E4); rows 5, 6, 7 KPI ①, ②, ③ with the label
merged over B:C and the value in D (a number, or text with its unit: ``3団体``,
``1,203人``); D9 ``確定`` or ``見込`` (the status); D10 the date written.

The sheet ``記入例`` is a filled-in example and the hidden sheet ``リスト`` holds the
drop-down values: neither is read.

The cells above are the form as issued; the table is found by its labels
(:mod:`saisei.core.tables`): the title anywhere in the first rows, the header row by
``項目`` and ``実績``, each KPI's row by its label in the 項目 column (``①事業により…``, the
circled number or the name alone), the status and the date by their labels
(``確定・見込の別``, ``記入日``) in the 項目 column, their values in the 実績 column.  Rows
and columns inserted above, left or inside, blank rows, columns the form does not know
(hidden or not; a 目標 column before 実績), and KPI rows sorted with their labels read the
same figures, cited where they now are.  A label whose number and name disagree, a KPI
twice, two 実績 columns, two header rows, are errors at the cells.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from saisei.plugin import (
    CIRCLED,
    KPI,
    TOTAL_LABELS,
    CellValueError,
    Detection,
    Field,
    Header,
    KpiLabel,
    NoCachedValue,
    Plan,
    Reading,
    Sheet,
    Template,
    Workbook,
    cell_ref,
    display,
    find_header,
    hookimpl,
    is_blank,
    label_key,
    normalize_text,
    parse_count,
    parse_fiscal_year,
    parse_kpi_label,
    parse_ref,
    read_header,
    scan_labels,
    status_for,
    table_rows,
    value_beside,
    wareki_year_label,
)

from ._form import (
    ACTUAL,
    CODE,
    DATE_LABEL,
    EXAMPLE,
    FIELDS,
    FORM_NAME,
    NAME,
    STATUS,
    STATUS_LABEL,
    TITLE,
    TITLE_CELL,
    TITLE_COLUMNS,
    TITLE_ROWS,
    UNITS,
    sheet_name,
)
from ._template import make_template

__all__ = ["saisei_body_code", "saisei_detect", "saisei_read", "saisei_template"]

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

_FORM_KEY = label_key(FORM_NAME)


def _squash(text: str) -> str:
    """A title as compared: NFKC, no white space or line break, ``【】`` as ``()``."""
    return label_key(text)


def _year_of_name(name: str) -> int | None:
    """The fiscal year a sheet's name gives (``R6``, ``Ｒ７``, ``令和6年度``), else None."""
    try:
        return parse_fiscal_year(name)
    except ValueError:
        return None


def _is_example(name: str) -> bool:
    return EXAMPLE in normalize_text(name)


def _titles(sheet: Sheet) -> list[tuple[int, int, str]]:
    """The cells of the first rows holding the form's name, with their squashed text
    (the title, B2 as issued; a note may name the form too)."""
    found = []
    for row, line in enumerate(sheet.rows[:TITLE_ROWS], start=1):
        for column, value in enumerate(line[:TITLE_COLUMNS], start=1):
            if type(value) is str and "報告" in value and _FORM_KEY in label_key(value):  # 報告 first: cheap
                found.append((row, column, _squash(value)))
    return found


def _own_title(sheet: Sheet) -> tuple[int, int, str] | None:
    """The first cell titled as this form's (the form's name and 寒河江市), example or not."""
    return next((t for t in _titles(sheet) if NAME in t[2]), None)


def _looks_named(name: str) -> bool:
    """A sheet named as this form names its sheets: a fiscal year (``R6``) or ``記入例``."""
    return _is_example(name) or _year_of_name(name) is not None


@hookimpl
def saisei_detect(workbook: Workbook, explain: bool = False) -> Detection:
    """A year sheet (``R6``) or the ``記入例`` sheet titled as this form (in its first rows,
    anywhere), or the only visible sheet so titled whatever its name.

    Only sheets whose names look like this form's are opened (and the only visible sheet).
    When none is titled, the :class:`Detection` says how close the workbook came: a year
    sheet with the 項目/実績 header but no title, another body's title, or (``explain``)
    this form's title on a sheet of another name.
    """
    named = [n for n in workbook.sheet_names if _looks_named(n)]
    visible = workbook.visible_sheet_names
    lone = [visible[0]] if len(visible) == 1 and visible[0] not in named else []
    for name in (*named, *lone):
        if _own_title(workbook.sheet(name)) is not None:
            return Detection(True)
    best = Detection(False, 0.0, "年度のシート（R6、R7 …）がありません", sheet=None)
    for name in named:
        near = _near(workbook.sheet(name))
        if near.score > best.score:
            best = near
    if explain and best.score < 0.8:
        for name in visible:
            if name in named or name in lone:
                continue
            title = _own_title(workbook.sheet(name))
            if title is not None and EXAMPLE not in title[2]:
                return Detection(
                    False,
                    0.8,
                    f"シート『{name}』に{NAME}の様式の見出しがありますが、シート名が年度（R6、R7 …）ではありません"
                    "（シート名を『R6』のように年度にしてください）",
                    sheet=name,
                    cell=cell_ref(title[0], title[1]),
                )
    return best


def _near(sheet: Sheet) -> Detection:
    """How close a sheet named as a year sheet came to being one: another body's title, or
    the 項目/実績 header without the title."""
    other = next(iter(_titles(sheet)), None)
    if other is not None:
        return Detection(
            False,
            0.6,
            f"シート『{sheet.name}』の見出し「{display(sheet.at(other[0], other[1]))}」が{NAME}のものではありません"
            f"（例: 令和6年度 地域再生計画KPI実績報告（{NAME}））",
            sheet=sheet.name,
            cell=cell_ref(other[0], other[1]),
        )
    header, _, _ = find_header(sheet, FIELDS, first_only=True)
    if header is None:
        return Detection(False, 0.0, f"シート『{sheet.name}』に見出し（{FORM_NAME}）がありません", sheet=sheet.name)
    above = (max(1, header.row - 2), header.first_column)
    return Detection(
        False,
        0.7,
        f"シート『{sheet.name}』に見出し『令和6年度 地域再生計画KPI実績報告（{NAME}）』が見つかりません"
        f"（1〜{TITLE_ROWS}行目を探しました）",
        sheet=sheet.name,
        cell=cell_ref(*above),
    )


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
            title = _own_title(workbook.sheet(name))
            if title is not None and EXAMPLE not in title[2]:
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


def _title_ref(reading: Reading, sheet: Sheet) -> str:
    """The title's cell: the first of the first rows that is this form's title (B2 as
    issued), else the first naming the form, else B2.  Two titles that disagree are an
    error at the second."""
    titles = _titles(sheet)
    full = [t for t in titles if TITLE.fullmatch(t[2])]
    for row, column, text in full[1:]:
        if text != full[0][2]:
            first = cell_ref(full[0][0], full[0][1])
            reading.error(
                "conflicting-label",
                f'見出し "{display(sheet.at(row, column))}" が {first} の見出しと合いません'
                "（どちらの年度・団体か決められません。見出しは1つにしてください）",
                sheet=sheet.name,
                cell=cell_ref(row, column),
            )
    chosen = full[0] if full else titles[0] if titles else None
    return TITLE_CELL if chosen is None else cell_ref(chosen[0], chosen[1])


def _sheet_year(reading: Reading, sheet: Sheet, seen: dict[int, str]) -> int | None:
    """The sheet's fiscal year, from its name and its title, which must agree."""
    from_name = _year_of_name(sheet.name)
    ref = _title_ref(reading, sheet)
    raw = sheet.value(ref)
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
                cell=ref,
            )
        else:
            if m["example"]:
                broken = True
                reading.error(
                    "bad-header",
                    f"見出しが【{EXAMPLE}】のままです（{EXAMPLE}シートを写した場合は、見出しから【{EXAMPLE}】を消し、"
                    "値を入れ直してください）",
                    sheet=sheet.name,
                    cell=ref,
                )
            body = m["body"] if m["body"] is not None else NAME if NAME in m["before"] else None
            if body != NAME:
                broken = True
                reading.error(
                    "unknown-body",
                    f"見出しの団体名「{body}」が{NAME}ではありません（この様式は{NAME}の実績報告です）"
                    if body
                    else f"見出しに団体名がありません（例: 令和6年度 地域再生計画KPI実績報告（{NAME}））",
                    sheet=sheet.name,
                    cell=ref,
                )
            try:
                from_title = parse_fiscal_year(m["year"])
            except ValueError as exc:
                broken = True
                reading.error("bad-fiscal-year", f"見出しの{exc}", sheet=sheet.name, cell=ref)
    if from_name is not None and from_title is not None and from_name != from_title:
        reading.error(
            "bad-fiscal-year",
            f"シート名「{sheet.name}」（{wareki_year_label(from_name)}）と見出しの年度"
            f"（{wareki_year_label(from_title)}）が合いません（どちらかを直してください）",
            sheet=sheet.name,
            cell=ref,
        )
        return None
    year = from_title if from_title is not None else from_name
    if broken or year is None:
        return None
    problem = reading.plan.year_problem(year, what=f"シート「{sheet.name}」の年度", shown=wareki_year_label(year))
    if problem is not None:
        reading.error("bad-fiscal-year", problem, sheet=sheet.name, cell=ref)
        return None
    if year in seen:
        reading.error(
            "duplicate-row",
            f"{wareki_year_label(year)}のシートが「{seen[year]}」と「{sheet.name}」の2つあります（1年度1シートにしてください）",
            sheet=sheet.name,
            cell=ref,
        )
        return None
    seen[year] = sheet.name
    return year


def _footer_kind(value: Any) -> str | None:
    """``status`` for the label 確定・見込の別 (any label starting with 確定: 確定／見込 …),
    ``date`` for 記入日; a note (``※確定・見込の別は…``) is neither."""
    key = label_key(value) if type(value) is str else ""
    if key.startswith("確定"):
        return "status"
    if key.startswith(DATE_LABEL):
        return "date"
    return None


def _footer(reading: Reading, sheet: Sheet, header: Header) -> dict[str, int]:
    """The rows labelled 確定・見込の別 and 記入日 in the 項目 column below the header (9
    and 10 as issued); a label twice is an error at the second."""
    item = header.columns["item"]
    last = min(sheet.max_row, header.row + 30)
    places, problems = scan_labels(
        sheet,
        ((row, item) for row in range(header.row + 1, last + 1)),
        _footer_kind,
        what=lambda kind: f"「{STATUS_LABEL if kind == 'status' else DATE_LABEL}」の行",
    )
    for p in problems:
        reading.error(p.code, p.message, sheet=sheet.name, cell=p.cell)
    return {kind: row for kind, (row, _) in places.items()}


def _known(reading: Reading) -> str:
    return "、".join(f"「{_label(k)}」" for k in reading.plan.kpis_for(CODE))


def _label(kpi: KPI) -> str:
    return f"{CIRCLED[kpi.number - 1]}{kpi.name}"


def _named(plan: Plan, number: int) -> str:
    kpi = plan.kpi(number)
    return f"KPI{number}" if kpi is None else f"「{_label(kpi)}」"


def _kpi_rows(
    reading: Reading, sheet: Sheet, header: Header, rows: tuple[int, ...], below: tuple[int, ...] = ()
) -> dict[int, int]:
    """The row of each KPI, found by its label in the 項目 column, in any order.

    A label may be the circled number and the name (as issued), or either alone; the two
    must agree.  A KPI named in two rows is an error: at the row whose place in the table
    (①②③ in order, as issued) is another KPI's, else at the second.  A row whose label
    names no KPI is an error when it holds a value (else it is a note).
    """
    plan = reading.plan
    item, actual = header.columns["item"], header.columns["actual"]
    kpis = plan.kpis_for(CODE)
    placed = {row: kpis[i] for i, row in enumerate(rows[: len(kpis)])}  # the form's order
    issued = {label_key(_label(k)): k.number for k in kpis}  # as the form prints them: no need to parse
    named: dict[int, list[int]] = {}
    unusable = 0  # rows with a value whose label is blank or names no KPI (an error each)
    label_columns = _label_columns(sheet, header)
    for row in rows:
        ref, raw = _row_label(sheet, row, label_columns)
        if is_blank(raw):
            if not is_blank(sheet.at(row, actual)):
                unusable += 1
                reading.error(
                    "missing-value",
                    f"項目が空欄です（指標名を入れてください: {_known(reading)}）",
                    sheet=sheet.name,
                    cell=ref,
                )
            continue
        number = issued.get(label_key(raw))
        label = KpiLabel(number, number) if number is not None else parse_kpi_label(raw, plan)
        if label is not None and label.conflict:
            assert label.mark is not None and label.name is not None
            reading.error(
                "conflicting-label",
                f'項目 "{display(raw)}" の番号は KPI{label.mark}、名前は {_named(plan, label.name)} です'
                f"（どちらの指標か決められません。{_known(reading)} のどれかにしてください）",
                sheet=sheet.name,
                cell=ref,
            )
            continue
        kpi = plan.kpi(label.number) if label is not None and label.number is not None else None
        if kpi is None or not kpi.is_reported_by(CODE):
            if not is_blank(sheet.at(row, actual)):
                unusable += 1
                total = label_key(raw) in TOTAL_LABELS  # the KPIs count different things: no total
                reading.error(
                    "unknown-kpi",
                    f'項目 "{display(raw)}" の行はこの様式にありません（指標ごとに単位が違うので合計しません。行を削除してください）'
                    if total
                    else f'項目 "{display(raw)}" は{NAME}の指標ではありません（{_known(reading)} のどれかにしてください）',
                    sheet=sheet.name,
                    cell=ref,
                )
            continue
        named.setdefault(kpi.number, []).append(row)
    found: dict[int, int] = {}
    blamed: set[int] = set()
    for number, where in named.items():
        misplaced = [r for r in where if r in placed and placed[r].number != number]
        if not 0 < len(misplaced) < len(where):
            misplaced = []  # no row is told apart by its place: the second is the one too many
        rest = [r for r in where if r not in misplaced]
        found[number] = rest[0]
        for row in misplaced:
            blamed.add(placed[row].number)
            others = "、".join(f"{r}行目" for r in where if r != row)
            reading.error(
                "unknown-kpi",
                f'項目 "{display(sheet.at(row, item))}" は {row}行目の「{_label(placed[row])}」ではありません'
                f"（同じ指標の行が{others}にもあります。行を書き換えていないか確認してください）",
                sheet=sheet.name,
                cell=cell_ref(row, item),
            )
        for row in rest[1:]:
            reading.error(
                "duplicate-label",
                f"{_named(plan, number)}の行が {rest[0]}行目と{row}行目の2つあります"
                "（どちらを読むか決められません。1つの指標は1行にしてください）",
                sheet=sheet.name,
                cell=cell_ref(row, item),
            )
    after = (rows[-1] if rows else header.row) + 1
    missing = [kpi for kpi in kpis if kpi.number not in named and kpi.number not in blamed]
    moved = _labelled_below(sheet, plan, below, label_columns, {k.number for k in missing})
    for kpi in missing if len(missing) > unusable else ():  # else a row without its label said it
        if kpi.number in moved:
            reading.error(
                "missing-row",
                f"{_label(kpi)}の行が「{STATUS_LABEL}」の行より下（{parse_ref(moved[kpi.number])[0]}行目）にあります"
                f"（指標の行は表の中、「{STATUS_LABEL}」の行より上に移してください）",
                sheet=sheet.name,
                cell=moved[kpi.number],
            )
            continue
        reading.error(
            "missing-row",
            f"{_label(kpi)}の行がありません（項目の列に指標名を入れた行にしてください）",
            sheet=sheet.name,
            cell=cell_ref(after, item),
        )
    return dict(sorted(found.items()))


def _labelled_below(
    sheet: Sheet, plan: Plan, rows: tuple[int, ...], columns: tuple[int, ...], wanted: set[int]
) -> dict[int, str]:
    """The label cells, among ``rows`` (below the table's footer), that name a KPI of
    ``wanted`` without doubt (a KPI row cut and pasted under 記入日): KPI → its first cell."""
    found: dict[int, str] = {}
    for row in rows if wanted else ():
        ref, raw = _row_label(sheet, row, columns)
        label = None if is_blank(raw) else parse_kpi_label(raw, plan)
        if label is not None and not label.conflict and label.number in wanted:
            found.setdefault(label.number, ref)
    return found


def _label_columns(sheet: Sheet, header: Header) -> tuple[int, ...]:
    """The columns a KPI's label may be in: the 項目 header's merged range (B:C as issued,
    where a clerk who unmerged a label may have typed it in C), left of 実績."""
    item, actual = header.columns["item"], header.columns["actual"]
    merged = sheet.merged_range(cell_ref(header.row, item))
    last = parse_ref(merged.split(":")[1])[1] if merged else item
    return (item, *range(item + 1, min(last, actual - 1) + 1))


def _row_label(sheet: Sheet, row: int, columns: tuple[int, ...]) -> tuple[str, Any]:
    """A row's label and its cell: the 項目 column's, or when that is blank the first text
    in the other columns of the label (numbers there are not labels)."""
    first = cell_ref(row, columns[0])
    raw = sheet.at(row, columns[0])
    if not is_blank(raw):
        return first, raw
    for column in columns[1:]:
        value = sheet.at(row, column)
        if isinstance(value, str) and not is_blank(value):
            return cell_ref(row, column), value
    return first, raw


@lru_cache(maxsize=16)
def _fields(year: int | None) -> tuple[Field, ...]:
    """The header's fields on the sheet of ``year``: its 実績 may name the year
    (``令和6年度実績``, ``2024年度 実績``, ``R6実績``); another year's 実績 is not this sheet's."""
    if year is None:
        return FIELDS
    years = (wareki_year_label(year), f"{year}年度", sheet_name(year), f"{sheet_name(year)}年度")
    labels = (*ACTUAL, *(f"{y}{a}" for y in years for a in ACTUAL))
    return tuple(Field("actual", labels) if f.key == "actual" else f for f in FIELDS)


def _beside(sheet: Sheet, row: int | None, header: Header) -> str | None:
    """The value of a footer row (確定・見込の別, 記入日): in the 実績 column (D as issued),
    or, when that is blank, the first value between the label and the 実績 column (the
    table's cells shifted right, the footer's left where they were)."""
    if row is None:
        return None
    actual = header.columns["actual"]
    ref = cell_ref(row, actual)
    if not is_blank(sheet.value(ref)):
        return ref
    beside = value_beside(sheet, row, header.columns["item"], labels=(STATUS_LABEL, DATE_LABEL))
    return ref if beside is None or beside[1] >= actual else cell_ref(*beside)


def _status(reading: Reading, sheet: Sheet, ref: str, reported: bool) -> str | None:
    """確定 → final, 見込 → provisional.  Blank is an error when the sheet has values."""
    raw = sheet.value(ref)
    if is_blank(raw):
        if reported:
            reading.error(
                "missing-value",
                "確定・見込の別が空欄です（「確定」か「見込」を選んでください）",
                sheet=sheet.name,
                cell=ref,
            )
        return None
    if isinstance(raw, NoCachedValue):
        reading.error(
            "formula-without-value",
            f'確定・見込の別の数式 "{raw}" に計算結果が保存されていません（Excelで開いて保存し直すか、'
            "「確定」か「見込」を入力してください）",
            sheet=sheet.name,
            cell=ref,
        )
        return None
    status = STATUS.get(normalize_text(display(raw)))
    if status is None:
        reading.error(
            "bad-status",
            f'確定・見込の別 "{display(raw)}" は「確定」「見込」のどちらでもありません',
            sheet=sheet.name,
            cell=ref,
        )
    return status


def _read_sheet(reading: Reading, sheet: Sheet, seen: dict[int, str]) -> dt.date | None:
    """Read one year sheet; return the date written (None when blank or wrong)."""
    year = _sheet_year(reading, sheet, seen)
    header = read_header(reading, sheet, _fields(year))
    if header is None:
        return None
    item, actual = header.columns["item"], header.columns["actual"]
    footer = _footer(reading, sheet, header)
    end = min(footer.values(), default=sheet.max_row + 1) - 1
    columns = (*_label_columns(sheet, header), actual)
    rows = table_rows(sheet, columns, header.row + 1, last_row=end).rows
    below = table_rows(sheet, columns, end + 2).rows if end < sheet.max_row else ()
    kpis = _kpi_rows(reading, sheet, header, rows, tuple(r for r in below if r not in footer.values()))
    label = wareki_year_label(year) if year is not None else sheet.name
    reported = any(not is_blank(sheet.at(row, actual)) for row in rows)
    found: list[tuple[KPI, str, int]] = []
    for number, row in kpis.items():
        kpi = reading.plan.kpi(number)
        assert kpi is not None
        ref = cell_ref(row, actual)
        merged = sheet.hidden_by_merge(ref)
        if merged is not None:
            reading.error(
                "bad-header",
                f"{kpi.label}の実績欄が結合されています（{merged}）。結合を解除して実績の列に入力してください",
                sheet=sheet.name,
                cell=ref,
            )
            continue
        value = reading.count(sheet, ref, units=UNITS.get(number, ()), what=f"{label} {kpi.label}の実績")
        if value is not None:
            found.append((kpi, ref, value))
        elif is_blank(sheet.value(ref)):
            _figure_in_note(reading, sheet, header, row, ref, f"{label} {kpi.label}")
    status_ref = _beside(sheet, footer.get("status"), header)
    if status_ref is None:
        status = None
        reading.error(
            "bad-header",
            f"「{STATUS_LABEL}」の行が見つかりません（表の下の項目の列に「{STATUS_LABEL}」、その行の実績の列に"
            "確定か見込を入れてください）",
            sheet=sheet.name,
            cell=cell_ref((rows[-1] if rows else header.row) + 2, item),
        )
    else:
        status = _status(reading, sheet, status_ref, reported)
    date_ref = _beside(sheet, footer.get("date"), header)
    written = None if date_ref is None or is_blank(sheet.value(date_ref)) else _date(reading, sheet, date_ref)
    if year is not None and status == "final" and written is not None and status_for(year, written) != "final":
        reading.warning(
            "final-before-year-end",
            f"{label}の実績が「確定」ですが、記入日 {written.isoformat()} は年度末（{year + 1}年3月31日）より前です"
            "（年度が終わっていなければ「見込」のはずです。確かめてください）",
            sheet=sheet.name,
            cell=status_ref,
        )
    if year is None or status is None:
        return written
    for kpi, ref, value in found:
        reading.observe(kpi=kpi.number, fiscal_year=year, value=value, status=status, sheet=sheet.name, cell=ref)
    return written


def _figure_in_note(reading: Reading, sheet: Sheet, header: Header, row: int, ref: str, what: str) -> None:
    """A warning at the 備考 cell of a KPI whose 実績 is blank when it holds a figure
    (``3団体`` typed one column too far right): the KPI is not reported, never a figure
    taken from 備考."""
    note = header.columns.get("note")
    if note is None:
        return
    raw = sheet.at(row, note)
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return
    try:
        if parse_count(raw, units=("団体", "人")) is None:
            return
    except CellValueError:
        return
    reading.warning(
        "missing-value",
        f'{what}の実績（{ref}）が空欄で、備考に "{display(raw)}" があります（実績なら{ref}に入力してください。'
        "空欄の実績は未報告として扱い、備考の値は読みません）",
        sheet=sheet.name,
        cell=cell_ref(row, note),
    )


def _date(reading: Reading, sheet: Sheet, ref: str) -> dt.date | None:
    """The date written: optional (the status is its own cell's), but a date when given."""
    return reading.date(sheet, ref, what=DATE_LABEL)


@hookimpl
def saisei_template(fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Template:
    """The city's workbook for ``fiscal_year`` (see ``_template``)."""
    return make_template(fiscal_year, plan, as_of)
