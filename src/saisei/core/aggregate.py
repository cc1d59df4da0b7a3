"""The aggregation rules, over whole polars frames.

1. **Within one workbook rows add up** (events, quarters, months): one *figure* per
   submission, body, fiscal year and KPI.  A figure is provisional when any of its rows
   is.
2. **Across workbooks** for the same body, year and KPI: a final figure replaces a
   provisional one (the replacement is a *revision*); figures of the same status that
   agree are one figure, not two (a file given twice does not double a total); figures
   of the same status that disagree are an error naming both files, and the body then
   contributes no value for that year and KPI — a total is never silently wrong.
3. **Totals** per fiscal year and KPI are sums over bodies; achievement = actual ÷ target
   increase; level = baseline + the increases up to that year.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from .issues import Issue
from .plan import Plan

__all__ = [
    "KEY",
    "Reconciliation",
    "combine_within",
    "compact_sources",
    "reconcile",
    "summary",
    "totals",
]

KEY = ["entity_code", "fiscal_year", "kpi"]
FIGURE_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "submission": pl.Int64,
    "file": pl.String,
    "entity_code": pl.String,
    "fiscal_year": pl.Int64,
    "kpi": pl.Int64,
    "value": pl.Int64,
    "status": pl.String,
    "sources": pl.List(pl.String),
}


def combine_within(observations: pl.DataFrame) -> pl.DataFrame:
    """Rule 1: add up a workbook's rows into one figure per body, year and KPI.

    ``observations`` has the observation columns plus ``submission`` (which workbook).
    ``sources`` lists the cells, compacted into ranges (``f!s!E4:E9``).
    """
    if observations.is_empty():
        return pl.DataFrame(schema=FIGURE_COLUMNS)
    grouped = (
        observations.group_by(["submission", "file", *KEY])
        .agg(
            pl.col("value").sum(),
            pl.when((pl.col("status") == "provisional").any())
            .then(pl.lit("provisional"))
            .otherwise(pl.lit("final"))
            .alias("status"),
            pl.concat_str(["file", "sheet"], separator="!").alias("_where"),
            pl.col("cell"),
        )
        .sort(["submission", *KEY])
    )
    sources = [
        compact_sources(zip(where, cells, strict=True))
        for where, cells in zip(grouped["_where"].to_list(), grouped["cell"].to_list(), strict=True)
    ]
    return (
        grouped.drop("_where", "cell")
        .with_columns(pl.Series("sources", sources, dtype=pl.List(pl.String)))
        .select(list(FIGURE_COLUMNS))
    )


_CELL = re.compile(r"([A-Z]+)([0-9]+)")


def compact_sources(cells: Iterable[tuple[str, str]]) -> list[str]:
    """Merge ``(file!sheet, cell)`` pairs into sorted references, runs as ranges.

    ``[("a!s", "E4"), ("a!s", "E5"), ("a!s", "E6"), ("a!s", "G2")]`` →
    ``["a!s!E4:E6", "a!s!G2"]``: a value drawn from 30,000 ledger rows stays one line.
    """
    by_column: dict[tuple[str, str], set[int]] = defaultdict(set)
    for where, cell in cells:
        m = _CELL.fullmatch(cell)
        if m is None:
            by_column[(where, cell)].add(0)
            continue
        by_column[(where, m.group(1))].add(int(m.group(2)))
    out: list[str] = []
    for where, column in sorted(by_column, key=lambda k: (k[0], len(k[1]), k[1])):
        rows = sorted(by_column[(where, column)])
        if rows == [0]:
            out.append(f"{where}!{column}")
            continue
        start = prev = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == prev + 1:
                prev = row
                continue
            ref = f"{column}{start}" if start == prev else f"{column}{start}:{column}{prev}"
            out.append(f"{where}!{ref}")
            if row is not None:
                start = prev = row
    return out


def source_key(source: str) -> tuple[str, str, int, str]:
    """Order ``file!sheet!E10`` after ``file!sheet!E4``: by file, sheet, row, column."""
    file, _, rest = source.partition("!")
    sheet, _, cell = rest.rpartition("!")
    m = _CELL.match(cell)
    return (file, sheet, int(m.group(2)), m.group(1)) if m else (file, sheet, 0, cell)


@dataclass(frozen=True)
class Reconciliation:
    values: pl.DataFrame  # entity_code, fiscal_year, kpi, value, status, sources, files
    revisions: pl.DataFrame  # a provisional figure a final one replaced
    issues: tuple[Issue, ...]


def reconcile(figures: pl.DataFrame) -> Reconciliation:
    """Rule 2: one value per body, year and KPI out of every workbook's figures."""
    ranked = figures.with_columns(
        (pl.col("status") == "final").alias("_final"),
    ).with_columns(pl.col("_final").any().over(KEY).alias("_has_final"))
    candidates = ranked.filter(pl.col("_final") == pl.col("_has_final"))
    grouped = (
        candidates.group_by(KEY)
        .agg(
            pl.col("value").min().alias("_min"),
            pl.col("value").max().alias("_max"),
            pl.col("value").first(),
            pl.col("status").first(),
            pl.col("sources").explode().unique().sort(),
            pl.col("file").unique().sort().alias("files"),
            pl.struct("file", "value", "sources").sort_by("file", "value").alias("_figures"),
        )
        .sort(KEY)
    )
    agreed = grouped.filter(pl.col("_min") == pl.col("_max"))
    issues = tuple(
        _conflict_issue(row) for row in grouped.filter(pl.col("_min") != pl.col("_max")).iter_rows(named=True)
    )
    values = agreed.select(*KEY, "value", "status", "sources", "files").with_columns(
        pl.Series("sources", [sorted(s, key=source_key) for s in agreed["sources"].to_list()], dtype=pl.List(pl.String))
    )
    revisions = (
        ranked.filter(~pl.col("_final") & pl.col("_has_final"))
        .select(
            *KEY,
            pl.col("value").alias("old_value"),
            pl.col("file").alias("old_file"),
            pl.col("sources").alias("old_sources"),
        )
        .join(
            values.select(
                *KEY,
                pl.col("value").alias("new_value"),
                pl.col("files").alias("new_files"),
                pl.col("sources").alias("new_sources"),
            ),
            on=KEY,
            how="inner",
        )
        .sort([*KEY, "old_file"])
    )
    return Reconciliation(values, revisions, issues)


def _conflict_issue(row: dict[str, object]) -> Issue:
    figures = row["_figures"]
    assert isinstance(figures, list)
    kind = "確定値" if row["status"] == "final" else "見込み値"
    listed = "、".join(f"{f['file']}（{f['value']:,}）" for f in figures)
    first_source = figures[-1]["sources"][0] if figures[-1]["sources"] else ""
    file, sheet, cell = ([*first_source.split("!"), "", "", ""])[:3]
    detail = (
        f"団体 {row['entity_code']} の {row['fiscal_year']}年度 KPI{row['kpi']} の{kind}が"
        f"ブックによって食い違います: {listed}（どちらが正しいか確認し、誤ったブックを直して"
        "ください。この値は集計に含めていません）"
    )
    return Issue.at("error", "conflicting-figures", detail, file=file or None, sheet=sheet or None, cell=cell or None)


TOTAL_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "fiscal_year": pl.Int64,
    "kpi": pl.Int64,
    "value": pl.Int64,
    "target": pl.Int64,
    "achievement": pl.Float64,
    "bodies_reported": pl.UInt32,
    "provisional_bodies": pl.UInt32,
}


def _targets_frame(plan: Plan) -> pl.DataFrame:
    rows = [
        {"fiscal_year": fy, "kpi": k.number, "target": k.target(fy), "baseline": k.baseline}
        for k in plan.kpis
        for fy in plan.fiscal_years
    ]
    return pl.DataFrame(
        rows, schema={"fiscal_year": pl.Int64, "kpi": pl.Int64, "target": pl.Int64, "baseline": pl.Int64}
    )


def totals(values: pl.DataFrame, plan: Plan) -> pl.DataFrame:
    """Rule 3: per fiscal year and KPI that has any value, the sum over bodies."""
    if values.is_empty():
        return pl.DataFrame(schema=TOTAL_COLUMNS)
    summed = values.group_by("fiscal_year", "kpi").agg(
        pl.col("value").sum(),
        pl.len().alias("bodies_reported"),
        (pl.col("status") == "provisional").sum().cast(pl.UInt32).alias("provisional_bodies"),
    )
    return (
        summed.join(_targets_frame(plan).drop("baseline"), on=["fiscal_year", "kpi"], how="left")
        .with_columns(
            pl.when(pl.col("target") > 0).then(pl.col("value") / pl.col("target")).otherwise(None).alias("achievement"),
            pl.col("bodies_reported").cast(pl.UInt32),
        )
        .select(list(TOTAL_COLUMNS))
        .sort("fiscal_year", "kpi")
    )


def summary(values: pl.DataFrame, plan: Plan) -> pl.DataFrame:
    """Every fiscal year and KPI of the plan (reported or not), with level and rating.

    ``value`` is null where no body reported (a blank is never a zero); ``level`` is
    baseline + the increases up to that year, null when any of those years is missing.
    """
    per_year = totals(values, plan).drop("target", "achievement")
    frame = (
        _targets_frame(plan)
        .join(per_year, on=["fiscal_year", "kpi"], how="left")
        .sort("kpi", "fiscal_year")
        .with_columns(
            pl.when(pl.col("target") > 0).then(pl.col("value") / pl.col("target")).alias("achievement"),
            (pl.col("baseline") + pl.col("value").cum_sum().over("kpi")).alias("level"),
            pl.col("value").is_null().cum_max().over("kpi").alias("_gap"),
            (pl.col("baseline") + pl.col("target").cum_sum().over("kpi")).alias("target_level"),
        )
        .with_columns(pl.when(pl.col("_gap")).then(None).otherwise(pl.col("level")).alias("level"))
        .drop("_gap")
    )
    ratings = [
        plan.rating.rate(a, lv, b)
        for a, lv, b in zip(frame["achievement"], frame["level"], frame["baseline"], strict=True)
    ]
    return frame.with_columns(pl.Series("rating", ratings, dtype=pl.String)).sort("fiscal_year", "kpi")
