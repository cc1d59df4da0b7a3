"""saisei plugin for 朝日町 (063231): the kintone export of the town's KPI app.

The form is what kintone writes when the record list is exported: one sheet
``レコード一覧``, the field names on row 1, one record (one quarter of one KPI) per row,
newest first::

    レコード番号 | 年度 | 四半期 | 指標名 | 実績 | 更新者 | 更新日時
    12          | 令和6年度 | 第4四半期 | 事業により創出した交流人口数 | 90 | 企画政策課 | 2025/04/10 09:12

The columns are found by their names, so an export whose columns come in another order
(kintone lets the user choose the exported fields and their order) reads the same; all
seven must be there, and columns with other names are not read.

A record is one observation (period ``2024-Q1``); saisei adds a year's quarters up.  A
year and KPI is final (確定) when all four quarters carry a value, else provisional
(見込み).  Two records for the same year, quarter and KPI are an error at the later
record — the one kintone created later, i.e. with the larger レコード番号, whatever the
export's row order — and nothing is summed or kept for that quarter.

The header is found by its seven labels on any of the first rows, in any order; columns
the export does not have are ignored, blank rows skipped.  A workbook of one visible sheet
is the export whatever the sheet is called (saved from the CSV, it takes the file's name).
四半期 may be spelled ``第1四半期``, ``第一四半期``, ``1Q``, ``Q1`` or ``4-6月``.  A dash
alone in 実績 is no figure, with a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from saisei.plugin import (
    TOTAL_LABELS,
    CellValueError,
    Detection,
    Field,
    Header,
    Plan,
    Reading,
    Severity,
    Sheet,
    Slot,
    Template,
    Workbook,
    cell_ref,
    column_letter,
    detect_table,
    display,
    find_header,
    hookimpl,
    is_blank,
    is_dash,
    is_note,
    label_key,
    normalize_text,
    parse_count,
    parse_date,
    parse_fiscal_year,
    parse_quarter,
    read_header,
    wareki_year_label,
)

__all__ = ["saisei_body_code", "saisei_detect", "saisei_read", "saisei_template"]

CODE = "063231"
SHEET = "レコード一覧"
RECORD, YEAR, QUARTER, INDICATOR, VALUE, UPDATED_BY, UPDATED_AT = HEADER = (
    "レコード番号",
    "年度",
    "四半期",
    "指標名",
    "実績",
    "更新者",
    "更新日時",
)

#: The choices of the kintone app's 指標名 drop-down, as the town's form spec lists them.
#: The plan's own names and aliases are accepted as well (see :func:`_kpi_number`).
FORM_NAMES: dict[str, int] = {
    "関係人口を受け入れる体制が整った地域・団体等数": 1,
    "受入体制整備数": 1,
    "事業により創出した関係人口数": 2,
    "関係人口数": 2,
    "事業により創出した交流人口数": 3,
    "交流人口数": 3,
}

_RECORD_NUMBER = re.compile(r"(?:[A-Za-z0-9_]+-)?([0-9]+)")  # kintone prefixes the app code when one is set
_DATETIME = re.compile(r"(.+?)(?:[ T]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?")


# -------------------------------------------------------------------------
# the body served
# -------------------------------------------------------------------------


@hookimpl
def saisei_body_code() -> str:
    """朝日町, by its code; its name, month, committee and publication are the plan's."""
    return CODE


# -------------------------------------------------------------------------
# reading
# -------------------------------------------------------------------------


FIELDS = tuple(Field(name, (name,), loose=False) for name in HEADER)


def _record_sheet(workbook: Workbook) -> tuple[Sheet, Header] | None:
    """The sheet holding the export, and its header row (found by its seven labels).

    The export's sheet is ``レコード一覧``; without it, the one visible sheet whose header
    row is kintone's is the export whatever it is called (saved from the CSV, it is named
    after the file; a memo sheet may have been added beside it).  Two such sheets are not
    claimed: the reason is then said (which sheet is the export?).
    """
    names = workbook.find_sheets(SHEET)[:1] or workbook.visible_sheet_names
    found = []
    for name in names:
        sheet = workbook.sheet(name)
        header, _, _ = find_header(sheet, FIELDS, first_only=True)
        if header is not None:
            found.append((sheet, header))
    return found[0] if len(found) == 1 else None  # two sheets of records: which is the export?


@hookimpl
def saisei_detect(workbook: Workbook, explain: bool = False) -> Detection:
    """A sheet ``レコード一覧`` (or the only sheet) with the seven fields of the export on a
    header row, in any order."""
    if _record_sheet(workbook) is not None:
        return Detection(True)
    return detect_table(workbook, SHEET, FIELDS, explain=explain)


@dataclass(frozen=True)
class _Problem:
    """What is wrong with a cell value, before it is known which cell holds it."""

    severity: Severity
    code: str
    message: str


Parsed = int | dt.datetime | _Problem | None
Quarter = tuple[int, int, int]  # fiscal year, quarter, KPI
T = TypeVar("T")


class _Record(NamedTuple):
    """A non-blank row of the export, with what its cells gave (None: blank or wrong)."""

    row: int
    number: int | None
    fiscal_year: int | None
    quarter: int | None
    kpi: int | None
    value: int | None
    updated: dt.datetime | None


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    found = _record_sheet(workbook)
    if found is None:
        return None
    sheet = found[0]
    reading = Reading(workbook, plan, entity_code=CODE)
    header = read_header(reading, sheet, FIELDS)
    if header is None or reading.has_errors:
        return reading
    col = header.columns
    first = header.row + 1  # the first record's row
    body = sheet.rows[header.row :]

    # Each column's distinct values are parsed once.  An export holds a few dozen records
    # (4 quarters × the town's KPIs × the years), so the rest is plain Python: polars'
    # fixed cost per call was most of the time.
    parsers: dict[str, Callable[[Any], Parsed]] = {
        RECORD: _record_number,
        YEAR: lambda raw: _fiscal_year(plan, raw),
        QUARTER: _quarter,
        INDICATOR: lambda raw: _kpi(plan, raw),
        VALUE: _count,
        UPDATED_BY: lambda raw: None,  # never read; only tells a blank line from a record
        UPDATED_AT: _updated,
    }
    raw = {name: [line[c - 1] if c <= len(line) else None for line in body] for name, c in col.items()}
    parsed = {name: _parse_column(raw[name], parsers[name]) for name in HEADER}
    blank = [all(flags) for flags in zip(*(_parse_column(raw[name], is_blank) for name in HEADER), strict=True)]
    pending: list[tuple[int, int, _Problem]] = []  # (row, column, problem), reported top to bottom
    pending += _notes_and_total(raw, blank, first, min(col.values()))
    for name in HEADER:
        for index, outcome in enumerate(parsed[name]):
            if isinstance(outcome, _Problem) and not blank[index]:
                pending.append((index + first, col[name], outcome))

    def ints(name: str) -> list[int | None]:
        return [v if isinstance(v, int) else None for v in parsed[name]]

    cells = zip(
        ints(RECORD),
        ints(YEAR),
        ints(QUARTER),
        ints(INDICATOR),
        ints(VALUE),
        [v if isinstance(v, dt.datetime) else None for v in parsed[UPDATED_AT]],
        strict=True,
    )
    records = [_Record(index + first, *values) for index, values in enumerate(cells) if not blank[index]]
    for record in records if sheet.merged else ():
        ref = cell_ref(record.row, col[VALUE])
        if record.value is None and is_blank(sheet.value(ref)):
            reading.merged_away(sheet, ref, what=VALUE)
    if not records:
        reading.warning("no-records", "レコードが1件もありません（書き出す範囲を確認してください）", sheet=sheet.name)
    pending += _record_number_warnings(records, col[RECORD])

    # Records of one year, quarter and KPI in the order kintone created them: by レコード番号
    # (one without a readable number counts as the oldest), then by row.  The first is the
    # original; every later one is a duplicate.
    groups: dict[Quarter, list[_Record]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.number if r.number is not None else -1, r.row)):
        if record.fiscal_year is not None and record.quarter is not None and record.kpi is not None:
            groups[(record.fiscal_year, record.quarter, record.kpi)].append(record)
    groups = dict(sorted(groups.items()))  # by year, quarter and KPI
    pending += _duplicate_errors(groups, plan, col[RECORD])

    # A duplicated quarter contributes nothing; a blank 実績 is not reported.
    observed = [(key, g[0], g[0].value) for key, g in groups.items() if len(g) == 1 and g[0].value is not None]
    quarters: dict[tuple[int, int], set[int]] = defaultdict(set)
    for (year, quarter, kpi), _, _ in observed:
        quarters[(year, kpi)].add(quarter)
    letter = column_letter(col[VALUE])
    for (year, quarter, kpi), record, value in observed:
        reading.observe(
            kpi=kpi,
            fiscal_year=year,
            value=value,
            status="final" if len(quarters[(year, kpi)]) == 4 else "provisional",
            sheet=sheet.name,
            cell=f"{letter}{record.row}",
            period=f"{year}-Q{quarter}",
        )
    pending += _early_update_warnings([(key, record) for key, record, _ in observed], col[UPDATED_AT])

    for row, column, problem in sorted(pending, key=lambda p: (p[0], p[1])):
        reading.issue(problem.severity, problem.code, problem.message, sheet=sheet.name, cell=cell_ref(row, column))
    newest = max((r.updated for r in records if r.updated is not None), default=None)
    reading.as_of = newest.date() if newest is not None else None
    return reading


def _notes_and_total(
    raw: dict[str, list[Any]], blank: list[bool], first: int, column: int
) -> list[tuple[int, int, _Problem]]:
    """Mark note lines (``※第4四半期は速報値``) and a 合計 line as no records, in ``blank``.

    A line with 合計 (計, 総計 …) in any field ends the records: what lies below it is an
    error at the line, never left out silently.
    """
    problems: list[tuple[int, int, _Problem]] = []
    total: int | None = None
    for index in range(len(blank)):
        if blank[index]:
            continue
        values = [raw[name][index] for name in HEADER]
        notes_only = all(is_blank(v) or is_note(v) for v in values)
        if total is not None and not notes_only:
            problems.append(
                (
                    index + first,
                    column,
                    _Problem(
                        "error",
                        "bad-row",
                        f"合計の行（{total + first}行目）の下に値があります（レコードは合計の行より上に置くか、"
                        "不要なら削除してください）",
                    ),
                )
            )
        elif total is None and any(label_key(v) in TOTAL_LABELS for v in values):
            total = index
        blank[index] = blank[index] or notes_only or total is not None
    return problems


def _parse_column(values: list[Any], parse: Callable[[Any], T]) -> list[T]:
    """``parse`` applied to every value, each distinct value parsed once."""
    cache: dict[tuple[type, Any], T] = {}
    out = []
    for value in values:
        key = (type(value), value)  # 1.0 and True are equal, but not the same cell value
        if key not in cache:
            cache[key] = parse(value)
        out.append(cache[key])
    return out


def _missing(name: str, example: str) -> _Problem:
    return _Problem("error", "missing-value", f"{name}が空欄です（例: {example}）")


def _fiscal_year(plan: Plan, raw: Any) -> int | _Problem:
    if is_blank(raw):
        return _missing(YEAR, "令和6年度")
    try:
        year = parse_fiscal_year(raw)
    except ValueError as exc:
        return _Problem("error", "bad-fiscal-year", str(exc))
    problem = plan.year_problem(year, shown=display(raw))
    if problem is not None:
        return _Problem("error", "bad-fiscal-year", problem)
    return year


def _quarter(raw: Any) -> int | _Problem:
    """``第1四半期`` (the digit full-width or a kanji: ``第一四半期``), ``1Q``, ``Q1``, ``4-6月``."""
    if is_blank(raw):
        return _missing(QUARTER, "第1四半期")
    try:
        return parse_quarter(raw)
    except ValueError:
        return _Problem(
            "error",
            "bad-quarter",
            f'四半期 "{display(raw)}" を読み取れません（「第1四半期」〜「第4四半期」、1Q、4-6月 など）',
        )


def _kpi(plan: Plan, raw: Any) -> int | _Problem:
    if is_blank(raw):
        return _missing(INDICATOR, "関係人口数")
    number = _kpi_number(plan, display(raw))
    if number is None:
        known = "、".join(FORM_NAMES)
        return _Problem(
            "error", "unknown-kpi", f'指標名 "{display(raw)}" は朝日町が報告するKPIの名前ではありません（{known}）'
        )
    kpi = plan.kpi(number)
    if kpi is None or not kpi.is_reported_by(CODE):
        return _Problem(
            "error",
            "unknown-kpi",
            f'指標名 "{display(raw)}"（{_label(plan, number)}）は朝日町が報告するKPIではありません',
        )
    return number


def _count(raw: Any) -> int | _Problem | None:
    """The 実績: a count, or None when blank (not reported); a dash alone is no figure, with
    a warning (the export has no dashes: someone typed it)."""
    if is_dash(raw):
        return _Problem(
            "warning",
            "no-figure",
            f'{VALUE} "{raw}" はダッシュだけなので「値なし」（空欄と同じ、未報告）として扱います'
            "（値があるなら数字を、ゼロなら0を入力してください）",
        )
    try:
        return parse_count(raw, what=VALUE)
    except CellValueError as exc:
        return _Problem("error", exc.code, exc.message)


def _record_number(raw: Any) -> int | _Problem:
    """The レコード番号; it only orders duplicates, so a wrong one is a warning."""
    if is_blank(raw):
        return _Problem(
            "warning", "bad-record-number", "レコード番号が空欄です（kintoneの書き出しのままか確認してください）"
        )
    if isinstance(raw, float) and raw.is_integer() and raw > 0:
        return int(raw)
    match = _RECORD_NUMBER.fullmatch(normalize_text(raw)) if isinstance(raw, str) else None
    if match and int(match.group(1)) > 0:
        return int(match.group(1))
    return _Problem("warning", "bad-record-number", f'レコード番号 "{display(raw)}" は番号として読めません（例: 12）')


def _updated(raw: Any) -> dt.datetime | _Problem | None:
    """The 更新日時: an Excel date-time or text such as ``2025/04/10 09:12``; blank is allowed."""
    if is_blank(raw):
        return None
    if isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, dt.date):
        return dt.datetime.combine(raw, dt.time())
    reason = "例: 2025/04/10 09:12"
    match = _DATETIME.fullmatch(normalize_text(raw)) if isinstance(raw, str) else None
    if match:
        try:
            day = parse_date(match.group(1))
            hour, minute, second = (int(g or 0) for g in match.group(2, 3, 4))
            return dt.datetime.combine(day, dt.time(hour, minute, second))
        except ValueError as exc:
            reason = str(exc)
    return _Problem("error", "bad-date", f'更新日時 "{display(raw)}" を日時として読めません（{reason}）')


def _kpi_number(plan: Plan, text: str) -> int | None:
    """The KPI a 指標名 names: the app's choices, then the plan's names and aliases."""
    wanted = normalize_text(text)
    for name, number in FORM_NAMES.items():
        if normalize_text(name) == wanted:
            return number
    kpi = plan.kpi_named(wanted)
    return kpi.number if kpi else None


def _label(plan: Plan, number: int) -> str:
    kpi = plan.kpi(number)
    return kpi.label if kpi else f"KPI{number}"


def _record_number_warnings(records: list[_Record], column: int) -> list[tuple[int, int, _Problem]]:
    """A レコード番号 kintone gave twice: the same record exported twice, or rows pasted in."""
    first: dict[int, int] = {}
    out = []
    for record in records:
        if record.number is None:
            continue
        if record.number not in first:
            first[record.number] = record.row
            continue
        message = (
            f"レコード番号 {record.number} が{first[record.number]}行目にもあります"
            "（同じレコードが二重に書き出されていないか確認してください）"
        )
        out.append((record.row, column, _Problem("warning", "duplicate-record-number", message)))
    return out


def _duplicate_errors(groups: dict[Quarter, list[_Record]], plan: Plan, column: int) -> list[tuple[int, int, _Problem]]:
    """An error at every record of a year, quarter and KPI but the first one kintone created.

    ``groups`` holds the records of each year, quarter and KPI in the order kintone created them.
    """
    out = []
    labels = {k.number: k.label for k in plan.kpis}
    for (year, quarter, kpi), records in groups.items():
        original = records[0]
        other = f"{original.row}行目" + (f"（レコード番号 {original.number}）" if original.number is not None else "")
        count = f"（同じ年度・四半期・指標名のレコードが全部で{len(records)}件）" if len(records) > 2 else ""
        message = (
            f"{wareki_year_label(year)} 第{quarter}四半期 {labels.get(kpi, kpi)} のレコードが{other}にもあります{count}"
            "（1つの年度・四半期・指標名は1件にしてください。合算も片方の採用もしません）"
        )
        out += [(record.row, column, _Problem("error", "duplicate-row", message)) for record in records[1:]]
    return out


def _quarter_end(fiscal_year: int, quarter: int) -> dt.date:
    """The last day of a quarter of a fiscal year: 6/30, 9/30, 12/31, then 3/31 of the next year."""
    if quarter == 4:
        return dt.date(fiscal_year + 1, 3, 31)
    return dt.date(fiscal_year, quarter * 3 + 3, 30 if quarter in (1, 2) else 31)


def _early_update_warnings(observed: list[tuple[Quarter, _Record]], column: int) -> list[tuple[int, int, _Problem]]:
    """A record last updated before its quarter ended holds a figure for part of the quarter."""
    out = []
    for (year, quarter, _), record in observed:
        end = _quarter_end(year, quarter)
        if record.updated is None or record.updated.date() >= end:
            continue
        message = (
            f"更新日時 {record.updated:%Y/%m/%d %H:%M} は{wareki_year_label(year)}第{quarter}四半期の終わり"
            f"（{end:%Y/%m/%d}）より前です（四半期の途中の数値のままかもしれません）"
        )
        out.append((record.row, column, _Problem("warning", "early-update", message)))
    return out


# -------------------------------------------------------------------------
# writing
# -------------------------------------------------------------------------


@hookimpl
def saisei_template(fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Template:
    """The export for one fiscal year: 4 quarters × the town's KPIs, newest record first."""
    from openpyxl import Workbook as XlsxWorkbook

    book = XlsxWorkbook()
    ws = book.active
    ws.title = SHEET
    ws.append(list(HEADER))
    kpis = plan.kpis_for(CODE)
    updated = dt.datetime.combine(as_of, dt.time()) if as_of else None
    rows = [(quarter, kpi) for quarter in range(1, 5) for kpi in kpis]
    slots = []
    for number, (quarter, kpi) in reversed(list(enumerate(rows, start=1))):
        ws.append([number, wareki_year_label(fiscal_year), f"第{quarter}四半期", kpi.name, None, None, updated])
        row = ws.max_row
        if updated is not None:
            ws.cell(row, 7).number_format = "yyyy/mm/dd hh:mm"
        slots.append(Slot(kpi.number, fiscal_year, SHEET, f"E{row}", period=f"{fiscal_year}-Q{quarter}"))
    for column, width in zip("ABCDEFG", (12, 12, 12, 52, 10, 14, 18), strict=True):
        ws.column_dimensions[column].width = width
    return Template(book, tuple(slots), "final")
