"""鶴岡市's 実績報告書 as clerks edit it: found by its labels, never a wrong figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import saisei_tsuruoka
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
    swap_rows,
)
from hypothesis import HealthCheck, given, settings

from saisei.testing import errors, example_path, make_registry, read_bytes

SAMPLE = example_path("鶴岡市_KPI実績報告書_R6.xlsx").read_bytes()
SHEET = "実績報告"
REGISTRY = make_registry(("tsuruoka", saisei_tsuruoka))
FIGURES = {(2024, 1, 3, "final"): "E7", (2024, 2, 12, "final"): "E8", (2024, 3, 1120, "final"): "E9"}


def read(*edits: Any) -> Any:
    result = read_bytes(edited(SAMPLE, SHEET, *edits), registry=REGISTRY)
    assert result.plugin == "tsuruoka", [i.message for i in result.issues]
    return result


def error_cells(*edits: Any) -> list[tuple[str, str | None]]:
    return [(i.code, i.cell) for i in errors(read(*edits))]


def test_an_openpyxl_resave_reads_the_same() -> None:
    assert figures(read_bytes(save(load(SAMPLE, values=False)), registry=REGISTRY)) == FIGURES


@libreoffice
def test_a_libreoffice_resave_reads_the_same(tmp_path: Path) -> None:
    result = read_bytes(libreoffice_resave(SAMPLE, tmp_path), registry=REGISTRY)
    assert figures(result) == FIGURES
    assert result.issues == []  # LibreOffice recalculates 累計: it still agrees


@libreoffice
def test_an_edited_copy_saved_again_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1, note="【庁内回覧用】")
        insert_columns(ws, 1)
        insert_columns(ws, 6, header=(7, "うち町外"), values={8: 1, 9: 2, 10: 3})  # inside 令和6年度

    data = libreoffice_resave(edited(SAMPLE, SHEET, edit), tmp_path)
    assert figures(read_bytes(data, registry=REGISTRY)) == {
        k: shifted(v, rows=[1], columns=[1, 6]) for k, v in FIGURES.items()
    }


def test_a_note_row_above_and_a_column_at_the_left() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1, note="【庁内回覧用】")
        insert_columns(ws, 1)

    result = read(edit)
    assert figures(result) == {k: shifted(v, rows=[1], columns=[1]) for k, v in FIGURES.items()}
    assert result.as_of is not None and result.as_of.isoformat() == "2025-08-29"


def test_blank_rows_between_header_and_data_and_between_kpis() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 9)
        insert_rows(ws, 7, 2)

    assert figures(read(edit)) == {k: shifted(v, rows=[9, 7, 7]) for k, v in FIGURES.items()}


@pytest.mark.parametrize(
    ("at", "label", "hidden"),
    [
        (5, "うち町外", False),  # inside the 令和6年度 pair, between 目標 and 実績
        (5, None, True),  # a hidden helper column there
        (6, None, False),  # between two years
        (4, "前年比（作業用）", True),  # before the first year
    ],
)
def test_an_extra_column_inside_the_table_is_ignored(at: int, label: str | None, hidden: bool) -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, at, header=(6, label) if label else None, values={7: 99, 8: 98}, hidden=hidden)

    assert figures(read(edit)) == {k: shifted(v, columns=[at]) for k, v in FIGURES.items()}


def test_kpi_rows_sorted_with_their_labels() -> None:
    moved = {**FIGURES, (2024, 1, 3, "final"): "E9", (2024, 3, 1120, "final"): "E7"}
    assert figures(read(lambda ws: swap_rows(ws, 7, 9))) == moved


@pytest.mark.parametrize(
    ("cell", "label"),
    [
        ("B5", "指標\n名"),
        ("A5", "No"),
        ("A5", "Ｎｏ．"),
        ("D5", "令和６年度"),
        ("E6", "実 績"),
        ("E6", "実績値"),
        ("B8", "関係人口数"),
        ("A3", "報 告 日：令和7年8月29日"),
        ("A2", "団 体 名：鶴岡市"),
    ],
)
def test_header_and_label_variants(cell: str, label: str) -> None:
    def edit(ws: Any) -> None:
        ws[cell] = label

    assert figures(read(edit)) == FIGURES


@pytest.mark.parametrize("label", ["R6", "Ｒ６", 2024, "2024", "令和6年度\n（2024年度）", "令和６年度"])
def test_year_header_spellings(label: object) -> None:
    # R6, 2024 and 令和6年度（2024年度） were not taken for years: 令和6年度's 実績 were left
    # out without a word (exit 0, only a 累計 warning).
    def edit(ws: Any) -> None:
        ws["D5"] = label

    assert figures(read(edit)) == FIGURES


def test_a_jisseki_column_under_no_year_is_an_error_at_it() -> None:
    def edit(ws: Any) -> None:
        ws.unmerge_cells("D5:E5")
        ws["D5"] = "前年度比"

    found = error_cells(edit)
    assert ("bad-header", "E6") in found  # the 実績 of E6 belongs to no year: never left out silently


@pytest.mark.parametrize("dash", ["ー", "―", "−", "－", "‐", "-"])
def test_a_dash_is_no_figure_with_a_warning(dash: str) -> None:
    def edit(ws: Any) -> None:
        ws["E8"] = dash

    result = read(edit)
    assert figures(result) == {k: v for k, v in FIGURES.items() if v != "E8"}
    assert ("no-figure", "E8") in [(i.code, i.cell) for i in result.issues if not i.is_error]


# -- contradictions: an error at the cells, never a figure ------------------------------------


def test_a_kpi_name_that_disagrees_with_its_no_is_an_error() -> None:
    def edit(ws: Any) -> None:
        ws["B7"], ws["B9"] = ws["B9"].value, ws["B7"].value  # names swapped, No. and figures left

    assert ("conflicting-label", "A7") in error_cells(edit)


def test_a_kpi_twice_is_an_error_at_the_second() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 10)
        for column in range(1, 11):
            ws.cell(10, column, ws.cell(9, column).value)

    assert ("duplicate-label", "B10") in error_cells(edit)


def test_a_year_twice_is_an_error_at_the_second() -> None:
    def edit(ws: Any) -> None:
        ws["H5"] = "令和6年度"

    assert ("duplicate-label", "H5") in error_cells(edit)


# -- not recognized: the closest form and what it lacked --------------------------------------


def test_a_missing_header_label_names_the_form_the_sheet_and_the_label() -> None:
    data = edited(SAMPLE, SHEET, lambda ws: ws.__setitem__("A5", "項番"))
    [issue] = errors(read_bytes(data, registry=REGISTRY))
    assert issue.code == "unknown-form"
    assert issue.message == (
        "form.xlsx!実績報告!A5: 鶴岡市の様式に近いですが、シート『実績報告』に見出し『No.』が見つかりません"
        "（5行目に『指標名』はあります。1〜11行目を探しました）"
    )


# -- random edits: never a different figure ---------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    insertions(blank_rows=[7, 8, 9, 10], note_rows=[1, 2, 4, 11, 12], columns=[1, 2, 3, 4, 6, 8, 10, 11], header_row=5)
)
def test_random_blank_and_note_rows_and_columns_move_the_cited_cells_only(edit: Any) -> None:
    assert figures(read(edit.apply)) == {k: edit.move(v) for k, v in FIGURES.items()}
