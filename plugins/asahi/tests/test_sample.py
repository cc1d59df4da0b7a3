"""The town's sample kintone export (``examples/fy2024/``) reads to the expected values, whatever its name;
the other bodies' samples are not claimed."""

from __future__ import annotations

import datetime as dt

import saisei_asahi

from saisei import consolidate
from saisei.testing import SampleTests, example_path, expected_values, make_registry, observations, read_path

SAMPLE = example_path("asahi_kintone_export_20250412.xlsx")
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


class TestSamples(SampleTests):
    """The sample reads the same under any name; the other bodies' samples are not claimed."""

    plugin = saisei_asahi
    name = "asahi"
    sample_paths = (SAMPLE,)
