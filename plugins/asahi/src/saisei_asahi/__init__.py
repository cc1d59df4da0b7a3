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
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from saisei.core.cells import cell_ref
from saisei.core.fiscal import parse_date, parse_fiscal_year, wareki_year_label
from saisei.core.plan import Body, Committee, Plan
from saisei.core.values import display, is_blank, normalize_text
from saisei.hookspecs import hookimpl
from saisei.reading import Reading
from saisei.template import Slot, Template
from saisei.workbook import Sheet, Workbook

__all__ = ["saisei_detect", "saisei_profile", "saisei_read", "saisei_template"]

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

_QUARTER = re.compile(r"第\s*([1-4])\s*四半期")
_RECORD_NUMBER = re.compile(r"(?:[A-Za-z0-9_]+-)?([0-9]+)")  # kintone prefixes the app code when one is set
_DATETIME = re.compile(r"(.+?)(?:[ T]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?")


# -------------------------------------------------------------------------
# profile
# -------------------------------------------------------------------------


@hookimpl
def saisei_profile() -> Body:
    """朝日町 as the plan describes it (transcribed from the plan, 5-2⑥)."""
    return Body(
        code=CODE,
        name="朝日町",
        district="西村山郡",
        plugin="asahi",
        verification_month=9,
        method="朝日町まち・ひと・しごと創生総合戦略審議会において評価検証を行う。",
        publication="検証結果について町HPにて公表",
        publication_channel="朝日町ホームページ",
        # The plan lists the members without sector labels; the sectors are inferred.
        committee=Committee(
            {
                "industry": ("朝日町商工会", "朝日町事業振興協議会"),
                "academia": ("東北芸術工科大学",),
                "finance": ("朝日町金融団",),
                "other": ("子育て世代代表", "女性消防団", "移住者代表", "若手就農者代表"),
            },
            and_others=False,
        ),
    )


# -------------------------------------------------------------------------
# reading
# -------------------------------------------------------------------------


def _columns(sheet: Sheet) -> dict[str, list[int]]:
    """Header name → the columns of row 1 that carry it (normally one)."""
    found: dict[str, list[int]] = defaultdict(list)
    for column in range(1, sheet.max_column + 1):
        name = sheet.text(cell_ref(1, column))
        if name in HEADER:
            found[name].append(column)
    return found


def _record_sheet(workbook: Workbook) -> Sheet | None:
    name = workbook.find_sheet(SHEET)
    if name is None:
        return None
    sheet = workbook.sheet(name)
    return sheet if set(_columns(sheet)) == set(HEADER) else None


@hookimpl
def saisei_detect(workbook: Workbook) -> bool:
    """A sheet ``レコード一覧`` whose row 1 names all seven fields of the export."""
    return _record_sheet(workbook) is not None


@dataclass(frozen=True)
class _Record:
    row: int
    number: int | None  # レコード番号, None when unreadable
    key: tuple[int, int, int] | None  # (fiscal year, quarter, KPI); None when any is wrong
    value: int | None  # None: blank (not reported) or wrong
    updated: dt.datetime | None


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    sheet = _record_sheet(workbook)
    if sheet is None:
        return None
    reading = Reading(workbook, plan, entity_code=CODE)
    found = _columns(sheet)
    for name, columns in found.items():
        for column in columns[1:]:
            reading.error(
                "bad-header",
                f"見出し「{name}」が{cell_ref(1, columns[0])}と二重にあります（どちらを読むか決められません）",
                sheet=sheet.name,
                cell=cell_ref(1, column),
            )
    if reading.has_errors:
        return reading
    col = {name: columns[0] for name, columns in found.items()}
    parser = _RowParser(reading, sheet, col)
    records = [r for row in range(2, sheet.max_row + 1) if (r := parser.parse(row)) is not None]
    if not records:
        reading.warning("no-records", "レコードが1件もありません（書き出す範囲を確認してください）", sheet=sheet.name)
    _check_record_numbers(reading, sheet.name, records, col[RECORD])
    kept = _drop_duplicates(reading, sheet.name, records, col[RECORD])

    quarters: dict[tuple[int, int], set[int]] = defaultdict(set)
    for record in kept:
        if record.value is not None and record.key is not None:
            year, quarter, kpi = record.key
            quarters[(year, kpi)].add(quarter)
    for record in kept:
        if record.value is None or record.key is None:
            continue  # blank 実績: not reported
        year, quarter, kpi = record.key
        status = "final" if len(quarters[(year, kpi)]) == 4 else "provisional"
        reading.observe(
            kpi=kpi,
            fiscal_year=year,
            value=record.value,
            status=status,
            sheet=sheet.name,
            cell=cell_ref(record.row, col[VALUE]),
            period=f"{year}-Q{quarter}",
        )
        _check_update_time(reading, sheet.name, record, col[UPDATED_AT])
    dates = [r.updated for r in records if r.updated is not None]
    reading.as_of = max(dates).date() if dates else None
    return reading


class _RowParser:
    """Parses one record row, recording an error at each wrong cell.

    年度, 四半期 and 指標名 take a handful of distinct values however long the export is,
    so each distinct value is checked once and a wrong one is re-reported at every cell.
    """

    def __init__(self, reading: Reading, sheet: Sheet, col: dict[str, int]) -> None:
        self.reading = reading
        self.sheet = sheet
        self.col = col
        self._cache: dict[tuple[str, Any], int | tuple[str, str]] = {}

    def parse(self, row: int) -> _Record | None:
        cells = {name: self.sheet.at(row, c) for name, c in self.col.items()}
        if all(is_blank(v) for v in cells.values()):
            return None  # an empty line
        year = self._cached(YEAR, row, cells[YEAR], self._year)
        quarter = self._cached(QUARTER, row, cells[QUARTER], self._quarter)
        kpi = self._cached(INDICATOR, row, cells[INDICATOR], self._kpi)
        value = self.reading.count(self.sheet, self._ref(VALUE, row), what=VALUE, value=cells[VALUE])
        key = (year, quarter, kpi) if year is not None and quarter is not None and kpi is not None else None
        return _Record(row, self._number(row, cells[RECORD]), key, value, self._updated(row, cells[UPDATED_AT]))

    def _ref(self, name: str, row: int) -> str:
        return cell_ref(row, self.col[name])

    def _cached(self, name: str, row: int, raw: Any, parse: Any) -> int | None:
        """``parse(raw)`` → a number, or (code, message) recorded as an error at the cell."""
        if is_blank(raw):
            self.reading.error("missing-value", f"{name}が空欄です", sheet=self.sheet.name, cell=self._ref(name, row))
            return None
        key = (name, raw)
        if key not in self._cache:
            self._cache[key] = parse(raw)
        outcome = self._cache[key]
        if isinstance(outcome, tuple):
            self.reading.error(outcome[0], outcome[1], sheet=self.sheet.name, cell=self._ref(name, row))
            return None
        return outcome

    def _year(self, raw: Any) -> int | tuple[str, str]:
        plan = self.reading.plan
        try:
            year = parse_fiscal_year(raw)
        except ValueError as exc:
            return "bad-fiscal-year", f"{exc}"
        if not plan.has_year(year):
            return "bad-fiscal-year", f'年度 "{display(raw)}"（{year}年度）は計画期間（{plan.years_text}）の外です'
        return year

    @staticmethod
    def _quarter(raw: Any) -> int | tuple[str, str]:
        match = _QUARTER.fullmatch(normalize_text(display(raw)))
        if match is None:
            return "bad-quarter", f'四半期 "{display(raw)}" を読み取れません（「第1四半期」〜「第4四半期」）'
        return int(match.group(1))

    def _kpi(self, raw: Any) -> int | tuple[str, str]:
        number = _kpi_number(self.reading.plan, display(raw))
        if number is None:
            known = "、".join(FORM_NAMES)
            return "unknown-kpi", f'指標名 "{display(raw)}" は朝日町が報告するKPIの名前ではありません（{known}）'
        kpi = self.reading.plan.kpi(number)
        if kpi is None or not kpi.is_reported_by(CODE):
            label = _label(self.reading.plan, number)
            return "unknown-kpi", f'指標名 "{display(raw)}"（{label}）は朝日町が報告するKPIではありません'
        return number

    def _number(self, row: int, raw: Any) -> int | None:
        """The レコード番号; only orders duplicates, so a wrong one is a warning."""
        where = {"sheet": self.sheet.name, "cell": self._ref(RECORD, row)}
        if is_blank(raw):
            self.reading.warning(
                "bad-record-number", "レコード番号が空欄です（kintoneの書き出しのままか確認してください）", **where
            )
            return None
        if isinstance(raw, float) and raw.is_integer() and raw > 0:
            return int(raw)
        match = _RECORD_NUMBER.fullmatch(normalize_text(display(raw)))
        if isinstance(raw, str) and match:
            return int(match.group(1))
        self.reading.warning(
            "bad-record-number", f'レコード番号 "{display(raw)}" は番号として読めません（例: 12）', **where
        )
        return None

    def _updated(self, row: int, raw: Any) -> dt.datetime | None:
        """The 更新日時 (an Excel date-time or ``2025/04/10 09:12``); blank is allowed."""
        if is_blank(raw):
            return None
        if isinstance(raw, dt.datetime):
            return raw
        if isinstance(raw, dt.date):
            return dt.datetime.combine(raw, dt.time())
        problem = f'更新日時 "{display(raw)}" を日時として読めません（例: 2025/04/10 09:12）'
        if isinstance(raw, str):
            match = _DATETIME.fullmatch(normalize_text(raw))
            if match:
                try:
                    day = parse_date(match.group(1))
                    hour, minute, second = (int(g or 0) for g in match.group(2, 3, 4))
                    return dt.datetime.combine(day, dt.time(hour, minute, second))
                except ValueError as exc:
                    problem = f'更新日時 "{display(raw)}" を日時として読めません（{exc}）'
        self.reading.error("bad-date", problem, sheet=self.sheet.name, cell=self._ref(UPDATED_AT, row))
        return None


def _kpi_number(plan: Plan, text: str) -> int | None:
    """The KPI a 指標名 names: the app's choices, then the plan's names and aliases."""
    wanted = normalize_text(text)
    for name, number in FORM_NAMES.items():
        if normalize_text(name) == wanted:
            return number
    kpi = plan.kpi_named(wanted)
    return kpi.number if kpi else None


def _check_record_numbers(reading: Reading, sheet: str, records: list[_Record], column: int) -> None:
    first: dict[int, int] = {}
    for record in records:
        if record.number is None:
            continue
        if record.number in first:
            reading.warning(
                "duplicate-record-number",
                f"レコード番号 {record.number} が{first[record.number]}行目にもあります"
                "（同じレコードが二重に書き出されていないか確認してください）",
                sheet=sheet,
                cell=cell_ref(record.row, column),
            )
        else:
            first[record.number] = record.row


def _lateness(record: _Record) -> tuple[int, int]:
    """Later = created later in kintone: the larger レコード番号, then the row further down."""
    return (record.number if record.number is not None else -1, record.row)


def _drop_duplicates(reading: Reading, sheet: str, records: list[_Record], column: int) -> list[_Record]:
    """The records whose key no other record shares; an error at every later duplicate."""
    by_key: dict[tuple[int, int, int], list[_Record]] = defaultdict(list)
    for record in records:
        if record.key is not None:
            by_key[record.key].append(record)
    kept = [r for r in records if r.key is None or len(by_key[r.key]) == 1]
    for key, group in by_key.items():
        if len(group) == 1:
            continue
        year, quarter, kpi = key
        ordered = sorted(group, key=_lateness)
        for later in ordered[1:]:
            others = "、".join(
                f"{r.row}行目" + (f"（レコード番号 {r.number}）" if r.number is not None else "")
                for r in ordered
                if r is not later
            )
            reading.error(
                "duplicate-row",
                f"{wareki_year_label(year)} 第{quarter}四半期 {_label(reading.plan, kpi)} のレコードが"
                f"{others}にもあります（1つの年度・四半期・指標名は1件にしてください。合算も片方の採用もしません）",
                sheet=sheet,
                cell=cell_ref(later.row, column),
            )
    return kept


def _label(plan: Plan, number: int) -> str:
    kpi = plan.kpi(number)
    return kpi.label if kpi else f"KPI{number}"


_QUARTER_END = {1: (6, 30), 2: (9, 30), 3: (12, 31), 4: (3, 31)}


def _quarter_end(fiscal_year: int, quarter: int) -> dt.date:
    month, day = _QUARTER_END[quarter]
    return dt.date(fiscal_year + (1 if quarter == 4 else 0), month, day)


def _check_update_time(reading: Reading, sheet: str, record: _Record, column: int) -> None:
    """A record last updated before its quarter ended holds a figure for part of it."""
    if record.updated is None or record.key is None:
        return
    year, quarter, _ = record.key
    end = _quarter_end(year, quarter)
    if record.updated.date() < end:
        reading.warning(
            "early-update",
            f"更新日時 {record.updated:%Y/%m/%d %H:%M} は{wareki_year_label(year)}第{quarter}四半期の終わり"
            f"（{end:%Y/%m/%d}）より前です（四半期の途中の数値のままかもしれません）",
            sheet=sheet,
            cell=cell_ref(record.row, column),
        )


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
