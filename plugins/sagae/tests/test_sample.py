"""The city's sample workbook (``examples/fy2024/``) reads to the expected values, whatever its name;
the other bodies' samples are not claimed."""

from __future__ import annotations

import datetime as dt

import pytest
import saisei_sagae

from saisei.testing import (
    SampleTests,
    example_path,
    expected_values,
    make_registry,
    read_bytes,
    read_path,
    values_by_cell,
)

SAMPLE = example_path("寒河江市KPI.xlsx")
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


class TestSamples(SampleTests):
    """The sample reads the same under any name; the other bodies' samples are not claimed."""

    plugin = saisei_sagae
    name = "sagae"
    sample_paths = (SAMPLE,)
