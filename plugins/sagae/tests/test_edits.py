"""寒河江市's year sheets as clerks edit them: found by their labels, never a wrong figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import saisei_sagae
from edits import (
    edited,
    figures,
    hide_column,
    insert_columns,
    insert_rows,
    insertions,
    libreoffice,
    libreoffice_resave,
    load,
    save,
    shifted,
    swap_columns,
    swap_rows,
)
from hypothesis import HealthCheck, given, settings

from saisei.testing import errors, example_path, make_registry, observations, read_bytes, warnings

SAMPLE = example_path("寒河江市KPI.xlsx").read_bytes()
SHEET = "R6"
REGISTRY = make_registry(("sagae", saisei_sagae))
FIGURES = {(2024, 1, 3, "final"): "D5", (2024, 2, 14, "final"): "D6", (2024, 3, 1203, "final"): "D7"}
#: The columns the labels are merged over (B:C): a swap of rows moves only their top-left cells.
ROW_CELLS = (2, 4, 5)


def read(*edits: Any) -> Any:
    result = read_bytes(edited(SAMPLE, SHEET, *edits), registry=REGISTRY)
    assert result.plugin == "sagae", [i.message for i in result.issues]
    return result


def error_cells(*edits: Any) -> list[tuple[str, str | None]]:
    return [(i.code, i.cell) for i in errors(read(*edits))]


def test_an_openpyxl_resave_reads_the_same() -> None:
    result = read_bytes(save(load(SAMPLE, values=False)), registry=REGISTRY)
    assert figures(result) == FIGURES
    assert result.issues == []


def test_a_note_row_and_a_logo_row_above_and_a_column_at_the_left() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1, note="【庁内回覧用】")
        insert_rows(ws, 1)  # where a logo is placed: an empty row under a picture
        insert_columns(ws, 1)

    result = read(edit)
    assert figures(result) == {k: shifted(v, rows=[1, 1], columns=[1]) for k, v in FIGURES.items()}
    assert result.as_of is not None and result.as_of.isoformat() == "2025-07-31"
    assert result.issues == []


def test_blank_rows_between_header_and_data_between_kpis_and_before_the_status() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 9)  # between the table and 確定・見込の別
        insert_rows(ws, 7)
        insert_rows(ws, 5, 2)

    result = read(edit)
    assert figures(result) == {k: shifted(v, rows=[9, 7, 5, 5]) for k, v in FIGURES.items()}
    assert result.as_of is not None and result.as_of.isoformat() == "2025-07-31"


@pytest.mark.parametrize(
    ("at", "label", "hidden"),
    [
        (4, "うち市外", False),  # between 項目 and 実績
        (4, None, True),  # a hidden helper column there
        (5, "前年比（作業用）", True),  # between 実績 and 備考
        (5, "前年比（作業用）", False),
        (3, None, True),  # inside the labels' merged B:C
        (6, "メモ", False),  # after 備考
    ],
)
def test_an_extra_column_inside_the_table_is_ignored(at: int, label: str | None, hidden: bool) -> None:
    def edit(ws: Any) -> None:
        values = {8: 99} if at == 3 else {5: 99, 6: 98, 7: 97}  # nothing can be typed inside a merged range
        insert_columns(ws, at, header=(4, label) if label else None, values=values, hidden=hidden)

    result = read(edit)
    assert figures(result) == {k: shifted(v, columns=[at]) for k, v in FIGURES.items()}
    assert result.issues == []


def test_a_target_column_inserted_before_the_actuals() -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, 4, header=(4, "目標"), values={5: "5団体", 6: "20人", 7: "1,500人"})

    assert figures(read(edit)) == {k: shifted(v, columns=[4]) for k, v in FIGURES.items()}


def test_a_target_column_inserted_by_shifting_the_table_cells_only() -> None:
    # cells inserted in B4:E7 only (shift right): 確定 and the date stay in column D
    def edit(ws: Any) -> None:
        insert_columns(ws, 4, header=(4, "目標"), values={5: 5, 6: 20, 7: 1500})
        for row in (9, 10):
            ws.cell(row, 4).value, ws.cell(row, 5).value = ws.cell(row, 5).value, None

    result = read(edit)
    assert figures(result) == {k: shifted(v, columns=[4]) for k, v in FIGURES.items()}
    assert result.as_of is not None and result.as_of.isoformat() == "2025-07-31"


def test_an_existing_column_hidden() -> None:
    assert figures(read(lambda ws: hide_column(ws, 5))) == FIGURES


def test_a_label_unmerged_and_typed_in_the_second_column() -> None:
    def edit(ws: Any) -> None:
        ws.unmerge_cells("B6:C6")
        ws["B6"], ws["C6"] = None, ws["B6"].value

    result = read(edit)
    assert figures(result) == FIGURES
    assert result.issues == []


def test_a_value_without_a_label_is_an_error_at_the_label_only() -> None:
    def edit(ws: Any) -> None:
        ws["B7"] = None

    assert error_cells(edit) == [("missing-value", "B7")]


def test_kpi_rows_sorted_with_their_labels() -> None:
    moved = {**FIGURES, (2024, 1, 3, "final"): "D7", (2024, 3, 1203, "final"): "D5"}
    assert figures(read(lambda ws: swap_rows(ws, 5, 7, ROW_CELLS))) == moved


def test_actual_and_note_columns_swapped_with_their_headers() -> None:
    result = read(lambda ws: swap_columns(ws, 4, 5, range(4, 11)))  # the title above is merged over both
    assert figures(result) == {k: v.replace("D", "E") for k, v in FIGURES.items()}
    assert result.as_of is not None and result.as_of.isoformat() == "2025-07-31"


@pytest.mark.parametrize(
    ("cell", "label"),
    [
        ("D4", "実 績"),
        ("D4", "実績\n（人）"),
        ("D4", "実績値"),
        ("D4", "実績【人】"),
        ("D4", "令和6年度 実績"),
        ("D4", "R6実績"),
        ("B4", "項　目"),
        ("B4", "指標名"),
        ("B6", "②関係人口数"),
        ("B6", "関係人口\n数"),
        ("B7", "③ 事業により創出した交流人口数"),
        ("B7", "事業により創出した交流人口数（人）"),
        ("B9", "確定／見込"),
        ("B10", "記入日 "),
        ("B2", "令和６年度　地域再生計画ＫＰＩ実績報告（寒河江市）"),
        ("B2", "令和6年度\n地域再生計画KPI実績報告（寒河江市）"),
        ("B2", "令和6年度 地域再生計画KPI実績報告【寒河江市】"),
        ("B2", "令和6年度 地域再生計画KPI実績報告書（寒河江市）"),
        ("B2", "令和6年度 寒河江市 地域再生計画KPI実績報告"),
        ("D9", "確定値"),
    ],
)
def test_header_and_label_variants(cell: str, label: str) -> None:
    def edit(ws: Any) -> None:
        ws[cell] = label

    result = read(edit)
    assert figures(result) == FIGURES
    assert result.issues == []


def test_the_title_moved_below_a_note_gives_the_year_of_a_sheet_named_otherwise() -> None:
    def edit(ws: Any) -> None:
        ws.title = "R6 (2)"  # a copied sheet: the year is the title's
        ws["A1"], ws["B2"] = "※この行は消さないでください", None
        ws["C3"] = "令和6年度 地域再生計画KPI実績報告（寒河江市）"

    result = read(edit)
    assert figures(result) == FIGURES
    assert {o["sheet"] for o in observations(result)} == {"R6 (2)"}


def test_a_note_under_the_table_that_names_the_status_is_a_note() -> None:
    def edit(ws: Any) -> None:
        ws["B12"] = "※確定・見込の別はリストから選んでください"
        ws["B8"] = "※関係人口は延べ人数"

    result = read(edit)
    assert figures(result) == FIGURES
    assert result.issues == []


@pytest.mark.parametrize("dash", ["ー", "―", "−", "－", "‐", "-"])
def test_a_dash_is_no_figure_with_a_warning(dash: str) -> None:
    def edit(ws: Any) -> None:
        ws["D6"] = dash

    result = read(edit)
    assert figures(result) == {k: v for k, v in FIGURES.items() if v != "D6"}
    assert [(i.code, i.cell) for i in warnings(result)] == [("no-figure", "D6")]


# -- contradictions: an error at the cells, never a figure ------------------------------------


def test_a_label_that_is_not_its_rows_kpi_is_an_error_at_the_label() -> None:
    def edit(ws: Any) -> None:
        ws["B5"] = "③事業により創出した交流人口数"  # row 5 is KPI①'s; KPI③ is in row 7 too

    assert error_cells(edit) == [("unknown-kpi", "B5")]


def test_a_number_and_a_name_that_disagree_are_an_error() -> None:
    def edit(ws: Any) -> None:
        ws["B6"] = "①事業により創出した関係人口数"

    assert ("conflicting-label", "B6") in error_cells(edit)


def test_a_kpi_twice_is_an_error_at_the_second() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 8)
        ws["B8"], ws["D8"] = ws["B7"].value, 5

    assert error_cells(edit) == [("duplicate-label", "B8")]


def test_two_actual_columns_are_an_error() -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, 5, header=(4, "実績（見込）"), values={5: 1, 6: 2, 7: 3})

    assert ("ambiguous-header", "E4") in error_cells(edit)


def test_two_actual_columns_of_the_sheets_year_are_an_error() -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, 5, header=(4, "令和6年度実績"), values={5: 1, 6: 2, 7: 3})

    assert ("ambiguous-header", "E4") in error_cells(edit)


def test_last_years_actuals_beside_this_years_are_not_read() -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, 4, header=(4, "令和5年度実績"), values={5: 1, 6: 2, 7: 3})
        ws["E4"] = "令和6年度実績"

    assert figures(read(edit)) == {k: shifted(v, columns=[4]) for k, v in FIGURES.items()}


def test_a_status_typed_in_the_note_column_is_not_the_status() -> None:
    def edit(ws: Any) -> None:
        ws["D9"], ws["E9"] = None, "確定"

    assert error_cells(edit) == [("missing-value", "D9")]


def test_two_header_rows_that_disagree_are_an_error() -> None:
    # a second header row says the actuals are in column E
    def edit(ws: Any) -> None:
        insert_rows(ws, 4)
        ws["B4"], ws["E4"] = "項目", "実績"

    assert ("ambiguous-header", "B5") in error_cells(edit)


def test_two_titles_that_disagree_are_an_error() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1)
        ws["A1"] = "令和7年度 地域再生計画KPI実績報告（寒河江市）"

    found = error_cells(edit)
    assert ("conflicting-label", "B3") in found
    assert figures_of(edit) == {}


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("令和6年度 地域再生計画KPI実績報告", "unknown-body"),
        ("令和6年度 地域再生計画KPI実績報告（寒河江市）（案）", "bad-header"),
    ],
)
def test_a_title_without_the_city_or_with_more_is_an_error(title: str, code: str) -> None:
    def edit(ws: Any) -> None:
        ws["B2"] = title

    assert error_cells(edit) == [(code, "B2")]


def test_a_missing_status_row_is_an_error_where_it_belongs() -> None:
    def edit(ws: Any) -> None:
        ws["B9"], ws["D9"] = None, None

    assert error_cells(edit) == [("bad-header", "B9")]


def test_a_status_row_twice_is_an_error_at_the_second() -> None:
    def edit(ws: Any) -> None:
        ws["B12"], ws["D12"] = "確定・見込の別", "見込"

    assert error_cells(edit) == [("duplicate-label", "B12")]


def test_two_sheets_for_one_year_are_an_error() -> None:
    book = load(SAMPLE)
    book.copy_worksheet(book[SHEET]).title = "R6 (2)"
    result = read_bytes(save(book), registry=REGISTRY)
    assert ("duplicate-row", "R6 (2)", "B2") in [(i.code, i.sheet, i.cell) for i in errors(result)]


def test_a_kpi_row_cut_and_pasted_under_the_date_is_an_error_where_it_now_is() -> None:
    """KPI③'s row moved below 記入日: not 'missing', but said at the label where it is."""

    def edit(ws: Any) -> None:
        ws.unmerge_cells("B7:C7")
        ws["B12"], ws["D12"] = ws["B7"].value, ws["D7"].value
        ws["B7"] = ws["D7"] = None

    found = read(edit)
    assert [(i.code, i.cell) for i in errors(found)] == [("missing-row", "B12")]
    assert "12行目" in errors(found)[0].message


def test_a_figure_typed_in_the_note_column_is_a_warning_there_and_no_figure() -> None:
    def edit(ws: Any) -> None:
        ws["D5"], ws["E5"] = None, "3団体"

    result = read(edit)
    assert figures(result) == {k: v for k, v in FIGURES.items() if v != "D5"}
    assert [(i.code, i.cell) for i in warnings(result)] == [("missing-value", "E5")]


@pytest.mark.parametrize(("cell", "formula"), [("D9", "=リスト!A1"), ("D10", "=TODAY()")])
def test_a_status_or_date_formula_without_a_cached_value_says_so(cell: str, formula: str) -> None:
    def edit(ws: Any) -> None:
        ws[cell] = formula  # written by a program: no cached value

    assert error_cells(edit) == [("formula-without-value", cell)]


@pytest.mark.parametrize("label", ["合計", "計"])
def test_a_total_row_typed_under_the_kpis_is_an_error_asking_to_delete_it(label: str) -> None:
    def edit(ws: Any) -> None:
        ws["B8"], ws["D8"] = label, 1220

    found = errors(read(edit))
    assert [(i.code, i.cell) for i in found] == [("unknown-kpi", "B8")]
    assert "合計しません。行を削除してください" in found[0].message


def figures_of(*edits: Any) -> dict[Any, Any]:
    result = read(*edits)
    return {} if result.has_errors else {(o["kpi"], o["value"]): o["cell"] for o in observations(result)}


# -- not recognized: the closest form and what it lacked --------------------------------------


def _without_example(*edits: Any) -> bytes:
    book = load(SAMPLE)
    del book["記入例"]
    for edit in edits:
        edit(book)
    return save(book)


def test_a_year_sheet_without_its_title_names_the_form_the_sheet_and_the_cell() -> None:
    data = _without_example(lambda book: book[SHEET].__setitem__("B2", "令和6年度 実績報告"))
    [issue] = errors(read_bytes(data))
    assert issue.code == "unknown-form"
    assert issue.message == (
        "form.xlsx!R6!B2: 寒河江市の様式に近いですが、シート『R6』に見出し"
        "『令和6年度 地域再生計画KPI実績報告（寒河江市）』が見つかりません（1〜10行目を探しました）"
    )


def test_another_bodys_title_on_a_year_sheet_is_named() -> None:
    data = _without_example(lambda book: book[SHEET].__setitem__("B2", "令和6年度 地域再生計画KPI実績報告（酒田市）"))
    [issue] = errors(read_bytes(data, registry=REGISTRY))
    assert (issue.code, issue.sheet, issue.cell) == ("unknown-form", "R6", "B2")
    assert issue.message.startswith("form.xlsx!R6!B2: 寒河江市の様式に近いですが、シート『R6』の見出し「令和6年度")


def test_the_form_under_another_sheet_name_beside_a_memo_sheet_is_named() -> None:
    def edit(book: Any) -> None:
        book[SHEET].title = "報告"
        book.create_sheet("メモ")

    [issue] = errors(read_bytes(_without_example(edit)))
    assert (issue.code, issue.sheet, issue.cell) == ("unknown-form", "報告", "B2")
    assert "寒河江市の様式に近いですが、シート『報告』に寒河江市の様式の見出しがあります" in issue.message


def test_the_only_visible_sheet_is_read_whatever_its_name() -> None:
    result = read_bytes(_without_example(lambda book: setattr(book[SHEET], "title", "報告")), registry=REGISTRY)
    assert {(o["sheet"], o["cell"]) for o in observations(result)} == {("報告", c) for c in FIGURES.values()}
    assert errors(result) == []


# -- LibreOffice: the sample and an edited copy saved again by Calc ---------------------------


@libreoffice
def test_a_libreoffice_resave_reads_the_same(tmp_path: Path) -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1, note="【庁内回覧用】")
        insert_columns(ws, 4, header=(5, "目標"), values={6: 5, 7: 20, 8: 1500})

    sample = read_bytes(libreoffice_resave(SAMPLE, tmp_path / "sample"), registry=REGISTRY)
    assert figures(sample) == FIGURES
    changed = read_bytes(libreoffice_resave(edited(SAMPLE, SHEET, edit), tmp_path / "edited"), registry=REGISTRY)
    assert figures(changed) == {k: shifted(v, rows=[1], columns=[4]) for k, v in FIGURES.items()}


# -- random edits: never a different figure ---------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    insertions(
        blank_rows=[5, 6, 7, 8, 9, 10],
        note_rows=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        columns=[1, 2, 4, 5, 6],
        header_row=4,
    )
)
def test_random_blank_and_note_rows_and_columns_move_the_cited_cells_only(edit: Any) -> None:
    result = read(edit.apply)
    assert figures(result) == {k: edit.move(v) for k, v in FIGURES.items()}
    assert result.as_of is not None and result.as_of.isoformat() == "2025-07-31"
