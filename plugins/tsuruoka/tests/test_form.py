"""鶴岡市's 実績報告書: the rules and edge cases of the form, on workbooks built here, and the template."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
import saisei_tsuruoka
from hypothesis import given, settings
from hypothesis import strategies as st

from saisei import FileResult, load_plan
from saisei.testing import (
    issue_cells,
    make_registry,
    message_at,
    read_bytes,
    values_by_cell,
    with_cached_results,
)

SHEET = "実績報告"
REGISTRY = make_registry(("tsuruoka", saisei_tsuruoka))
PLAN = load_plan()
REPORTED = dt.date(2025, 8, 29)


# -- helpers -------------------------------------------------------------------------------


def form(cells: dict[str, Any] | None = None, *, as_of: dt.date | None = REPORTED) -> bytes:
    """The plugin's own blank form (FY2024 slots) with ``cells`` typed in."""
    template = saisei_tsuruoka.saisei_template(2024, PLAN, as_of)
    ws = template.workbook[SHEET]
    for ref, value in (cells or {}).items():
        ws[ref] = value
    buffer = io.BytesIO()
    template.workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes, name: str = "form.xlsx") -> FileResult:
    return read_bytes(data, name, registry=REGISTRY)


# -- the sample's figures, typed into the form built here ----------------------------------

EXPECTED = {"E7": (2024, 1, 3, "final"), "E8": (2024, 2, 12, "final"), "E9": (2024, 3, 1120, "final")}


def test_targets_are_not_observations() -> None:
    # D/F/H are the city's own targets: never read, never checked
    result = read(form({"D7": "未定", "F7": 3, "H8": -1, "E7": 2}))
    assert issue_cells(result) == []
    assert values_by_cell(result) == {"E7": (2024, 1, 2, "final")}


# -- numbers as the clerks type them -------------------------------------------------------------


def test_full_width_digits_and_commas() -> None:
    result = read(form({"E7": "３", "E8": "１２", "E9": "１，１２０"}))
    assert issue_cells(result) == []
    assert values_by_cell(result) == EXPECTED


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**7))
def test_any_count_typed_as_full_width_text_with_commas(n: int) -> None:
    text = f"{n:,}".translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    assert values_by_cell(read(form({"E9": text}))) == {"E9": (2024, 3, n, "final")}


@pytest.mark.parametrize(("value", "code"), [("3団体", "unexpected-unit"), ("14人", "unexpected-unit")])
def test_no_unit_is_allowed_in_the_value_cells(value: str, code: str) -> None:
    # the unit has its own column (C); the spec allows no unit after the number
    result = read(form({"E8": value}))
    assert (code, "E8") in issue_cells(result)


def test_blank_is_not_reported_and_zero_is_zero() -> None:
    result = read(form({"E7": 0, "E9": 5}))
    assert issue_cells(result) == []
    assert values_by_cell(result) == {"E7": (2024, 1, 0, "final"), "E9": (2024, 3, 5, "final")}


@pytest.mark.parametrize(
    ("cell", "value", "code"),
    [
        ("E7", "調査中", "not-a-number"),
        ("G8", "△2", "negative-count"),  # FY2025, another year's 実績 column
        ("I9", 1.5, "fractional-count"),
        ("E9", "=1/0", "formula-without-value"),
    ],
)
def test_garbage_is_an_error_at_its_cell(cell: str, value: object, code: str) -> None:
    result = read(form({"E7": 1, "E8": 2, "E9": 3, cell: value}))
    assert (code, cell) in issue_cells(result)
    assert message_at(result, cell).startswith(f"form.xlsx!{SHEET}!{cell}: ")
    assert result.has_errors


# -- the report date and the status ----------------------------------------------------------------


@pytest.mark.parametrize(
    "cells",
    [
        {"A3": "報告日：令和７年８月２９日"},
        {"A3": "報告日: R7.8.29"},
        {"A3": "報告日：2025/8/29"},
        {"A3": "報告日　令和7年8月29日（金）"},
        {"A3": "報告日：", "B3": dt.datetime(2025, 8, 29)},
        {"A3": dt.datetime(2025, 8, 29)},
    ],
)
def test_report_date_spellings(cells: dict[str, Any]) -> None:
    result = read(form({"E7": 3, **cells}))
    assert issue_cells(result) == []
    assert result.as_of == REPORTED


@pytest.mark.parametrize(
    ("reported", "status"),
    [
        ("令和7年3月31日", "provisional"),  # FY2024's last day: the year has not ended
        ("令和7年4月1日", "final"),
        ("令和6年8月29日", "provisional"),
    ],
)
def test_status_follows_the_report_date(reported: str, status: str) -> None:
    result = read(form({"A3": f"報告日：{reported}", "E7": 3}))
    assert issue_cells(result) == []
    assert values_by_cell(result) == {"E7": (2024, 1, 3, status)}


def test_several_years_each_get_their_own_status() -> None:
    result = read(form({"E7": 3, "G7": 1}))  # reported 2025-08-29: FY2024 over, FY2025 running
    assert values_by_cell(result) == {"E7": (2024, 1, 3, "final"), "G7": (2025, 1, 1, "provisional")}


def test_a_value_for_a_year_not_yet_begun_is_an_error() -> None:
    result = read(form({"E7": 3, "I7": 3}))  # FY2026 starts 2026-04-01, after the report date
    assert issue_cells(result) == [("future-year", "I7")]
    assert "目標を実績欄に" in message_at(result, "I7")


@pytest.mark.parametrize(
    ("a3", "code"), [("報告日：", "missing-value"), (None, "missing-value"), ("報告日：未定", "bad-date")]
)
def test_missing_or_unreadable_report_date_is_an_error_at_a3(a3: str | None, code: str) -> None:
    result = read(form({"A3": a3, "E7": 3}))
    assert issue_cells(result) == [(code, "A3")]
    assert "報告日" in message_at(result, "A3")


def test_blank_template_has_a_blank_date_and_then_refuses_values() -> None:
    template = saisei_tsuruoka.saisei_template(2024, PLAN, None)
    assert template.workbook[SHEET]["A3"].value == "報告日："
    assert read(template.fill({})).issues == []  # nothing reported: nothing to date
    result = read(form({"E7": 3}, as_of=None))
    assert issue_cells(result) == [("missing-value", "A3")]
    assert values_by_cell(result) == {}


# -- 累計 ---------------------------------------------------------------------------------------------


def test_cached_total_skipping_a_text_value_is_a_warning_naming_the_total_cell() -> None:
    # E9 typed as text: Excel's SUM skipped it and cached 0 in J9
    data = with_cached_results(form({"E7": 3, "E8": 12, "E9": "１，１２０"}), {"J7": 3, "J8": 12, "J9": 0})
    result = read(data)
    assert issue_cells(result) == []
    assert issue_cells(result, "warning") == [("total-mismatch", "J9")]
    assert "E9「１，１２０」" in message_at(result, "J9")
    assert values_by_cell(result) == EXPECTED  # the 実績 cells are the truth


def test_cached_total_that_agrees_is_silent() -> None:
    data = with_cached_results(form({"E7": 3, "G7": 4, "E8": 12, "E9": 1120}), {"J7": 7, "J8": 12, "J9": 1120})
    assert read(data).issues == []


def test_total_summing_something_else_is_a_warning() -> None:
    data = with_cached_results(form({"E7": 3}), {"J7": 6})
    result = read(data)
    assert issue_cells(result, "warning") == [("total-mismatch", "J7")]


# -- the form's labels ----------------------------------------------------------------------------------


def test_wrong_kpi_name_is_an_error_at_its_label() -> None:
    # B8 names KPI③ as B9 does; No. 2 in A8 says KPI②: the two labels of row 8 disagree
    result = read(form({"B8": "事業により創出した交流人口数", "E8": 12, "E7": 3}))
    assert issue_cells(result) == [("conflicting-label", "A8"), ("missing-row", "B10")]
    assert "KPI③" in message_at(result, "A8") and "KPI②" in message_at(result, "B10")


def test_an_unknown_kpi_name_is_an_error_at_its_label() -> None:
    result = read(form({"B8": "移住者数", "E8": 12, "E7": 3}))
    assert issue_cells(result) == [("unknown-kpi", "B8"), ("missing-row", "B10")]


def test_short_kpi_name_is_accepted() -> None:
    result = read(form({"B9": "交流人口数", "E9": 1120}))
    assert values_by_cell(result) == {"E9": (2024, 3, 1120, "final")}


@pytest.mark.parametrize(("value", "code"), [("令和9年度", "bad-fiscal-year"), ("来年度", "bad-fiscal-year")])
def test_a_year_header_that_is_not_a_plan_year_is_an_error_at_its_cell(value: str, code: str) -> None:
    result = read(form({"H5": value, "E7": 3}))
    assert issue_cells(result) == [(code, "H5")]


def test_part_headers_are_checked() -> None:
    result = read(form({"E6": "目標", "D6": "目標", "E7": 3}))
    assert issue_cells(result) == [("bad-header", "D6")]


def test_part_headers_swapped_with_their_columns_read_the_actual_column() -> None:
    result = read(form({"E6": "目標", "D6": "実績", "D7": 3}))
    assert values_by_cell(result) == {"D7": (2024, 1, 3, "final")}


def test_another_body_in_a2_is_an_error() -> None:
    result = read(form({"A2": "団体名：酒田市", "E7": 3}))
    assert issue_cells(result) == [("unknown-body", "A2")]


def test_a_header_without_any_year_is_an_error() -> None:
    template = saisei_tsuruoka.saisei_template(2024, PLAN, REPORTED)
    ws = template.workbook[SHEET]
    ws.unmerge_cells("D5:E5")
    ws.delete_cols(4, 6)  # the three year pairs gone: 累計 moves to D
    buffer = io.BytesIO()
    template.workbook.save(buffer)
    result = read(buffer.getvalue())
    assert ("bad-header", "D5") in issue_cells(result)


@pytest.mark.parametrize("a2", ["団体名：鶴岡市 企画部", "鶴岡市", "団体名: 鶴岡市"])
def test_body_name_spellings(a2: str) -> None:
    assert read(form({"A2": a2, "E7": 3})).issues == []


def test_a_merged_value_cell_is_an_error() -> None:
    template = saisei_tsuruoka.saisei_template(2024, PLAN, REPORTED)
    ws = template.workbook[SHEET]
    ws["D7"] = 3
    ws.merge_cells("D7:E7")  # the target typed over both cells: the 実績 is lost
    buffer = io.BytesIO()
    template.workbook.save(buffer)
    assert ("bad-header", "E7") in issue_cells(read(buffer.getvalue()))


# -- detection and the template ---------------------------------------------------------------------------


def test_detection_needs_the_title_and_header_not_just_the_sheet_name() -> None:
    book = openpyxl.Workbook()
    book.active.title = SHEET
    book.active["A1"] = "別の表"
    buffer = io.BytesIO()
    book.save(buffer)
    assert read(buffer.getvalue()).plugin is None


def test_template_layout_matches_the_form() -> None:
    template = saisei_tsuruoka.saisei_template(2025, PLAN, REPORTED)
    ws = template.workbook[SHEET]
    assert {str(r) for r in ws.merged_cells.ranges} == {
        "A1:J1",
        "A5:A6",
        "B5:B6",
        "C5:C6",
        "D5:E5",
        "F5:G5",
        "H5:I5",
        "J5:J6",
    }
    assert [ws.cell(5, c).value for c in (4, 6, 8, 10)] == ["令和6年度", "令和7年度", "令和8年度", "累計"]
    assert ws["A3"].value == "報告日：令和7年8月29日"
    assert ws["J8"].value == "=SUM(E8,G8,I8)"
    assert ws["G9"].number_format == "#,##0"
    assert [s.cell for s in template.slots] == ["G7", "G8", "G9"]
    assert template.complete_status == "provisional"  # FY2025 still running on 2025-08-29
