"""The committees' verdicts of a consolidation: which review sheet stands for each body and
year, what saisei suggests beside it, and what changed since the committee met.

For one body and fiscal year the sheet of the latest meeting (検証日) stands; of two
sheets of the same meeting, the one given in the later run (a correction).  An older
sheet with other answers is superseded and listed (改訂履歴).  Two sheets of the same
meeting with different answers in the same run are two readings: an error naming both,
and neither stands.  The same sheet given twice counts once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .core.issues import Issue
from .core.plan import Plan
from .core.verdict import KPIProgress, Verdict

if TYPE_CHECKING:
    import polars as pl

__all__ = ["VERDICT_COLUMNS", "Settled", "settle", "verdict_frames"]


@dataclass(frozen=True)
class Settled:
    """The verdicts that stand, those superseded (old, new), and the issues found."""

    standing: list[Verdict]
    superseded: list[tuple[Verdict, Verdict]]
    issues: list[Issue]


def settle(candidates: Iterable[tuple[Verdict, int]]) -> Settled:
    """``candidates``: each verdict with the run (gathering) its sheet came in."""
    groups: dict[tuple[str, int], list[tuple[Verdict, int]]] = {}
    for verdict, gathering in candidates:
        groups.setdefault((verdict.entity_code, verdict.fiscal_year), []).append((verdict, gathering))
    standing: list[Verdict] = []
    superseded: list[tuple[Verdict, Verdict]] = []
    issues: list[Issue] = []
    for key in sorted(groups):
        items = sorted(groups[key], key=lambda item: (item[0].reviewed_on, item[1], item[0].file))
        latest, gathering = items[-1]
        rivals = [
            v
            for v, g in items[:-1]
            if (v.reviewed_on, g) == (latest.reviewed_on, gathering) and not v.same_answers(latest)
        ]
        if rivals:
            other = rivals[0]
            issues.append(
                Issue.at(
                    "error",
                    "verdict-conflict",
                    f"{key[1]}年度の検証結果が2つあり、答えが違います（同じ検証日 {latest.reviewed_on.isoformat()}）: "
                    f"{other.file}!{other.sheet} と {latest.file}!{latest.sheet}（どちらが正しいか決められません。"
                    "正しい方だけを提出してください）",
                    file=latest.file,
                    sheet=latest.sheet,
                    cell=latest.cells[1],
                )
            )
            continue
        standing.append(latest)
        seen: list[Verdict] = []
        for older, _ in items[:-1]:
            if older.same_answers(latest) or any(older.same_answers(s) for s in seen):
                continue
            seen.append(older)
            superseded.append((older, latest))
    return Settled(standing, superseded, issues)


#: The columns of :attr:`saisei.results.Consolidation.verdicts`.
VERDICT_COLUMNS = (
    "entity_code",
    "entity",
    "fiscal_year",
    "effect",
    "policy",
    "opinion",
    "reviewed_on",
    "suggested_effect",
    "sources",
)


def verdict_frames(
    settled: Settled, plan: Plan, values: pl.DataFrame, summary: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, list[Issue]]:
    """The verdicts frame, the superseded verdicts frame, and a warning for every figure
    of a standing sheet that differs from the figure consolidated now."""
    import polars as pl

    names = {b.code: b.name for b in plan.bodies}
    rows = []
    issues: list[Issue] = []
    current = {(c, y, k): v for c, y, k, v in values.select("entity_code", "fiscal_year", "kpi", "value").iter_rows()}
    for verdict in settled.standing:
        year_rows = summary.filter(pl.col("fiscal_year") == verdict.fiscal_year)
        baseline = {k.number: k.baseline for k in plan.kpis}
        progress = [
            KPIProgress(r["achievement"], r["level"], baseline[r["kpi"]]) for r in year_rows.iter_rows(named=True)
        ]
        rows.append(
            (
                verdict.entity_code,
                names.get(verdict.entity_code, verdict.entity_code),
                verdict.fiscal_year,
                verdict.effect,
                verdict.policy,
                verdict.opinion,
                verdict.reviewed_on,
                plan.verdict.suggest(progress),
                verdict.sources,
            )
        )
        for figure in verdict.figures:
            now = current.get((verdict.entity_code, verdict.fiscal_year, figure.kpi))
            if figure.value is not None and now is not None and now != figure.value:
                kpi = plan.kpi(figure.kpi)
                issues.append(
                    Issue.at(
                        "warning",
                        "verdict-figures-changed",
                        f"検証時の{kpi.label if kpi else figure.kpi}の実績値 {figure.value:,} と、いまの集計値 {now:,} が違います"
                        "（検証の後に数値が改訂されました。必要なら委員会に報告してください）",
                        file=verdict.file,
                        sheet=verdict.sheet,
                        cell=figure.cell,
                    )
                )
    schema: dict[str, Any] = {
        "entity_code": pl.String,
        "entity": pl.String,
        "fiscal_year": pl.Int64,
        "effect": pl.String,
        "policy": pl.String,
        "opinion": pl.String,
        "reviewed_on": pl.Date,
        "suggested_effect": pl.String,
        "sources": pl.List(pl.String),
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    old_schema: dict[str, Any] = {
        "entity_code": pl.String,
        "entity": pl.String,
        "fiscal_year": pl.Int64,
        "old_effect": pl.String,
        "old_policy": pl.String,
        "old_reviewed_on": pl.Date,
        "new_effect": pl.String,
        "new_policy": pl.String,
        "new_reviewed_on": pl.Date,
        "old_sources": pl.List(pl.String),
        "new_sources": pl.List(pl.String),
    }
    old = pl.DataFrame(
        [
            (
                o.entity_code,
                names.get(o.entity_code, o.entity_code),
                o.fiscal_year,
                o.effect,
                o.policy,
                o.reviewed_on,
                n.effect,
                n.policy,
                n.reviewed_on,
                o.sources,
                n.sources,
            )
            for o, n in settled.superseded
        ],
        schema=old_schema,
        orient="row",
    )
    return frame, old, issues
