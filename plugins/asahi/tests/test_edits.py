"""朝日町's kintone export as clerks edit it: found by its labels, never a wrong figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import saisei_asahi
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
)
from hypothesis import HealthCheck, given, settings

from saisei.testing import errors, example_path, make_registry, read_bytes

SAMPLE = example_path("asahi_kintone_export_20250412.xlsx").read_bytes()
SHEET = "レコード一覧"
REGISTRY = make_registry(("asahi", saisei_asahi))
CITED = cited(read_bytes(SAMPLE, registry=REGISTRY))


def read(*edits: Any) -> Any:
    result = read_bytes(edited(SAMPLE, SHEET, *edits), registry=REGISTRY)
    assert result.plugin == "asahi", [i.message for i in result.issues]
    return result


def moved(**inserted: list[int]) -> dict[str, tuple[Any, ...]]:
    return {shifted(cell, **inserted): figure for cell, figure in CITED.items()}


def test_the_sample_gives_12_quarterly_figures() -> None:
    assert len(CITED) == 12 and CITED["E2"] == (2024, 3, 90, "final", "2024-Q4")


def test_an_openpyxl_resave_reads_the_same() -> None:
    assert cited(read_bytes(save(load(SAMPLE)), registry=REGISTRY)) == CITED


@libreoffice
def test_a_libreoffice_resave_reads_the_same(tmp_path: Path) -> None:
    result = read_bytes(libreoffice_resave(SAMPLE, tmp_path), registry=REGISTRY)
    assert cited(result) == CITED
    assert result.as_of is not None and result.as_of.isoformat() == "2025-04-10"


@libreoffice
def test_the_export_saved_from_the_csv_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    book = load(SAMPLE)
    book[SHEET].title = "asahi_kintone_export_20250412"
    book.create_sheet("メモ")["A1"] = "第4四半期は速報値"
    assert cited(read_bytes(libreoffice_resave(save(book), tmp_path), registry=REGISTRY)) == CITED


def test_a_note_row_above_and_a_column_at_the_left() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1, note="kintone 書き出し 2025/04/12")
        insert_columns(ws, 1)

    assert cited(read(edit)) == moved(rows=[1], columns=[1])


def test_blank_rows_inside() -> None:
    assert cited(read(lambda ws: insert_rows(ws, 5, 2))) == moved(rows=[5, 5])


@pytest.mark.parametrize(("at", "label", "hidden"), [(5, "うち町外", False), (6, "作業用", True), (8, None, True)])
def test_an_extra_column_is_ignored(at: int, label: str | None, hidden: bool) -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, at, header=(1, label) if label else None, values={2: 7, 3: 8}, hidden=hidden)

    assert cited(read(edit)) == moved(columns=[at])


def test_columns_reordered_with_their_headers() -> None:
    swapped = {"A" + c[1:]: f for c, f in CITED.items()}
    assert cited(read(lambda ws: swap_columns(ws, 1, 5))) == swapped


def test_the_export_saved_under_the_csv_files_name() -> None:
    def edit(ws: Any) -> None:
        ws.title = "asahi_kintone_export_20250412"

    assert cited(read(edit)) == CITED


def test_the_export_under_the_csv_files_name_with_a_memo_sheet_beside_it() -> None:
    book = load(SAMPLE)
    book[SHEET].title = "asahi_kintone_export_20250412"
    book.create_sheet("メモ")["A1"] = "第4四半期は速報値"
    assert cited(read_bytes(save(book), registry=REGISTRY)) == CITED


def test_two_sheets_of_records_are_not_taken_for_the_export_and_say_why() -> None:
    book = load(SAMPLE)
    book.copy_worksheet(book[SHEET]).title = "コピー"
    book[SHEET].title = "asahi_kintone_export_20250412"
    [issue] = errors(read_bytes(save(book), registry=REGISTRY))
    assert issue.code == "unknown-form" and "朝日町" in issue.message


def test_a_note_line_and_a_total_line_below_the_records() -> None:
    def edit(ws: Any) -> None:
        ws["A15"] = "※第4四半期は速報値"
        ws["D16"], ws["E16"] = "合計", 487

    assert cited(read(edit)) == CITED

    def below(ws: Any) -> None:
        edit(ws)
        ws["A18"], ws["E18"] = 13, 5

    assert [(i.code, i.cell) for i in errors(read(below))] == [("bad-row", "A18")]


def test_a_value_merged_over_two_records_is_an_error_at_the_lost_cell() -> None:
    assert [(i.code, i.cell) for i in errors(read(lambda ws: ws.merge_cells("E2:E3")))] == [("merged-cell", "E3")]


@pytest.mark.parametrize(
    "spelling", ["第四四半期", "第４四半期", "4Q", "Q4", "1-3月", "1月～3月", "第4四半期（1-3月）"]
)
def test_quarter_spellings(spelling: str) -> None:
    def edit(ws: Any) -> None:
        for row in (2, 3, 4):
            ws.cell(row, 3, spelling)

    assert cited(read(edit)) == CITED


@pytest.mark.parametrize("dash", ["ー", "―", "−", "－", "‐", "-"])
def test_a_dash_is_no_figure_with_a_warning(dash: str) -> None:
    def edit(ws: Any) -> None:
        ws["E3"] = dash

    result = read(edit)
    got = cited(result)
    assert "E3" not in got and len(got) == 11
    assert ("no-figure", "E3") in [(i.code, i.cell) for i in result.issues if not i.is_error]
    assert {f[3] for c, f in got.items() if f[1] == 2} == {"provisional"}  # KPI② lost a quarter


def test_a_field_twice_is_an_error_at_the_second() -> None:
    result = read(lambda ws: insert_columns(ws, 8, header=(1, "実績"), values={2: 5}))
    assert ("ambiguous-header", "H1") in [(i.code, i.cell) for i in errors(result)]


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(insertions(blank_rows=[2, 3, 7, 13, 14], note_rows=[1], columns=[1, 2, 4, 6, 8], header_row=1))
def test_random_blank_and_note_rows_and_columns_move_the_cited_cells_only(edit: Any) -> None:
    assert cited(read(edit.apply)) == {edit.move(c): f for c, f in CITED.items()}
