"""The town's sample 月別実績 (``examples/fy2024/``) reads to the expected values, whatever its name;
the other bodies' samples are not claimed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import saisei_iide

from saisei import open_workbook
from saisei.testing import (
    example_path,
    example_paths,
    expected_values,
    make_registry,
    observations,
    read_bytes,
    read_path,
    sums,
)

SAMPLE = example_path("飯豊町_月別実績_R6.xlsx")
CODE = "064033"
OTHERS = [path for path in example_paths() if path != SAMPLE]
REGISTRY = make_registry(("iide", saisei_iide))
EXPECTED = {(2024, 1): (2, "provisional"), (2024, 2): (4, "provisional"), (2024, 3): (296, "provisional")}


def test_sample_reads_to_the_expected_values() -> None:
    assert {(y, k): (v, s) for _, y, k, v, s in expected_values(CODE)} == EXPECTED
    result = read_path(SAMPLE, registry=REGISTRY)
    assert result.plugin == "iide"
    assert result.issues == []  # its cached 合計 agree with the months; 3月 is marked 見込
    assert sums(result) == EXPECTED
    assert result.as_of == dt.date(2025, 3, 3)
    rows = observations(result)
    assert len(rows) == 36
    assert {o["entity_code"] for o in rows} == {CODE}
    by_cell = {o["cell"]: o for o in rows}
    assert (by_cell["E5"]["period"], by_cell["E5"]["value"]) == ("2024-04", 10)
    assert (by_cell["E16"]["period"], by_cell["E16"]["value"]) == ("2025-03", 24)


@pytest.mark.parametrize("name", ["飯豊町_月別実績_R6.xlsx", "コピー ～ 提出用 (2).xlsx", "月別.XLSX", "尾花沢市.xlsx"])
def test_renamed_sample_reads_the_same(name: str) -> None:
    result = read_bytes(SAMPLE.read_bytes(), name, registry=REGISTRY)
    assert result.plugin == "iide", [i.message for i in result.issues]
    assert result.issues == []
    assert sums(result) == EXPECTED


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.name)
def test_the_other_bodies_sample_forms_are_not_claimed(path: Path) -> None:
    workbook = open_workbook(path)
    try:
        assert not saisei_iide.saisei_detect(workbook)
    finally:
        workbook.close()


def test_the_other_bodies_forms_are_all_there() -> None:
    assert len(OTHERS) == 6
