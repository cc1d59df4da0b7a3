"""The city's sample KPI進捗管理表 (``examples/fy2024/``) reads to the expected values, whatever its name;
the other bodies' samples are not claimed."""

from __future__ import annotations

import datetime as dt

import saisei_obanazawa

from saisei.testing import (
    SampleTests,
    example_path,
    expected_values,
    make_registry,
    observations,
    read_path,
    values_by_cell,
)

SAMPLE = example_path("KPI進捗管理表（尾花沢市）.xlsx")
CODE = "062120"
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


class TestSamples(SampleTests):
    """The sample reads the same under any name; the other bodies' samples are not claimed."""

    plugin = saisei_obanazawa
    name = "obanazawa"
    sample_paths = (SAMPLE,)
