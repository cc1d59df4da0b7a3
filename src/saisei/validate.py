"""Validate every file's observations in one batch: the schema, then the plan.

Plugins check cells as they read them; this is the net under them.  A row that fails
means the plugin returned something it should not have: the file gets an error
(``plugin-failed``) naming the plugin and the cell, and contributes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .core.issues import Issue
from .core.plan import Plan
from .core.values import MAX_COUNT

if TYPE_CHECKING:
    import polars as pl

    from .plugins import Registry
    from .results import FileResult

__all__ = ["validate_observations"]


def validate_observations(
    observations: pl.DataFrame, results: Sequence[FileResult], plan: Plan, registry: Registry
) -> dict[int, list[Issue]]:
    """Check ``observations`` (with a ``submission`` column: the index of the file in
    ``results`` each row came from).

    Returns the new issues by file index; a file with any is left out later.
    """
    # pandera and polars, imported when there is work: importing the pipeline stays quick
    import pandera.errors
    import polars as pl

    from .core.schema import Observations

    if observations.is_empty():
        return {}
    checked = observations.drop("submission")
    bad_rows: dict[int, list[str]] = {}
    try:
        Observations.validate(checked, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for row in cases.iter_rows(named=True):
            index = row.get("index")
            if index is None:  # a column-level failure (a missing column, a wrong dtype)
                for i, r in enumerate(results):
                    if r.frame is not None:
                        bad_rows.setdefault(-1 - i, []).append(f"{row['column']}: {row['check']}")
                continue
            bad_rows.setdefault(int(index), []).append(
                f"{row['column']} = {_shown(row['failure_case'])}（{_expected(str(row['check']))}）"
            )

    # The plan: a body of the plan, a year of the plan, a KPI that body reports.
    allowed = pl.DataFrame(
        [(b.code, k.number) for b in plan.bodies for k in plan.kpis_for(b.code)],
        schema={"entity_code": pl.String, "kpi": pl.Int64},
        orient="row",
    ).with_columns(pl.lit(True).alias("_ok"))
    indexed = observations.with_row_index("_row").join(allowed, on=["entity_code", "kpi"], how="left")
    outside = indexed.filter(pl.col("_ok").is_null() | ~pl.col("fiscal_year").is_in(list(plan.fiscal_years)))
    for row in outside.select("_row", "entity_code", "fiscal_year", "kpi", "_ok").iter_rows(named=True):
        wrong = bad_rows.setdefault(int(row["_row"]), [])
        if row["fiscal_year"] not in plan.fiscal_years:
            wrong.append(f"fiscal_year = {row['fiscal_year']}（計画の年度 {plan.years_text} のはず）")
        if row["_ok"] is None:
            code, kpi = row["entity_code"], row["kpi"]
            if plan.body(code) is None:
                wrong.append(f"entity_code = {code!r}（計画の団体のはず）")
            elif plan.kpi(kpi) is None:
                wrong.append(f"kpi = {kpi}（計画のKPI {'、'.join(str(k.number) for k in plan.kpis)} のどれかのはず）")
            else:
                wrong.append(f"kpi = {kpi}（KPI{kpi} は団体 {code} が報告するKPIではありません）")

    # Counts past MAX_COUNT (a plugin that skipped parse_count): totals would wrap around.
    huge = observations.with_row_index("_row").filter(pl.col("value") > MAX_COUNT).select("_row", "value")
    for row in huge.head(20).iter_rows(named=True):
        bad_rows.setdefault(int(row["_row"]), []).append(f"value = {row['value']} は件数として大きすぎます")

    # A plugin for one body reads only that body's figures (one join for every file: a
    # filter per file costs a polars call per workbook).
    profiles = {name: info.code for name, info in registry.plugins.items() if info.code}
    owners = [(i, profiles[r.plugin]) for i, r in enumerate(results) if r.frame is not None and r.plugin in profiles]
    if owners:
        own = pl.DataFrame(owners, schema={"submission": pl.Int64, "_own": pl.String}, orient="row")
        others = (
            observations.with_row_index("_row")
            .join(own, on="submission", how="inner")
            .filter(pl.col("entity_code") != pl.col("_own"))
            .sort("_row")
            .group_by("submission", maintain_order=True)
            .head(20)
        )
        for row in others.select("_row", "submission", "entity_code", "_own").iter_rows(named=True):
            bad_rows.setdefault(int(row["_row"]), []).append(
                f"プラグイン {results[row['submission']].plugin} は {row['_own']} の様式ですが、"
                f"団体 {row['entity_code']} の値を返しました"
            )

    if not bad_rows:
        return {}
    submissions = observations["submission"].to_list()
    per_file: dict[int, list[tuple[int, list[str]]]] = {}
    for row_index, problems in sorted(bad_rows.items()):
        if row_index < 0:
            per_file.setdefault(-1 - row_index, []).append((-1, problems))
        else:
            per_file.setdefault(submissions[row_index], []).append((row_index, problems))
    sheets = observations["sheet"].to_list()
    cells = observations["cell"].to_list()
    found: dict[int, list[Issue]] = {}
    for submission, rows in per_file.items():
        result = results[submission]
        issues = found[submission] = []
        for row_index, problems in rows[:20]:
            sheet = sheets[row_index] if row_index >= 0 else None
            cell = cells[row_index] if row_index >= 0 else None
            issues.append(
                Issue.at(
                    "error",
                    "plugin-failed",
                    f"プラグイン {result.plugin} が不正な観測値を返しました: {'; '.join(problems)}"
                    "（このブックは集計に含めていません。プラグインの担当者に連絡してください）",
                    file=result.name,
                    sheet=sheet if isinstance(sheet, str) else None,
                    cell=cell if isinstance(cell, str) else None,
                    plugin=result.plugin,
                )
            )
        if len(rows) > 20:
            issues.append(
                Issue.at(
                    "error",
                    "plugin-failed",
                    f"ほかに {len(rows) - 20} 行の不正な観測値があります",
                    file=result.name,
                    plugin=result.plugin,
                )
            )
    return found


def _shown(value: object) -> str:
    """A failing value as the author wrote it: ``-5``, ``'確定'``."""
    if isinstance(value, str):
        try:
            return str(int(value))
        except ValueError:
            return repr(value)
    return repr(value)


_CHECKS = (
    (re.compile(r"greater_than_or_equal_to\((.*)\)"), "{}以上のはず"),
    (re.compile(r"less_than_or_equal_to\((.*)\)"), "{}以下のはず"),
    (re.compile(r"isin\(\((.*)\)\)|isin\(\[(.*)\]\)"), "{} のどれかのはず"),
    (re.compile(r"str_matches\('(.*)'\)"), "形式 {} のはず"),
    (re.compile(r"str_length\(.*\)"), "空でないはず"),
)


def _expected(check: str) -> str:
    """What a pandera check asks, in the author's words: ``isin(('final', 'provisional'))``
    → ``'final', 'provisional' のどれかのはず``."""
    for pattern, text in _CHECKS:
        m = pattern.fullmatch(check)
        if m:
            return text.format(next((g for g in m.groups() if g), ""))
    return check
