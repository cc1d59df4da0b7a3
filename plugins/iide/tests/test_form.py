"""飯豊町's 月別実績: the rules and edge cases of the form, on workbooks built here, and the template."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import saisei_iide
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from saisei import FileResult, load_plan
from saisei.testing import (
    errors,
    example_path,
    issue_cells,
    make_registry,
    observations,
    read_bytes,
    sums,
    with_cached_results,
)

SAMPLE = example_path("飯豊町_月別実績_R6.xlsx")
CODE = "064033"
REGISTRY = make_registry(("iide", saisei_iide))
MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
HEADER = ("月", "受入体制整備（団体）", "関係人口（人）", "交流人口（人）", "備考")

Month = tuple[Any, Any, Any, Any]  # C, D, E, 備考
FULL: list[Month] = [(1, 2, 10 * m, None) for m in MONTHS]  # every month filled, no 見込


def build(
    months: Sequence[Month] = FULL,
    *,
    year: Any = "令和6年度",
    made: Any = dt.date(2025, 4, 15),
    labels: Sequence[Any] | None = None,
    header: Sequence[Any] = HEADER,
    total: Sequence[Any] | None = ("=SUM(C5:C16)", "=SUM(D5:D16)", "=SUM(E5:E16)"),
    total_label: Any = "合計",
    extra: Mapping[str, Any] | None = None,
) -> bytes:
    """The town's form: ``months`` are rows 5–16 (C, D, E, 備考)."""
    book = Workbook()
    ws = book.active
    ws.title = "月別実績"
    ws["B2"], ws["C2"], ws["E2"], ws["F2"] = "年度", year, "作成日", made
    for column, text in zip("BCDEF", header, strict=True):
        ws[f"{column}4"] = text
    for index, row in enumerate(months):
        r = 5 + index
        ws[f"B{r}"] = f"{MONTHS[index]}月" if labels is None else labels[index]
        for column, value in zip("CDEF", row, strict=True):
            ws[f"{column}{r}"] = value
    if total is not None:
        ws["B17"] = total_label
        for column, value in zip("CDE", total, strict=True):
            ws[f"{column}17"] = value
    for ref, value in (extra or {}).items():
        ws[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes, name: str = "form.xlsx") -> FileResult:
    result = read_bytes(data, name, registry=REGISTRY)
    assert result.plugin == "iide", [i.message for i in result.issues]
    return result


# -- values and periods ----------------------------------------------------------------


def test_all_twelve_months_after_the_year_are_final() -> None:
    result = read(build())
    assert result.issues == []
    assert sums(result) == {(2024, 1): (12, "final"), (2024, 2): (24, "final"), (2024, 3): (780, "final")}
    periods = sorted({o["period"] for o in observations(result)})
    assert periods == [f"2024-{m:02d}" for m in range(4, 13)] + [f"2025-{m:02d}" for m in range(1, 4)]


def test_each_month_is_one_observation_at_its_cell() -> None:
    result = read(build())
    got = {(o["cell"], o["kpi"], o["value"], o["period"]) for o in observations(result)}
    assert ("C5", 1, 1, "2024-04") in got
    assert ("E13", 3, 120, "2024-12") in got
    assert ("D14", 2, 2, "2025-01") in got
    assert len(got) == 36


def test_zero_is_a_value_and_blank_is_not() -> None:
    months = [(0, 0, 0, None)] * 11 + [(None, 0, 5, None)]
    result = read(build(months))
    assert not errors(result)
    cells = {o["cell"] for o in observations(result)}
    assert "C16" not in cells and "D16" in cells and "C5" in cells
    assert sums(result) == {(2024, 1): (0, "provisional"), (2024, 2): (0, "final"), (2024, 3): (5, "final")}


def test_full_width_digits_and_commas() -> None:
    months = [("１", "２", "１，２０３", None), *FULL[1:]]
    result = read(build(months, total=None))
    assert not errors(result)
    by_cell = {o["cell"]: o["value"] for o in observations(result)}
    assert (by_cell["C5"], by_cell["D5"], by_cell["E5"]) == (1, 2, 1203)


@pytest.mark.parametrize("year", ["令和6年度", "R6", "Ｒ６", "2024年度", 2024, "２０２４"])
def test_year_spellings(year: Any) -> None:
    result = read(build(year=year))
    assert not errors(result)
    assert {o["fiscal_year"] for o in observations(result)} == {2024}


def test_a_later_year_names_its_own_months() -> None:
    result = read(build(year="令和7年度", made=dt.date(2026, 5, 1)))
    assert not errors(result)
    by_cell = {o["cell"]: o for o in observations(result)}
    assert (by_cell["C5"]["fiscal_year"], by_cell["C5"]["period"]) == (2025, "2025-04")
    assert by_cell["C16"]["period"] == "2026-03"


# -- status ----------------------------------------------------------------------------


def test_a_month_marked_mikomi_makes_the_year_provisional() -> None:
    months = [*FULL[:11], (1, 2, 30, "見込")]
    result = read(build(months))
    assert result.issues == []
    assert {s for _, s in sums(result).values()} == {"provisional"}


@pytest.mark.parametrize("note", ["見込み", "3月分は見込", "ｲﾍﾞﾝﾄ含む見込値"])
def test_mikomi_anywhere_in_the_note(note: str) -> None:
    months = [(1, 2, 3, note), *FULL[1:]]
    assert {s for _, s in sums(read(build(months))).values()} == {"provisional"}


def test_other_notes_are_not_evaluated() -> None:
    months = [(1, 2, 3, "イベント中止"), (1, 2, 3, "=1+1"), (1, 2, 3, "確定"), *FULL[3:]]
    result = read(build(months))
    assert result.issues == []
    assert {s for _, s in sums(result).values()} == {"final"}


def test_a_blank_month_makes_every_kpi_provisional() -> None:
    months = [*FULL[:6], (None, None, None, None), *FULL[7:]]
    result = read(build(months))
    assert result.issues == []
    assert sums(result) == {
        (2024, 1): (11, "provisional"),
        (2024, 2): (22, "provisional"),
        (2024, 3): (680, "provisional"),
    }


def test_a_blank_value_makes_only_its_kpi_provisional() -> None:
    months = [*FULL[:6], (1, None, 100, None), *FULL[7:]]
    result = read(build(months))
    assert result.issues == []
    assert sums(result) == {(2024, 1): (12, "final"), (2024, 2): (22, "provisional"), (2024, 3): (780, "final")}


def test_a_form_made_before_the_year_ends_is_provisional() -> None:
    months = [*FULL[:11], (0, 0, 24, "見込")]
    result = read(build(months, made=dt.date(2025, 3, 3)))
    assert result.issues == []
    assert {s for _, s in sums(result).values()} == {"provisional"}


def test_an_unended_month_without_mikomi_is_a_warning_and_provisional() -> None:
    result = read(build(made=dt.date(2025, 3, 3)))
    assert not errors(result)
    assert issue_cells(result, "warning") == [("unmarked-estimate", "F16")]
    assert "3月" in result.issues[0].message
    assert {s for _, s in sums(result).values()} == {"provisional"}


def test_months_after_the_date_made_without_mikomi_each_warn() -> None:
    months = [*FULL[:10], (0, 0, 1, "見込"), (0, 0, 1, None)]
    result = read(build(months, made=dt.date(2025, 1, 20)))
    assert issue_cells(result, "warning") == [("unmarked-estimate", "F14"), ("unmarked-estimate", "F16")]


@pytest.mark.parametrize(("made", "status"), [(dt.date(2025, 3, 31), "provisional"), (dt.date(2025, 4, 1), "final")])
def test_the_year_end_boundary(made: dt.date, status: str) -> None:
    months = [*FULL[:11], (1, 2, 30, None if status == "final" else "見込")]
    result = read(build(months, made=made))
    assert result.issues == []
    assert {s for _, s in sums(result).values()} == {status}


@pytest.mark.parametrize(
    ("made", "as_of"), [("令和7年4月2日", dt.date(2025, 4, 2)), ("2025/04/02", dt.date(2025, 4, 2))]
)
def test_text_dates(made: str, as_of: dt.date) -> None:
    result = read(build(made=made))
    assert result.issues == []
    assert result.as_of == as_of


@pytest.mark.parametrize(("made", "code"), [(None, "missing-value"), ("4月上旬", "bad-date"), (45000, "bad-date")])
def test_a_missing_or_unreadable_date_is_an_error_at_f2(made: Any, code: str) -> None:
    result = read(build(made=made))
    assert issue_cells(result) == [(code, "F2")]


# -- the 合計 row ----------------------------------------------------------------------


def test_total_formulas_without_cached_values_are_not_checked() -> None:
    result = read(build())
    assert result.issues == []


def test_cached_totals_that_agree_give_no_warning() -> None:
    result = read(with_cached_results(build(), {"C17": 12, "D17": 24, "E17": 780}))
    assert result.issues == []


def test_a_cached_total_that_disagrees_is_a_warning_at_its_cell() -> None:
    # Excel's SUM skipped 5月 typed as text: the cached total is short by 50
    months = [FULL[0], (1, 2, "５０", None), *FULL[2:]]
    result = read(with_cached_results(build(months), {"C17": 12, "D17": 24, "E17": 730}))
    assert not errors(result)
    assert issue_cells(result, "warning") == [("total-mismatch", "E17")]
    assert "730" in result.issues[0].message and "780" in result.issues[0].message
    assert sums(result)[(2024, 3)] == (780, "final")  # the months count, not the total


def test_a_typed_total_is_checked_too() -> None:
    result = read(build(total=(12, 25, "780")))
    assert issue_cells(result, "warning") == [("total-mismatch", "D17")]


def test_no_total_check_when_a_month_is_already_an_error() -> None:
    months = [("調査中", 2, 40, None), *FULL[1:]]
    result = read(with_cached_results(build(months), {"C17": 11, "D17": 99, "E17": 780}))
    assert issue_cells(result) == [("not-a-number", "C5")]
    assert issue_cells(result, "warning") == [("total-mismatch", "D17")]


def test_a_deleted_total_row_is_fine_but_a_wrong_label_is_an_error() -> None:
    assert read(build(total=None)).issues == []
    result = read(build(total_label="12月"))
    assert issue_cells(result) == [("duplicate-label", "B17")]


def test_values_below_the_table_are_warned_about() -> None:
    result = read(build(extra={"C19": 3, "B19": "※参考"}))
    assert not errors(result)
    assert issue_cells(result, "warning") == [("outside-table", "C19")]


# -- layout ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "cell"),
    [
        (("月", "受入", "関係人口（人）", "交流人口（人）", "備考"), "F4"),  # no KPI① column
        (("月", "受入体制整備（団体）", "関係人口（人）", "関係人口（人）", "備考"), "E4"),  # KPI② twice
        (("月", "受入体制整備（団体）", "関係人口（人）", "交流人口（人）", None), "A4"),  # no 備考
    ],
)
def test_a_wrong_header_is_an_error_at_its_cell(header: tuple[Any, ...], cell: str) -> None:
    result = read(build(header=header))
    assert ("bad-header", cell) in issue_cells(result)


def test_half_width_brackets_in_the_header_are_the_same() -> None:
    header = ("月", "受入体制整備(団体)", "関係人口(人)", "交流人口(人)", "備考")
    assert read(build(header=header)).issues == []


@pytest.mark.parametrize(
    "labels",
    [
        ["４月", "05月", 6, "7 月", *[f"{m}月" for m in MONTHS[4:]]],
        [dt.date(2024 if m >= 4 else 2025, m, 1) for m in MONTHS],
    ],
)
def test_month_label_spellings(labels: list[Any]) -> None:
    assert read(build(labels=labels)).issues == []


def test_a_label_that_is_no_month_is_an_error_at_the_label() -> None:
    labels = [f"{m}月" for m in MONTHS]
    labels[1], labels[2] = labels[2], labels[1]  # months reordered with their labels are fine
    labels[11] = "3月見込"
    result = read(build(labels=labels))
    assert issue_cells(result) == [("bad-month", "B16")]
    assert "3月見込" in errors(result)[0].message


@pytest.mark.parametrize(
    ("year", "code"), [("令和9年度", "bad-fiscal-year"), ("2023", "bad-fiscal-year"), (None, "missing-value")]
)
def test_a_year_outside_the_plan_is_an_error_at_c2(year: Any, code: str) -> None:
    result = read(build(year=year))
    assert issue_cells(result) == [(code, "C2")]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("調査中", "not-a-number"),
        ("3団体", "unexpected-unit"),
        (-1, "negative-count"),
        ("△3", "negative-count"),
        (2.5, "fractional-count"),
    ],
)
def test_garbage_in_a_month_is_an_error_at_that_cell(value: Any, code: str) -> None:
    months = [*FULL[:7], (1, value, 3, None), *FULL[8:]]
    result = read(build(months), "飯豊町.xlsx")
    assert issue_cells(result) == [(code, "D12")]
    assert errors(result)[0].message.startswith("飯豊町.xlsx!月別実績!D12: 11月の関係人口（人）")


def test_every_problem_is_reported_not_only_the_first() -> None:
    months = [("x", 2, 3, None), *FULL[1:11], (1, 2, -5, None)]
    result = read(build(months, year="2099年度", made=None, labels=["4月", "4月", *[f"{m}月" for m in MONTHS[2:]]]))
    assert sorted(issue_cells(result)) == sorted(
        [
            ("bad-fiscal-year", "C2"),
            ("missing-value", "F2"),
            ("not-a-number", "C5"),
            ("duplicate-label", "B6"),
            ("negative-count", "E16"),
        ]
    )


# -- detection -------------------------------------------------------------------------


def test_not_claimed_without_its_sheet() -> None:
    book = Workbook()
    book.active.title = "実績"
    book.active["B2"] = "年度"
    book.active["B4"] = "月"
    out = io.BytesIO()
    book.save(out)
    result = read_bytes(out.getvalue(), registry=REGISTRY)
    assert result.plugin is None
    assert [i.code for i in result.issues] == ["unknown-form"]


# -- the template ----------------------------------------------------------------------


def test_template_layout_and_status() -> None:
    plan = load_plan()
    template = saisei_iide.saisei_template(2025, plan, dt.date(2026, 3, 5))
    ws = template.workbook["月別実績"]
    assert (ws["C2"].value, ws["F2"].value) == ("令和7年度", dt.date(2026, 3, 5))
    assert [ws[f"B{r}"].value for r in range(5, 17)] == [f"{m}月" for m in MONTHS]
    assert ws["C17"].value == "=SUM(C5:C16)"
    assert len(template.slots) == 36
    assert template.slots[0].period == "2025-04" and template.slots[-1].period == "2026-03"
    assert template.complete_status == "provisional"  # made in March, before the year ends
    result = read(template.fill({s: 1 for s in template.slots}))
    assert not errors(result)
    assert issue_cells(result, "warning") == [("unmarked-estimate", "F16")]


def test_template_without_a_date_leaves_f2_blank_and_reads_as_missing() -> None:
    template = saisei_iide.saisei_template(2024, load_plan(), None)
    assert template.workbook["月別実績"]["F2"].value is None
    assert issue_cells(read(template.fill({}))) == [("missing-value", "F2")]


# -- property: whatever the town types into the months -----------------------------------

VALUE = st.one_of(st.none(), st.integers(0, 10**5))


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.tuples(VALUE, VALUE, VALUE, st.sampled_from([None, "見込", "メモ"])), min_size=12, max_size=12),
    st.dates(dt.date(2025, 4, 1), dt.date(2026, 12, 31)),
)
def test_year_value_is_the_sum_of_months_and_status_follows_the_rule(months: list[Month], made: dt.date) -> None:
    result = read(build(months, made=made))
    assert not errors(result)
    estimate = any(m[3] == "見込" for m in months)
    want: dict[tuple[int, int], tuple[int, str]] = {}
    for kpi in (1, 2, 3):
        given_values = [m[kpi - 1] for m in months]
        if all(v is None for v in given_values):
            continue
        blank = any(v is None for v in given_values)
        status = "provisional" if estimate or blank else "final"
        want[(2024, kpi)] = (sum(v for v in given_values if v is not None), status)
    assert sums(result) == want


# -- across workbooks: the March estimate, then the confirmed form --------------------------


def test_a_later_form_with_all_twelve_months_replaces_the_estimate(tmp_path: Path) -> None:
    from saisei import consolidate

    (tmp_path / "R6_3月.xlsx").write_bytes(SAMPLE.read_bytes())
    final = [(0, 0, 10, None)] * 11 + [(1, 1, 30, None)]  # March confirmed after the estimate
    (tmp_path / "R6_確定.xlsx").write_bytes(build(final, made=dt.date(2025, 5, 12)))
    result = consolidate([tmp_path], registry=REGISTRY)
    assert not result.has_errors, [i.message for i in result.errors]
    mine = result.values.filter(entity_code=CODE).sort("kpi")
    assert mine.select("kpi", "value", "status").rows() == [(1, 1, "final"), (2, 1, "final"), (3, 140, "final")]
    assert result.revisions.height == 3
