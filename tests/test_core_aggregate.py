"""Property tests for the aggregation rules, on observation frames built here."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from saisei.core.aggregate import combine_within, compact_sources, reconcile, summary, totals
from saisei.core.schema import OBSERVATION_COLUMNS
from saisei.plans import load_plan

PLAN = load_plan()
BODIES = [b.code for b in PLAN.bodies]


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Observation rows (with a ``submission``) as a frame in the schema's dtypes."""
    schema = {**OBSERVATION_COLUMNS, "submission": pl.Int64}
    full = [{"sheet": "S", "period": None, **r} for r in rows]
    return pl.DataFrame(full, schema=schema)


def run(rows: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    rec = reconcile(combine_within(frame(rows)))
    values = rec.values.select("entity_code", "fiscal_year", "kpi", "value", "status").sort(
        "entity_code", "fiscal_year", "kpi"
    )
    return values, totals(rec.values, PLAN), sorted(i.code for i in rec.issues)


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


@settings(max_examples=150, deadline=None)
@given(st.lists(figure, max_size=12), st.randoms(use_true_random=False))
def test_order_of_workbooks_does_not_matter(figs: list[dict[str, Any]], rnd: Any) -> None:
    rows = submissions(figs)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    a, b = run(rows), run(shuffled)
    assert a[0].equals(b[0])
    assert a[1].equals(b[1])
    assert a[2] == b[2]


@settings(max_examples=150, deadline=None)
@given(st.lists(figure, max_size=12))
def test_a_workbook_given_twice_changes_nothing(figs: list[dict[str, Any]]) -> None:
    rows = submissions(figs)
    twice = rows + [{**r, "submission": r["submission"] + 1000, "file": "copy-" + r["file"]} for r in rows]
    a, b = run(rows), run(twice)
    assert a[0].equals(b[0])
    assert a[1].equals(b[1])
    assert a[2] == b[2]


@settings(max_examples=150, deadline=None)
@given(st.lists(figure, max_size=8), st.integers(1, 5))
def test_splitting_a_figure_across_rows_gives_the_same_value(figs: list[dict[str, Any]], split: int) -> None:
    a, b = run(submissions(figs)), run(submissions(figs, split))
    assert a[0].equals(b[0])
    assert a[1].equals(b[1])


@settings(max_examples=150, deadline=None)
@given(figure, st.integers(0, 10_000), st.booleans())
def test_final_replaces_provisional_whatever_the_order(fig: dict[str, Any], old: int, final_first: bool) -> None:
    final = {**fig, "status": "final"}
    provisional = {**fig, "status": "provisional", "value": old}
    figs = [final, provisional] if final_first else [provisional, final]
    rows = submissions(figs)
    rec = reconcile(combine_within(frame(rows)))
    assert rec.values.select("value", "status").rows() == [(fig["value"], "final")]
    assert rec.revisions.select("old_value", "new_value").rows() == [(old, fig["value"])]
    assert not rec.issues


@settings(max_examples=150, deadline=None)
@given(figure, st.integers(0, 10_000), st.sampled_from(["final", "provisional"]))
def test_disagreeing_figures_of_one_status_are_an_error(fig: dict[str, Any], other: int, status: str) -> None:
    if other == fig["value"]:
        other += 1
    figs = [{**fig, "status": status}, {**fig, "status": status, "value": other}]
    rec = reconcile(combine_within(frame(submissions(figs))))
    assert rec.values.is_empty()  # never one silently kept
    assert [i.code for i in rec.issues] == ["conflicting-figures"]
    assert "file0.xlsx" in rec.issues[0].message and "file1.xlsx" in rec.issues[0].message


@settings(max_examples=100, deadline=None)
@given(st.lists(figure, max_size=12))
def test_totals_are_sums_over_bodies(figs: list[dict[str, Any]]) -> None:
    values, tot, _ = run(submissions(figs))
    for row in tot.iter_rows(named=True):
        part = values.filter((pl.col("fiscal_year") == row["fiscal_year"]) & (pl.col("kpi") == row["kpi"]))
        assert row["value"] == part["value"].sum()
        assert row["bodies_reported"] == part.height
        target = PLAN.kpi(row["kpi"]).target(row["fiscal_year"])  # type: ignore[union-attr]
        assert row["target"] == target
        assert abs(row["achievement"] - row["value"] / target) < 1e-12


def test_within_a_workbook_provisional_rows_make_a_provisional_figure() -> None:
    rows = [
        {
            "entity_code": "064033",
            "fiscal_year": 2024,
            "kpi": 3,
            "value": 10,
            "status": "final",
            "submission": 0,
            "file": "a.xlsx",
            "cell": "E5",
        },
        {
            "entity_code": "064033",
            "fiscal_year": 2024,
            "kpi": 3,
            "value": 5,
            "status": "provisional",
            "submission": 0,
            "file": "a.xlsx",
            "cell": "E6",
        },
    ]
    figs = combine_within(frame(rows))
    assert figs.select("value", "status").rows() == [(15, "provisional")]
    assert figs["sources"].to_list() == [["a.xlsx!S!E5:E6"]]


def test_summary_levels_and_ratings() -> None:
    values = pl.DataFrame(
        {
            "entity_code": ["060003", "060003"],
            "fiscal_year": [2024, 2025],
            "kpi": [4, 4],
            "value": [142, 100],
            "status": ["final", "final"],
        }
    )
    s = summary(values, PLAN).filter(pl.col("kpi") == 4).sort("fiscal_year")
    assert s["level"].to_list() == [268 + 142, 268 + 242, None]  # 2026 not reported: no level
    assert s["value"].to_list() == [142, 100, None]  # a blank is never a zero
    assert s["rating"].to_list() == ["指標値を達成", "さらなる取り組みが必要", None]
    assert s["target_level"].to_list() == [268 + 131, 268 + 335, 268 + 587]
    running = summary(values, PLAN, rated_through=2024).filter(pl.col("kpi") == 4).sort("fiscal_year")
    assert running["rating"].to_list() == ["指標値を達成", None, None]


def test_compact_sources() -> None:
    cells = [("a!s", f"E{r}") for r in (4, 5, 6, 9)] + [("a!s", "G2"), ("b!t", "AA10")]
    assert compact_sources(cells) == ["a!s!G2", "a!s!E4:E6", "a!s!E9", "b!t!AA10"]  # row by row
    many = compact_sources(("f!s", f"E{r}") for r in range(4, 30_004))
    assert many == ["f!s!E4:E30003"]
    scattered = compact_sources(("f!s", f"E{r}") for r in range(4, 90_004, 3))
    assert scattered == ["f!s!E4:E90001（うち30,000セル）"]
    few = compact_sources(("f!s", f"E{r}") for r in (4, 7, 10))
    assert few == ["f!s!E4", "f!s!E7", "f!s!E10"]


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
            st.sampled_from(["a!s", "a!t", "b!s"]),
            st.tuples(st.sampled_from(["A", "E", "Z", "AA"]), st.integers(1, 40)).map(lambda c: f"{c[0]}{c[1]}"),
        ),
        max_size=80,
    ),
    st.sampled_from([1, 2, 3, 20]),
)
def test_compact_sources_agrees_with_a_plain_python_compaction(cells: list[tuple[str, str]], max_runs: int) -> None:
    assert compact_sources(cells, max_runs=max_runs) == _compact_by_hand(cells, max_runs)
