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


#: A column of one sheet whose cells form more runs than this is cited as one range with a
#: count (``f!s!E4:E100003（うち33,412セル）``): a value drawn from 30,000 ledger rows stays
#: one line.  Every cell stays in the observations (``observations.parquet``).
MAX_RUNS = 20


def combine_within(observations: pl.DataFrame, *, max_runs: int = MAX_RUNS) -> pl.DataFrame:
    """Rule 1: add up a workbook's rows into one figure per body, year and KPI.

    ``observations`` has the observation columns plus ``submission`` (which workbook).
    ``sources`` lists the cells, consecutive rows compacted into ranges (``f!s!E4:E9``).
    """
    if observations.is_empty():
        return pl.DataFrame(schema=FIGURE_COLUMNS)
    keys = ["submission", "file", *KEY]
    figures = observations.group_by(keys).agg(
        pl.col("value").sum(),
        pl.when((pl.col("status") == "provisional").any())
        .then(pl.lit("provisional"))
        .otherwise(pl.lit("final"))
        .alias("status"),
    )
    sources = _sources(observations, keys, max_runs)
    joined = figures.join(sources, on=keys, how="left")  # pragma: no mutate (each figure has cells: inner is the same)
    return joined.sort(keys).select(list(FIGURE_COLUMNS))


def _thousands(n: int) -> str:
    return f"{n:,}"


def _sources(observations: pl.DataFrame, keys: list[str], max_runs: int, where: pl.Expr | None = None) -> pl.DataFrame:
    """Per figure, its cells as sorted references: runs of rows as ranges, long columns as one.

    ``where``: what each reference starts with (by default ``file!sheet``).
    """
    column = [*keys, "_where", "_col"]
    cells = observations.select(
        *keys,
        (pl.concat_str(["file", "sheet"], separator="!") if where is None else where).alias("_where"),
        pl.col("cell").str.extract(r"^([A-Z]+)").alias("_col"),
        pl.col("cell").str.extract(r"([0-9]+)$").cast(pl.Int64).alias("_row"),
    )
    # Each column of a sheet, per figure, grouped on its string keys once and numbered
    # (_g): the runs are then found by sorting and grouping integers only.  (A window per
    # group costs polars a lot with 20,000 one-cell groups; a sort on the string keys, with
    # 100,000 ledger rows.)
    groups = cells.group_by(column).agg(pl.col("_row").unique()).with_row_index("_g")
    g, r = pl.col("_g"), pl.col("_row")
    new_run = (g != g.shift(1)) | (r != r.shift(1) + 1)
    starts = new_run.fill_null(True)  # pragma: no mutate (False numbers the runs from 0, not 1: the same runs)
    runs = (
        groups.select("_g", "_row")
        .explode("_row")
        .sort("_g", "_row")
        .with_columns(starts.cum_sum().alias("_run"))
        .group_by("_run")
        .agg(g.first(), r.min().alias("_first"), r.max().alias("_last"), pl.len().alias("_n"))
    )
    per_group = runs.group_by("_g").agg(
        pl.len().alias("_runs"),
        pl.col("_n").sum().alias("_cells"),
        pl.col("_first").min().alias("_top"),
        pl.col("_last").max().alias("_bottom"),
    )
    named = groups.drop("_row")
    counted = pl.col("_cells").map_elements(_thousands, return_dtype=pl.String)  # pragma: no mutate (same text)
    collapsed = (
        per_group.filter(pl.col("_runs") > max_runs)
        .join(named, on="_g")
        .with_columns(
            pl.format(
                "{}!{}{}:{}{}（うち{}セル）",
                "_where",
                "_col",
                "_top",
                "_col",
                "_bottom",
                counted,
            ).alias("_ref")
        )
        .select(*column, pl.col("_top").alias("_first"), "_ref")
    )
    single = pl.format("{}!{}{}", "_where", "_col", "_first")
    ranged = pl.format("{}!{}{}:{}{}", "_where", "_col", "_first", "_col", "_last")
    kept = (
        runs.join(per_group.filter(pl.col("_runs") <= max_runs).select("_g"), on="_g")
        .join(named, on="_g")
        .with_columns(pl.when(pl.col("_first") == pl.col("_last")).then(single).otherwise(ranged).alias("_ref"))
        .select(*column, "_first", "_ref")
    )
    return (
        pl.concat([kept, collapsed.cast(kept.schema)])
        .sort([*keys, "_where", "_first", "_col"])
        .group_by(keys)  # each list in the sorted order; the groups are joined on their keys
        .agg(pl.col("_ref").alias("sources"))
    )


_CELL = re.compile(r"([A-Z]+)([0-9]+)")


def compact_sources(cells: Iterable[tuple[str, str]], *, max_runs: int = MAX_RUNS) -> list[str]:
    """Merge ``(file!sheet, cell)`` pairs into sorted references, runs as ranges.

    ``[("a!s", "E4"), ("a!s", "E5"), ("a!s", "E6"), ("a!s", "G2")]`` →
    ``["a!s!E4:E6", "a!s!G2"]`` — the same as :func:`combine_within` gives, for one figure.
    A place without a sheet's name stays as it is given: ``("a", "E4")`` → ``"a!E4"``.
    """
    rows = [(where, cell) for where, cell in cells]
    if not rows:
        return []
    frame = pl.DataFrame(
        {
            "file": [w.partition("!")[0] for w, _ in rows],
            "where": [w for w, _ in rows],
            "cell": [c for _, c in rows],
        }
    )
    result = _sources(frame, ["file"], max_runs, where=pl.col("where"))
    out: list[str] = []
    for refs in result.sort("file")["sources"].to_list():
        out.extend(refs)
    return out


def source_key(source: str) -> tuple[str, str, int, str]:
    """Order ``file!sheet!E10`` after ``file!sheet!E4``: by file, sheet, row, column."""
    file, _, rest = source.partition("!")
    sheet, _, cell = rest.rpartition("!")
    m = _CELL.match(cell)
    return (file, sheet, int(m.group(2)), m.group(1)) if m else (file, sheet, 0, cell)


def _sorted_sources(frame: pl.DataFrame) -> pl.Series:
    """Each row's ``sources`` in :func:`source_key` order, for every row at once.

    The same order as ``sorted(sources, key=source_key)``, with polars expressions: a
    Python sort per value costs a second for a national plan's 20,000 values.  Sources of
    one key (``E4`` and ``E4:E9``) keep their text order, as the input to ``sorted`` has it.
    """
    source, cell = pl.col("_s"), pl.col("_s").str.extract(r"([^!]*)$")
    is_cell = cell.str.contains(r"^[A-Z]+[0-9]")
    row = cell.str.extract(r"^[A-Z]+([0-9]+)").cast(pl.Int64, strict=False)  # a row past Int64: null, last
    numbered = frame.with_row_index("_i")
    exploded = (
        numbered.explode("sources")  # an empty list gives no row: joined back below
        .rename({"sources": "_s"})
        .with_columns(
            source.str.extract(r"^([^!]*)").alias("_file"),
            # file!sheet: sorted after the file, the same as the sheet alone
            source.str.extract(r"^(.*)!").fill_null("").alias("_sheet"),
            pl.when(is_cell).then(row).otherwise(0).alias("_row"),
        )
        # within one row the text orders the columns as source_key does: digits sort before letters
        .sort(["_i", "_file", "_sheet", "_row", "_s"], nulls_last=True)
    )
    grouped = exploded.group_by("_i").agg(source.drop_nulls().alias("sources"))
    return (
        numbered.select("_i")
        .join(grouped, on="_i", how="left")  # a row with no source stays, with none
        .sort("_i")["sources"]
        .fill_null([])
        .cast(pl.List(pl.String))
    )


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
        _sorted_sources(agreed.select("sources"))
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
        )
        .sort([*KEY, "old_file", "old_value"])
        # Two workbooks of one name (from two folders) with the same figure: one revision.
        .unique(maintain_order=True)
    )
    return Reconciliation(values, revisions, issues)


def _conflict_issue(row: dict[str, object]) -> Issue:
    figures = row["_figures"]
    assert isinstance(figures, list)
    kind = "確定値" if row["status"] == "final" else "見込み値"
    # Two workbooks of one name (from two folders) with the same figure are listed once.
    listed = "、".join(dict.fromkeys(f"{f['file']}（{f['value']:,}）" for f in figures))
    first_source = figures[-1]["sources"][0] if figures[-1]["sources"] else ""
    file, _, rest = first_source.partition("!")
    sheet, _, cell = rest.rpartition("!")  # a sheet's name may have a "!"
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
        )
        .select(list(TOTAL_COLUMNS))
        .sort("fiscal_year", "kpi")
    )


def summary(values: pl.DataFrame, plan: Plan, *, rated_through: int | None = None) -> pl.DataFrame:
    """Every fiscal year and KPI of the plan (reported or not), with level and rating.

    ``value`` is null where no body reported (a blank is never a zero); ``level`` is
    baseline + the increases up to that year, null when any of those years is missing.
    ``rating`` is left null for years after ``rated_through`` (the fiscal year under
    review): a year still running is not rated on its first months.
    """
    per_year = totals(values, plan).drop("target", "achievement")
    frame = (
        _targets_frame(plan)
        .join(per_year, on=["fiscal_year", "kpi"], how="left")
        .sort("fiscal_year", "kpi")  # pragma: no mutate (the plan's rows come KPI by KPI: by year alone keeps that)
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
        None if rated_through is not None and fy > rated_through else plan.rating.rate(a, lv, b)
        for fy, a, lv, b in frame.select("fiscal_year", "achievement", "level", "baseline").iter_rows()
    ]
    return frame.with_columns(pl.Series("rating", ratings, dtype=pl.String))
