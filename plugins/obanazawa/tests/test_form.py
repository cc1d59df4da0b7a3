"""尾花沢市's KPI進捗管理表: the rules and edge cases of the form, on workbooks built here, and the template."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import saisei_obanazawa
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from saisei import FileResult, load_plan
from saisei.testing import errors, example_path, issue_cells, make_registry, observations, read_bytes

SAMPLE = example_path("KPI進捗管理表（尾花沢市）.xlsx")
CODE = "062120"
REGISTRY = make_registry(("obanazawa", saisei_obanazawa))

Row = tuple[Any, Any, Any, Any, Any]  # A..E


def build(
    rows: list[Row],
    *,
    made: Any = dt.date(2025, 2, 14),
    header: tuple[Any, ...] = ("年度", "区分", "KPI①", "KPI②", "KPI③"),
    title: str = "尾花沢市 地域再生計画KPI進捗管理表",
    merge: bool = True,
) -> bytes:
    """The city's form: ``rows`` from row 5 (A..E); years merged over their two rows."""
    book = Workbook()
    ws = book.active
    ws.title = "KPI進捗"
    ws["A1"], ws["G1"], ws["H1"] = title, "作成日", made
    for column, text in zip("ABCDE", header, strict=True):
        ws[f"{column}3"] = text
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws["C4"], ws["D4"], ws["E4"] = "体制整備団体数", "関係人口数", "交流人口数"
    for offset, row in enumerate(rows):
        for column, value in zip("ABCDE", row, strict=True):
            if value is not None:
                ws[f"{column}{5 + offset}"] = value
    if merge:
        for offset, row in enumerate(rows):
            below = rows[offset + 1] if offset + 1 < len(rows) else None
            if row[1] == "目標" and below is not None and below[1] == "実績" and below[0] is None:
                ws.merge_cells(f"A{5 + offset}:A{6 + offset}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def years(*blocks: tuple[Any, tuple[Any, Any, Any], tuple[Any, Any, Any]]) -> list[Row]:
    """Two rows per year: (year, targets, actuals)."""
    rows: list[Row] = []
    for year, target, actual in blocks:
        rows.append((year, "目標", *target))
        rows.append((None, "実績", *actual))
    return rows


DASH = ("－", "－", "－")
STANDARD = years(
    ("2024年度", (2, 5, 400), (2, 6, 412)), ("2025年度", (2, 6, 420), DASH), ("2026年度", (2, 6, 440), DASH)
)


def read(data: bytes, name: str = "form.xlsx") -> FileResult:
    result = read_bytes(data, name, registry=REGISTRY)
    assert result.plugin == "obanazawa", [i.message for i in result.issues]
    return result


def values(result: FileResult) -> dict[tuple[int, int], tuple[int, str, str]]:
    """(year, kpi) → (value, status, cell)."""
    return {(o["fiscal_year"], o["kpi"]): (o["value"], o["status"], o["cell"]) for o in observations(result)}


# -- not known: －, -, blank; zero is a value ---------------------------------------------


def test_dashes_and_blanks_are_not_known_and_zero_is_a_value() -> None:
    rows = years(("2024年度", (1, 1, 1), ("－", "-", None)), ("2025年度", (1, 1, 1), (0, "0", "－")))
    result = read(build(rows, made=dt.date(2026, 2, 1)))
    assert not errors(result)
    assert values(result) == {(2025, 1): (0, "provisional", "C8"), (2025, 2): (0, "provisional", "D8")}


def test_full_width_digits_and_commas() -> None:
    rows = years(("2024年度", (1, 1, 1), ("１２", "３", "１，２０３")))
    result = read(build(rows, made=dt.date(2025, 5, 1)))
    assert not errors(result)
    assert values(result) == {
        (2024, 1): (12, "final", "C6"),
        (2024, 2): (3, "final", "D6"),
        (2024, 3): (1203, "final", "E6"),
    }


@pytest.mark.parametrize("label", ["2024年度", "令和6年度", "R6", "Ｒ６", "２０２４年度", 2024, "2024"])
def test_year_spellings(label: Any) -> None:
    rows = years((label, (1, 1, 1), (4, 5, 6)))
    result = read(build(rows, made=dt.date(2025, 6, 1)))
    assert not errors(result)
    assert {y for y, _ in values(result)} == {2024}


# -- status from the 作成日 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("made", "status"),
    [
        (dt.date(2025, 2, 14), "provisional"),  # February, before FY2024 ends
        (dt.date(2025, 3, 31), "provisional"),  # the last day: the year has not ended yet
        (dt.date(2025, 4, 1), "final"),
        (dt.datetime(2025, 8, 20, 9, 30), "final"),
        ("令和7年2月14日", "provisional"),
        ("2025/04/10", "final"),
        ("R7.4.10", "final"),
    ],
)
def test_status_follows_the_date_made(made: Any, status: str) -> None:
    result = read(build(years(("2024年度", (1, 1, 1), (2, 3, 4))), made=made))
    assert not errors(result)
    assert {s for _, s, _ in values(result).values()} == {status}


def test_each_year_gets_its_own_status() -> None:
    rows = years(("2024年度", (1, 1, 1), (2, 3, 4)), ("2025年度", (1, 1, 1), (5, 6, 7)), ("2026年度", (1, 1, 1), DASH))
    result = read(build(rows, made=dt.date(2026, 2, 10)))
    assert not errors(result)
    got = values(result)
    assert {got[(2024, k)][1] for k in (1, 2, 3)} == {"final"}
    assert {got[(2025, k)][1] for k in (1, 2, 3)} == {"provisional"}
    assert (2026, 1) not in got


@pytest.mark.parametrize(("made", "code"), [(None, "missing-value"), ("未定", "bad-date"), ("2025/13/40", "bad-date")])
def test_a_missing_or_unreadable_date_is_an_error_at_h1(made: Any, code: str) -> None:
    result = read(build(STANDARD, made=made))
    assert (code, "H1") in issue_cells(result)


def test_a_value_for_a_year_not_yet_begun_is_an_error_at_its_cell() -> None:
    rows = years(("2024年度", (1, 1, 1), (2, 3, 4)), ("2025年度", (1, 1, 1), ("－", 5, "－")))
    result = read(build(rows, made=dt.date(2025, 2, 14)))
    assert issue_cells(result) == [("future-value", "D8")]


# -- garbage, at its cell ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("調査中", "not-a-number"),
        ("3団体", "unexpected-unit"),
        (-1, "negative-count"),
        ("▲2", "negative-count"),
        (1.5, "fractional-count"),
        (dt.date(2024, 5, 1), "not-a-number"),
    ],
)
def test_garbage_in_an_actual_is_an_error_at_that_cell(value: Any, code: str) -> None:
    rows = years(("2024年度", (1, 1, 1), (2, value, 4)))
    data = build(rows)
    result = read(data, "尾花沢.xlsx")
    assert issue_cells(result) == [(code, "D6")]
    message = errors(result)[0].message
    assert message.startswith("尾花沢.xlsx!KPI進捗!D6: "), message


def test_targets_are_not_read() -> None:
    rows = years(("2024年度", ("未定", -3, 2.5), (2, 3, 4)))
    result = read(build(rows))
    assert not errors(result)
    assert sorted(c for _, _, c in values(result).values()) == ["C6", "D6", "E6"]


# -- the layout: header, years, 目標/実績 pattern --------------------------------------------


@pytest.mark.parametrize(
    ("header", "code", "cell"),
    [
        (("年度", "区分", "KPI②", "KPI②", "KPI③"), "conflicting-label", "C4"),  # C4 says 体制整備団体数 (KPI①)
        (("年度", "区分", "KPI②", "KPI②", "KPI③"), "bad-header", "F3"),  # no column for KPI①
        (("年度", "区分", "KPI①", "KPI②", "KPI①"), "conflicting-label", "E4"),  # E4 says 交流人口数
        (("年", "区分", "KPI①", "KPI②", "KPI③"), "bad-header", "A3"),
        (("年度", None, "KPI①", "KPI②", "KPI③"), "bad-header", "A3"),
    ],
)
def test_a_wrong_header_is_an_error_at_its_cell(header: tuple[Any, ...], code: str, cell: str) -> None:
    result = read(build(STANDARD, header=header))
    assert (code, cell) in issue_cells(result)


def test_header_spellings_that_are_the_same_after_nfkc() -> None:
    result = read(build(STANDARD, header=("年度", "区分", "ＫＰＩ①", "KPI2", "KPI③")))
    assert not errors(result)


@pytest.mark.parametrize("label", ["2023年度", "令和9年度", "R5"])
def test_a_year_outside_the_plan_is_an_error_at_the_year_cell(label: str) -> None:
    rows = years(("2024年度", (1, 1, 1), (2, 3, 4)), (label, (1, 1, 1), (5, 6, 7)))
    result = read(build(rows, made=dt.date(2030, 1, 1)))
    assert issue_cells(result) == [("bad-fiscal-year", "A7")]


def test_an_unreadable_or_blank_year_is_an_error_at_the_year_cell() -> None:
    rows = years(("来年度", (1, 1, 1), (2, 3, 4)), (None, (1, 1, 1), (5, 6, 7)))
    result = read(build(rows, merge=False))
    assert issue_cells(result) == [("bad-fiscal-year", "A5"), ("missing-value", "A7")]


def test_a_year_given_twice_is_an_error_at_the_second() -> None:
    rows = years(("2024年度", (1, 1, 1), (2, 3, 4)), ("令和6年度", (1, 1, 1), (2, 3, 4)))
    result = read(build(rows))
    assert issue_cells(result) == [("duplicate-row", "A7")]


def test_a_missing_actual_row_is_an_error_where_it_should_be() -> None:
    rows: list[Row] = [
        ("2024年度", "目標", 1, 1, 1),
        ("2025年度", "目標", 1, 1, 1),
        (None, "実績", "－", "－", "－"),
        ("2026年度", "目標", 1, 1, 1),
    ]
    result = read(build(rows))
    assert issue_cells(result) == [("missing-row", "B6"), ("missing-row", "B9")]


def test_an_actual_row_without_its_label_is_an_error_at_the_label() -> None:
    rows: list[Row] = [("2024年度", "目標", 1, 1, 1), (None, None, 2, 3, 4)]
    result = read(build(rows))
    assert issue_cells(result) == [("missing-row", "B6")]


@pytest.mark.parametrize(
    ("rows", "cell"),
    [
        ([("2024年度", "実績", 2, 3, 4)], "B5"),  # 実績 without 目標
        ([("2024年度", "見込", 2, 3, 4)], "B5"),  # neither label
        ([(None, None, 2, 3, 4)], "B5"),  # a value row with no label at all
        ([*years(("2024年度", (1, 1, 1), (2, 3, 4))), (None, "実績", 5, 6, 7)], "B7"),  # a second 実績
    ],
)
def test_rows_out_of_the_pattern_are_errors_at_the_label(rows: list[Row], cell: str) -> None:
    result = read(build(rows))
    assert issue_cells(result) == [("bad-row", cell)]


def test_the_year_repeated_in_the_lower_half_must_agree() -> None:
    same = [("2024年度", "目標", 1, 1, 1), ("令和6年度", "実績", 2, 3, 4)]
    result = read(build(same, merge=False))
    assert not errors(result)
    assert len(values(result)) == 3
    other = [("2024年度", "目標", 1, 1, 1), ("2025年度", "実績", 2, 3, 4)]
    assert issue_cells(read(build(other, merge=False))) == [("bad-row", "A6")]


def test_blank_rows_and_notes_are_skipped() -> None:
    rows: list[Row] = [
        *years(("2024年度", (1, 1, 1), (2, 3, 4))),
        (None, None, None, None, None),
        *years(("2025年度", (1, 1, 1), DASH)),
        (None, None, None, None, None),
        ("※実績は作成日時点の見込みです", None, None, None, None),
    ]
    result = read(build(rows))
    assert not errors(result)
    assert set(values(result)) == {(2024, 1), (2024, 2), (2024, 3)}


def test_every_problem_is_reported_not_only_the_first() -> None:
    rows = years(("2024年度", (1, 1, 1), ("調査中", -1, 4)), ("2099年度", (1, 1, 1), DASH))
    result = read(build(rows, made=None, header=("年度", "区分", "KPI①", "KPI②", "KPI④")))
    assert sorted(issue_cells(result)) == sorted(
        [
            ("missing-value", "H1"),
            ("conflicting-label", "E4"),  # KPI④ over 交流人口数
            ("bad-header", "E3"),  # so no column for KPI③
            ("not-a-number", "C6"),
            ("negative-count", "D6"),
            ("bad-fiscal-year", "A7"),
        ]
    )


# -- detection -------------------------------------------------------------------------


def test_not_claimed_without_the_title() -> None:
    data = build(STANDARD, title="集計表")
    result = read_bytes(data, registry=REGISTRY)
    assert result.plugin is None
    assert [i.code for i in result.issues] == ["unknown-form"]


# -- the template ----------------------------------------------------------------------


def test_template_has_every_year_and_slots_up_to_its_year() -> None:
    plan = load_plan()
    made = dt.date(2026, 2, 10)
    template = saisei_obanazawa.saisei_template(2025, plan, made)
    assert [(s.fiscal_year, s.kpi, s.cell) for s in template.slots] == [
        (2024, 1, "C6"),
        (2024, 2, "D6"),
        (2024, 3, "E6"),
        (2025, 1, "C8"),
        (2025, 2, "D8"),
        (2025, 3, "E8"),
    ]
    assert template.complete_status == "provisional"
    ws = template.workbook["KPI進捗"]
    assert [ws["A5"].value, ws["A7"].value, ws["A9"].value] == ["2024年度", "2025年度", "2026年度"]
    assert [ws[f"{c}10"].value for c in "CDE"] == ["－", "－", "－"]
    result = read(template.fill({s: 7 for s in template.slots}))
    assert not errors(result)
    got = values(result)
    assert got[(2024, 1)][1] == "final"
    assert got[(2025, 1)][1] == "provisional"


def test_template_without_a_date_leaves_h1_blank_and_reads_as_missing() -> None:
    template = saisei_obanazawa.saisei_template(2024, load_plan(), None)
    assert template.workbook["KPI進捗"]["H1"].value is None
    result = read(template.fill({}))
    assert issue_cells(result) == [("missing-value", "H1")]


# -- property: whatever the city types into the 実績 rows ---------------------------------

CELL = st.one_of(
    st.none(),
    st.sampled_from(["－", "-"]),
    st.integers(0, 10**6),
    st.integers(0, 10**6).map(lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))),
)


@settings(max_examples=20, deadline=None)
@given(st.lists(CELL, min_size=6, max_size=6), st.dates(dt.date(2024, 4, 1), dt.date(2027, 12, 31)))
def test_reads_what_was_typed(cells: list[Any], made: dt.date) -> None:
    rows = years(
        ("2024年度", (1, 1, 1), tuple(cells[:3])),
        ("2025年度", (1, 1, 1), tuple(cells[3:])),
    )
    result = read(build(rows, made=made))
    expected: dict[tuple[int, int], tuple[int, str, str]] = {}
    future = []
    for index, raw in enumerate(cells):
        year, kpi = 2024 + index // 3, index % 3 + 1
        cell = f"{'CDE'[kpi - 1]}{6 + 2 * (year - 2024)}"
        if raw is None or raw in ("－", "-"):
            continue
        if made < dt.date(year, 4, 1):
            future.append(("future-value", cell))
            continue
        status = "final" if made > dt.date(year + 1, 3, 31) else "provisional"
        expected[(year, kpi)] = (
            int(str(raw).translate(str.maketrans("０１２３４５６７８９", "0123456789"))),
            status,
            cell,
        )
    assert issue_cells(result) == future
    assert values(result) == expected


# -- across workbooks: February's estimate, then next year's table confirms it ---------------


def test_next_years_table_confirms_the_february_estimate(tmp_path: Path) -> None:
    from saisei import consolidate

    (tmp_path / "R6.xlsx").write_bytes(SAMPLE.read_bytes())
    rows = years(
        ("2024年度", (2, 5, 400), (3, 7, 450)),
        ("2025年度", (2, 6, 420), (1, 2, 100)),
        ("2026年度", (2, 6, 440), DASH),
    )
    (tmp_path / "R7.xlsx").write_bytes(build(rows, made=dt.date(2026, 2, 12)))
    result = consolidate([tmp_path], registry=REGISTRY)
    assert not result.has_errors, [i.message for i in result.errors]
    mine = result.values.filter(entity_code=CODE).sort("fiscal_year", "kpi")
    assert mine.select("fiscal_year", "kpi", "value", "status").rows() == [
        (2024, 1, 3, "final"),
        (2024, 2, 7, "final"),
        (2024, 3, 450, "final"),
        (2025, 1, 1, "provisional"),
        (2025, 2, 2, "provisional"),
        (2025, 3, 100, "provisional"),
    ]
    assert result.revisions.height == 3
