"""The city's sample 実績報告書 (``examples/fy2024/``) reads to the expected values, whatever its name;
the other bodies' samples are not claimed."""

from __future__ import annotations

import datetime as dt

import saisei_tsuruoka

from saisei.testing import (
    SampleTests,
    example_path,
    expected_values,
    make_registry,
    observations,
    read_path,
    values_by_cell,
)

SAMPLE = example_path("鶴岡市_KPI実績報告書_R6.xlsx")
REGISTRY = make_registry(("tsuruoka", saisei_tsuruoka))
EXPECTED = {"E7": (2024, 1, 3, "final"), "E8": (2024, 2, 12, "final"), "E9": (2024, 3, 1120, "final")}


def test_sample_reads_to_the_expected_values() -> None:
    result = read_path(SAMPLE, registry=REGISTRY)
    assert result.plugin == "tsuruoka"
    assert result.issues == []
    assert result.entity_code == "062031"
    assert result.as_of == dt.date(2025, 8, 29)
    assert values_by_cell(result) == EXPECTED
    assert {o["entity_code"] for o in observations(result)} == {"062031"}
    assert sorted(EXPECTED.values()) == [(y, k, v, s) for _, y, k, v, s in expected_values("062031")]


class TestSamples(SampleTests):
    """The sample reads the same under any name; the other bodies' samples are not claimed."""

    plugin = saisei_tsuruoka
    name = "tsuruoka"
    sample_paths = (SAMPLE,)
