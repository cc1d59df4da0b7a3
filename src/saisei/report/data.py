"""The report's data in plain form: the JSON document, the CSV, the data sheets' rows.

These follow 総務省's rules for machine-readable statistics: one header row, one value
per cell, numbers as numbers, years as 西暦 numbers, codes as six-digit text.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from ..collect import VALUE_HEADER
from ..core.text import safe_text

if TYPE_CHECKING:
    from ..results import Consolidation

__all__ = ["STATUS_JA", "VALUE_HEADER", "csv_safe", "kpi_rows", "to_dict", "value_rows", "values_csv"]

STATUS_JA = {"final": "確定", "provisional": "見込み"}
KPI_HEADER = (
    "年度",
    "KPI",
    "指標名",
    "目標値",
    "実績値",
    "達成率",
    "単位",
    "報告団体数",
    "見込み団体数",
    "基準値",
    "到達水準",
    "評価",
)

SOURCE_SEPARATOR = "\n"
EXCEL_CELL_LIMIT = 32_767


def sources_text(sources: list[str]) -> str:
    """Sources for one cell of a sheet, within Excel's 32,767-character limit."""
    text = SOURCE_SEPARATOR.join(sources)
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    kept: list[str] = []
    size = 0
    for i, s in enumerate(sources):
        tail = f"{SOURCE_SEPARATOR}…ほか{len(sources) - i}件（出典シート参照）"
        if size + len(s) + len(tail) + 1 > EXCEL_CELL_LIMIT:
            return SOURCE_SEPARATOR.join(kept) + tail
        kept.append(s)
        size += len(s) + 1
    return text


def value_rows(result: Consolidation) -> list[tuple[Any, ...]]:
    """Rows of 実績データ / values.csv: one per body, fiscal year and KPI."""
    return [
        (
            r["entity_code"],
            r["entity"],
            r["fiscal_year"],
            r["kpi"],
            r["value"],
            STATUS_JA[r["status"]],
            sources_text(r["sources"]),
        )
        for r in result.values.iter_rows(named=True)
    ]


def kpi_rows(result: Consolidation) -> list[tuple[Any, ...]]:
    """Rows of KPI集計: every fiscal year and KPI of the plan (blank where none reported)."""
    rows = []
    for r in result.summary().iter_rows(named=True):
        kpi = result.plan.kpi(r["kpi"])
        assert kpi is not None
        rows.append(
            (
                r["fiscal_year"],
                r["kpi"],
                kpi.name,
                r["target"],
                r["value"],
                None if r["achievement"] is None else round(r["achievement"], 6),
                kpi.unit,
                r["bodies_reported"] or 0,
                r["provisional_bodies"] or 0,
                kpi.baseline,
                r["level"],
                r["rating"],
            )
        )
    return rows


def values_csv(result: Consolidation) -> bytes:
    """values.csv: UTF-8 with a BOM (so Excel opens it), CRLF, text never a formula.

    One row per body, fiscal year and KPI; 出典 lists the source cells separated by ``; ``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(VALUE_HEADER)
    for r in result.values.iter_rows(named=True):
        row = (
            r["entity_code"],
            r["entity"],
            r["fiscal_year"],
            r["kpi"],
            r["value"],
            STATUS_JA[r["status"]],
            "; ".join(r["sources"]),
        )
        writer.writerow([csv_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


#: What a spreadsheet may take as the start of a formula, once it strips blanks or folds
#: full-width characters: these lead a text only behind an apostrophe.
_FORMULA_START = frozenset("=+-@\t\r\n \u3000＝＋－＠")


def csv_safe(value: Any) -> Any:
    """Text that a spreadsheet could run as a formula gets a leading apostrophe; control
    characters are written as visible escapes."""
    if not isinstance(value, str):
        return value
    value = safe_text(value)
    return "'" + value if value[:1] in _FORMULA_START else value


def to_dict(result: Consolidation) -> dict[str, Any]:
    """The JSON document of ``saisei consolidate --json``."""
    values = result.values.select(
        "entity_code", "entity", "fiscal_year", "kpi", "value", "status", "sources"
    ).to_dicts()
    totals = result.totals.select(
        "fiscal_year", "kpi", "value", "target", "achievement", "bodies_reported", "provisional_bodies"
    ).to_dicts()
    revisions = result.revisions.select(
        "entity_code",
        "fiscal_year",
        "kpi",
        "kind",
        "old_value",
        "new_value",
        "old_file",
        "new_files",
        "old_sources",
        "new_sources",
        "old_accepted",
    ).to_dicts()
    verdicts = []
    if result.verdicts is not None:
        for v in result.verdicts.iter_rows(named=True):
            verdicts.append({**v, "reviewed_on": v["reviewed_on"].isoformat()})
    return {
        "fiscal_year_under_review": result.fiscal_year_under_review,
        "values": values,
        "totals": totals,
        "issues": [i.to_dict() for i in result.issues],
        "as_of": result.as_of.isoformat(),
        "plan": result.plan.name,
        "record_run": result.run,  # the record's number for this run (null without a record)
        "revisions": revisions,
        "verdicts": verdicts,
        "files": [
            {
                "file": safe_text(f.name),
                "plugin": f.plugin,
                "entity_code": f.entity_code,
                "as_of": f.as_of.isoformat() if f.as_of else None,
                "observations": 0 if f.frame is None else f.frame.height,
                "errors": sum(1 for i in f.issues if i.is_error),
                "warnings": sum(1 for i in f.issues if not i.is_error),
            }
            for f in result.files
        ],
    }
