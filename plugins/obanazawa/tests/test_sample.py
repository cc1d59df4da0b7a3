"""The city's sample KPI進捗管理表 (``examples/fy2024/``) reads to the expected values, whatever its name;
the other bodies' samples are not claimed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import saisei_obanazawa

from saisei import open_workbook
from saisei.testing import (
    errors,
    example_path,
    example_paths,
    expected_values,
    make_registry,
    observations,
    read_bytes,
    read_path,
    values_by_cell,
)

SAMPLE = example_path("KPI進捗管理表（尾花沢市）.xlsx")
CODE = "062120"
OTHERS = [path for path in example_paths() if path != SAMPLE]
REGISTRY = make_registry(("obanazawa", saisei_obanazawa))
EXPECTED = {"C6": (2024, 1, 2, "provisional"), "D6": (2024, 2, 6, "provisional"), "E6": (2024, 3, 412, "provisional")}


def test_sample_reads_to_the_expected_values() -> None:
    assert sorted(EXPECTED.values()) == [(y, k, v, s) for _, y, k, v, s in expected_values(CODE)]
    result = read_path(SAMPLE, registry=REGISTRY)
    assert result.plugin == "obanazawa"
    assert result.issues == []
    assert values_by_cell(result) == EXPECTED
    assert {o["entity_code"] for o in observations(result)} == {CODE}
    assert [o["cell"] for o in observations(result)] == ["C6", "D6", "E6"]
    assert result.as_of == dt.date(2025, 2, 14)


@pytest.mark.parametrize(
    "name", ["KPI進捗管理表（尾花沢市）.xlsx", "コピー ～ 提出用 (2).xlsx", "report.XLSX", "飯豊町.xlsx"]
)
def test_renamed_sample_reads_the_same(name: str) -> None:
    result = read_bytes(SAMPLE.read_bytes(), name, registry=REGISTRY)
    assert result.plugin == "obanazawa", [i.message for i in result.issues]
    assert not errors(result)
    assert values_by_cell(result) == EXPECTED
    assert all(i.file == name for i in result.issues)


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.name)
def test_the_other_bodies_sample_forms_are_not_claimed(path: Path) -> None:
    workbook = open_workbook(path)
    try:
        assert not saisei_obanazawa.saisei_detect(workbook)
    finally:
        workbook.close()


def test_the_other_bodies_forms_are_all_there() -> None:
    assert len(OTHERS) == 6
