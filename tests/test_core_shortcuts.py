"""The speed shortcuts of the label search give what the plain computation gives.

Each shortcut (a sheet's rows read in one call, cells that no field's label can match
passed over) is pinned here against the computation it replaces, written out plainly,
on grids drawn at random from labels, their variants and other values.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from saisei.core import tables
from saisei.core.plan import Plan
from saisei.core.tables import Field, find_header, find_label
from saisei.plans import load_plan
from saisei.workbook import Sheet

PLAN = load_plan()
LABELS = ("年度", "KPI", "実績値", "備考", "No.", "指標名")
CELLS = st.one_of(
    st.none(),
    st.sampled_from(LABELS),
    st.sampled_from(("実績値（人）", "年\n度", "ＫＰＩ", "備考【メモ】", "(人)", "実績値(人)(累計)", "", "  ")),
    st.sampled_from(("合計", "関係人口", "※メモ", "KPI①", "年度計")),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
)
ROWS = st.lists(st.lists(CELLS, max_size=8), max_size=8)
FIELDS = st.lists(
    st.builds(
        Field,
        st.sampled_from(("a", "b", "c", "d", "e")),
        st.lists(st.sampled_from(LABELS), min_size=1, max_size=2).map(tuple),
        st.booleans(),
        st.booleans(),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda f: f.key,
)


class PlainGrid:
    """A grid with only ``at``: the search as written for any grid."""

    def __init__(self, rows: list[list[Any]]) -> None:
        self.rows = rows
        self.max_row = len(rows)
        self.max_column = max((len(r) for r in rows), default=0)

    def at(self, row: int, column: int) -> Any:
        if 1 <= row <= len(self.rows) and 1 <= column <= len(self.rows[row - 1]):
            return self.rows[row - 1][column - 1]
        return None


def plain_row_matches(grid: PlainGrid, row: int, fields: list[Field], last_column: int) -> dict[str, list[int]]:
    """Every cell of the row asked of every field, in order: the first field it matches."""
    found: dict[str, list[int]] = {}
    for column in range(1, last_column + 1):
        value = grid.at(row, column)
        if type(value) is not str or not tables.label_key(value):
            continue
        for f in fields:
            if f.matches(tables.label_key(value)):
                found.setdefault(f.key, []).append(column)
                break
    return found


@given(ROWS, st.integers(-1, 10), st.integers(-1, 10))
@example([[1, "a", None]], 1, -1)
@example([[1, "a", None], [2]], 2, 3)
def test_a_sheets_row_values_are_its_cells_one_by_one(rows: list[list[Any]], row: int, last: int) -> None:
    sheet = Sheet("表", False, rows)
    got = sheet.row_values(row, last)
    assert len(got) <= max(0, last)
    assert [*got, *[None] * (max(0, last) - len(got))] == [sheet.at(row, c) for c in range(1, last + 1)]


@given(ROWS, FIELDS)
def test_passing_over_cells_no_field_can_match_changes_no_row(rows: list[list[Any]], fields: list[Field]) -> None:
    grid = PlainGrid(rows)
    keys = frozenset().union(*(f._keys for f in fields))
    loose = any(f.loose for f in fields)
    for row in range(1, len(rows) + 1):
        expected = plain_row_matches(grid, row, fields, grid.max_column)
        assert tables._row_matches(grid, row, fields, grid.max_column, keys, loose) == expected
        assert tables._row_matches(Sheet("表", False, rows), row, fields, grid.max_column, keys, loose) == expected


@given(ROWS, FIELDS, st.booleans(), st.integers(1, 3), st.integers(1, 8), st.integers(1, 8))
def test_a_header_is_found_the_same_on_a_sheet_and_on_any_grid(
    rows: list[list[Any]], fields: list[Field], first_only: bool, first_row: int, n_rows: int, columns: int
) -> None:
    options = {"first_row": first_row, "rows": n_rows, "columns": columns, "first_only": first_only}
    assert find_header(Sheet("表", False, rows), fields, **options) == find_header(PlainGrid(rows), fields, **options)


@given(ROWS, st.lists(st.sampled_from(LABELS), min_size=1, max_size=3), st.booleans(), st.integers(1, 8))
def test_a_label_is_found_the_same_on_a_sheet_and_on_any_grid(
    rows: list[list[Any]], labels: list[str], contains: bool, columns: int
) -> None:
    on_sheet = find_label(Sheet("表", False, rows), labels, columns=columns, contains=contains)
    assert on_sheet == find_label(PlainGrid(rows), labels, columns=columns, contains=contains)


NAMES = ("関係人口数", "関係人口", "交流人口", "移住者数", "移住者（人）", "KPI", "数", "体験者数【人】", "")
KPIS = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES), st.lists(st.sampled_from(NAMES), max_size=2)),
    min_size=1,
    max_size=4,
)


def plain_kpi_by_name(plan: Plan, text: str) -> int | None:
    """Every KPI's name keys worked out again for every label."""
    key = tables._unbracketed(text)
    if not key:
        return None
    for candidate in (key, key.removesuffix("数")):
        for kpi in plan.kpis:
            if candidate in tables._name_keys(kpi):
                return kpi.number
    return None


@given(KPIS, st.lists(st.sampled_from((*NAMES, "関係人口(人)", "移住者", "体験者", "体験者数数")), max_size=6))
def test_a_kpi_is_found_by_its_name_as_when_every_name_was_worked_out_again(
    names: list[tuple[str, str, list[str]]], labels: list[str]
) -> None:
    kpis = tuple(
        dataclasses.replace(PLAN.kpis[0], number=i + 1, name=name, short_name=short, aliases=tuple(aliases))
        for i, (name, short, aliases) in enumerate(names)
    )
    plan = dataclasses.replace(PLAN, kpis=kpis)
    for label in labels:
        key = tables.label_key(label)
        assert tables._kpi_by_name(plan, key) == plain_kpi_by_name(plan, key)
    # another plan with other names is not answered from the first one's index
    other = dataclasses.replace(PLAN, kpis=tuple(dataclasses.replace(k, number=k.number + 10) for k in kpis))
    for label in labels:
        key = tables.label_key(label)
        assert tables._kpi_by_name(other, key) == plain_kpi_by_name(other, key)


def test_a_plan_made_where_a_dropped_one_was_is_not_answered_from_the_dropped_ones_index() -> None:
    ids = set()
    for i in range(1, 200):
        kpi = dataclasses.replace(PLAN.kpis[0], number=i, name=f"指標{i}号", short_name=f"指標{i}号", aliases=())
        plan = dataclasses.replace(PLAN, kpis=(kpi,))
        ids.add(id(plan))
        assert tables._kpi_by_name(plan, f"指標{i}号") == i
        del plan, kpi
    assert len(ids) < 199  # addresses were reused: the case this test is about did happen


def test_a_dropped_plans_index_goes_with_it() -> None:
    kpi = dataclasses.replace(PLAN.kpis[0], number=1, name="消える指標", short_name="消える指標", aliases=())
    plan = dataclasses.replace(PLAN, kpis=(kpi,))
    assert tables._kpi_by_name(plan, "消える指標") == 1
    assert id(plan) in tables._NAME_INDEXES
    key = id(plan)
    del plan
    assert key not in tables._NAME_INDEXES
