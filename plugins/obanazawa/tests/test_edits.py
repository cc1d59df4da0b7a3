"""尾花沢市's KPI進捗管理表 as clerks edit it: found by its labels, never a wrong figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import saisei_obanazawa
from edits import (
    edited,
    figures,
    insert_columns,
    insert_rows,
    insertions,
    libreoffice,
    libreoffice_resave,
    load,
    save,
    shifted,
    swap_columns,
)
from hypothesis import HealthCheck, given, settings

from saisei.testing import errors, example_path, make_registry, read_bytes

SAMPLE = example_path("KPI進捗管理表（尾花沢市）.xlsx").read_bytes()
SHEET = "KPI進捗"
REGISTRY = make_registry(("obanazawa", saisei_obanazawa))
FIGURES = {(2024, 1, 2, "provisional"): "C6", (2024, 2, 6, "provisional"): "D6", (2024, 3, 412, "provisional"): "E6"}


def read(*edits: Any) -> Any:
    result = read_bytes(edited(SAMPLE, SHEET, *edits), registry=REGISTRY)
    assert result.plugin == "obanazawa", [i.message for i in result.issues]
    return result


def error_cells(*edits: Any) -> list[tuple[str, str | None]]:
    return [(i.code, i.cell) for i in errors(read(*edits))]


def test_an_openpyxl_resave_reads_the_same() -> None:
    assert figures(read_bytes(save(load(SAMPLE)), registry=REGISTRY)) == FIGURES


@libreoffice
def test_a_libreoffice_resave_reads_the_same(tmp_path: Path) -> None:
    result = read_bytes(libreoffice_resave(SAMPLE, tmp_path), registry=REGISTRY)
    assert figures(result) == FIGURES
    assert result.as_of is not None and result.as_of.isoformat() == "2025-02-14"


@libreoffice
def test_an_edited_copy_saved_again_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1, note="令和6年度 第3回検証委員会 資料")
        insert_columns(ws, 1)
        swap_columns(ws, 4, 6)  # KPI① and KPI③ with both header rows

    data = libreoffice_resave(edited(SAMPLE, SHEET, edit), tmp_path)
    assert figures(read_bytes(data, registry=REGISTRY)) == {
        (2024, 1, 2, "provisional"): "F7",
        (2024, 2, 6, "provisional"): "E7",
        (2024, 3, 412, "provisional"): "D7",
    }


def test_a_note_row_above_and_a_column_at_the_left() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1, note="令和6年度 第3回検証委員会 資料")
        insert_columns(ws, 1)

    assert figures(read(edit)) == {k: shifted(v, rows=[1], columns=[1]) for k, v in FIGURES.items()}


def test_blank_rows_between_the_header_and_the_years_and_inside_a_year() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 6)  # between 2024's 目標 and 実績 (the merged year grows)
        insert_rows(ws, 5, 2)  # between the header and the first year

    assert figures(read(edit)) == {k: shifted(v, rows=[6, 5, 5]) for k, v in FIGURES.items()}


@pytest.mark.parametrize(("label", "hidden"), [("うち町外", False), ("前年比（作業用）", True), (None, True)])
def test_an_extra_column_inside_the_table_is_ignored(label: str | None, hidden: bool) -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, 4, header=(3, label) if label else None, values={5: 1, 6: 2}, hidden=hidden)

    assert figures(read(edit)) == {k: shifted(v, columns=[4]) for k, v in FIGURES.items()}


def test_kpi_columns_reordered_with_both_header_rows() -> None:
    assert figures(read(lambda ws: swap_columns(ws, 3, 5))) == {
        **FIGURES,
        (2024, 1, 2, "provisional"): "E6",
        (2024, 3, 412, "provisional"): "C6",
    }


@pytest.mark.parametrize(
    ("cell", "label"),
    [("C3", "KPI\n①"), ("D3", "ＫＰＩ ②"), ("D4", "関係人口\n数"), ("E4", "交流人口 （人）"), ("A3", "年 度")],
)
def test_header_variants(cell: str, label: str) -> None:
    def edit(ws: Any) -> None:
        ws[cell] = label

    assert figures(read(edit)) == FIGURES


@pytest.mark.parametrize("dash", ["ー", "―", "−", "－", "‐", "-"])
def test_a_dash_is_not_known_yet_without_a_warning(dash: str) -> None:
    def edit(ws: Any) -> None:
        ws["D6"] = dash

    result = read(edit)
    assert figures(result) == {k: v for k, v in FIGURES.items() if v != "D6"}
    assert result.issues == []


def test_the_date_made_beside_its_label_wherever_it_moved() -> None:
    def edit(ws: Any) -> None:
        ws["C2"], ws["D2"] = ws["G1"].value, ws["H1"].value
        ws["G1"], ws["H1"] = None, None

    result = read(edit)
    assert figures(result) == FIGURES
    assert result.as_of is not None and result.as_of.isoformat() == "2025-02-14"


@pytest.mark.parametrize("row", [3, 4])
def test_either_header_row_alone_names_the_kpis(row: int) -> None:
    # the form's own wording 体制整備団体数 (row 4) names KPI① without the KPI① above it
    def edit(ws: Any) -> None:
        for column in (3, 4, 5):
            ws.cell(row, column).value = None

    assert figures(read(edit)) == FIGURES


def test_a_kubun_with_a_space_inside_reads_the_same() -> None:
    assert figures(read(lambda ws: ws.__setitem__("B6", "実 績"))) == FIGURES


def test_a_total_row_ends_the_table_and_a_value_below_it_is_an_error() -> None:
    def edit(ws: Any) -> None:
        ws["A11"], ws["C11"], ws["D11"], ws["E11"] = "合計", 2, 6, 412

    assert figures(read(edit)) == FIGURES

    def below(ws: Any) -> None:
        edit(ws)
        ws["A12"], ws["B12"], ws["C12"] = "2024年度", "実績", 3

    assert ("bad-row", "A12") in error_cells(below)


def test_a_column_of_a_kpi_the_city_does_not_report_is_not_read_with_a_warning() -> None:
    def edit(ws: Any) -> None:
        ws["F3"], ws["F4"], ws["F6"] = "KPI④", "UIJターン者数", 5

    result = read(edit)
    assert figures(result) == FIGURES
    assert [(i.code, i.cell) for i in result.issues] == [("unknown-kpi", "F3")]


# -- contradictions: an error at the cells, never a figure ------------------------------------


def test_a_kpi_mark_over_the_forms_own_name_of_another_kpi_is_an_error() -> None:
    # row 3 says KPI③ over 体制整備団体数 (the form's name for KPI①): never read as KPI③
    def edit(ws: Any) -> None:
        ws["C3"], ws["E3"] = "KPI③", "KPI①"

    found = error_cells(edit)
    assert ("conflicting-label", "C4") in found and ("conflicting-label", "E4") in found


def test_two_header_rows_that_disagree_are_an_error() -> None:
    # row 3 says KPI① over a column whose row 4 says 関係人口数 (KPI②)
    def edit(ws: Any) -> None:
        ws["D3"] = "KPI①"

    found = error_cells(edit)
    assert ("conflicting-label", "D4") in found
    assert ("bad-header", "F3") in found  # KPI② has no column left


def test_a_kpi_over_two_columns_is_an_error_at_the_second() -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, 6, header=(3, "KPI③"), values={6: 5})

    assert ("duplicate-label", "F3") in error_cells(edit)


def test_a_year_twice_is_an_error() -> None:
    def edit(ws: Any) -> None:
        ws["A7"] = "令和6年度"

    assert ("duplicate-row", "A7") in error_cells(edit)


# -- random edits: never a different figure ---------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(insertions(blank_rows=[5, 6, 7], note_rows=[1, 2, 11], columns=[1, 3, 4, 5, 6], header_row=3))
def test_random_blank_and_note_rows_and_columns_move_the_cited_cells_only(edit: Any) -> None:
    assert figures(read(edit.apply)) == {k: edit.move(v) for k, v in FIGURES.items()}
