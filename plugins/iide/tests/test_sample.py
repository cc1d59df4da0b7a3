"""The town's sample 月別実績 (``examples/fy2024/``) reads to the expected values, whatever its name;
the other bodies' samples are not claimed."""

from __future__ import annotations

import datetime as dt

import saisei_iide

from saisei.testing import (
    SampleTests,
    example_path,
    expected_values,
    make_registry,
    observations,
    read_path,
    sums,
)

SAMPLE = example_path("飯豊町_月別実績_R6.xlsx")
CODE = "064033"
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


class TestSamples(SampleTests):
    """The sample reads the same under any name; the other bodies' samples are not claimed."""

    plugin = saisei_iide
    name = "iide"
    sample_paths = (SAMPLE,)
