"""The town's sample kintone export (``examples/fy2024/``) reads to the expected values, whatever its name;
the other bodies' samples are not claimed."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import saisei_asahi

from saisei import consolidate, open_workbook
from saisei.testing import example_path, example_paths, expected_values, make_registry, observations, read_path

SAMPLE = example_path("asahi_kintone_export_20250412.xlsx")
OTHERS = [path for path in example_paths() if path != SAMPLE]
REGISTRY = make_registry(("asahi", saisei_asahi))


def test_sample_gives_the_expected_values() -> None:
    result = consolidate([SAMPLE], registry=REGISTRY)
    assert not result.errors, [i.message for i in result.errors]
    asahi = result.values.filter(result.values["entity_code"] == "063231")
    got = {(r["fiscal_year"], r["kpi"]): (r["value"], r["status"]) for r in asahi.iter_rows(named=True)}
    assert got == {(2024, 1): (1, "final"), (2024, 2): (5, "final"), (2024, 3): (388, "final")}
    assert got == {(y, k): (v, s) for _, y, k, v, s in expected_values("063231")}


def test_sample_observations_are_quarters_at_their_cells() -> None:
    result = read_path(SAMPLE, registry=REGISTRY)
    assert result.plugin == "asahi"
    assert result.entity_code == "063231"
    assert not result.issues, [i.message for i in result.issues]
    assert result.as_of == dt.date(2025, 4, 10)  # the newest 更新日時
    rows = observations(result)
    assert len(rows) == 12
    by_cell = {o["cell"]: (o["period"], o["kpi"], o["value"]) for o in rows}
    assert by_cell["E2"] == ("2024-Q4", 3, 90)  # newest first
    assert by_cell["E13"] == ("2024-Q1", 1, 0)


def test_a_renamed_sample_reads_the_same(tmp_path: Path) -> None:
    renamed = tmp_path / "朝日町 提出用 (2).XLSX"
    shutil.copy(SAMPLE, renamed)
    original, copy = read_path(SAMPLE, registry=REGISTRY), read_path(renamed, registry=REGISTRY)
    assert copy.plugin == "asahi"
    strip = [{k: v for k, v in o.items() if k != "file"} for o in observations(copy)]
    assert strip == [{k: v for k, v in o.items() if k != "file"} for o in observations(original)]


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.name)
def test_the_other_bodies_sample_forms_are_not_claimed(path: Path) -> None:
    workbook = open_workbook(path)
    try:
        assert not saisei_asahi.saisei_detect(workbook)
    finally:
        workbook.close()


def test_the_other_bodies_forms_are_all_there() -> None:
    assert len(OTHERS) == 6
