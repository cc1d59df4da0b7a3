"""酒田市's 実績一覧 as clerks edit it: found by its labels, never a wrong figure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import saisei_sakata
from edits import (
    cited,
    edited,
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
)
from hypothesis import HealthCheck, given, settings

from saisei.testing import errors, example_path, make_registry, read_bytes, warnings

SAMPLE = example_path("酒田市_実績一覧.xlsx").read_bytes()
SHEET = "実績一覧"
REGISTRY = make_registry(("sakata", saisei_sakata))
AS_OF = dt.date(2025, 8, 20)
#: The sample's events: the 件数 cell each is cited from → (fiscal year, KPI, value).
EVENTS = {
    "E4": (2024, 2, 3),
    "E5": (2024, 1, 1),
    "E6": (2024, 3, 412),
    "E7": (2024, 2, 4),
    "E8": (2024, 3, 310),
    "E9": (2024, 1, 1),
    "E10": (2024, 3, 140),
    "E11": (2024, 2, 2),
    "E12": (2025, 2, 3),
    "E13": (2025, 3, 240),
    "E14": (2025, 1, 1),
}
#: The 合計 row's cached SUM (975) leaves out the 件数 typed as text: a warning at its cell.
TOTAL = "E15"


def expected(move: Any = lambda ref: ref) -> dict[str, tuple[Any, ...]]:
    """The sample's figures by the cell each is cited from, after ``move`` (cell → cell)."""
    out = {}
    for ref, (year, kpi, value) in EVENTS.items():
        moved = move(ref)
        status = "final" if year == 2024 else "provisional"
        out[moved] = (year, kpi, value, status, f"行{moved.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}")
    return out


def read(*edits: Any) -> Any:
    result = read_bytes(edited(SAMPLE, SHEET, *edits), registry=REGISTRY)
    assert result.plugin == "sakata", [i.message for i in result.issues]
    return result


def ledger_warnings(result: Any) -> list[tuple[str, str | None]]:
    return [(i.code, i.cell) for i in warnings(result) if i.sheet == SHEET]


def error_cells(*edits: Any) -> list[tuple[str, str | None]]:
    return [(i.code, i.cell) for i in errors(read(*edits))]


def test_the_sample_as_issued() -> None:
    result = read()
    assert cited(result) == expected()
    assert ledger_warnings(result) == [("total-mismatch", TOTAL)]
    assert result.as_of == AS_OF


def test_an_openpyxl_resave_reads_the_same() -> None:
    result = read_bytes(save(load(SAMPLE, values=False)), registry=REGISTRY)
    assert cited(result) == expected()


@libreoffice
def test_a_libreoffice_resave_reads_the_same(tmp_path: Path) -> None:
    result = read_bytes(libreoffice_resave(SAMPLE, tmp_path, "ledger.xlsx"), registry=REGISTRY)
    assert result.plugin == "sakata"
    assert cited(result) == expected()
    assert result.as_of == AS_OF


# -- edits that read the same figures, cited where they now are ------------------------------


def test_a_note_row_above_and_a_column_at_the_left() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 1, note="【庁内回覧用】")
        insert_rows(ws, 4, note="※件数は参加者数")  # between the as-of date and the header
        insert_columns(ws, 1)

    def move(ref: str) -> str:
        return shifted(ref, rows=[1, 4], columns=[1])

    result = read(edit)
    assert cited(result) == expected(move)
    assert ledger_warnings(result) == [("total-mismatch", move(TOTAL))]
    assert result.as_of == AS_OF


def test_blank_rows_between_the_header_and_the_events_and_inside_the_ledger() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 15)  # before 合計
        insert_rows(ws, 9, 2)
        insert_rows(ws, 4)

    def move(ref: str) -> str:
        return shifted(ref, rows=[15, 9, 9, 4])

    result = read(edit)
    assert cited(result) == expected(move)
    assert ledger_warnings(result) == [("total-mismatch", move(TOTAL))]


@pytest.mark.parametrize(
    ("at", "label", "hidden"),
    [
        (6, "うち市外", False),  # between 件数 and 備考, with figures of its own
        (5, None, True),  # a hidden helper column before 件数
        (3, "前年比（作業用）", True),
        (7, "担当課", False),  # after 備考
        (1, "通し", False),  # at the left
    ],
)
def test_an_extra_column_the_form_does_not_know_is_ignored(at: int, label: str | None, hidden: bool) -> None:
    def edit(ws: Any) -> None:
        insert_columns(
            ws, at, header=(3, label) if label else None, values={4: 99, 5: "合計", 9: "中止"}, hidden=hidden
        )

    assert cited(read(edit)) == expected(lambda ref: shifted(ref, columns=[at]))


def test_a_known_column_hidden_is_still_read() -> None:
    assert cited(read(lambda ws: hide_column(ws, 6))) == expected()


def test_columns_reordered_with_their_headers() -> None:
    def edit(ws: Any) -> None:
        swap_columns(ws, 2, 5)  # 件数 where 実施日 was, and back
        swap_columns(ws, 1, 6)  # 備考 first, 番号 last

    result = read(edit)
    assert cited(result) == expected(lambda ref: ref.replace("E", "B"))
    assert ledger_warnings(result) == [("total-mismatch", "B15")]


@pytest.mark.parametrize(
    ("cell", "label"),
    [
        ("E3", "件数\n（人）"),
        ("E3", "件 数"),
        ("E3", "件数【人・団体】"),
        ("B3", "実施日　"),
        ("D3", "指標\n区分"),
        ("A3", "No."),
        ("A3", "Ｎｏ．"),
        ("A3", "NO."),
        ("F3", "備考（中止など）"),
    ],
)
def test_header_variants(cell: str, label: str) -> None:
    def edit(ws: Any) -> None:
        ws[cell] = label

    assert cited(read(edit)) == expected()


def test_the_as_of_date_beside_its_label_or_as_an_excel_date() -> None:
    def beside(ws: Any) -> None:
        ws["A2"] = "作成日："
        ws["C2"] = dt.datetime(2025, 8, 20)

    assert read(beside).as_of == AS_OF

    def moved(ws: Any) -> None:
        ws["A2"] = None
        ws["D1"] = "令和7年8月20日 現在"

    assert read(moved).as_of == AS_OF


def test_the_total_row_moved_to_the_top_is_checked_against_the_events_below() -> None:
    def edit(ws: Any) -> None:
        total = [c.value for c in ws[15]]
        ws.delete_rows(15)
        insert_rows(ws, 4)
        for column, value in enumerate(total, start=1):
            ws.cell(4, column, value)

    result = read(edit)
    assert cited(result) == expected(lambda ref: shifted(ref, rows=[4]))
    [warning] = [i for i in warnings(result) if i.sheet == SHEET]
    assert (warning.code, warning.cell) == ("total-mismatch", "E4")
    assert "下の各行の件数の合計 1117" in warning.message
    assert "11行目（件数が文字）、12行目（件数が文字）" in warning.message


def test_a_total_label_in_a_column_inserted_at_the_left() -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, 1)
        ws["A15"], ws["D15"] = "合 計", None  # the label moved out of 事業名, left of the table

    result = read(edit)
    assert cited(result) == expected(lambda ref: shifted(ref, columns=[1]))
    assert ledger_warnings(result) == [("total-mismatch", "F15")]


@pytest.mark.parametrize("label", ["計", "総合計", "総 計"])
def test_other_words_for_the_total_row(label: str) -> None:
    def edit(ws: Any) -> None:
        ws["C15"] = label

    result = read(edit)
    assert cited(result) == expected()
    assert ledger_warnings(result) == [("total-mismatch", TOTAL)]


def test_without_the_rows_above_the_header_the_missing_date_is_said_at_the_header() -> None:
    def edit(ws: Any) -> None:
        ws.delete_rows(1, 2)

    result = read(edit)
    assert [(i.code, i.cell) for i in errors(result)] == [("missing-value", "A1")]
    assert "見出しより上" in errors(result)[0].message


def test_a_total_label_left_of_an_event_is_not_a_total() -> None:
    """An event row keeps its figure whatever a column outside the table says."""

    def edit(ws: Any) -> None:
        insert_columns(ws, 1)
        ws["A7"] = "合計"

    assert cited(read(edit)) == expected(lambda ref: shifted(ref, columns=[1]))


def test_a_count_whose_format_hides_it_is_read_with_a_warning() -> None:
    def edit(ws: Any) -> None:
        ws["E6"].number_format = ";;;"

    result = read(edit)
    assert cited(result) == expected()
    assert ("hidden-value", "E6") in ledger_warnings(result)


def test_the_summary_pivot_moved_on_its_sheet() -> None:
    data = edited(SAMPLE, "集計", lambda ws: insert_rows(ws, 1, 2), lambda ws: insert_columns(ws, 1, 2))
    result = read_bytes(data, registry=REGISTRY)
    assert cited(result) == expected()
    assert sorted(i.cell or "" for i in warnings(result) if i.sheet == "集計") == ["D5", "D6", "E6"]


def test_a_second_pivot_below_is_not_read_as_the_first_ones_rows() -> None:
    def edit(ws: Any) -> None:
        ws["A7"] = "指標区分"
        ws["B7"] = "目標"  # not a year: the second table is someone's targets
        ws["A8"] = "関係人口"
        ws["B8"] = 100

    data = edited(SAMPLE, "集計", edit)
    result = read_bytes(data, registry=REGISTRY)
    assert sorted(i.cell or "" for i in warnings(result) if i.sheet == "集計") == ["B3", "B4", "C4"]


# -- dashes: no figure ------------------------------------------------------------------------


@pytest.mark.parametrize("dash", ["ー", "―", "−", "－", "‐", "-"])
def test_a_dash_for_an_event_s_count_is_an_error_at_the_cell(dash: str) -> None:
    """An event listed must have a count (as a blank 件数): a dash says "no figure" and the
    year's sum would silently leave the event out."""

    def edit(ws: Any) -> None:
        ws["E7"] = dash

    result = read(edit)
    assert [(i.code, i.cell) for i in errors(result)] == [("missing-value", "E7")]
    assert "ダッシュ" in errors(result)[0].message


@pytest.mark.parametrize("dash", ["－", "-"])
def test_a_dash_for_a_cancelled_event_counts_zero_with_a_warning(dash: str) -> None:
    def edit(ws: Any) -> None:
        ws["E7"] = dash
        ws["F7"] = "雨天のため中止"

    result = read(edit)
    figures = expected()
    figures["E7"] = (2024, 2, 0, "final", "行7")
    assert cited(result) == figures
    assert ("no-figure", "E7") in ledger_warnings(result)


def test_a_dash_in_a_prepared_line_is_no_event_with_a_warning() -> None:
    def edit(ws: Any) -> None:
        insert_rows(ws, 15)
        for column, value in enumerate((12, "R7.9.1", None, "関係人口", "ー"), start=1):
            ws.cell(15, column, value)

    result = read(edit)
    assert cited(result) == expected()
    assert ("no-figure", "E15") in ledger_warnings(result)


@pytest.mark.parametrize("cell", ["C17", "F17", "C8"])
def test_a_note_written_under_or_inside_the_ledger_is_no_event(cell: str) -> None:
    """A note (※…) alone in 事業名 or 備考 of an otherwise empty row is not an event
    without a date: the figures stay the same."""

    def edit(ws: Any) -> None:
        if cell == "C8":
            insert_rows(ws, 8)
        ws[cell] = "※件数は速報値です"

    move = (lambda ref: shifted(ref, rows=[8])) if cell == "C8" else (lambda ref: ref)
    result = read(edit)
    assert cited(result) == expected(move)
    assert ledger_warnings(result) == [("total-mismatch", move(TOTAL))]


def test_a_row_with_a_note_for_its_name_and_no_count_is_a_prepared_line() -> None:
    """番号, 実施日 and 指標区分 with a note (※実施予定) and no 件数: a line prepared for an
    event not held yet, as with a blank 事業名 — no figure."""

    def edit(ws: Any) -> None:
        ws["C7"] = "※実施予定"
        ws["E7"] = None

    result = read(edit)
    assert cited(result) == {k: v for k, v in expected().items() if k != "E7"}


@pytest.mark.parametrize(
    ("value", "code", "says"),
    [
        ("=DATE(2024,9,14)", "formula-without-value", "計算結果が保存されていません"),  # written by a program
        (45549, "bad-date", "日付の表示形式が外れたセルなら 2024/9/14 です"),  # the date format lost
    ],
)
def test_a_date_the_clerk_sees_otherwise_is_said_as_it_is(value: Any, code: str, says: str) -> None:
    def edit(ws: Any) -> None:
        ws["B6"] = value
        ws["B6"].number_format = "General"

    found = errors(read(edit))
    assert [(i.code, i.cell) for i in found] == [(code, "B6")]
    assert says in found[0].message


@pytest.mark.parametrize(("merge", "cell", "what"), [("D11:D12", "D12", "指標区分"), ("B4:B5", "B5", "実施日")])
def test_a_cell_merged_over_two_events_is_said_to_be_merged(merge: str, cell: str, what: str) -> None:
    """Two events of one 指標区分 (or one day) with the cell merged over both: Excel keeps the
    value in the first only; the second event's blank is said to be the merge's."""

    def edit(ws: Any) -> None:
        ws[cell] = None
        ws.merge_cells(merge)

    found = errors(read(edit))
    assert [(i.code, i.cell) for i in found] == [("missing-value", cell)]
    assert f"結合したセル {merge} の中" in found[0].message and what in found[0].message


# -- the ledger on a second sheet: never skipped silently --------------------------------


def _with_copy(*edits: Any, name: str = "実績一覧 (2)", hidden: bool = False) -> Any:
    book = load(SAMPLE)
    copy = book.copy_worksheet(book[SHEET])
    copy.title = name
    copy.sheet_state = "hidden" if hidden else "visible"
    for edit in edits:
        edit(copy)
    return read_bytes(save(book), registry=REGISTRY)


def _an_event_added(ws: Any) -> None:
    insert_rows(ws, 15)
    for column, value in enumerate((12, dt.datetime(2025, 8, 1), "追加事業", "交流人口", 50), start=1):
        ws.cell(15, column, value)


def test_a_copy_of_the_ledger_with_other_events_is_an_error_at_its_header() -> None:
    result = _with_copy(_an_event_added)
    assert [(i.code, i.sheet, i.cell) for i in errors(result)] == [("ambiguous-sheet", "実績一覧 (2)", "A3")]


def test_a_hidden_twin_of_the_ledger_is_named_once() -> None:
    result = _with_copy(_an_event_added, name="実績 一覧", hidden=True)
    assert cited(result) == expected()
    assert [i.sheet for i in warnings(result) if i.code == "ambiguous-sheet"] == ["実績一覧"]


@pytest.mark.parametrize(("name", "hidden"), [("控え", False), ("実績一覧 (2)", True)])
def test_a_copy_of_the_ledger_as_it_is_or_hidden_is_a_warning(name: str, hidden: bool) -> None:
    result = _with_copy(*([_an_event_added] if hidden else []), name=name, hidden=hidden)
    assert cited(result) == expected()
    assert ("ambiguous-sheet", name, "A3") in [(i.code, i.sheet, i.cell) for i in warnings(result)]


# -- contradictions: an error at the cells, never a figure ------------------------------------


def test_two_columns_with_the_same_header_are_an_error_at_the_second() -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, 7, header=(3, "件数"), values={4: 5})

    result = read(edit)
    assert ("ambiguous-header", "G3") in [(i.code, i.cell) for i in errors(result)]


def test_the_header_twice_is_an_error() -> None:
    def edit(ws: Any) -> None:
        for column in range(1, 7):
            ws.cell(17, column, ws.cell(3, column).value)

    assert error_cells(edit) == [("ambiguous-header", "A17")]  # its labels are not also an event's errors


def test_two_as_of_dates_that_disagree_are_an_error_at_the_second() -> None:
    def edit(ws: Any) -> None:
        ws["D2"] = "令和7年9月1日現在"

    found = read(edit)
    assert [(i.code, i.cell) for i in errors(found)] == [("conflicting-label", "D2")]
    assert found.frame is None or found.frame.height == 0


def test_a_duplicate_number_after_columns_moved_is_cited_where_it_is() -> None:
    def edit(ws: Any) -> None:
        insert_columns(ws, 1)
        ws["B8"] = 3  # 番号 3 is B6's

    assert error_cells(edit) == [("duplicate-row", "B8")]


# -- not recognized: the closest form and what it lacked --------------------------------------


def test_a_missing_header_label_names_the_form_the_sheet_and_the_label() -> None:
    data = edited(SAMPLE, SHEET, lambda ws: ws.__setitem__("B3", "日付"))
    [issue] = errors(read_bytes(data, registry=REGISTRY))
    assert issue.code == "unknown-form"
    assert issue.message == (
        "form.xlsx!実績一覧!A3: 酒田市の様式に近いですが、シート『実績一覧』に見出し『実施日』が見つかりません"
        "（3行目に『番号』『事業名』『指標区分』『件数』『備考』はあります。1〜15行目を探しました）"
    )


def test_a_renamed_sheet_names_the_sheet_where_the_ledger_is() -> None:
    book = load(SAMPLE)
    book[SHEET].title = "Sheet1"
    [issue] = errors(read_bytes(save(book), registry=REGISTRY))
    assert issue.code == "unknown-form"
    assert issue.message == (
        "form.xlsx!Sheet1!A3: 酒田市の様式に近いですが、シート『実績一覧』がありません"
        "（シート『Sheet1』の3行目に見出しがあります。シート名を『実績一覧』にしてください）"
    )


def test_the_pivot_alone_names_the_missing_ledger() -> None:
    book = load(SAMPLE)
    del book[SHEET]
    [issue] = errors(read_bytes(save(book), registry=REGISTRY))
    assert (issue.code, issue.sheet, issue.cell) == ("unknown-form", "集計", "A1")
    assert (
        "酒田市の様式に近いですが、シート『実績一覧』がありません（集計のシート『集計』だけがあります" in issue.message
    )


# -- random edits: never a different figure ---------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    insertions(
        blank_rows=[5, 6, 8, 11, 14, 15],
        note_rows=[1, 2, 3, 4, 16, 17],
        columns=[1, 2, 3, 4, 5, 6, 7, 8],
        header_row=3,
    )
)
def test_random_blank_and_note_rows_and_columns_move_the_cited_cells_only(edit: Any) -> None:
    result = read(edit.apply)
    assert cited(result) == expected(edit.move)
    assert ledger_warnings(result) == [("total-mismatch", edit.move(TOTAL))]
    assert result.as_of == AS_OF
