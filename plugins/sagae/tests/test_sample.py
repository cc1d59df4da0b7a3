"""The city's sample workbook (``examples/fy2024/``) reads to the expected values, whatever its name;
the other bodies' samples are not claimed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import saisei_sagae

from saisei import open_workbook
from saisei.testing import (
    example_path,
    example_paths,
    expected_values,
    make_registry,
    read_bytes,
    read_path,
    values_by_cell,
)

SAMPLE = example_path("寒河江市KPI.xlsx")
OTHERS = [path for path in example_paths() if path != SAMPLE]
REGISTRY = make_registry(("sagae", saisei_sagae))
EXPECTED = {
    ("R6", "D5"): (2024, 1, 3, "final"),
    ("R6", "D6"): (2024, 2, 14, "final"),
    ("R6", "D7"): (2024, 3, 1203, "final"),
}


@pytest.mark.parametrize("name", [SAMPLE.name, "KPI報告 (1).xlsx", "book.xlsx"])
def test_sample_reads_to_the_expected_values_whatever_its_name(name: str) -> None:
    result = read_bytes(SAMPLE.read_bytes(), name, registry=REGISTRY)
    assert result.plugin == "sagae"
    assert result.issues == []
    assert result.entity_code == "062065"
    assert result.as_of == dt.date(2025, 7, 31)
    assert values_by_cell(result, sheet=True) == EXPECTED
    assert sorted(EXPECTED.values()) == [(y, k, v, s) for _, y, k, v, s in expected_values("062065")]


def test_sample_through_the_file_path() -> None:
    assert values_by_cell(read_path(SAMPLE, registry=REGISTRY), sheet=True) == EXPECTED


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.name)
def test_the_other_bodies_sample_forms_are_not_claimed(path: Path) -> None:
    workbook = open_workbook(path)
    try:
        assert not saisei_sagae.saisei_detect(workbook)
    finally:
        workbook.close()


def test_the_other_bodies_forms_are_all_there() -> None:
    assert len(OTHERS) == 6
