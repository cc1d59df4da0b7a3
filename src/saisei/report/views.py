"""What the report's sheets and the published pages show, computed from a consolidation.

Plain rows (tuples and small dataclasses) that the workbook writer and the HTML writer
both use, so the two can never disagree.  The frames are small (bodies × years × KPIs),
the joins are polars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.fiscal import fiscal_year_label
from ..core.plan import SECTORS, Body, Plan
from ..schedule import ScheduledMeeting, upcoming

if TYPE_CHECKING:
    from ..results import Consolidation

__all__ = [
    "BodyStatus",
    "body_rows",
    "committee_text",
    "reporting_status",
    "revision_rows",
    "source_rows",
    "split_source",
    "summary_rows",
    "verification_rows",
]

STATUS_LABEL = {"final": "確定", "provisional": "見込み", None: "未報告"}


@dataclass(frozen=True)
class SummaryRow:
    """One KPI in one fiscal year, as on 総括."""

    kpi: int
    label: str  # KPI①
    name: str
    short_name: str
    unit: str
    baseline: int
    fiscal_year: int
    target: int | None
    value: int | None
    achievement: float | None
    level: int | None
    target_level: int | None
    rating: str | None
    bodies_reported: int
    provisional_bodies: int

    def rating_shown(self, fiscal_year_under_review: int) -> str | None:
        """The rating, except for a year still running on the as-of date: （年度途中）."""
        if self.fiscal_year > fiscal_year_under_review and self.value is not None:
            return RUNNING
        return self.rating


RUNNING = "（年度途中）"


def summary_rows(result: Consolidation) -> list[SummaryRow]:
    """Every KPI of the plan by fiscal year (KPI first), from :meth:`Consolidation.summary`."""
    rows = []
    frame = result.summary().sort("kpi", "fiscal_year")
    for r in frame.iter_rows(named=True):
        kpi = result.plan.kpi(r["kpi"])
        assert kpi is not None
        rows.append(
            SummaryRow(
                kpi=r["kpi"],
                label=kpi.label,
                name=kpi.name,
                short_name=kpi.short_name,
                unit=kpi.unit,
                baseline=kpi.baseline,
                fiscal_year=r["fiscal_year"],
                target=r["target"],
                value=r["value"],
                achievement=r["achievement"],
                level=r["level"],
                target_level=r["target_level"],
                rating=r["rating"],
                bodies_reported=r["bodies_reported"] or 0,
                provisional_bodies=r["provisional_bodies"] or 0,
            )
        )
    return rows


@dataclass(frozen=True)
class BodyStatus:
    """A body's figures for one fiscal year: per KPI it reports, final / provisional / None."""

    body: Body
    statuses: dict[int, str | None]

    @property
    def missing(self) -> list[int]:
        return [k for k, s in self.statuses.items() if s is None]

    @property
    def provisional(self) -> list[int]:
        return [k for k, s in self.statuses.items() if s == "provisional"]


def reporting_status(result: Consolidation, fiscal_year: int) -> list[BodyStatus]:
    """Every body of the plan, in code order, with the status of each KPI it reports."""
    import polars as pl  # imported when a report is built: importing the report stays quick

    have = {
        (code, kpi): status
        for code, kpi, status in result.values.filter(pl.col("fiscal_year") == fiscal_year)
        .select("entity_code", "kpi", "status")
        .iter_rows()
    }
    plan = result.plan
    return [
        BodyStatus(body, {k.number: have.get((body.code, k.number)) for k in plan.kpis_for(body.code)})
        for body in plan.bodies
    ]


BODY_HEADER = (
    "団体コード",
    "団体名",
    "年度",
    "KPI",
    "指標名",
    "実績値",
    "区分",
    "全団体の合計",
    "構成比",
)


def body_rows(result: Consolidation) -> list[tuple[Any, ...]]:
    """団体別: every body × KPI it reports × fiscal year up to the year under review (and any
    later year with a figure), with status (確定/見込み/未報告) and its share of the total.
    """
    import polars as pl  # as in reporting_status

    plan = result.plan
    grid = pl.DataFrame(
        [
            {"entity_code": b.code, "fiscal_year": fy, "kpi": k.number}
            for b in plan.bodies
            for k in plan.kpis_for(b.code)
            for fy in plan.fiscal_years
        ],
        schema={"entity_code": pl.String, "fiscal_year": pl.Int64, "kpi": pl.Int64},
    )
    key = ["entity_code", "fiscal_year", "kpi"]
    totals = result.values.group_by("fiscal_year", "kpi").agg(pl.col("value").sum().alias("total"))
    frame = (
        grid.join(result.values.select(*key, "value", "status"), on=key, how="full", coalesce=True)
        .filter((pl.col("fiscal_year") <= result.fiscal_year_under_review) | pl.col("value").is_not_null())
        .join(totals, on=["fiscal_year", "kpi"], how="left")
        .with_columns(
            pl.when(pl.col("value").is_not_null() & (pl.col("total") > 0))
            .then(pl.col("value") / pl.col("total"))
            .otherwise(None)
            .alias("share")
        )
        .sort(key)
    )
    rows = []
    for r in frame.iter_rows(named=True):
        body = plan.body(r["entity_code"])
        kpi = plan.kpi(r["kpi"])
        rows.append(
            (
                r["entity_code"],
                body.name if body else "",
                r["fiscal_year"],
                r["kpi"],
                kpi.name if kpi else "",
                r["value"],
                STATUS_LABEL[r["status"]],
                r["total"],
                None if r["share"] is None else round(r["share"], 6),
            )
        )
    return rows


def committee_text(body: Body) -> str:
    """Members by sector, one sector a line: ``学: 山形大学、東北大学``."""
    lines = [f"{SECTORS[s]}: {'、'.join(body.committee.members[s])}" for s in body.committee.sectors()]
    if body.committee.and_others:
        lines.append("ほか")
    return "\n".join(lines)


VERIFICATION_HEADER = (
    "団体コード",
    "団体名",
    "検証時期",
    "次回の検証",
    "審査する年度",
    "数値",
    *SECTORS.values(),
    "委員（分野別）",
    "検証方法",
    "公表先",
)


def verification_rows(plan: Plan, as_of: dt.date) -> list[tuple[Any, ...]]:
    """検証体制: per body in code order its month, next meeting, coverage (○) and publication."""
    by_code: dict[str, ScheduledMeeting] = {m.body.code: m for m in upcoming(plan, as_of)}
    rows = []
    for body in plan.bodies:
        item = by_code[body.code]
        rows.append(
            (
                body.code,
                body.name,
                f"{body.verification_month}月",
                item.first_day,
                fiscal_year_label(item.reviews_fiscal_year),
                "見込み（年度末前）" if item.on_estimates else "確定",
                *("○" if body.committee.covers(s) else None for s in SECTORS),
                committee_text(body),
                body.method,
                body.publication_channel,
            )
        )
    return rows


REVISION_HEADER = (
    "団体コード",
    "団体名",
    "年度",
    "KPI",
    "旧の値",
    "新の値",
    "差",
    "旧の出典",
    "新の出典",
    "改訂の種別",
    "旧の値を受理した集計",
)

REVISION_KIND = {"provisional-final": "見込み値→確定値", "revised-final": "確定値の改訂"}


def revision_rows(result: Consolidation) -> list[tuple[Any, ...]]:
    """改訂履歴: every figure a newer one replaced (a provisional by a final; with a record,
    an accepted final by a different final, across years), with both sources."""
    rows = []
    for r in result.revisions.iter_rows(named=True):
        body = result.plan.body(r["entity_code"])
        rows.append(
            (
                r["entity_code"],
                body.name if body else "",
                r["fiscal_year"],
                r["kpi"],
                r["old_value"],
                r["new_value"],
                r["new_value"] - r["old_value"],
                "\n".join(r["old_sources"]) or r["old_file"],
                "\n".join(r["new_sources"]) or "\n".join(r["new_files"]),
                REVISION_KIND.get(r["kind"], r["kind"]),
                f"{r['old_accepted']} 基準の集計" if r["old_accepted"] else "（受理前に置き換え）",
            )
        )
    return rows


SOURCE_HEADER = (
    "団体コード",
    "団体名",
    "年度",
    "KPI",
    "実績値",
    "区分",
    "ファイル",
    "シート",
    "セル",
    "出典",
)


def split_source(source: str, files: Collection[str]) -> tuple[str, str, str]:
    """``file!sheet!E4:E9`` → (file, sheet, ``E4:E9``); file names may hold ``!``.

    ``files`` are the names of the files read (the longest that prefixes the source wins).
    Only the prefixes that end before a ``!`` are looked up, longest first: 20,000 sources
    against 1,741 files stay linear (a scan of every name for every source took seconds).
    """
    names = files if isinstance(files, set | frozenset) else set(files)
    file = None
    end = source.rfind("!")
    while end > 0:
        if source[:end] in names:
            file = source[:end]
            break
        end = source.rfind("!", 0, end)
    if file is None:
        file, _, rest = source.partition("!")
    else:
        rest = source[len(file) + 1 :]
    sheet, _, cell = rest.rpartition("!")
    if not sheet:  # no cell part: ``file!sheet``
        sheet, cell = cell, ""
    return file, sheet, cell


def source_rows(result: Consolidation) -> list[tuple[Any, ...]]:
    """出典: one row per consolidated value and source (a cell or a range of cells)."""
    files = {f.name for f in result.files}
    rows = []
    for r in result.values.explode("sources").iter_rows(named=True):
        source = r["sources"] or ""
        file, sheet, cell = split_source(source, files)
        rows.append(
            (
                r["entity_code"],
                r["entity"],
                r["fiscal_year"],
                r["kpi"],
                r["value"],
                STATUS_LABEL[r["status"]],
                file,
                sheet,
                cell,
                source,
            )
        )
    return rows
