"""飯豊町's 月別実績 as clerks edit it: found by its labels, never a wrong figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import saisei_iide
from edits import (
    cited,
    edited,
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

from saisei.testing import errors, example_path, make_registry, read_bytes

SAMPLE = example_path("飯豊町_月別実績_R6.xlsx").read_bytes()
SHEET = "月別実績"
REGISTRY = make_registry(("iide", saisei_iide))
CITED = cited(read_bytes(SAMPLE, registry=REGISTRY))


def read(*edits: Any) -> Any:
    result = read_bytes(edited(SAMPLE, SHEET, *edits), registry=REGISTRY)
    assert result.plugin == "iide", [i.message for i in result.issues]
    return result


def moved(**insertions: list[int]) -> dict[str, tuple[Any, ...]]:
    return {shifted(cell, **insertions): figure for cell, figure in CITED.items()}


def error_cells(*edits: Any) -> list[tuple[str, str | None]]:
    return [(i.code, i.cell) for i in errors(read(*edits))]


def test_the_sample_gives_36_monthly_figures() -> None:
    assert len(CITED) == 36 and CITED["E16"] == (2024, 3, 24, "provisional", "2025-03")


def test_an_openpyxl_resave_reads_the_same() -> None:
    assert cited(read_bytes(save(load(SAMPLE, values=False)), registry=REGISTRY)) == CITED


@libreoffice
def test_a_libreoffice_resave_reads_the_same(tmp_path: Path) -> None:
    result = read_bytes(libreoffice_resave(SAMPLE, tmp_path), registry=REGISTRY)
    assert cited(result) == CITED
    assert result.issues == []  # LibreOffice recalculates 合計: it still agrees


@libreoffice
def test_an_edited_copy_saved_again_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1, note="飯豊町 地域再生計画 月別実績")
        insert_columns(ws, 1)
        swap_rows(ws, 6, 17)  # 4月 and 3月 trade places, with their labels

    data = libreoffice_resave(edited(SAMPLE, SHEET, edit), tmp_path)
    swap = {"6": "17", "17": "6"}
    assert cited(read_bytes(data, registry=REGISTRY)) == {
        (lambda c: c[0] + swap.get(c[1:], c[1:]))(shifted(c, rows=[1], columns=[1])): f for c, f in CITED.items()
    }


def test_a_note_row_above_and_a_column_at_the_left() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1, note="飯豊町 地域再生計画 月別実績")
        insert_columns(ws, 1)

    result = read(edit)
    assert cited(result) == moved(rows=[1], columns=[1])
    assert result.as_of is not None and result.as_of.isoformat() == "2025-03-03"


def test_blank_rows_between_header_and_months_and_inside() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 11)
        insert_rows(ws, 5, 2)

    assert cited(read(edit)) == moved(rows=[11, 5, 5])


@pytest.mark.parametrize(
    ("at", "label", "hidden"), [(4, "うち町外", False), (5, "前年比（作業用）", True), (3, None, True)]
)
def test_an_extra_column_inside_the_table_is_ignored(at: int, label: str | None, hidden: bool) -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, at, header=(4, label) if label else None, values={5: 9, 6: 9}, hidden=hidden)

    assert cited(read(edit)) == moved(columns=[at])


def test_three_columns_between_a_label_and_its_value() -> None:
    # 年度 (B2) and its value (C2): three blank columns inserted at C move the value to F2.
    def edit(ws: Any) -> None:
        for _ in range(3):
            insert_columns(ws, 3)

    assert cited(read(edit)) == moved(columns=[3, 3, 3])


def test_kpi_columns_reordered_with_their_headers() -> None:
    swapped = {("E" if c[0] == "C" else "C" if c[0] == "E" else c[0]) + c[1:]: f for c, f in CITED.items()}
    assert cited(read(lambda ws: swap_columns(ws, 3, 5, rows=range(4, 18)))) == swapped


def test_month_rows_reordered_with_their_labels() -> None:
    swapped = {(c[0] + {"5": "16", "16": "5"}.get(c[1:], c[1:])): f for c, f in CITED.items()}
    assert cited(read(lambda ws: swap_rows(ws, 5, 16))) == swapped


@pytest.mark.parametrize(
    ("cell", "label"),
    [
        ("D4", "関係人口\n（人）"),
        ("E4", "交流人口 （人）"),
        ("C4", "受入体制整備(団体)"),
        ("D4", "関係人口数"),
        ("B4", " 月 "),
    ],
)
def test_header_variants(cell: str, label: str) -> None:
    def edit(ws: Any) -> None:
        ws[cell] = label

    assert cited(read(edit)) == CITED


@pytest.mark.parametrize("dash", ["ー", "―", "−", "－", "‐", "-"])
def test_a_dash_is_no_figure_with_a_warning(dash: str) -> None:
    def edit(ws: Any) -> None:
        ws["D6"] = dash

    result = read(edit)
    assert cited(result) == {c: f for c, f in CITED.items() if c != "D6"}
    assert ("no-figure", "D6") in [(i.code, i.cell) for i in result.issues if not i.is_error]


def test_the_total_row_moved_above_the_months_reads_the_same() -> None:
    # the months below 合計 were left out with warnings only (exit 0, no figure for the year)
    def edit(ws: Any) -> None:
        insert_rows(ws, 5)
        for column in range(2, 7):
            ws.cell(5, column).value = ws.cell(18, column).value
            ws.cell(18, column).value = None

    assert cited(read(edit)) == moved(rows=[5])


MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@pytest.mark.parametrize(
    "spell", [lambda y, m: f"R{y - 2018}.{m}", lambda y, m: f"令和{y - 2018}年{m}月", lambda y, m: f"{y}/{m:02d}"]
)
def test_month_labels_that_name_their_year(spell: Any) -> None:
    def edit(ws: Any) -> None:
        for row, month in enumerate(MONTHS, start=5):
            ws.cell(row, 2, spell(2024 + (month < 4), month))

    assert cited(read(edit)) == CITED


def test_a_month_of_another_fiscal_year_is_an_error() -> None:
    assert ("conflicting-label", "B5") in error_cells(lambda ws: ws.cell(5, 2, "R5.4"))


def test_a_value_merged_over_two_months_is_an_error_at_the_lost_cell() -> None:
    assert error_cells(lambda ws: ws.merge_cells("E5:E6")) == [("merged-cell", "E6")]


def test_a_column_of_a_kpi_the_town_does_not_report_is_not_read_with_a_warning() -> None:
    result = read(lambda ws: insert_columns(ws, 6, header=(4, "UIJターン者数"), values={5: 3}))
    assert cited(result) == CITED
    assert [(i.code, i.cell) for i in result.issues] == [("unknown-kpi", "F4")]


# -- contradictions: an error at the cells, never a figure ------------------------------------


def test_a_kpi_over_two_columns_is_an_error_at_the_second() -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, 6, header=(4, "関係人口（人）"), values={5: 1})

    assert ("duplicate-label", "F4") in error_cells(edit)


def test_a_month_twice_is_an_error_at_the_second() -> None:
    def edit(ws: Any) -> None:
        ws["B6"] = "4月"

    assert ("duplicate-label", "B6") in error_cells(edit)


# -- random edits: never a different figure ---------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(insertions(blank_rows=[5, 9, 16, 17], note_rows=[1, 2, 3, 4, 18], columns=[1, 2, 3, 4, 5, 6, 7], header_row=4))
def test_random_blank_and_note_rows_and_columns_move_the_cited_cells_only(edit: Any) -> None:
    assert cited(read(edit.apply)) == {edit.move(c): f for c, f in CITED.items()}
