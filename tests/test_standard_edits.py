"""The standard form as clerks edit it: the table found by its labels, never a wrong figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from builders import EXAMPLES
from edits import (
    insert_columns,
    insert_rows,
    libreoffice,
    libreoffice_resave,
    load,
    save,
    shifted,
    swap_columns,
    swap_rows,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saisei.testing import errors, observations, read_bytes

SAMPLE = (EXAMPLES / "山形県_標準様式_R6.xlsx").read_bytes()
SHEET = "KPI実績"
#: The sample's figures: (KPI, value) → the cell it is cited from.
FIGURES = {(1, 4): "E2", (2, 31): "E3", (3, 3905): "E4", (4, 142): "E5"}


def figures(data: bytes) -> dict[tuple[int, int], str]:
    result = read_bytes(data)
    assert not errors(result), [i.message for i in errors(result)]
    return {(o["kpi"], o["value"]): o["cell"] for o in observations(result)}


def edited(edit: Any) -> bytes:
    book = load(SAMPLE)
    edit(book[SHEET])
    return save(book)


def warnings(data: bytes) -> list[tuple[str, str | None, str | None]]:
    return [(i.code, i.sheet, i.cell) for i in read_bytes(data).issues if not i.is_error]


def error_cells(data: bytes) -> list[tuple[str, str | None, str | None]]:
    return [(i.code, i.sheet, i.cell) for i in errors(read_bytes(data))]


def test_an_openpyxl_resave_reads_the_same() -> None:
    assert figures(save(load(SAMPLE))) == FIGURES


@libreoffice
def test_a_libreoffice_resave_reads_the_same(tmp_path: Path) -> None:
    assert figures(libreoffice_resave(SAMPLE, tmp_path)) == FIGURES


@libreoffice
def test_an_edited_copy_saved_again_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1, note="※庁内回覧用")
        insert_columns(ws, 1)
        insert_columns(ws, 7, header=(2, "うち町外"), values={3: 1, 4: 2}, hidden=True)
        ws.merge_cells("G3:G6")  # 区分, merged down the table

    moved = {k: shifted(v, rows=[1], columns=[1]) for k, v in FIGURES.items()}
    assert figures(libreoffice_resave(edited(edit), tmp_path)) == moved


def test_a_note_row_above_and_a_column_at_the_left() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1, note="※令和6年度の実績です")
        insert_columns(ws, 1)

    moved = {k: shifted(v, rows=[1], columns=[1]) for k, v in FIGURES.items()}
    assert figures(edited(edit)) == moved
    assert moved[(1, 4)] == "F3"


def test_blank_rows_between_header_and_data_and_inside() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 4)
        insert_rows(ws, 2, 2)

    assert figures(edited(edit)) == {k: shifted(v, rows=[4, 2, 2]) for k, v in FIGURES.items()}


@pytest.mark.parametrize(
    ("at", "label", "hidden"),
    [(5, "目標値", False), (6, "うち町外", False), (6, "前年比（作業用）", True), (8, None, True)],
)
def test_an_extra_column_inside_the_table_is_ignored(at: int, label: str | None, hidden: bool) -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, at, header=(1, label) if label else None, values={2: 99, 3: 98}, hidden=hidden)

    assert figures(edited(edit)) == {k: shifted(v, columns=[at]) for k, v in FIGURES.items()}


def test_columns_reordered_with_their_headers() -> None:
    def edit(ws: Any) -> None:
        swap_columns(ws, 5, 1)  # 実績値 first, 団体コード where 実績値 was
        swap_columns(ws, 3, 4)

    assert figures(edited(edit)) == {k: "A" + v[1:] for k, v in FIGURES.items()}


def test_rows_reordered() -> None:
    assert figures(edited(lambda ws: swap_rows(ws, 2, 5))) == {**FIGURES, (1, 4): "E5", (4, 142): "E2"}


@pytest.mark.parametrize("label", ["実績\n値", "実績値 ", "実 績 値", "実績値（人）", "ＫＰＩ"])
def test_header_spellings(label: str) -> None:
    column = 4 if "ＫＰＩ" in label else 5
    assert figures(edited(lambda ws: ws.cell(1, column, label))) == FIGURES


def test_a_total_row_ends_the_table_and_a_figure_below_it_is_an_error() -> None:
    def edit(ws: Any) -> None:
        ws.cell(6, 2, "合計")
        ws.cell(6, 5, 4082)

    assert figures(edited(edit)) == FIGURES

    def below(ws: Any) -> None:
        edit(ws)
        for c, v in enumerate(("060003", "山形県", 2025, "KPI①", 5, "確定"), start=1):
            ws.cell(8, c, v)

    assert error_cells(edited(below)) == [("bad-row", SHEET, "A8")]


@pytest.mark.parametrize("dash", ["ー", "―", "−", "－", "‐", "-"])
def test_a_dash_is_no_figure_with_a_warning_at_its_cell(dash: str) -> None:
    data = edited(lambda ws: ws.cell(3, 5, dash))
    assert figures(data) == {k: v for k, v in FIGURES.items() if v != "E3"}
    assert warnings(data) == [("no-figure", SHEET, "E3")]


def test_note_rows_inside_and_below_the_table_are_not_rows() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 4)
        ws.cell(4, 1, "※以下は速報値です")
        ws.cell(8, 2, "※KPI②は速報値です")

    assert figures(edited(edit)) == {k: shifted(v, rows=[4]) for k, v in FIGURES.items()}


@pytest.mark.parametrize("column", [3, 4])
def test_a_total_written_in_the_year_or_kpi_column_ends_the_table(column: int) -> None:
    def edit(ws: Any) -> None:
        ws.cell(6, column, "合計")
        ws.cell(6, 5, 4082)

    assert figures(edited(edit)) == FIGURES


@pytest.mark.parametrize("ranges", [["A2:A5", "B2:B5"], ["C2:C5"], ["F2:F5"]])
def test_key_cells_merged_down_the_table_are_one_value_for_each_row(ranges: list[str]) -> None:
    def edit(ws: Any) -> None:
        for r in ranges:
            ws.merge_cells(r)

    assert figures(edited(edit)) == FIGURES


def test_a_value_merged_over_two_rows_is_an_error_at_the_lost_cell() -> None:
    # the 4 of E2 is shown over KPI① and KPI②: whose is it?  Never KPI② silently blank.
    result = read_bytes(edited(lambda ws: ws.merge_cells("E2:E3")))
    [issue] = errors(result)
    assert (issue.code, issue.sheet, issue.cell) == ("merged-cell", SHEET, "E3")
    assert "E2:E3" in issue.message


def test_a_year_typed_as_a_date_is_an_error_naming_the_date() -> None:
    import datetime as dt

    result = read_bytes(edited(lambda ws: ws.cell(2, 3, dt.datetime(2024, 4, 1))))
    [issue] = errors(result)
    assert (issue.code, issue.cell) == ("bad-fiscal-year", "C2")
    assert "年度が日付（2024/4/1）で入力されています" in issue.message and "datetime" not in issue.message


# -- contradictions: errors at the cells -----------------------------------------------------


def test_two_columns_with_the_same_label_are_an_error_at_the_second() -> None:
    data = edited(lambda ws: insert_columns(ws, 6, header=(1, "実績値"), values={2: 5}))
    assert error_cells(data) == [("ambiguous-header", SHEET, "F1")]


def test_the_header_twice_is_an_error_at_the_second() -> None:
    def edit(ws: Any) -> None:
        for c, v in enumerate(("団体コード", "団体名", "年度", "KPI", "実績値", "区分"), start=1):
            ws.cell(8, c, v)

    assert ("ambiguous-header", SHEET, "A8") in error_cells(edited(edit))


def test_the_same_body_year_and_kpi_twice_is_an_error() -> None:
    def edit(ws: Any) -> None:
        for c in range(1, 7):
            ws.cell(6, c, ws.cell(2, c).value)

    assert error_cells(edited(edit)) == [("duplicate-row", SHEET, "A6")]


# -- sheets: hidden, and two sheets of one name -----------------------------------------------


def test_a_hidden_twin_sheet_is_not_read_and_is_named_in_a_warning() -> None:
    book = load(SAMPLE)
    twin = book.copy_worksheet(book[SHEET])
    twin.title = "ＫＰＩ実績"
    twin["E2"] = 999
    twin.sheet_state = "hidden"
    book.move_sheet(twin, -len(book.sheetnames) + 1)  # first, before the visible one
    data = save(book)
    assert figures(data) == FIGURES
    assert ("ambiguous-sheet", SHEET, None) in warnings(data)


def test_two_visible_twin_sheets_are_an_error() -> None:
    book = load(SAMPLE)
    twin = book.copy_worksheet(book[SHEET])
    twin.title = "KPI 実績"
    assert ("ambiguous-sheet", SHEET, None) in error_cells(save(book))


@pytest.mark.parametrize("title", ["KPI実績 (2)", "KPI実績（修正）"])
def test_a_copy_of_the_sheet_is_named_in_a_warning(title: str) -> None:
    # Excel names a copied sheet 「KPI実績 (2)」: the clerk may have corrected the copy
    book = load(SAMPLE)
    copy = book.copy_worksheet(book[SHEET])
    copy.title = title
    copy["E2"] = 5
    data = save(book)
    assert figures(data) == FIGURES
    [issue] = [i for i in read_bytes(data).issues if not i.is_error]
    assert (issue.code, issue.sheet) == ("ambiguous-sheet", SHEET) and title in issue.message


def test_a_hidden_data_sheet_is_read_with_a_warning() -> None:
    book = load(SAMPLE)
    book[SHEET].sheet_state = "hidden"
    book.active = 1
    data = save(book)
    assert figures(data) == FIGURES
    assert warnings(data) == [("hidden-sheet", SHEET, None)]


# -- not recognized: the closest form and what it lacked --------------------------------------


def test_a_workbook_no_reader_claims_names_the_closest_form_and_what_is_missing() -> None:
    result = read_bytes(edited(lambda ws: ws.cell(1, 5, "実績")))
    [issue] = errors(result)
    assert issue.code == "unknown-form"
    assert (issue.sheet, issue.cell) == (SHEET, "A1")
    assert issue.message == (
        "form.xlsx!KPI実績!A1: 標準様式に近いですが、シート『KPI実績』に見出し『実績値』が見つかりません"
        "（1行目に『団体コード』『団体名』『年度』『KPI』『区分』はあります。1〜5行目を探しました）"
    )


def test_a_renamed_sheet_is_named() -> None:
    book = load(SAMPLE)
    book[SHEET].title = "Sheet1"
    [issue] = errors(read_bytes(save(book)))
    assert issue.code == "unknown-form"
    assert "シート『KPI実績』がありません（シート『Sheet1』の1行目に見出しがあります" in issue.message


def test_a_renamed_sheet_missing_a_label_names_the_sheet_and_the_label() -> None:
    book = load(SAMPLE)
    book[SHEET].title = "Sheet1"
    book["Sheet1"].delete_cols(6)  # 区分
    [issue] = errors(read_bytes(save(book)))
    assert (issue.code, issue.sheet, issue.cell) == ("unknown-form", "Sheet1", "A1")
    assert issue.message == (
        "form.xlsx!Sheet1!A1: 標準様式に近いですが、シート『KPI実績』がありません。シート『Sheet1』に見出し『区分』が"
        "見つかりません（1行目に『団体コード』『団体名』『年度』『KPI』『実績値』はあります。1〜5行目を探しました）"
    )


# -- random edits: never a different figure ---------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    above=st.integers(0, 3),
    inside=st.lists(st.integers(3, 5), max_size=3),
    left=st.integers(0, 2),
    within=st.lists(st.integers(2, 8), max_size=2),
    note=st.booleans(),
)
def test_random_blank_and_note_rows_and_columns_move_the_cited_cells_only(
    above: int, inside: list[int], left: int, within: list[int], note: bool
) -> None:
    rows = [1] * above + sorted(inside, reverse=True)
    columns = [1] * left + sorted(within, reverse=True)

    def edit(ws: Any) -> None:
        for at in sorted(inside, reverse=True):
            insert_rows(ws, at)
        for _ in range(above):
            insert_rows(ws, 1, note="※メモ" if note else None)
        for at in sorted(within, reverse=True):
            insert_columns(ws, at, header=(1, "メモ") if note else None)
        for _ in range(left):
            insert_columns(ws, 1)

    order_rows = sorted(inside, reverse=True) + [1] * above
    order_columns = sorted(within, reverse=True) + [1] * left
    assert sorted(rows) == sorted(order_rows) and sorted(columns) == sorted(order_columns)
    expected = {k: shifted(v, rows=order_rows, columns=order_columns) for k, v in FIGURES.items()}
    assert figures(edited(edit)) == expected


# -- number formats that show something else than the value -----------------------------------


@pytest.mark.parametrize(
    ("code", "value", "shown"),
    [
        (";;;", 4, "何も表示されません"),
        ('"5"', 4, "「5」と表示されます"),
        ("#,##0,", 4000, "千で割った値"),
        ("0%", 4, "百倍の値"),
        ('#,##0;-#,##0;"-"', 0, "「-」と表示されます"),
    ],
)
def test_a_value_whose_format_shows_something_else_is_read_with_a_warning_at_the_cell(
    code: str, value: int, shown: str
) -> None:
    def edit(ws: Any) -> None:
        ws["E2"] = value
        ws["E2"].number_format = code

    data = edited(edit)
    assert figures(data) == {**{k: v for k, v in FIGURES.items() if v != "E2"}, (1, value): "E2"}
    [issue] = [i for i in read_bytes(data).issues if not i.is_error]
    assert (issue.code, issue.sheet, issue.cell) == ("hidden-value", SHEET, "E2")
    assert shown in issue.message and f"値 {value} を読みました" in issue.message


@pytest.mark.parametrize("code", ["#,##0", "0", "General", "#,##0_ ;[Red]-#,##0 ", "@"])
def test_formats_that_show_the_value_say_nothing(code: str) -> None:
    def edit(ws: Any) -> None:
        ws["E2"].number_format = code

    assert warnings(edited(edit)) == []
