"""The aggregation rules: exact cases first (under mutation testing they fail fast), then properties.

Every frame and issue is built here and compared whole: values, statuses, sources in their
order, files, revisions, totals, and issues with their locations and texts.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from saisei.core.aggregate import (
    FIGURE_COLUMNS,
    MAX_RUNS,
    TOTAL_COLUMNS,
    Reconciliation,
    combine_within,
    compact_sources,
    reconcile,
    source_key,
    summary,
    totals,
)
from saisei.core.issues import Issue
from saisei.core.schema import OBSERVATION_COLUMNS
from saisei.plans import load_plan

PLAN = load_plan()
BODIES = [b.code for b in PLAN.bodies]
ADVICE = "（どちらが正しいか確認し、誤ったブックを直してください。この値は集計に含めていません）"


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Observation rows (with a ``submission``) as a frame in the schema's dtypes."""
    schema = {**OBSERVATION_COLUMNS, "submission": pl.Int64}
    full = [{"sheet": "S", "period": None, **r} for r in rows]
    return pl.DataFrame(full, schema=schema)


def obs(
    submission: int, file: str, code: str, fy: int, kpi: int, value: int, status: str = "final", **at: str
) -> dict[str, Any]:
    return {
        "submission": submission,
        "file": file,
        "entity_code": code,
        "fiscal_year": fy,
        "kpi": kpi,
        "value": value,
        "status": status,
        **at,
    }


def conflict(code: str, fy: int, kpi: int, kind: str, listed: str, **where: str | None) -> Issue:
    """The conflict issue as the README's rule 2 words it, at the cell given."""
    detail = f"団体 {code} の {fy}年度 KPI{kpi} の{kind}がブックによって食い違います: {listed}{ADVICE}"
    return Issue.at("error", "conflicting-figures", detail, **where)  # type: ignore[arg-type]


# --- rule 1: within a workbook ------------------------------------------------------------


def test_within_a_workbook_provisional_rows_make_a_provisional_figure() -> None:
    rows = [
        obs(0, "a.xlsx", "064033", 2024, 3, 10, cell="E5"),
        obs(0, "a.xlsx", "064033", 2024, 3, 5, "provisional", cell="E6"),
    ]
    figs = combine_within(frame(rows))
    assert figs.select("value", "status").rows() == [(15, "provisional")]
    assert figs["sources"].to_list() == [["a.xlsx!S!E5:E6"]]


def test_combine_within_adds_up_each_workbooks_rows() -> None:
    rows = [
        obs(0, "a.xlsx", "062031", 2024, 1, 10, cell="E5"),
        obs(0, "a.xlsx", "062031", 2024, 1, 5, "provisional", cell="E6"),
        obs(0, "a.xlsx", "062031", 2024, 1, 1, cell="E10"),
        obs(0, "a.xlsx", "062031", 2024, 1, 2, cell="D7", sheet="T"),
        obs(0, "a.xlsx", "062031", 2024, 2, 7, cell="F5"),
        obs(1, "b.xlsx", "062031", 2024, 1, 3, cell="E5"),
        obs(1, "b.xlsx", "060003", 2025, 1, 4, cell="B3"),
        obs(1, "b.xlsx", "060003", 2025, 1, 4, cell="AA3"),
        obs(1, "b.xlsx", "060003", 2025, 1, 0, cell="AA4"),
    ]
    expected = pl.DataFrame(
        [
            (0, "a.xlsx", "062031", 2024, 1, 18, "provisional", ["a.xlsx!S!E5:E6", "a.xlsx!S!E10", "a.xlsx!T!D7"]),
            (0, "a.xlsx", "062031", 2024, 2, 7, "final", ["a.xlsx!S!F5"]),
            (1, "b.xlsx", "060003", 2025, 1, 8, "final", ["b.xlsx!S!AA3:AA4", "b.xlsx!S!B3"]),
            (1, "b.xlsx", "062031", 2024, 1, 3, "final", ["b.xlsx!S!E5"]),
        ],
        schema=FIGURE_COLUMNS,
        orient="row",
    )
    assert_frame_equal(combine_within(frame(rows)), expected)


def test_combine_within_nothing() -> None:
    assert_frame_equal(combine_within(frame([])), pl.DataFrame(schema=FIGURE_COLUMNS))


def test_a_column_of_many_runs_is_cited_as_one_range() -> None:
    assert MAX_RUNS == 20
    rows = [obs(0, "a.xlsx", "062031", 2024, 1, 1, cell=f"E{r}") for r in range(4, 4 + 2 * MAX_RUNS, 2)]
    assert combine_within(frame(rows))["sources"].to_list() == [[f"a.xlsx!S!E{r}" for r in range(4, 44, 2)]]
    rows.append(obs(0, "a.xlsx", "062031", 2024, 1, 1, cell="E50"))
    assert combine_within(frame(rows))["sources"].to_list() == [["a.xlsx!S!E4:E50（うち21セル）"]]
    assert combine_within(frame(rows), max_runs=21)["sources"].to_list() == [
        [*(f"a.xlsx!S!E{r}" for r in range(4, 44, 2)), "a.xlsx!S!E50"]
    ]


# --- rule 2: across workbooks -------------------------------------------------------------

FIGURES = [
    # 062031 FY2024 KPI1: a provisional figure, then two final ones that agree
    (0, "p.xlsx", "062031", 2024, 1, 5, "provisional", ["p.xlsx!S!E4"]),
    (1, "f.xlsx", "062031", 2024, 1, 7, "final", ["f.xlsx!S!E10", "f.xlsx!S!E4"]),
    (2, "g.xlsx", "062031", 2024, 1, 7, "final", ["g.xlsx!S!B4", "g.xlsx!S!AA4", "g.xlsx!R!E9"]),
    # 062049 FY2024 KPI2: two final figures that disagree (a provisional one beside them)
    (3, "c2.xlsx", "062049", 2024, 2, 1203, "final", ["c2.xlsx!T!F7", "c2.xlsx!T!F8"]),
    (4, "c1.xlsx", "062049", 2024, 2, 12, "final", ["c1.xlsx!S!E5"]),
    (5, "p.xlsx", "062049", 2024, 2, 3, "provisional", ["p.xlsx!S!E5"]),
    # 062065 FY2025 KPI3: two provisional figures that disagree, the later file's without a cell
    (6, "d1.xlsx", "062065", 2025, 3, 4, "provisional", ["d1.xlsx!S!E5"]),
    (7, "d2.xlsx", "062065", 2025, 3, 6, "provisional", []),
    # 060003 FY2024 KPI4: one provisional figure
    (8, "p.xlsx", "060003", 2024, 4, 9, "provisional", ["p.xlsx!S!E7"]),
    # 063231 FY2024 KPI1: three that disagree, the middle one without a cell, the last on a sheet named 集計!表
    (9, "e1.xlsx", "063231", 2024, 1, 1, "final", ["e1.xlsx!S!E5"]),
    (10, "e3.xlsx", "063231", 2024, 1, 3, "final", ["e3.xlsx!集計!表!G12"]),
    (11, "e2.xlsx", "063231", 2024, 1, 2, "final", []),
    # 064033 FY2024 KPI2: one file name twice (two folders), with two figures
    (12, "x.xlsx", "064033", 2024, 2, 9, "final", ["x.xlsx!S!E9"]),
    (13, "x.xlsx", "064033", 2024, 2, 3, "final", ["x.xlsx!S!E3"]),
    # 062120 FY2024 KPI3: a figure without a cell (its value still counts)
    (14, "n.xlsx", "062120", 2024, 3, 4, "final", []),
]
AGREED_SOURCES = ["f.xlsx!S!E4", "f.xlsx!S!E10", "g.xlsx!R!E9", "g.xlsx!S!AA4", "g.xlsx!S!B4"]


def test_reconcile_values_revisions_and_conflicts() -> None:
    rec = reconcile(pl.DataFrame(FIGURES, schema=FIGURE_COLUMNS, orient="row"))
    assert rec.values.to_dicts() == [
        {
            "entity_code": "060003",
            "fiscal_year": 2024,
            "kpi": 4,
            "value": 9,
            "status": "provisional",
            "sources": ["p.xlsx!S!E7"],
            "files": ["p.xlsx"],
        },
        {
            "entity_code": "062031",
            "fiscal_year": 2024,
            "kpi": 1,
            "value": 7,
            "status": "final",
            "sources": AGREED_SOURCES,  # by file, sheet, row, column: E4 before E10
            "files": ["f.xlsx", "g.xlsx"],
        },
        {
            "entity_code": "062120",
            "fiscal_year": 2024,
            "kpi": 3,
            "value": 4,
            "status": "final",
            "sources": [],
            "files": ["n.xlsx"],
        },
    ]
    assert rec.revisions.to_dicts() == [
        {
            "entity_code": "062031",
            "fiscal_year": 2024,
            "kpi": 1,
            "old_value": 5,
            "old_file": "p.xlsx",
            "old_sources": ["p.xlsx!S!E4"],
            "new_value": 7,
            "new_files": ["f.xlsx", "g.xlsx"],
            "new_sources": AGREED_SOURCES,
        }
    ]
    assert rec.issues == (
        conflict("062049", 2024, 2, "確定値", "c1.xlsx（12）、c2.xlsx（1,203）", file="c2.xlsx", sheet="T", cell="F7"),
        conflict("062065", 2025, 3, "見込み値", "d1.xlsx（4）、d2.xlsx（6）"),
        conflict(
            "063231",
            2024,
            1,
            "確定値",
            "e1.xlsx（1）、e2.xlsx（2）、e3.xlsx（3）",
            file="e3.xlsx",
            sheet="集計!表",
            cell="G12",
        ),
        conflict("064033", 2024, 2, "確定値", "x.xlsx（3）、x.xlsx（9）", file="x.xlsx", sheet="S", cell="E9"),
    )
    assert rec.issues[0].message.startswith("c2.xlsx!T!F7: 団体 062049 の 2024年度 KPI2 の確定値が")
    assert rec.issues[1].file is None and rec.issues[1].message.startswith("団体 062065 ")


def test_reconcile_nothing() -> None:
    rec = reconcile(pl.DataFrame(schema=FIGURE_COLUMNS))
    assert rec.values.is_empty() and rec.revisions.is_empty() and rec.issues == ()
    assert rec.values.columns == ["entity_code", "fiscal_year", "kpi", "value", "status", "sources", "files"]


@pytest.mark.parametrize(
    ("source", "key"),
    [
        ("f.xlsx!S!E10", ("f.xlsx", "S", 10, "E")),
        ("f.xlsx!S!AA4", ("f.xlsx", "S", 4, "AA")),
        ("f.xlsx!S!x!E4", ("f.xlsx", "S!x", 4, "E")),
        ("f.xlsx!S!E4:E9", ("f.xlsx", "S", 4, "E")),
        ("f.xlsx!S!E4:E90（うち30セル）", ("f.xlsx", "S", 4, "E")),
        ("f.xlsx!S!合計", ("f.xlsx", "S", 0, "合計")),
        ("f.xlsx", ("f.xlsx", "", 0, "")),
    ],
)
def test_source_key(source: str, key: tuple[str, str, int, str]) -> None:
    assert source_key(source) == key


def test_reconciled_sources_are_in_source_key_order() -> None:
    huge = "f!S!E99999999999999999999"  # past Int64: still after every other row
    sources = [huge, "f!S!合計", "f!S!E10", "f!S!x!E4", "f!S!E4:E9", "f!T!A1", "e!S!Z1", "f!S!AA10", "f!S!B10"]
    sources += ["f!S!E5", "f!S!A1", "f!S!E4", "f!S!小計", "a b!S!E1", "a!S!E9", "A!S!E1", "A"]
    figures = pl.DataFrame([(0, "f", "062031", 2024, 1, 1, "final", sources)], schema=FIGURE_COLUMNS, orient="row")
    expected = [
        "A",
        "A!S!E1",
        "a!S!E9",
        "a b!S!E1",
        "e!S!Z1",
        "f!S!合計",
        "f!S!小計",
        "f!S!A1",
        "f!S!E4",
        "f!S!E4:E9",
        "f!S!E5",
        "f!S!AA10",
        "f!S!B10",
    ]
    expected += ["f!S!E10", huge, "f!S!x!E4", "f!T!A1"]
    assert sorted(sorted(sources), key=source_key) == expected  # reconcile's input is in text order
    assert reconcile(figures).values["sources"].to_list() == [expected]


# --- rule 3: totals, levels, ratings ------------------------------------------------------


def values_frame(rows: list[tuple[str, int, int, int, str]]) -> pl.DataFrame:
    schema = {
        "entity_code": pl.String,
        "fiscal_year": pl.Int64,
        "kpi": pl.Int64,
        "value": pl.Int64,
        "status": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def test_totals_per_year_and_kpi() -> None:
    values = values_frame(
        [
            ("060003", 2024, 1, 3, "final"),
            ("062031", 2024, 1, 5, "provisional"),
            ("062049", 2024, 1, 8, "provisional"),
            ("062031", 2025, 1, 20, "final"),
            ("060003", 2024, 2, 72, "final"),
        ]
    )
    expected = pl.DataFrame(
        [(2024, 1, 16, 16, 1.0, 3, 2), (2024, 2, 72, 72, 1.0, 1, 0), (2025, 1, 20, 18, 20 / 18, 1, 0)],
        schema=TOTAL_COLUMNS,
        orient="row",
    )
    assert_frame_equal(totals(values, PLAN), expected)


def test_achievement_needs_a_target_above_zero() -> None:
    kpi1 = dataclasses.replace(PLAN.kpis[0], targets={2024: 0, 2025: 1})
    plan = dataclasses.replace(PLAN, kpis=(kpi1, *PLAN.kpis[1:]))
    values = values_frame([("060003", fy, 1, 5, "final") for fy in (2024, 2025, 2026, 2027)])
    expected = pl.DataFrame(
        [
            (2024, 1, 5, 0, None, 1, 0),
            (2025, 1, 5, 1, 5.0, 1, 0),
            (2026, 1, 5, None, None, 1, 0),
            (2027, 1, 5, None, None, 1, 0),  # a year outside the plan still has its total
        ],
        schema=TOTAL_COLUMNS,
        orient="row",
    )
    assert_frame_equal(totals(values, plan), expected)
    assert summary(values, plan).filter(pl.col("kpi") == 1)["achievement"].to_list() == [None, 5.0, None]


def test_totals_with_no_target_at_all() -> None:
    plan = dataclasses.replace(PLAN, kpis=tuple(dataclasses.replace(k, targets={}) for k in PLAN.kpis))
    values = values_frame([("060003", 2024, 1, 5, "final")])
    expected = pl.DataFrame([(2024, 1, 5, None, None, 1, 0)], schema=TOTAL_COLUMNS, orient="row")
    assert_frame_equal(totals(values, plan), expected)


def test_totals_of_nothing() -> None:
    assert_frame_equal(totals(values_frame([]), PLAN), pl.DataFrame(schema=TOTAL_COLUMNS))


SUMMARY_COLUMNS = {
    "fiscal_year": pl.Int64,
    "kpi": pl.Int64,
    "target": pl.Int64,
    "baseline": pl.Int64,
    "value": pl.Int64,
    "bodies_reported": pl.UInt32,
    "provisional_bodies": pl.UInt32,
    "achievement": pl.Float64,
    "level": pl.Int64,
    "target_level": pl.Int64,
    "rating": pl.String,
}


def test_summary_level_is_blank_from_a_missing_year_on() -> None:
    """KPI④ (baseline 268; targets 131, 204, 252): 2025 not reported, so 2026 has a value but no level."""
    values = values_frame(
        [("060003", 2024, 4, 100, "final"), ("062031", 2024, 4, 42, "provisional"), ("060003", 2026, 4, 300, "final")]
    )
    n = None
    expected = pl.DataFrame(
        [
            (2024, 1, 16, 0, n, n, n, n, n, 16, n),
            (2024, 2, 72, 0, n, n, n, n, n, 72, n),
            (2024, 3, 7178, 0, n, n, n, n, n, 7178, n),
            (2024, 4, 131, 268, 142, 2, 1, 142 / 131, 410, 399, "指標値を達成"),
            (2025, 1, 18, 0, n, n, n, n, n, 34, n),
            (2025, 2, 85, 0, n, n, n, n, n, 157, n),
            (2025, 3, 7671, 0, n, n, n, n, n, 14849, n),
            (2025, 4, 204, 268, n, n, n, n, n, 603, n),
            (2026, 1, 18, 0, n, n, n, n, n, 52, n),
            (2026, 2, 87, 0, n, n, n, n, n, 244, n),
            (2026, 3, 8148, 0, n, n, n, n, n, 22997, n),
            (2026, 4, 252, 268, 300, 1, 0, 300 / 252, n, 855, "指標値を達成"),
        ],
        schema=SUMMARY_COLUMNS,
        orient="row",
    )
    assert_frame_equal(summary(values, PLAN), expected)
    nothing = summary(values_frame([]), PLAN)
    assert nothing.schema == pl.Schema(SUMMARY_COLUMNS)
    assert nothing["rating"].to_list() == [None] * 12
    running = summary(values, PLAN, rated_through=2025).filter(pl.col("kpi") == 4)
    assert running["rating"].to_list() == ["指標値を達成", None, None]


def test_summary_levels_and_ratings() -> None:
    values = values_frame([("060003", 2024, 4, 142, "final"), ("060003", 2025, 4, 100, "final")])
    s = summary(values, PLAN).filter(pl.col("kpi") == 4)
    assert s["level"].to_list() == [268 + 142, 268 + 242, None]  # 2026 not reported: no level
    assert s["value"].to_list() == [142, 100, None]  # a blank is never a zero
    assert s["rating"].to_list() == ["指標値を達成", "さらなる取り組みが必要", None]
    assert s["target_level"].to_list() == [268 + 131, 268 + 335, 268 + 587]
    running = summary(values, PLAN, rated_through=2024).filter(pl.col("kpi") == 4)
    assert running["rating"].to_list() == ["指標値を達成", None, None]


def test_a_level_below_the_baseline_is_rated_so() -> None:
    values = values_frame([("060003", 2024, 4, 131, "final"), ("060003", 2025, 4, -300, "final")])
    s = summary(values, PLAN).filter(pl.col("kpi") == 4)
    assert s["level"].to_list() == [399, 99, None]
    assert s["rating"].to_list() == ["指標値を達成", "策定時を下回る", None]


# --- sources ------------------------------------------------------------------------------


def test_compact_sources() -> None:
    cells = [("a!s", f"E{r}") for r in (4, 5, 6, 9)] + [("a!s", "G2"), ("b!t", "AA10")]
    assert compact_sources(cells) == ["a!s!G2", "a!s!E4:E6", "a!s!E9", "b!t!AA10"]  # row by row
    many = compact_sources(("f!s", f"E{r}") for r in range(4, 30_004))
    assert many == ["f!s!E4:E30003"]
    scattered = compact_sources(("f!s", f"E{r}") for r in range(4, 90_004, 3))
    assert scattered == ["f!s!E4:E90001（うち30,000セル）"]
    few = compact_sources(("f!s", f"E{r}") for r in (4, 7, 10))
    assert few == ["f!s!E4", "f!s!E7", "f!s!E10"]
    twenty = compact_sources(("f!s", f"E{r}") for r in range(4, 44, 2))
    assert len(twenty) == MAX_RUNS
    assert compact_sources(("f!s", f"E{r}") for r in range(4, 46, 2)) == ["f!s!E4:E44（うち21セル）"]
    assert compact_sources([]) == []


def test_compact_sources_files_and_sheet_names() -> None:
    # the file is up to the first "!": a sheet name may have one; files in order, then sheets
    assert compact_sources([("b!z", "E1"), ("a!z", "E1"), ("a!s!x", "E4")]) == ["a!s!x!E4", "a!z!E1", "b!z!E1"]
    # a place without a sheet's name: as given, never with an empty sheet ("a!!E4")
    assert compact_sources([("a", "E4")]) == ["a!E4"]
    assert compact_sources([("b", "E5"), ("a!s", "E4"), ("a", "E4"), ("a", "E5")]) == ["a!E4:E5", "a!s!E4", "b!E5"]


# --- properties ---------------------------------------------------------------------------

figure = st.fixed_dictionaries(
    {
        "entity_code": st.sampled_from(BODIES),
        "fiscal_year": st.sampled_from(PLAN.fiscal_years),
        "kpi": st.integers(1, 3),
        "value": st.integers(0, 10_000),
        "status": st.sampled_from(["final", "provisional"]),
    }
)


def submissions(figs: list[dict[str, Any]], split: int = 1) -> list[dict[str, Any]]:
    """One workbook per figure, each figure in ``split`` rows."""
    rows = []
    for i, f in enumerate(figs):
        parts = [f["value"] // split] * (split - 1)
        parts.append(f["value"] - sum(parts))
        for j, part in enumerate(parts):
            rows.append({**f, "value": part, "submission": i, "file": f"file{i}.xlsx", "cell": f"E{j + 2}"})
    return rows


def run(rows: list[dict[str, Any]]) -> tuple[Reconciliation, pl.DataFrame]:
    rec = reconcile(combine_within(frame(rows)))
    return rec, totals(rec.values, PLAN)


def assert_same(a: tuple[Reconciliation, pl.DataFrame], b: tuple[Reconciliation, pl.DataFrame]) -> None:
    """Everything the rules give: values (statuses, sources in order, files), revisions, issues, totals."""
    assert_frame_equal(a[0].values, b[0].values)
    assert_frame_equal(a[0].revisions, b[0].revisions)
    assert a[0].issues == b[0].issues
    assert_frame_equal(a[1], b[1])


@settings(max_examples=150, deadline=None)
@given(st.lists(figure, max_size=12), st.randoms(use_true_random=False))
def test_order_of_workbooks_does_not_matter(figs: list[dict[str, Any]], rnd: Any) -> None:
    rows = submissions(figs)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert_same(run(rows), run(shuffled))


def copied(source: str) -> str:
    return "copy-" + source


def listed_with_copies(message: str) -> str:
    """A conflict message whose list of workbooks has each one's copy too, in file order."""
    head, rest = message.split("食い違います: ", 1)
    listed, advice = rest.split("（どちらが", 1)
    entries = [re.fullmatch(r"(.+)（([0-9,]+)）", e).groups() for e in listed.split("、")]  # type: ignore[union-attr]
    both = sorted([*entries, *((copied(f), v) for f, v in entries)], key=lambda e: (e[0], int(e[1].replace(",", ""))))
    return f"{head}食い違います: {'、'.join(f'{f}（{v}）' for f, v in both)}（どちらが{advice}"


@settings(max_examples=150, deadline=None)
@given(st.lists(figure, max_size=12))
def test_a_workbook_given_twice_changes_nothing(figs: list[dict[str, Any]]) -> None:
    """Under another name, each copy adds its cells and its name, and nothing else."""
    rows = submissions(figs)
    twice = rows + [{**r, "submission": r["submission"] + 1000, "file": copied(r["file"])} for r in rows]
    (a, a_totals), (b, b_totals) = run(rows), run(twice)
    assert_frame_equal(a_totals, b_totals)
    assert b.values.to_dicts() == [
        {
            **v,
            "sources": sorted([*v["sources"], *map(copied, v["sources"])], key=source_key),
            "files": sorted([*v["files"], *map(copied, v["files"])]),
        }
        for v in a.values.to_dicts()
    ]
    revisions = [
        {
            **r,
            "old_file": old_file,
            "old_sources": old_sources,
            "new_files": sorted([*r["new_files"], *map(copied, r["new_files"])]),
            "new_sources": sorted([*r["new_sources"], *map(copied, r["new_sources"])], key=source_key),
        }
        for r in a.revisions.to_dicts()
        for old_file, old_sources in (
            (r["old_file"], r["old_sources"]),
            (copied(r["old_file"]), [copied(s) for s in r["old_sources"]]),
        )
    ]
    assert b.revisions.to_dicts() == sorted(
        revisions, key=lambda r: (r["entity_code"], r["fiscal_year"], r["kpi"], r["old_file"])
    )
    # the cell cited is the last workbook's in file order: file3.xlsx comes after copy-file3.xlsx
    assert b.issues == tuple(dataclasses.replace(i, message=listed_with_copies(i.message)) for i in a.issues)


@settings(max_examples=150, deadline=None)
@given(st.lists(figure, max_size=12))
def test_a_workbook_of_the_same_name_from_another_folder_changes_nothing(figs: list[dict[str, Any]]) -> None:
    """Another submission of the same name and figures (a copy in another folder): no
    revision, no workbook in a conflict's list, no source is given twice."""
    rows = submissions(figs)
    twice = rows + [{**r, "submission": r["submission"] + 1000} for r in rows]
    assert_same(run(rows), run(twice))


def test_a_revision_and_a_conflict_of_two_workbooks_of_one_name_are_listed_once() -> None:
    rows = [
        obs(1, "a.xlsx", "062031", 2024, 1, 4, "provisional", cell="E4"),
        obs(2, "a.xlsx", "062031", 2024, 1, 4, "provisional", cell="E4"),
        obs(3, "b.xlsx", "062031", 2024, 1, 5, cell="E4"),
        obs(1, "a.xlsx", "062031", 2024, 2, 4, cell="E5"),
        obs(2, "a.xlsx", "062031", 2024, 2, 4, cell="E5"),
        obs(3, "b.xlsx", "062031", 2024, 2, 5, cell="E5"),
    ]
    rec = reconcile(combine_within(frame(rows)))
    assert rec.revisions.select("kpi", "old_file", "old_value", "new_value").rows() == [(1, "a.xlsx", 4, 5)]
    listed = "a.xlsx（4）、b.xlsx（5）"
    assert rec.issues == (conflict("062031", 2024, 2, "確定値", listed, file="b.xlsx", sheet="S", cell="E5"),)


@settings(max_examples=150, deadline=None)
@given(st.lists(figure, max_size=8), st.integers(2, 5))
def test_splitting_a_figure_across_rows_gives_the_same_value(figs: list[dict[str, Any]], split: int) -> None:
    """The same values, revisions, totals and issues; each figure cited as the range of its rows."""
    (a, a_totals), (b, b_totals) = run(submissions(figs)), run(submissions(figs, split))
    rows = f"E2:E{split + 1}"

    def ranged(sources: list[str]) -> list[str]:
        return [s.removesuffix("!E2") + f"!{rows}" for s in sources]

    assert_frame_equal(a_totals, b_totals)
    assert b.values.to_dicts() == [{**v, "sources": ranged(v["sources"])} for v in a.values.to_dicts()]
    assert b.revisions.to_dicts() == [
        {**r, "old_sources": ranged(r["old_sources"]), "new_sources": ranged(r["new_sources"])}
        for r in a.revisions.to_dicts()
    ]
    assert b.issues == tuple(
        dataclasses.replace(i, cell=rows, message=i.message.replace("!S!E2: ", f"!S!{rows}: ", 1)) for i in a.issues
    )


@settings(max_examples=150, deadline=None)
@given(figure, st.integers(0, 10_000), st.booleans())
def test_final_replaces_provisional_whatever_the_order(fig: dict[str, Any], old: int, final_first: bool) -> None:
    final = {**fig, "status": "final"}
    provisional = {**fig, "status": "provisional", "value": old}
    figs = [final, provisional] if final_first else [provisional, final]
    new_file, old_file = ("file0.xlsx", "file1.xlsx") if final_first else ("file1.xlsx", "file0.xlsx")
    rec = reconcile(combine_within(frame(submissions(figs))))
    key = {"entity_code": fig["entity_code"], "fiscal_year": fig["fiscal_year"], "kpi": fig["kpi"]}
    assert rec.values.to_dicts() == [
        {**key, "value": fig["value"], "status": "final", "sources": [f"{new_file}!S!E2"], "files": [new_file]}
    ]
    assert rec.revisions.to_dicts() == [
        {
            **key,
            "old_value": old,
            "old_file": old_file,
            "old_sources": [f"{old_file}!S!E2"],
            "new_value": fig["value"],
            "new_files": [new_file],
            "new_sources": [f"{new_file}!S!E2"],
        }
    ]
    assert rec.issues == ()


@settings(max_examples=150, deadline=None)
@given(figure, st.integers(0, 10_000), st.sampled_from(["final", "provisional"]))
def test_disagreeing_figures_of_one_status_are_an_error(fig: dict[str, Any], other: int, status: str) -> None:
    if other == fig["value"]:
        other += 1
    figs = [{**fig, "status": status}, {**fig, "status": status, "value": other}]
    rec = reconcile(combine_within(frame(submissions(figs))))
    assert rec.values.is_empty()  # never one silently kept
    assert rec.revisions.is_empty()
    kind = "確定値" if status == "final" else "見込み値"
    listed = f"file0.xlsx（{fig['value']:,}）、file1.xlsx（{other:,}）"
    code, fy, kpi = fig["entity_code"], fig["fiscal_year"], fig["kpi"]
    assert rec.issues == (conflict(code, fy, kpi, kind, listed, file="file1.xlsx", sheet="S", cell="E2"),)


@settings(max_examples=100, deadline=None)
@given(st.lists(figure, max_size=12))
def test_totals_are_sums_over_bodies(figs: list[dict[str, Any]]) -> None:
    rec, tot = run(submissions(figs))
    expected: dict[tuple[int, int], dict[str, Any]] = {}
    for v in rec.values.to_dicts():
        target = PLAN.kpi(v["kpi"]).target(v["fiscal_year"])  # type: ignore[union-attr]
        row = expected.setdefault(
            (v["fiscal_year"], v["kpi"]),
            {"fiscal_year": v["fiscal_year"], "kpi": v["kpi"], "value": 0, "target": target},
        )
        row["value"] += v["value"]
        row["bodies_reported"] = row.get("bodies_reported", 0) + 1
        row["provisional_bodies"] = row.get("provisional_bodies", 0) + (v["status"] == "provisional")
    for row in expected.values():
        row["achievement"] = row["value"] / row["target"]
    assert tot.to_dicts() == [{c: expected[k][c] for c in TOTAL_COLUMNS} for k in sorted(expected)]


def _compact_by_hand(cells: list[tuple[str, str]], max_runs: int) -> list[str]:
    """compact_sources written plainly: per file, runs of rows per sheet and column."""
    rows: dict[tuple[str, str], set[int]] = {}
    for where, cell in cells:
        letters = cell.rstrip("0123456789")
        rows.setdefault((where, letters), set()).add(int(cell[len(letters) :]))
    entries: list[tuple[str, str, int, str, str]] = []  # file, where, first row, column, reference
    for (where, col), found in rows.items():
        ordered = sorted(found)
        runs: list[list[int]] = []
        for r in ordered:
            if runs and r == runs[-1][-1] + 1:
                runs[-1].append(r)
            else:
                runs.append([r])
        file = where.split("!", 1)[0]
        if len(runs) > max_runs:
            ref = f"{where}!{col}{ordered[0]}:{col}{ordered[-1]}（うち{len(ordered):,}セル）"
            entries.append((file, where, ordered[0], col, ref))
            continue
        for run in runs:
            ref = f"{where}!{col}{run[0]}" if len(run) == 1 else f"{where}!{col}{run[0]}:{col}{run[-1]}"
            entries.append((file, where, run[0], col, ref))
    return [e[-1] for e in sorted(entries)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a!s", "a!t", "b!s", "c"]),
            st.tuples(st.sampled_from(["A", "E", "Z", "AA"]), st.integers(1, 40)).map(lambda c: f"{c[0]}{c[1]}"),
        ),
        max_size=80,
    ),
    st.sampled_from([1, 2, 3, 20]),
)
def test_compact_sources_agrees_with_a_plain_python_compaction(cells: list[tuple[str, str]], max_runs: int) -> None:
    assert compact_sources(cells, max_runs=max_runs) == _compact_by_hand(cells, max_runs)
