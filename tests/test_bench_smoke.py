"""The benchmark's generators at tiny sizes: what they write consolidates to what they say.

No timings here (the benchmark is ``nox -s bench``); these check that the inputs it times
are right, and that reading on several processes gives what reading on one does.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

import saisei
import saisei.core.plan
from benchmarks import generate
from benchmarks.xlsx import Sheet, write_workbook
from saisei import hookimpl, pipeline, pool
from saisei.core.codes import is_valid_code
from saisei.pipeline import read_files
from saisei.plugins import get_registry

ROOT = Path(__file__).resolve().parent.parent


def _values(result: saisei.Consolidation) -> set[tuple[str, int, int, int, str]]:
    return set(result.values.select("entity_code", "fiscal_year", "kpi", "value", "status").iter_rows())


def _expected(values: list[dict[str, object]]) -> set[tuple[object, ...]]:
    return {(v["entity_code"], v["fiscal_year"], v["kpi"], v["value"], v["status"]) for v in values}


def _missing_plugins(plan: saisei.Plan) -> list[str]:
    """Plugins the plan's bodies need that are not installed, or installed but empty."""
    registry = get_registry()
    missing = []
    for body in plan.bodies:
        if body.plugin is None:
            continue
        info = registry.plugins.get(body.plugin)
        if info is None or info.code != body.code:
            missing.append(body.plugin)
    return missing


def test_national_codes_are_valid_and_distinct() -> None:
    pairs = generate.national_codes(1741)
    codes = [code for code, _ in pairs]
    assert len(set(codes)) == 1741
    assert all(is_valid_code(code) for code in codes)
    assert len({name for _, name in pairs}) == 1741


def test_national_case_consolidates_to_what_was_written(tmp_path: Path) -> None:
    expected = generate.make_national(tmp_path, bodies=12, seed=7)
    plan = saisei.load_plan(tmp_path / "plan.toml")
    assert len(plan.bodies) == 12
    assert len(list((tmp_path / "forms").glob("*.xlsx"))) == 12
    result = saisei.consolidate([tmp_path / "forms"], plan=plan, as_of=dt.date(2026, 9, 1), workers=1)
    assert not result.errors, result.errors[:3]
    assert _values(result) == _expected(expected.values)
    # The expected values on disk are the same as those returned.
    assert generate.read_expected(tmp_path / "expected.csv") == expected.values


def test_reading_on_several_processes_gives_the_same_consolidation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate.make_national(tmp_path, bodies=60, seed=11)
    plan = saisei.load_plan(tmp_path / "plan.toml")
    day = dt.date(2026, 9, 1)
    one = saisei.consolidate([tmp_path / "forms"], plan=plan, as_of=day, workers=1)
    # Slow this process down so the pool (which reads with the real read_file) takes chunks.
    here: list[Path] = []
    real = pipeline.read_file

    def slow(path: Path, *args: object, **kwargs: object) -> pipeline.FileResult:
        here.append(path)
        time.sleep(0.1)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "read_file", slow)
    several = saisei.consolidate([tmp_path / "forms"], plan=plan, as_of=day, workers=2)
    assert 0 < len(here) < 60, "the pool read none of the files"
    assert [f.path for f in several.files] == [f.path for f in one.files]
    assert several.to_dict() == one.to_dict()
    assert several.observations.equals(one.observations)


def test_a_registry_of_the_callers_own_is_read_in_this_process(tmp_path: Path) -> None:
    generate.make_national(tmp_path, bodies=50, seed=3)
    plan = saisei.load_plan(tmp_path / "plan.toml")
    files = sorted((tmp_path / "forms").glob("*.xlsx"))
    seen: list[Path] = []
    results = read_files(files, plan, get_registry(), workers=4, progress=seen.append, portable_registry=False)
    assert [r.path for r in results] == files
    assert seen == files  # one process, in order


def test_many_copies_consolidate_to_exactly_the_samples_values(tmp_path: Path) -> None:
    plan = saisei.load_plan()
    missing = _missing_plugins(plan)
    if missing:
        pytest.skip(f"plugins not installed yet: {', '.join(missing)}")
    expected = generate.make_copies(tmp_path, copies=3)
    files = sorted((tmp_path / "forms").glob("*.xlsx"))
    assert len(files) == 3 * len(list(generate.EXAMPLES.glob("*.xlsx")))
    sample = json.loads((ROOT / "tests" / "data" / "expected_fy2024.json").read_text(encoding="utf-8"))
    result = saisei.consolidate([tmp_path / "forms"], plan=plan, workers=1)
    assert not result.errors, result.errors[:3]
    assert _values(result) == _expected(sample["values"]) == _expected(expected.values)
    assert result.fiscal_year_under_review == sample["fiscal_year_under_review"]


def test_ledger_consolidates_to_what_was_written(tmp_path: Path) -> None:
    plan = saisei.load_plan()
    if "sakata" in _missing_plugins(plan):
        pytest.skip("the sakata plugin is not installed yet")
    expected = generate.make_ledger(tmp_path, rows=300, seed=5)
    result = saisei.consolidate([tmp_path / "forms"], plan=plan, workers=1)
    assert not result.errors, result.errors[:3]
    assert _values(result) == _expected(expected.values)
    assert {v["fiscal_year"] for v in expected.values} == {2024, 2025, 2026}


# -- the vectorized paths the benchmark led to give what the per-row ones did ---------------


class _OtherBody:
    """A plugin for 鶴岡市 that returns a figure for 酒田市: validation must refuse it."""

    @hookimpl
    def saisei_body_code(self) -> str:
        return "062031"

    @hookimpl
    def saisei_detect(self, workbook: saisei.Workbook) -> bool:
        return workbook.has_sheet("他団体")

    @hookimpl
    def saisei_read(self, workbook: saisei.Workbook, plan: saisei.Plan) -> saisei.Reading:
        reading = saisei.Reading(workbook, plan, entity_code="062031")
        reading.observe(kpi=1, fiscal_year=2024, value=1, status="final", sheet="他団体", cell="A1")
        reading.observe(
            kpi=2, fiscal_year=2024, value=2, status="final", sheet="他団体", cell="A2", entity_code="062049"
        )
        return reading


def test_a_plugin_returning_another_bodys_figures_is_an_error(tmp_path: Path) -> None:
    write_workbook(tmp_path / "other.xlsx", [Sheet("他団体", [[1], [2]])])
    registry = get_registry(entrypoints=False, extra=[("other", _OtherBody())])
    result = saisei.consolidate([tmp_path / "other.xlsx"], registry=registry, as_of=dt.date(2025, 9, 1))
    errors = [i for i in result.errors if i.code == "plugin-failed"]
    assert len(errors) == 1
    assert errors[0].cell == "A2" and "062031 の様式ですが、団体 062049 の値を返しました" in errors[0].message
    assert result.values.is_empty()  # the file contributes nothing


def test_default_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pool.WORKERS_ENV, raising=False)
    assert pool.default_workers(pool.POOL_MIN_FILES - 1) == 1
    monkeypatch.setattr(pool.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr(pool.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3}, raising=False)
    assert pool.default_workers(pool.POOL_MIN_FILES) == 4
    monkeypatch.setattr(pool.os, "getloadavg", lambda: (3.2, 3.0, 3.0))  # one CPU left: it and this one
    assert pool.default_workers(5000) == 2
    monkeypatch.setattr(pool.os, "getloadavg", lambda: (4.5, 4.0, 4.0))  # every CPU busy elsewhere
    assert pool.default_workers(5000) == 1
    monkeypatch.setenv(pool.WORKERS_ENV, "3")
    assert pool.default_workers(1) == 3


def test_saisei_runs_in_the_benchmark_without_pandas() -> None:
    """The benchmark times saisei as installed, without the pandas its naive reading needs:
    a process started with the runner's environment cannot import pandas, and still
    validates with pandera."""
    import subprocess
    import sys

    from benchmarks.runner import WITHOUT_PANDAS, _env

    code = (
        "import importlib.util, sys\n"
        "print(importlib.util.find_spec('pandas').origin)\n"  # the stand-in, installed pandas or not
        "try:\n    import pandas\nexcept ModuleNotFoundError as exc:\n    print(exc.name)\n"
        "import saisei.core.schema\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), check=True)
    assert done.stdout.split() == [str(WITHOUT_PANDAS / "pandas" / "__init__.py"), "pandas", "False"]
