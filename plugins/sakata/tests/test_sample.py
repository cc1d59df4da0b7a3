"""The city's sample 実績一覧 (``examples/fy2024/``) reads to the expected values, whatever its name;
the other bodies' samples are not claimed."""

from __future__ import annotations

import datetime as dt

import saisei_sakata

from saisei.testing import (
    SampleTests,
    errors,
    example_path,
    expected_values,
    make_registry,
    observations,
    read_path,
    sums,
    warnings,
)

SAMPLE = example_path("酒田市_実績一覧.xlsx")
REGISTRY = make_registry(("sakata", saisei_sakata))
EXPECTED = {
    (2024, 1): (2, "final"),
    (2024, 2): (9, "final"),
    (2024, 3): (862, "final"),
    (2025, 1): (1, "provisional"),
    (2025, 2): (3, "provisional"),
    (2025, 3): (240, "provisional"),
}


def test_sample_reads_to_the_expected_values() -> None:
    result = read_path(SAMPLE, registry=REGISTRY)
    assert result.plugin == "sakata"
    assert not errors(result), [i.message for i in errors(result)]
    assert result.entity_code == "062049"
    assert result.as_of == dt.date(2025, 8, 20)
    assert sums(result) == EXPECTED
    assert {(y, k): (v, s) for _, y, k, v, s in expected_values("062049")} == EXPECTED
    # one observation per event row, from its 件数 cell; the 合計 row (15) is not an event
    cells = [o["cell"] for o in observations(result)]
    assert sorted(cells, key=lambda c: int(c[1:])) == [f"E{r}" for r in range(4, 15)]
    assert {o["period"] for o in observations(result)} == {f"行{r}" for r in range(4, 15)}


def test_sample_summary_disagreements_are_warnings_naming_the_missed_rows() -> None:
    result = read_path(SAMPLE, registry=REGISTRY)
    found = {(i.sheet, i.cell): i for i in warnings(result)}
    assert {k for k, i in found.items() if i.sheet == "集計"} == {("集計", "B3"), ("集計", "B4"), ("集計", "C4")}
    assert all(i.code == "total-mismatch" for i in found.values())
    b3 = found[("集計", "B3")].message
    assert b3.startswith("酒田市_実績一覧.xlsx!集計!B3: ")
    assert "集計 3 が" in b3 and "合計 9 と" in b3
    assert "7行目（実施日が文字）" in b3 and "11行目（件数が文字）" in b3
    b4 = found[("集計", "B4")].message
    assert "412" in b4 and "862" in b4 and "8行目" in b4 and "10行目" in b4
    c4 = found[("集計", "C4")].message
    assert "集計 0 が" in c4 and "合計 240 と" in c4 and "13行目（実施日が文字）" in c4
    # The 合計 row's cached SUM (975) skips the counts typed as text (rows 10 and 11).
    e15 = found[("実績一覧", "E15")].message
    assert "975" in e15 and "1117" in e15 and "10行目" in e15 and "11行目" in e15


class TestSamples(SampleTests):
    """The sample reads the same under any name; the other bodies' samples are not claimed."""

    plugin = saisei_sakata
    name = "sakata"
    sample_paths = (SAMPLE,)
