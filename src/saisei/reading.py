"""What a plugin hands back for one workbook: observations, each with its cell, and issues.

A plugin builds a :class:`Reading` while it walks its form::

    reading = Reading(workbook, plan, entity_code="062031", as_of=report_date)
    value = reading.count(sheet, "E7", what="実績")      # None: blank, or an error recorded
    if value is not None:
        reading.observe(kpi=1, fiscal_year=2024, value=value, status="final",
                        sheet=sheet.name, cell="E7")
    return reading

The helpers (:meth:`Reading.count`, :meth:`Reading.fiscal_year`, :meth:`Reading.date`,
:meth:`Reading.kpi`) parse a cell and, when it is wrong, record an error naming the file,
sheet and cell, so a plugin never writes a location by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .core.codes import CodeError, normalize_code
from .core.fiscal import parse_date, parse_fiscal_year
from .core.issues import Issue, Severity
from .core.plan import Plan
from .core.tables import parse_kpi_label
from .core.text import safe_text
from .core.values import (
    CellError,
    CellValueError,
    NoCachedValue,
    display,
    is_blank,
    is_dash,
    normalize_text,
    parse_count,
)

if TYPE_CHECKING:
    import polars as pl

    from .core.verdict import Verdict
    from .workbook import Sheet, Workbook

__all__ = ["Reading"]

_COLUMNS = ("entity_code", "fiscal_year", "kpi", "value", "status", "sheet", "cell", "period")


#: Up to this many observed rows, a frame is built from rows in one polars call (beyond
#: it, column by column is faster).
_FEW_ROWS = 32
_INT64 = (-(2**63), 2**63 - 1)


def _plainly_typed(data: dict[str, list[Any]]) -> bool:
    """Every value has the exact Python type its column's dtype holds (``int`` within Int64,
    ``str``; ``period`` may be None), so no construction can convert it differently."""
    for name in ("fiscal_year", "kpi", "value"):
        values = data[name]
        if set(map(type, values)) != {int} or min(values) < _INT64[0] or max(values) > _INT64[1]:
            return False
    if any(set(map(type, data[name])) != {str} for name in ("entity_code", "status", "sheet", "cell", "file")):
        return False
    return set(map(type, data["period"])) <= {str, type(None)}


class Reading:
    """Observations and issues read from one workbook by one plugin.

    :param workbook: the workbook being read (its name goes into every source and issue)
    :param plan: the plan the figures belong to
    :param entity_code: the body every observation belongs to, when the form is one body's
    :param as_of: the date the form was made (its report date), when the form says it
    """

    def __init__(
        self,
        workbook: Workbook,
        plan: Plan,
        *,
        entity_code: str | None = None,
        as_of: dt.date | None = None,
    ) -> None:
        self.file = safe_text(workbook.name)  # a name that is not UTF-8 shown escaped, as in messages
        self.plan = plan
        self.entity_code = entity_code
        self.as_of = as_of
        #: where each date read by :meth:`date` was (sheet, cell): the as-of date's cell
        self.dated: dict[dt.date, tuple[str, str]] = {}
        self.issues: list[Issue] = []
        #: a committee's verdicts read from a review sheet (:mod:`saisei.core.verdict`)
        self.verdicts: list[Verdict] = []
        self._columns: dict[str, list[Any]] = {c: [] for c in _COLUMNS}
        self._frames: list[pl.DataFrame] = []

    # -- observations -------------------------------------------------------------------

    def observe(
        self,
        *,
        kpi: int,
        fiscal_year: int,
        value: int,
        status: str,
        sheet: str,
        cell: str,
        period: str | None = None,
        entity_code: str | None = None,
    ) -> None:
        """Record one value read from ``sheet!cell``."""
        code = entity_code or self.entity_code
        if code is None:
            raise ValueError("observe() needs entity_code when the Reading has none")
        for name, v in zip(_COLUMNS, (code, fiscal_year, kpi, value, status, sheet, cell, period), strict=True):
            self._columns[name].append(v)

    def extend(self, frame: pl.DataFrame) -> None:
        """Record many observations at once (a ledger of 100,000 rows, say).

        ``frame`` has the columns ``entity_code`` (optional: the Reading's own by default),
        ``fiscal_year``, ``kpi``, ``value``, ``status``, ``sheet``, ``cell``, ``period``.
        """
        import polars as pl

        if "entity_code" not in frame.columns:
            frame = frame.with_columns(pl.lit(self.entity_code, dtype=pl.String).alias("entity_code"))
        if "period" not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("period"))
        self._frames.append(frame)

    def to_frame(self) -> pl.DataFrame:
        """Every observation, with the file's name, in the observation schema's dtypes."""
        import polars as pl

        from .core.columns import OBSERVATION_COLUMNS

        if self._frames and self._few_plain_rows():
            return self._observed_frame(self._frames)  # one polars call, not a select per frame
        parts: list[pl.DataFrame] = []
        if self._columns["value"] or not self._frames:
            parts.append(self._observed_frame())
        if self._frames:
            # One select per frame of the plugin's (each polars call costs 0.1 ms or more).
            columns = [
                pl.lit(self.file, dtype=pl.String).alias(name)
                if name == "file"
                else pl.col(name).cast(dtype, strict=False)
                for name, dtype in OBSERVATION_COLUMNS.items()
            ]
            try:
                parts += [f.select(columns) for f in self._frames]
            except Exception:  # a missing column, one that cannot be cast ...
                return self._to_frame_by_steps()  # ... fails there the same way, in the same words
        return parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical")

    def _few_plain_rows(self) -> bool:
        """A few rows in all, what :meth:`observe` recorded plainly typed, and every frame of
        the plugin's in the observation schema's dtypes already: its values are then what
        the select in :meth:`to_frame` would give, and go with the others in one call."""
        from .core.columns import OBSERVATION_COLUMNS

        if len(self) > _FEW_ROWS:
            return False
        wanted = [(name, dtype) for name, dtype in OBSERVATION_COLUMNS.items() if name != "file"]
        if any(f.schema.get(name) != dtype for f in self._frames for name, dtype in wanted):
            return False
        observed = {**self._columns, "file": [self.file] * len(self._columns["value"])}
        return not observed["value"] or _plainly_typed(observed)

    def _observed_frame(self, frames: Iterable[pl.DataFrame] = ()) -> pl.DataFrame:
        """What :meth:`observe` recorded, and the rows of ``frames`` (in the observation
        schema's dtypes) after it, as a frame.

        Every workbook pays this, so polars calls count.  A few rows of plainly typed
        values (what the helpers give) go to polars in one call, as rows; anything else is
        built column by column, each value converted or made null as polars does.
        """
        import polars as pl

        from .core.columns import OBSERVATION_COLUMNS

        data = dict(self._columns)
        for frame in frames:  # new lists: what observe recorded stays as it is
            data.update({name: data[name] + frame.get_column(name).to_list() for name in _COLUMNS})
        data["file"] = [self.file] * len(data["value"])
        if len(data["value"]) <= _FEW_ROWS and _plainly_typed(data):
            rows = list(zip(*(data[name] for name in OBSERVATION_COLUMNS), strict=True))
            try:
                return pl.DataFrame(rows, schema=OBSERVATION_COLUMNS, orient="row")
            except Exception:  # a string polars cannot take: built column by column below
                pass
        return pl.DataFrame(
            [pl.Series(name, data[name], dtype=dtype, strict=False) for name, dtype in OBSERVATION_COLUMNS.items()]
        )

    def _to_frame_by_steps(self) -> pl.DataFrame:
        """:meth:`to_frame` as it was first written (its errors are what plugin authors see)."""
        import polars as pl

        from .core.columns import OBSERVATION_COLUMNS

        data = {**self._columns, "file": [self.file] * len(self._columns["value"])}
        frame = pl.DataFrame(
            [pl.Series(name, data[name], dtype=dtype, strict=False) for name, dtype in OBSERVATION_COLUMNS.items()]
        )
        parts = [frame]
        parts += [
            f.with_columns(pl.lit(self.file).alias("file"))
            .select(list(OBSERVATION_COLUMNS))
            .cast(OBSERVATION_COLUMNS, strict=False)  # type: ignore[arg-type]
            for f in self._frames
        ]
        return pl.concat(parts, how="vertical")

    def sheets_read(self) -> set[str]:
        """The sheets the observations come from."""
        names = set(self._columns["sheet"])
        for frame in self._frames:
            if "sheet" in frame.columns:
                names.update(v for v in frame.get_column("sheet").unique().to_list() if isinstance(v, str))
        return names

    def cells_read(self, sheet: str) -> list[str]:
        """The cells of ``sheet`` the observations come from, in the order read."""
        import polars as pl

        cells = [c for s, c in zip(self._columns["sheet"], self._columns["cell"], strict=True) if s == sheet]
        for frame in self._frames:
            if "sheet" in frame.columns and "cell" in frame.columns:
                cells += frame.filter(pl.col("sheet") == sheet).get_column("cell").to_list()
        return cells

    def __len__(self) -> int:
        return len(self._columns["value"]) + sum(f.height for f in self._frames)

    # -- issues ---------------------------------------------------------------------------

    def issue(
        self, severity: Severity, code: str, detail: str, *, sheet: str | None = None, cell: str | None = None
    ) -> None:
        """Record a problem at ``sheet!cell`` of this workbook (either may be None)."""
        self.issues.append(Issue.at(severity, code, detail, file=self.file, sheet=sheet, cell=cell))

    def error(self, code: str, detail: str, *, sheet: str | None = None, cell: str | None = None) -> None:
        """Record an error: the workbook then contributes no value at all."""
        self.issue("error", code, detail, sheet=sheet, cell=cell)

    def warning(self, code: str, detail: str, *, sheet: str | None = None, cell: str | None = None) -> None:
        """Record a warning: shown in the report, the values still count."""
        self.issue("warning", code, detail, sheet=sheet, cell=cell)

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)

    # -- parsing helpers: each returns None and records an error when the cell is wrong ----

    def count(
        self,
        sheet: Sheet,
        ref: str,
        *,
        units: Iterable[str] = (),
        what: str = "値",
        value: Any = None,
        dashes: bool = False,
    ) -> int | None:
        """The count at ``sheet!ref`` (None when blank — not reported — or wrong).

        A dash alone (``ー`` ``－`` ``-`` …) is "no figure", like a blank; unless the form
        allows dashes (``dashes=True``) a warning says so at the cell.

        :param units: units the form allows typed after the number (``("人",)``)
        :param what: the field's name in messages
        :param value: the value, when the caller already has it (else it is read)
        :param dashes: the form writes a dash for "not known yet" (no warning)
        """
        raw = sheet.value(ref) if value is None else value
        if raw is None and sheet.merged and self.merged_away(sheet, ref, what=what):
            return None
        if is_dash(raw):
            if not dashes:
                self.warning(
                    "no-figure",
                    f'{what} "{raw}" はダッシュだけなので「値なし」（空欄と同じ、未報告）として扱います'
                    "（値があるなら数字を、ゼロなら0を入力してください）",
                    sheet=sheet.name,
                    cell=ref,
                )
            return None
        try:
            return parse_count(raw, units=units, what=what)
        except CellValueError as exc:
            self.error(exc.code, exc.message, sheet=sheet.name, cell=ref)
            return None

    def merged_away(self, sheet: Sheet, ref: str, *, what: str = "値") -> bool:
        """True, with an error at ``ref``, when ``ref`` lies inside a merged range that
        starts at another cell.

        Excel keeps only the merged range's first value and shows it over the whole range:
        whether that figure is this cell's too (or the two cells' total) cannot be told, and
        reading the cell as blank would drop a figure without a word.
        """
        merged = sheet.hidden_by_merge(ref)
        if merged is None:
            return False
        first = merged.partition(":")[0]
        self.error(
            "merged-cell",
            f"{what}の欄が {merged} に結合されていて、{first} の値がこの欄の分でもあるのか決められません"
            "（結合を解除して、それぞれの欄に値を入力してください）",
            sheet=sheet.name,
            cell=ref,
        )
        return True

    def fiscal_year(self, sheet: Sheet, ref: str, *, value: Any = None, what: str = "年度") -> int | None:
        """The fiscal year at ``sheet!ref``, checked to lie in the plan's years."""
        raw = sheet.value(ref) if value is None else value
        if is_blank(raw):
            self.error("missing-value", f"{what}が空欄です（例: 2024、令和6年度）", sheet=sheet.name, cell=ref)
            return None
        try:
            year = parse_fiscal_year(raw)
        except ValueError as exc:
            self.error("bad-fiscal-year", str(exc), sheet=sheet.name, cell=ref)
            return None
        problem = self.plan.year_problem(year, what=what, shown=display(raw))
        if problem is not None:
            self.error("bad-fiscal-year", problem, sheet=sheet.name, cell=ref)
            return None
        return year

    def date(self, sheet: Sheet, ref: str, *, value: Any = None, what: str = "日付") -> dt.date | None:
        """The date at ``sheet!ref`` (an Excel date or one of the text spellings)."""
        raw = sheet.value(ref) if value is None else value
        if is_blank(raw):
            self.error("missing-value", f"{what}が空欄です", sheet=sheet.name, cell=ref)
            return None
        if isinstance(raw, NoCachedValue):
            self.error(
                "formula-without-value",
                f'{what}の数式 "{raw}" に計算結果が保存されていません（Excelで開いて保存し直すか、日付を入力してください）',
                sheet=sheet.name,
                cell=ref,
            )
            return None
        if isinstance(raw, CellError):
            self.error("bad-date", f'{what} "{raw}" は日付ではありません', sheet=sheet.name, cell=ref)
            return None
        try:
            day = parse_date(raw)
        except ValueError as exc:
            self.error("bad-date", str(exc).replace("日付", what, 1), sheet=sheet.name, cell=ref)
            return None
        self.dated.setdefault(day, (sheet.name, ref))
        return day

    def kpi(self, sheet: Sheet, ref: str, *, value: Any = None, what: str = "KPI") -> int | None:
        """The KPI at ``sheet!ref``: its number, its full name or an alias from the plan."""
        raw = sheet.value(ref) if value is None else value
        if is_blank(raw):
            self.error("missing-value", f"{what}が空欄です", sheet=sheet.name, cell=ref)
            return None
        text = normalize_text(display(raw)).upper()
        number: int | None = None
        if text.removeprefix("KPI").strip().isdigit():
            number = int(text.removeprefix("KPI").strip())
        else:
            kpi = self.plan.kpi_named(text)
            number = kpi.number if kpi else None
        if number is None:  # a mark before a name (①関係人口数), a unit in brackets, 関係人口 for 関係人口数 …
            label = parse_kpi_label(raw, self.plan)
            number = label.number if label is not None and not label.conflict else None
        if number is None or self.plan.kpi(number) is None:
            known = "、".join(k.label for k in self.plan.kpis)
            self.error(
                "unknown-kpi",
                f'{what} "{display(raw)}" は計画のKPIではありません（{known}）',
                sheet=sheet.name,
                cell=ref,
            )
            return None
        return number

    def body_code(self, sheet: Sheet, ref: str, *, value: Any = None) -> str | None:
        """The 団体コード at ``sheet!ref``, checked (check digit, body of the plan)."""
        raw = sheet.value(ref) if value is None else value
        try:
            code = normalize_code(raw)
        except CodeError as exc:
            self.error("bad-code", str(exc), sheet=sheet.name, cell=ref)
            return None
        if self.plan.body(code) is None:
            self.error(
                "unknown-body", f'団体コード "{code}" はこの計画の団体ではありません', sheet=sheet.name, cell=ref
            )
            return None
        return code
