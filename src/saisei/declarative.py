"""Declarative forms: a plugin described in TOML, read by saisei's own reader.

Many forms are one table — a row per period, KPI and value — that differs from the next
form only in its sheet, its labels and its words.  Such a form is described, not
programmed::

    # form.toml: 山形市's monthly log
    body = "062014"                 # the body's 団体コード (the plan names the plugin for it)
    sheet = "月次実績"               # the sheet, by its name (width and spaces ignored)
    title = "山形市 KPI月次実績"      # written into the template's A1 (optional)

    [columns]                       # each column by its header labels, found anywhere in the first 30 rows
    period = ["年月"]                # a month: R6.4, 令和6年4月, 2024/04, 2024年4月, an Excel date
    kpi = ["指標"]
    value = ["件数"]
    status = ["確定/速報"]
    keys = { department = ["部署"] }  # more columns that tell rows apart (two rows alike are an error)

    [kpis]                          # the form's KPI names (besides the plan's names, aliases, KPI①)
    "受入れ体制" = 1

    [values]
    units = ["件"]                  # units allowed typed after a figure (default: none)

    [status]
    words = { "確定" = "final", "速報" = "provisional" }
    year = "any"                    # a fiscal year is provisional when any of its rows is

The period is one of: ``period`` (a month per row), ``year`` (a fiscal year per row), or
``year`` with ``quarter`` (第1四半期, 1Q, 4-6月) or with ``month`` (4月).  ``status.year``
is ``"any"`` (default), ``"row"`` (each row its own word) or ``"complete"`` (a fiscal
year and KPI is final when every month or quarter has a figure, and no row says
otherwise).  Without a status column every figure is final (``"any"``, ``"row"``).
``[columns] date`` names a column of dates (更新日時): the newest is the form's date.
``[columns] others`` names columns that must be there (to tell the form) but are not read.

The reader (:class:`DeclarativeForm`) uses the label-anchored tables of
:mod:`saisei.core.tables` and the same checks as a Python plugin: every problem is an
error at its cell, a blank is not reported, a total row ends the table, rows below it
are errors.  It writes the form's template too.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core.codes import CodeError, normalize_code
from .core.fiscal import fiscal_year_of, parse_date, parse_month, parse_quarter, wareki_year_label
from .core.plan import Plan
from .core.tables import Field, Header, label_key, parse_kpi_label, table_rows
from .core.values import display, is_blank, normalize_text
from .forms import detect_table, read_header, rows_after_total
from .hookspecs import Detection, hookimpl
from .reading import Reading
from .template import Slot, Template
from .workbook import Sheet, Workbook

__all__ = ["DeclarativeForm", "FormError"]

STATUSES = ("final", "provisional")
RULES = ("any", "row", "complete")
_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?$")


class FormError(ValueError):
    """A form description that cannot be used: the file, the key and what is expected."""


def _labels(where: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise FormError(f'{where}: 見出しの文字の並び（例: ["年月", "年・月"]）にしてください')
    return tuple(value)


@dataclass(frozen=True)
class DeclarativeForm:
    """A form described in TOML (see the module), as a plugin: register an instance.

    ``DeclarativeForm.load(path)`` reads the description; its methods are the hooks.
    """

    body: str
    sheet: str
    title: str | None
    fields: tuple[Field, ...]
    keys: tuple[str, ...]
    kpis: tuple[tuple[str, int], ...]
    units: tuple[str, ...]
    dashes: bool
    words: tuple[tuple[str, str], ...]
    rule: str
    source: str = "form.toml"

    # -- the description ---------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> DeclarativeForm:
        """The form described in the TOML file ``path``; :class:`FormError` when it cannot be used."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise FormError(f"様式ファイル {path} を読めません: {exc}") from None
        return cls.parse(data, path.name)

    @classmethod
    def parse(cls, data: dict[str, Any], source: str = "form.toml") -> DeclarativeForm:
        """The form described by ``data`` (a TOML document, as a dict)."""

        def fail(key: str, message: str) -> FormError:
            return FormError(f"{source} の {key}: {message}")

        known = {"body", "sheet", "title", "columns", "kpis", "values", "status"}
        if unknown := sorted(set(data) - known):
            raise fail(unknown[0], f"知らないキーです（使えるのは {'、'.join(sorted(known))}）")
        try:
            body = normalize_code(data.get("body"))
        except CodeError as exc:
            raise fail("body", str(exc)) from None
        sheet = data.get("sheet")
        if not isinstance(sheet, str) or not sheet.strip():
            raise fail("sheet", 'シート名を書いてください（例: sheet = "月次実績"）')
        title = data.get("title")
        if title is not None and not isinstance(title, str):
            raise fail("title", "文字で書いてください")
        columns = data.get("columns")
        if not isinstance(columns, dict):
            raise fail("columns", "[columns] に列の見出しを書いてください（kpi、value と、period か year）")
        allowed = {"period", "year", "quarter", "month", "kpi", "value", "status", "date", "keys", "others"}
        if unknown := sorted(set(columns) - allowed):
            raise fail(f"columns.{unknown[0]}", f"知らない列です（使えるのは {'、'.join(sorted(allowed))}）")
        for needed in ("kpi", "value"):
            if needed not in columns:
                raise fail(f"columns.{needed}", "この列の見出しが必要です")
        has = set(columns)
        if ("period" in has) == ("year" in has):
            raise fail("columns", "期間の列は period（年月）か year（年度）のどちらか1つにしてください")
        if {"quarter", "month"} & has and "year" not in has:
            raise fail("columns", "quarter・month は year（年度）の列と一緒に使います")
        if {"quarter", "month"} <= has:
            raise fail("columns", "quarter と month は、どちらか1つにしてください")
        fields: list[Field] = []
        for key in ("period", "year", "quarter", "month", "kpi", "value", "status", "date"):
            if key in columns:
                fields.append(Field(key, _labels(f"{source} の columns.{key}", columns[key])))
        keys: list[str] = []
        for group in ("keys", "others"):
            extra = columns.get(group, {})
            if not isinstance(extra, dict):
                raise fail(f"columns.{group}", '名前 = ["見出し"] の表にしてください（例: { department = ["部署"] }）')
            for name, labels in extra.items():
                fields.append(Field(f"{group}.{name}", _labels(f"{source} の columns.{group}.{name}", labels)))
                if group == "keys":
                    keys.append(f"keys.{name}")
        kpis = data.get("kpis", {})
        if not isinstance(kpis, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in kpis.values()
        ):
            raise fail("kpis", '"様式の指標名" = KPIの番号 の表にしてください（例: "受入れ体制" = 1）')
        values = data.get("values", {})
        if not isinstance(values, dict) or set(values) - {"units", "dashes"}:
            raise fail("values", "units（認める単位の並び）と dashes（true/false）だけを書けます")
        units = values.get("units", [])
        if not isinstance(units, list) or not all(isinstance(u, str) and u for u in units):
            raise fail("values.units", '単位の並びにしてください（例: ["件", "人"]）')
        dashes = values.get("dashes", False)
        if not isinstance(dashes, bool):
            raise fail("values.dashes", "true か false にしてください")
        status = data.get("status", {})
        if not isinstance(status, dict) or set(status) - {"words", "year"}:
            raise fail("status", "words（区分の文字と final/provisional）と year（年度の決まり）だけを書けます")
        words = status.get("words", {})
        if not isinstance(words, dict) or not all(v in STATUSES for v in words.values()):
            raise fail(
                "status.words", '"文字" = "final" か "provisional" の表にしてください（例: "速報" = "provisional"）'
            )
        if "status" in has and not words:
            raise fail("status.words", '区分の列があるので、その文字を書いてください（例: { "確定" = "final" }）')
        if words and "status" not in has:
            raise fail("status.words", "区分の文字を読む列（columns.status）がありません")
        rule = status.get("year", "any")
        if rule not in RULES:
            raise fail("status.year", f"{'、'.join(RULES)} のどれかにしてください")
        if rule == "complete" and not ({"period", "quarter", "month"} & has):
            raise fail("status.year", "complete は月か四半期の列があるときだけ使えます")
        return cls(
            body=body,
            sheet=sheet,
            title=title,
            fields=tuple(fields),
            keys=tuple(keys),
            kpis=tuple((label_key(name), number) for name, number in kpis.items()),
            units=tuple(units),
            dashes=dashes,
            words=tuple((label_key(word), s) for word, s in words.items()),
            rule=rule,
            source=source,
        )

    def _has(self, key: str) -> bool:
        return any(f.key == key for f in self.fields)

    def _shown(self, key: str) -> str:
        return next(f.shown for f in self.fields if f.key == key)

    # -- hooks ---------------------------------------------------------------------------------

    @hookimpl
    def saisei_body_code(self) -> str:
        return self.body

    @hookimpl
    def saisei_detect(self, workbook: Workbook, explain: bool) -> Detection:
        return detect_table(workbook, self.sheet, self.fields, explain=explain)

    @hookimpl
    def saisei_read(self, workbook: Workbook, plan: Plan) -> Reading | None:
        name = workbook.find_sheet(self.sheet)
        if name is None:
            return None
        sheet = workbook.sheet(name)
        reading = Reading(workbook, plan, entity_code=self.body)
        header = read_header(reading, sheet, self.fields)
        if header is None:
            return reading
        read = [c for f in self.fields if not f.key.startswith("others.") for c in [header.columns[f.key]]]
        first = [header.columns[k] for k in ("period", "year", "kpi") if k in header.columns]
        rows = table_rows(sheet, read, header.row + 1, total_columns=first)
        rows_after_total(reading, sheet, rows, header.first_column)
        found = [r for r in (self._row(reading, sheet, header, row) for row in rows.rows) if r is not None]
        self._observe(reading, sheet, header, found)
        return reading

    def _row(self, reading: Reading, sheet: Sheet, header: Header, row: int) -> _Row | None:
        """One row's fields, each checked at its cell (None: the row gives nothing)."""
        ref = header.ref
        period = self._period(reading, sheet, header, row)
        kpi = self._kpi(reading, sheet, ref("kpi", row))
        value = reading.count(sheet, ref("value", row), what=self._shown("value"), units=self.units, dashes=self.dashes)
        status = None
        if value is not None and self._has("status"):
            status = self._status(reading, sheet, ref("status", row))
            if status is None:
                return None
        day = self._date(reading, sheet, ref("date", row)) if self._has("date") else None
        if period is None or kpi is None:
            return None
        keys = tuple(normalize_text(display(sheet.value(ref(k, row)))) for k in self.keys)
        return _Row(row, period[0], period[1], kpi, value, status, keys, day)

    def _period(self, reading: Reading, sheet: Sheet, header: Header, row: int) -> tuple[int, str | None] | None:
        """(fiscal year, period label) of a row: ``2024-04``, ``2024-Q1`` or None for a year."""
        ref = header.ref
        if self._has("period"):
            cell = ref("period", row)
            raw = sheet.value(cell)
            what = self._shown("period")
            if is_blank(raw):
                reading.error(
                    "missing-value", f"{what}が空欄です（例: R6.4、令和6年4月、2024/04）", sheet=sheet.name, cell=cell
                )
                return None
            try:
                year, month = parse_month(raw)
            except ValueError as exc:
                reading.error("bad-period", f"{what}: {exc}", sheet=sheet.name, cell=cell)
                return None
            fiscal = fiscal_year_of(dt.date(year, month, 1))
            problem = reading.plan.year_problem(fiscal, what=what, shown=display(raw))
            if problem is not None:
                reading.error("bad-fiscal-year", problem, sheet=sheet.name, cell=cell)
                return None
            return fiscal, f"{year:04d}-{month:02d}"
        fiscal_year = reading.fiscal_year(sheet, ref("year", row), what=self._shown("year"))
        part: str | None = None
        for key in ("quarter", "month"):
            if not self._has(key):
                continue
            cell = ref(key, row)
            raw = sheet.value(cell)
            try:
                part = f"Q{parse_quarter(raw)}" if key == "quarter" else f"{_month_of(raw):02d}"
            except ValueError as exc:
                code = "missing-value" if is_blank(raw) else f"bad-{key}"
                reading.error(code, str(exc), sheet=sheet.name, cell=cell)
                return None
        if fiscal_year is None:
            return None
        if part is None:
            return fiscal_year, None
        if part.startswith("Q"):
            return fiscal_year, f"{fiscal_year}-{part}"
        month = int(part)
        return fiscal_year, f"{fiscal_year + (1 if month <= 3 else 0):04d}-{part}"

    def _kpi(self, reading: Reading, sheet: Sheet, cell: str) -> int | None:
        raw = sheet.value(cell)
        what = self._shown("kpi")
        if is_blank(raw):
            reading.error("missing-value", f"{what}が空欄です", sheet=sheet.name, cell=cell)
            return None
        key = label_key(raw)
        number = next((n for name, n in self.kpis if name == key), None)
        if number is None:
            label = parse_kpi_label(raw, reading.plan)
            if label is not None and label.conflict:
                reading.error(
                    "unknown-kpi",
                    f'{what} "{display(raw)}" は番号（KPI{label.mark}）と名前（KPI{label.name}）が合いません',
                    sheet=sheet.name,
                    cell=cell,
                )
                return None
            number = label.number if label is not None else None
        mine = {k.number: k for k in reading.plan.kpis_for(self.body)}
        if number is None or number not in mine:
            known = "、".join(self._kpi_name(k.number, reading.plan) for k in mine.values())
            reading.error(
                "unknown-kpi",
                f'{what} "{display(raw)}" はこの団体が報告するKPIではありません（{known}）',
                sheet=sheet.name,
                cell=cell,
            )
            return None
        return number

    def _kpi_name(self, number: int, plan: Plan) -> str:
        """The name the form gives KPI ``number`` (its first in ``[kpis]``, else the plan's)."""
        kpi = plan.kpi(number)
        return kpi.name if kpi is not None else f"KPI{number}"

    def _status(self, reading: Reading, sheet: Sheet, cell: str) -> str | None:
        raw = sheet.value(cell)
        key = label_key(raw)
        status = next((s for word, s in self.words if word == key), None)
        if status is None:
            shown = "」「".join(word for word, _ in self.words)
            what = self._shown("status")
            found = "空欄" if is_blank(raw) else f'"{display(raw)}"'
            reading.error(
                "bad-status",
                f"{what}が{found}です（「{shown}」のどれかを入力してください）",
                sheet=sheet.name,
                cell=cell,
            )
        return status

    def _date(self, reading: Reading, sheet: Sheet, cell: str) -> dt.date | None:
        raw = sheet.value(cell)
        if is_blank(raw):
            return None
        try:
            return parse_date(_TIME.sub("", raw.strip()) if isinstance(raw, str) else raw)
        except ValueError as exc:
            reading.error("bad-date", f"{self._shown('date')}: {exc}", sheet=sheet.name, cell=cell)
            return None

    def _observe(self, reading: Reading, sheet: Sheet, header: Header, rows: list[_Row]) -> None:
        seen: dict[tuple[Any, ...], int] = {}
        kept: list[_Row] = []
        for r in rows:
            key = (r.fiscal_year, r.period, r.kpi, *r.keys)
            if key in seen:
                what = f"{r.period or wareki_year_label(r.fiscal_year)} の KPI{r.kpi}"
                reading.error(
                    "duplicate-row",
                    f"{what} は {seen[key]}行目にもあります（同じ期間・指標は1行にしてください。合算も片方の採用もしません）",
                    sheet=sheet.name,
                    cell=header.ref("kpi", r.row),
                )
                kept = [k for k in kept if k.row != seen[key]]
                continue
            seen[key] = r.row
            kept.append(r)
        days = [r.day for r in rows if r.day is not None]
        reading.as_of = max(days) if days else None
        figures = [r for r in kept if r.value is not None]
        provisional_years = {r.fiscal_year for r in figures if r.status == "provisional"}
        periods: dict[tuple[int, int], set[str | None]] = {}
        for r in figures:
            periods.setdefault((r.fiscal_year, r.kpi), set()).add(r.period)
        whole = 4 if self._has("quarter") else 12
        for r in figures:
            status = r.status or "final"
            if (self.rule == "any" and r.fiscal_year in provisional_years) or (
                self.rule == "complete" and len(periods[r.fiscal_year, r.kpi]) < whole
            ):
                status = "provisional"
            assert r.value is not None
            reading.observe(
                kpi=r.kpi,
                fiscal_year=r.fiscal_year,
                value=r.value,
                status=status,
                sheet=sheet.name,
                cell=header.ref("value", r.row),
                period=r.period,
            )

    # -- the template ------------------------------------------------------------------------

    @hookimpl
    def saisei_template(self, fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Template:
        """The blank form: a row per period and KPI of the body (per KPI for a yearly form)."""
        from openpyxl import Workbook as XlsxWorkbook

        from .core.cycle import status_for

        book = XlsxWorkbook()
        ws = book.active
        ws.title = self.sheet
        if self.title:
            ws["A1"] = self.title
            ws.append([])
        ws.append([f.shown for f in self.fields])
        column = {f.key: i for i, f in enumerate(self.fields, start=1)}
        status = status_for(fiscal_year, as_of) if as_of else "final"
        word = next((w for w, s in self.words if s == status), None)
        if word is None and self.words:
            word, status = self.words[0]
        slots = []
        for period, cells in self._periods(fiscal_year):
            for kpi in plan.kpis_for(self.body):
                row = ws.max_row + 1
                for key, value in cells.items():
                    ws.cell(row, column[key], value)
                ws.cell(row, column["kpi"], self._kpi_name(kpi.number, plan))
                if word is not None:
                    ws.cell(row, column["status"], word)
                if "date" in column and as_of is not None:
                    ws.cell(row, column["date"], as_of)
                value = ws.cell(row, column["value"]).coordinate
                status_cell = ws.cell(row, column["status"]).coordinate if word is not None else None
                slots.append(Slot(kpi.number, fiscal_year, self.sheet, value, period=period, status_cell=status_cell))
        return Template(book, tuple(slots), status)

    def _periods(self, fiscal_year: int) -> list[tuple[str | None, dict[str, object]]]:
        """The periods of a fiscal year as the template spells them, with their cells' values."""
        months = [(fiscal_year + (m <= 3), m) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
        if self._has("period"):
            return [(f"{y:04d}-{m:02d}", {"period": f"{wareki_year_label(y)[:-2]}年{m}月"}) for y, m in months]
        year = wareki_year_label(fiscal_year)
        if self._has("quarter"):
            return [(f"{fiscal_year}-Q{q}", {"year": year, "quarter": f"第{q}四半期"}) for q in (1, 2, 3, 4)]
        if self._has("month"):
            return [(f"{y:04d}-{m:02d}", {"year": year, "month": f"{m}月"}) for y, m in months]
        return [(None, {"year": year})]


@dataclass(frozen=True)
class _Row:
    row: int
    fiscal_year: int
    period: str | None
    kpi: int
    value: int | None
    status: str | None
    keys: tuple[str, ...]
    day: dt.date | None


_MONTH = re.compile(r"(\d{1,2})月?")


def _month_of(value: object) -> int:
    """The month a cell names: ``4月``, ``4``, ``４月``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = normalize_text(str(value)) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    m = _MONTH.fullmatch(text.replace(" ", ""))
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    raise ValueError(f'月 "{display(value)}" を読み取れません（例: 4月）')
