"""The city's sample 実績報告書 (``examples/fy2024/``) reads to the expected values, whatever its name;
the other bodies' samples are not claimed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import saisei_tsuruoka

from saisei import open_workbook
from saisei.testing import (
    example_path,
    example_paths,
    expected_values,
    make_registry,
    observations,
    read_bytes,
    read_path,
    values_by_cell,
)

SAMPLE = example_path("鶴岡市_KPI実績報告書_R6.xlsx")
OTHERS = [path for path in example_paths() if path != SAMPLE]
REGISTRY = make_registry(("tsuruoka", saisei_tsuruoka))
EXPECTED = {"E7": (2024, 1, 3, "final"), "E8": (2024, 2, 12, "final"), "E9": (2024, 3, 1120, "final")}


@pytest.mark.parametrize("name", [SAMPLE.name, "提出用 (2).xlsx", "R6.xlsx"])
def test_sample_reads_to_the_expected_values_whatever_its_name(name: str) -> None:
    result = read_bytes(SAMPLE.read_bytes(), name, registry=REGISTRY)
    assert result.plugin == "tsuruoka"
    assert result.issues == []
    assert result.entity_code == "062031"
    assert result.as_of == dt.date(2025, 8, 29)
    assert values_by_cell(result) == EXPECTED
    assert {o["entity_code"] for o in observations(result)} == {"062031"}
    assert sorted(EXPECTED.values()) == [(y, k, v, s) for _, y, k, v, s in expected_values("062031")]


def test_sample_through_the_file_path() -> None:
    assert values_by_cell(read_path(SAMPLE, registry=REGISTRY)) == EXPECTED


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.name)
def test_the_other_bodies_sample_forms_are_not_claimed(path: Path) -> None:
    workbook = open_workbook(path)
    try:
        assert not saisei_tsuruoka.saisei_detect(workbook)
    finally:
        workbook.close()


def test_the_other_bodies_forms_are_all_there() -> None:
    assert len(OTHERS) == 6
