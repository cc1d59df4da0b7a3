"""Reading.to_frame: one select per plugin frame gives what the first, step-by-step build gave."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import polars as pl
import pytest

from saisei.plans import load_plan
from saisei.reading import Reading

PLAN = load_plan()


def reading(observed: int, frames: list[pl.DataFrame]) -> Reading:
    r = Reading(SimpleNamespace(name="f.xlsx"), PLAN, entity_code="062031")  # type: ignore[arg-type]
    for i in range(observed):
        r.observe(kpi=1 + i % 3, fiscal_year=2024, value=i, status="final", sheet="S", cell=f"E{i + 2}")
    for f in frames:
        r.extend(f)
    return r


def events(n: int, **overrides: Any) -> pl.DataFrame:
    data: dict[str, Any] = {
        "fiscal_year": [2025] * n,
        "kpi": [2] * n,
        "value": list(range(n)),
        "status": ["provisional"] * n,
        "sheet": ["実績一覧"] * n,
        "cell": [f"E{r + 4}" for r in range(n)],
        "period": [None] * n,
    }
    data.update(overrides)
    return pl.DataFrame(data)


CASES = {
    "observed only": (3, []),
    "nothing": (0, []),
    "one frame": (0, [events(4)]),
    "frames and observed": (2, [events(3), events(0), events(2)]),
    "an empty frame": (0, [events(0)]),
    "narrow dtypes": (0, [events(3).with_columns(pl.col("value").cast(pl.Int32), pl.col("kpi").cast(pl.UInt8))]),
    "float and text values": (1, [events(3, value=[1.0, 2.5, None]), events(2, value=["7", "x"])]),
    "its own file column": (0, [events(2).with_columns(pl.lit("other.xlsx").alias("file"))]),
    "extra columns": (0, [events(2).with_columns(pl.lit(1).alias("extra"))]),
    "an entity code column": (1, [events(2).with_columns(pl.lit("062049").alias("entity_code"))]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_to_frame_agrees_with_the_step_by_step_build(case: str) -> None:
    observed, frames = CASES[case]
    r = reading(observed, frames)
    fast, slow = r.to_frame(), r._to_frame_by_steps()
    assert fast.schema == slow.schema
    assert fast.to_dicts() == slow.to_dicts()
    assert fast.height == len(r)
    assert set(fast["file"].to_list()) <= {"f.xlsx"}


@pytest.mark.parametrize(
    "frame",
    [events(2).drop("cell"), events(2).with_columns(pl.struct("kpi", "value").alias("value"))],
    ids=["missing column", "uncastable column"],
)
def test_a_frame_that_cannot_be_made_an_observation_frame_fails_in_the_same_words(frame: pl.DataFrame) -> None:
    r = reading(1, [frame])
    with pytest.raises(Exception) as slow:
        r._to_frame_by_steps()
    with pytest.raises(Exception) as fast:
        r.to_frame()
    assert (type(fast.value), str(fast.value)) == (type(slow.value), str(slow.value))


def test_observed_rows_of_any_type_give_what_the_column_by_column_build_gives() -> None:
    """A few plainly typed rows go to polars as rows; anything else (bools, floats, text in a
    number column, ints past Int64, many rows) column by column.  Either way, the same frame."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    number = st.one_of(
        st.integers(0, 3000),
        st.sampled_from([2**63 - 1, -(2**63), 2**63, -(2**63) - 1, True, 2.5, 3.0, "7", None]),
    )
    text = st.one_of(st.text(max_size=4), st.sampled_from([None, 1, "E4"]))
    plain_number = st.one_of(st.integers(0, 3000), st.sampled_from([2**63 - 1, -(2**63), 2**63, -(2**63) - 1]))

    def rows(number: st.SearchStrategy[Any], text: st.SearchStrategy[Any]) -> st.SearchStrategy[list[dict[str, Any]]]:
        row = st.fixed_dictionaries(
            {"fiscal_year": number, "kpi": number, "value": number, "status": text, "sheet": text, "cell": text},
            optional={"period": st.one_of(st.none(), text)},
        )
        return st.lists(row, max_size=40)

    @settings(max_examples=150, deadline=None)
    @given(st.one_of(rows(plain_number, st.text(max_size=4)), rows(number, text)))
    def check(rows: list[dict[str, Any]]) -> None:
        r = reading(0, [])
        for values in rows:
            r.observe(**values)
        fast, slow = r.to_frame(), r._to_frame_by_steps()
        assert fast.schema == slow.schema
        assert fast.to_dicts() == slow.to_dicts()

    check()


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("KPI②", 2),
        ("2", 2),
        ("事業により創出した関係人口数", 2),
        ("関係人口", 2),
        ("①事業により関係人口を受け入れる体制が整った地域・団体等数", 1),  # a mark before the name
        ("交流人口（人）", 3),  # a unit in brackets
        ("KPI② 交流人口数", None),  # the mark and the name disagree
        ("観光客数", None),
    ],
)
def test_reading_kpi_understands_the_labels_forms_write(text: str, number: int | None) -> None:
    reading = Reading(SimpleNamespace(name="f.xlsx"), load_plan())  # type: ignore[arg-type]
    got = reading.kpi(SimpleNamespace(name="S"), "B2", value=text)  # type: ignore[arg-type]
    assert got == number
    assert [i.code for i in reading.issues] == ([] if number else ["unknown-kpi"])


def test_a_few_rows_of_frames_in_the_schemas_dtypes_give_what_the_step_by_step_build_gives() -> None:
    """Frames already in the observation dtypes, with a few observed rows, go to polars in one
    call with them (no select per frame): the same frame as building it step by step."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from saisei.core.columns import OBSERVATION_COLUMNS

    schema = {name: dtype for name, dtype in OBSERVATION_COLUMNS.items() if name != "file"}
    number = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.sampled_from([0, 2024, 7]))
    text = st.one_of(st.none(), st.text(max_size=3), st.sampled_from(["final", "実績一覧", "E4"]))
    row = st.fixed_dictionaries({name: number if dtype == pl.Int64 else text for name, dtype in schema.items()})
    frames = st.lists(st.lists(row, max_size=12).map(lambda rows: pl.DataFrame(rows, schema=schema)), max_size=3)
    observed = st.lists(
        st.fixed_dictionaries(
            {
                "fiscal_year": st.integers(2020, 2030),
                "kpi": st.integers(1, 3),
                "value": st.one_of(st.integers(0, 10**6), st.sampled_from([2.5, "7", None, True])),
                "status": st.just("final"),
                "sheet": st.just("S"),
                "cell": st.just("E5"),
            }
        ),
        max_size=8,
    )

    @settings(max_examples=150, deadline=None)
    @given(observed, frames)
    def check(observed: list[dict[str, Any]], frames: list[pl.DataFrame]) -> None:
        r = reading(0, [])
        for values in observed:
            r.observe(**values)
        for f in frames:
            r.extend(f)
        fast, slow = r.to_frame(), r._to_frame_by_steps()
        assert fast.schema == slow.schema
        assert fast.to_dicts() == slow.to_dicts()

    check()
