"""寒河江市's workbook, one sheet per fiscal year: the rules and edge cases of the form, on workbooks built here, and the template."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
import saisei_sagae
from hypothesis import given, settings
from hypothesis import strategies as st

from saisei import FileResult, load_plan
from saisei.testing import issue_cells, make_registry, message_at, read_bytes, values_by_cell

REGISTRY = make_registry(("sagae", saisei_sagae))
PLAN = load_plan()
LABELS = (
    "①事業により関係人口を受け入れる体制が整った地域・団体等数",
    "②事業により創出した関係人口数",
    "③事業により創出した交流人口数",
)


# -- a workbook as the city makes it, built here independently of the plugin's template ------------


def year_sheet(
    book: Any,
    name: str,
    title: str | None = "令和6年度 地域再生計画KPI実績報告（寒河江市）",
    values: tuple[object, ...] = (),
    status: object = "確定",
    written: object = dt.datetime(2025, 7, 31),
    *,
    hidden: bool = False,
) -> Any:
    ws = book.create_sheet(name)
    ws["B2"] = title
    ws.merge_cells("B2:E2")
    ws["B4"], ws["D4"], ws["E4"] = "項目", "実績", "備考"
    ws.merge_cells("B4:C4")
    for row, label in enumerate(LABELS, start=5):
        ws[f"B{row}"] = label
        ws.merge_cells(f"B{row}:C{row}")
    for row, value in enumerate(values, start=5):
        ws[f"D{row}"] = value
    ws["B9"], ws["D9"] = "確定・見込の別", status
    ws["B10"], ws["D10"] = "記入日", written
    ws.merge_cells("B9:C9")
    ws.merge_cells("B10:C10")
    if hidden:
        ws.sheet_state = "hidden"
    return ws


def city_book(*sheets: dict[str, Any], example: bool = True, lists: bool = True) -> bytes:
    """記入例, the given year sheets (``year_sheet`` keyword arguments), hidden リスト."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if example:
        year_sheet(
            book, "記入例", "【記入例】令和6年度 地域再生計画KPI実績報告（寒河江市）", ("5団体", "20人", "1,500人")
        )
    for spec in sheets:
        year_sheet(book, **spec)
    if lists:
        ws = book.create_sheet("リスト")
        ws["A1"], ws["A2"] = "確定", "見込"
        ws.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def r6(*values: object, **kw: Any) -> dict[str, Any]:
    return {"name": "R6", "values": values, **kw}


def r7(*values: object, name: str = "Ｒ７", **kw: Any) -> dict[str, Any]:
    title = "令和7年度 地域再生計画KPI実績報告（寒河江市）"
    return {"name": name, "title": title, "values": values, "status": "見込", **kw}


def read(data: bytes, name: str = "form.xlsx") -> FileResult:
    return read_bytes(data, name, registry=REGISTRY)


# -- the city's layout ----------------------------------------------------------------------------------

# What the sample gives (test_sample.py), from the layout built here with the same figures.
EXPECTED = {
    ("R6", "D5"): (2024, 1, 3, "final"),
    ("R6", "D6"): (2024, 2, 14, "final"),
    ("R6", "D7"): (2024, 3, 1203, "final"),
}


def test_the_city_layout_built_here_reads_like_the_sample() -> None:
    result = read(city_book(r6("3団体", "14人", "1,203人")))
    assert result.issues == []
    assert values_by_cell(result, sheet=True) == EXPECTED


# -- numbers and units ----------------------------------------------------------------------------------


def test_full_width_digits_commas_and_units() -> None:
    result = read(city_book(r6("３団体", "１４人", "１，２０３人")))
    assert result.issues == []
    assert values_by_cell(result, sheet=True) == EXPECTED


def test_plain_numbers() -> None:
    result = read(city_book(r6(3, "14", 1203)))
    assert values_by_cell(result, sheet=True) == EXPECTED


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**7), st.booleans())
def test_any_count_with_its_unit(n: int, wide: bool) -> None:
    text = f"{n:,}人"
    if wide:
        text = text.translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    assert values_by_cell(read(city_book(r6(None, text))), sheet=True) == {("R6", "D6"): (2024, 2, n, "final")}


@pytest.mark.parametrize(("row", "value"), [(5, "3人"), (6, "14団体"), (7, "1,203件")])
def test_a_unit_that_is_not_the_kpis_is_an_error(row: int, value: str) -> None:
    cells: list[object] = [1, 2, 3]
    cells[row - 5] = value
    result = read(city_book(r6(*cells)))
    assert issue_cells(result, sheet=True) == [("unexpected-unit", "R6", f"D{row}")]


def test_blank_is_not_reported_and_zero_is_zero() -> None:
    result = read(city_book(r6(None, 0, "0人")))
    assert result.issues == []
    assert values_by_cell(result, sheet=True) == {
        ("R6", "D6"): (2024, 2, 0, "final"),
        ("R6", "D7"): (2024, 3, 0, "final"),
    }


@pytest.mark.parametrize(
    ("cells", "cell", "code"),
    [
        (("たくさん", 1, 1), "D5", "not-a-number"),
        ((1, "▲4人", 1), "D6", "negative-count"),
        ((1, 1, 2.5), "D7", "fractional-count"),
    ],
)
def test_garbage_is_an_error_at_its_cell_on_its_sheet(cells: tuple[object, ...], cell: str, code: str) -> None:
    result = read(city_book(r6(1, 1, 1), r7(*cells)))
    assert issue_cells(result, sheet=True) == [(code, "Ｒ７", cell)]
    assert message_at(result, cell, "Ｒ７").startswith(f"form.xlsx!Ｒ７!{cell}: 令和7年度 ")


# -- status (D9) and the date written (D10) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"), [("確定", "final"), ("見込", "provisional"), ("見込み", "provisional")]
)
def test_status_comes_from_d9(status: str, expected: str) -> None:
    result = read(city_book(r6(3, status=status)))
    assert values_by_cell(result, sheet=True) == {("R6", "D5"): (2024, 1, 3, expected)}


@pytest.mark.parametrize(("status", "code"), [(None, "missing-value"), ("確認中", "bad-status"), (1, "bad-status")])
def test_blank_or_other_status_is_an_error_at_d9(status: object, code: str) -> None:
    result = read(city_book(r6(3, status=status)))
    assert issue_cells(result, sheet=True) == [(code, "R6", "D9")]
    assert values_by_cell(result, sheet=True) == {}


def test_an_empty_sheet_prepared_in_advance_needs_no_status() -> None:
    result = read(city_book(r6(3, 14, 1203), r7(status=None, written=None)))
    assert result.issues == []
    assert values_by_cell(result, sheet=True) == EXPECTED


def test_a_second_year_sheet_with_full_width_r() -> None:
    result = read(city_book(r6(3, 14, 1203), r7(1, "2人", written="令和7年8月20日")))
    assert result.issues == []
    assert values_by_cell(result, sheet=True) == {
        **EXPECTED,
        ("Ｒ７", "D5"): (2025, 1, 1, "provisional"),
        ("Ｒ７", "D6"): (2025, 2, 2, "provisional"),
    }
    assert result.as_of == dt.date(2025, 8, 20)  # the newest date written


def test_date_written_as_text_and_blank() -> None:
    assert read(city_book(r6(3, written="R7.7.31"))).as_of == dt.date(2025, 7, 31)
    blank = read(city_book(r6(3, written=None)))
    assert blank.issues == [] and blank.as_of is None
    assert values_by_cell(blank, sheet=True) == {("R6", "D5"): (2024, 1, 3, "final")}


def test_unreadable_date_written_is_an_error_at_d10() -> None:
    result = read(city_book(r6(3, written="7月末")))
    assert issue_cells(result, sheet=True) == [("bad-date", "R6", "D10")]


def test_final_before_the_year_ended_is_a_warning() -> None:
    result = read(city_book(r6(3, written=dt.datetime(2025, 2, 10))))
    assert issue_cells(result, sheet=True) == []
    assert issue_cells(result, "warning", sheet=True) == [("final-before-year-end", "R6", "D9")]
    assert values_by_cell(result, sheet=True) == {("R6", "D5"): (2024, 1, 3, "final")}


# -- sheets: example, list, names and titles -----------------------------------------------------------------


def test_example_and_list_sheets_are_never_read() -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    year_sheet(book, "記入例", "【記入例】令和6年度 地域再生計画KPI実績報告（寒河江市）", ("たくさん", "-1", "x"))
    year_sheet(book, "R6", values=(3, 14, 1203))
    year_sheet(book, "リスト", values=("garbage",), status="?", hidden=True)
    buffer = io.BytesIO()
    book.save(buffer)
    result = read(buffer.getvalue())
    assert result.issues == []
    assert values_by_cell(result, sheet=True) == EXPECTED


def test_the_example_sheet_is_not_read_even_when_it_looks_exactly_like_a_year_sheet() -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    year_sheet(book, "記入例", values=("5団体", "たくさん"))  # title without 【記入例】, as a year sheet
    year_sheet(book, "R6", values=(3, 14, 1203))
    buffer = io.BytesIO()
    book.save(buffer)
    result = read(buffer.getvalue())
    assert result.issues == []
    assert values_by_cell(result, sheet=True) == EXPECTED


def test_a_hidden_year_sheet_is_still_read() -> None:
    # last year's sheet hidden by the clerk: its figures are the city's, never silently dropped
    result = read(city_book(r6(3, 14, 1203, hidden=True), r7(1)))
    assert [(i.severity, i.code, i.sheet) for i in result.issues] == [("warning", "hidden-sheet", "R6")]
    assert values_by_cell(result, sheet=True) == {**EXPECTED, ("Ｒ７", "D5"): (2025, 1, 1, "provisional")}


def test_only_the_example_sheet_is_an_error_not_an_unknown_form() -> None:
    result = read(city_book())
    assert result.plugin == "sagae"
    assert issue_cells(result, sheet=True) == [("missing-sheet", None, None)]
    assert "R6" in result.issues[0].message


def test_a_year_sheet_still_titled_as_the_example_is_an_error() -> None:
    result = read(city_book(r6(3, title="【記入例】令和6年度 地域再生計画KPI実績報告（寒河江市）")))
    assert issue_cells(result, sheet=True) == [("bad-header", "R6", "B2")]
    assert values_by_cell(result, sheet=True) == {}


def test_sheet_name_and_title_must_agree() -> None:
    result = read(city_book(r6(3, name="R7")))  # title says 令和6年度
    assert issue_cells(result, sheet=True) == [("bad-fiscal-year", "R7", "B2")]
    assert "R7" in message_at(result, "B2", "R7") and "令和6年度" in message_at(result, "B2", "R7")


def test_a_year_outside_the_plan_is_an_error_at_the_title() -> None:
    result = read(
        city_book(r6(3), {"name": "R9", "title": "令和9年度 地域再生計画KPI実績報告（寒河江市）", "values": (1,)})
    )
    assert issue_cells(result, sheet=True) == [("bad-fiscal-year", "R9", "B2")]


def test_two_sheets_for_one_year_are_an_error() -> None:
    result = read(city_book(r7(1, name="R7"), r7(1)))
    assert issue_cells(result, sheet=True) == [("duplicate-row", "Ｒ７", "B2"), ("ambiguous-sheet", "R7", None)]


def test_a_copied_sheet_is_read_by_its_title() -> None:
    result = read(city_book(r6(3), r7(5, name="R7 (2)")))
    assert result.issues == []
    assert values_by_cell(result, sheet=True)[("R7 (2)", "D5")] == (2025, 1, 5, "provisional")


def test_year_from_the_name_alone_when_the_title_is_blank() -> None:
    result = read(city_book(r6(3), r7(5, title=None)))
    assert result.issues == []
    assert values_by_cell(result, sheet=True)[("Ｒ７", "D5")] == (2025, 1, 5, "provisional")


def test_a_title_of_another_form_is_an_error() -> None:
    result = read(city_book(r6(3), r7(5, title="令和7年度 実績")))
    assert issue_cells(result, sheet=True) == [("bad-header", "Ｒ７", "B2")]


def test_a_wrong_kpi_label_is_an_error_at_its_cell() -> None:
    book = openpyxl.Workbook()
    ws = year_sheet(book, "R6", values=(3, 14, 1203))
    ws["B6"] = "③事業により創出した交流人口数"
    buffer = io.BytesIO()
    book.save(buffer)
    result = read(buffer.getvalue())
    assert issue_cells(result, sheet=True) == [("unknown-kpi", "R6", "B6")]
    assert "②事業により創出した関係人口数" in message_at(result, "B6", "R6")


@pytest.mark.parametrize(
    "label", ["②関係人口数", "事業により創出した関係人口数", "②", "2. 事業により創出した関係人口数"]
)
def test_label_spellings_that_name_the_kpi(label: str) -> None:
    book = openpyxl.Workbook()
    ws = year_sheet(book, "R6", values=(3, 14, 1203))
    ws["B6"] = label
    buffer = io.BytesIO()
    book.save(buffer)
    assert read(buffer.getvalue()).issues == []


def test_a_merged_value_cell_is_an_error() -> None:
    book = openpyxl.Workbook()
    ws = year_sheet(book, "R6", values=(3, 14, 1203))
    ws.unmerge_cells("B5:C5")
    ws.merge_cells("C5:D5")
    buffer = io.BytesIO()
    book.save(buffer)
    assert ("bad-header", "R6", "D5") in issue_cells(read(buffer.getvalue()), sheet=True)


def test_detection_needs_this_forms_title() -> None:
    book = openpyxl.Workbook()
    year_sheet(book, "R6", title="令和6年度 予算執行状況", values=(1,))
    buffer = io.BytesIO()
    book.save(buffer)
    assert read(buffer.getvalue()).plugin is None


# -- the template -------------------------------------------------------------------------------------------


def test_template_layout_matches_the_form() -> None:
    template = saisei_sagae.saisei_template(2025, PLAN, dt.date(2025, 8, 29))
    book = template.workbook
    assert book.sheetnames == ["記入例", "R7", "リスト"]
    assert book["リスト"].sheet_state == "hidden"
    ws = book["R7"]
    assert ws["B2"].value == "令和7年度 地域再生計画KPI実績報告（寒河江市）"
    assert {str(r) for r in ws.merged_cells.ranges} == {"B2:E2", "B4:C4", "B5:C5", "B6:C6", "B7:C7", "B9:C9", "B10:C10"}
    assert [ws[f"B{r}"].value for r in (5, 6, 7)] == list(LABELS)
    assert (ws["D9"].value, ws["D10"].value) == ("見込", dt.date(2025, 8, 29))
    assert ws["D10"].number_format == "yyyy/m/d"
    assert [dv.formula1 for dv in ws.data_validations.dataValidation] == ["=リスト!$A$1:$A$2"]
    assert [(s.sheet, s.cell) for s in template.slots] == [("R7", "D5"), ("R7", "D6"), ("R7", "D7")]
    assert template.complete_status == "provisional"


def test_blank_template_leaves_status_and_date_for_the_clerk() -> None:
    template = saisei_sagae.saisei_template(2024, PLAN, None)
    ws = template.workbook["R6"]
    assert (ws["D9"].value, ws["D10"].value) == (None, None)
    assert read(template.fill({})).issues == []  # nothing reported: nothing to refuse
    filled = read(template.fill({template.slots[0]: 3}))
    assert issue_cells(filled, sheet=True) == [("missing-value", "R6", "D9")]
