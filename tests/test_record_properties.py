"""Property tests of the rules across runs, on records the tests fill with workbooks
they build: splitting a gathering across runs, running again, the order of runs, a run
killed midway."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from builders import standard_form
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import saisei
from saisei.core.aggregate import combine_within
from saisei.core.history import reconcile_history
from saisei.record import open_record, read, store

BODIES = {"060003": "山形県", "062031": "鶴岡市"}
KEYS = [(code, fy, kpi) for code in BODIES for fy in (2024, 2025) for kpi in (1, 2, 3)]
AS_OF = dt.date(2026, 8, 1)
STATUS = {"final": "確定", "provisional": "見込み"}
RECORD_SETTINGS = settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)

Figure = tuple[str, int, int, int, str]  # entity_code, fiscal year, KPI, value, status


@st.composite
def gathering(draw: st.DrawFn, max_files: int = 4) -> list[list[Figure]]:
    """Files of one consistent gathering: per body, year and KPI at most one final and
    one provisional value; a file carries a key at most once."""
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=5, unique=True))
    n = draw(st.integers(1, max_files))
    files: list[list[Figure]] = [[] for _ in range(n)]
    for key in keys:
        final = draw(st.integers(0, 50))
        provisional = draw(st.integers(0, 50))
        for f in range(n):
            choice = draw(st.sampled_from(["none", "final", "provisional"]))
            if choice != "none":
                files[f].append((*key, final if choice == "final" else provisional, choice))
    return [f for f in files if f] or [[(*keys[0], 1, "final")]]


def write(folder: Path, name: str, figures: list[Figure]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    # the name in 備考: two files are two submissions (the same bytes would be one, named as first received)
    rows = [(c, BODIES[c], fy, kpi, v, STATUS[s], name) for c, fy, kpi, v, s in figures]
    path.write_bytes(standard_form(rows))
    return path


def values(result: Any) -> list[tuple[Any, ...]]:
    return sorted(
        result.values.select("entity_code", "fiscal_year", "kpi", "value", "status", "sources").rows(), key=str
    )


def run(paths: list[Path], record: Path) -> Any:
    return saisei.consolidate(paths, record=record, as_of=AS_OF)


@RECORD_SETTINGS
@given(files=gathering(), split=st.data())
def test_a_gathering_split_across_two_runs_gives_the_values_of_one_run(files: Any, split: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = [write(root / "in", f"f{i}.xlsx", figures) for i, figures in enumerate(files)]
        first = split.draw(st.lists(st.sampled_from(paths), unique=True))
        rest = [p for p in paths if p not in first]
        one = run(paths, root / "one.sqlite")
        assert not one.has_errors, one.errors
        if first:
            run(first, root / "two.sqlite")
        two = run(rest, root / "two.sqlite")
        assert values(two) == values(one)
        assert not two.has_errors


@RECORD_SETTINGS
@given(files=gathering(), before=gathering(max_files=2))
def test_running_a_run_again_changes_nothing(files: Any, before: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        record = root / "r.sqlite"
        earlier = [write(root / "y1", f"e{i}.xlsx", figures) for i, figures in enumerate(before)]
        run(earlier, record)
        paths = [write(root / "y2", f"f{i}.xlsx", figures) for i, figures in enumerate(files)]
        once = run(paths, record)
        with open_record(record) as rec:
            counts = rec.counts()
        again = run(paths, record)
        with open_record(record) as rec:
            after = rec.counts()
        assert after["submissions"] == counts["submissions"]
        assert after["observations"] == counts["observations"]
        assert after["revisions"] == counts["revisions"]
        assert after["runs"] == counts["runs"] + 1
        assert values(again) == values(once)
        assert again.revisions.equals(once.revisions)
        assert sorted(again.issues) == sorted(once.issues)


@RECORD_SETTINGS
@given(
    key=st.sampled_from(KEYS),
    finals=st.lists(st.integers(0, 99), min_size=2, max_size=3, unique=True),
    names=st.permutations(["a.xlsx", "b.xlsx", "c.xlsx"]),
)
def test_the_order_of_runs_decides_which_final_is_newest(key: Any, finals: list[int], names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        record = root / "r.sqlite"
        results = []
        for i, value in enumerate(finals):  # one final per run, in this order, under shuffled names
            results.append(run([write(root / f"run{i}", names[i], [(*key, value, "final")])], record))
        last = results[-1]
        assert last.values.select("value").item() == finals[-1]
        assert last.values.select("sources").item().to_list() == [f"{names[len(finals) - 1]}!KPI実績!E2"]
        revised = last.revisions.filter(pl.col("kind") == "revised-final")
        assert revised.select("old_value", "new_value").rows() == list(itertools.pairwise(finals))
        for i, result in enumerate(results[1:], start=1):  # each run warns about the one it brought
            warned = [w for w in result.warnings if w.code == "revised-final"]
            assert len(warned) == i  # the same review (one as-of): earlier corrections are warned again
            assert any(f"{finals[i - 1]:,}（" in w.message and f"→ {finals[i]:,}（" in w.message for w in warned)


WRITES = ["add_run", "add_observations", "add_issues", "add_receipts", "add_values", "add_totals", "add_revisions"]


@RECORD_SETTINGS
@given(before=gathering(max_files=2), files=gathering(max_files=2), where=st.sampled_from(WRITES))
def test_a_run_killed_midway_leaves_the_record_as_it_was(before: Any, files: Any, where: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        record = root / "r.sqlite"
        first = run([write(root / "y1", f"e{i}.xlsx", figures) for i, figures in enumerate(before)], record)
        snapshot = record.read_bytes()
        accepted = read.values(record)
        paths = [write(root / "y2", f"f{i}.xlsx", figures) for i, figures in enumerate(files)]
        original = getattr(store.Record, where)

        fired = []

        def dies(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            fired.append(where)
            raise KeyboardInterrupt  # what Ctrl+C, or a kill the process can see, raises

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(store.Record, where, dies)
            with contextlib.suppress(KeyboardInterrupt):
                run(paths, record)
        assume(fired)  # add_observations: only when a workbook is new (the same rows give the same bytes)
        assert record.read_bytes() == snapshot
        assert read.values(record).equals(accepted)
        assert values(run([], record)) == values(first)


# -- the rules themselves, on figure frames (many more cases: no workbooks, no record) --


@st.composite
def figure_frame(draw: st.DrawFn) -> pl.DataFrame:
    files = draw(gathering())
    rows = [
        (i, f"f{i}.xlsx", c, fy, kpi, v, s, "KPI実績", f"E{n + 2}", None)
        for i, figures in enumerate(files)
        for n, (c, fy, kpi, v, s) in enumerate(figures)
    ]
    schema = ["submission", "file", "entity_code", "fiscal_year", "kpi", "value", "status", "sheet", "cell", "period"]
    return pl.DataFrame(rows, schema=schema, orient="row")


@settings(max_examples=200, deadline=None)
@given(obs=figure_frame(), data=st.data())
def test_core_any_split_into_ordered_gatherings_gives_the_values_of_one(obs: pl.DataFrame, data: Any) -> None:
    figures = combine_within(obs)
    one = reconcile_history(figures.with_columns(pl.lit(0, pl.Int64).alias("gathering")))
    n = obs["submission"].max()
    assert isinstance(n, int)
    gatherings = data.draw(st.lists(st.integers(1, 3), min_size=n + 1, max_size=n + 1))
    split = figures.with_columns(pl.col("submission").replace_strict(dict(enumerate(gatherings))).alias("gathering"))
    many = reconcile_history(split, current=max(gatherings))
    columns = ["entity_code", "fiscal_year", "kpi", "value", "status", "sources"]
    assert many.values.select(columns).sort(columns[:3]).equals(one.values.select(columns).sort(columns[:3]))
    assert not [i for i in many.issues if i.is_error]
    assert not [i for i in many.issues if i.code == "revised-final"]  # one consistent gathering: nothing revised
