"""Tables found by their labels (saisei.core.tables), dashes and quarters: pure functions."""

from __future__ import annotations

from typing import Any

import pytest

from saisei.core.fiscal import parse_quarter
from saisei.core.tables import (
    Field,
    find_header,
    is_note,
    label_key,
    parse_kpi_label,
    scan_labels,
    table_rows,
)
from saisei.core.values import is_dash, parse_count
from saisei.plans import load_plan
from saisei.workbook import Sheet

PLAN = load_plan()


def Grid(rows: list[list[Any]]) -> Sheet:
    """Rows of values from A1, as a sheet gives them."""
    return Sheet("表", False, rows)


FIELDS = (
    Field("year", ("年度",)),
    Field("kpi", ("KPI",)),
    Field("value", ("実績値",)),
    Field("note", ("備考",), False),
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("関係人口\n（人）", "関係人口(人)"),
        ("交流人口 （人）", "交流人口(人)"),
        ("関係人口【人】", "関係人口(人)"),
        ("ＫＰＩ実績", "KPI実績"),
        (2.0, "2"),
        (None, ""),
    ],
)
def test_label_keys_ignore_width_spaces_line_breaks_and_bracket_kinds(text: object, key: str) -> None:
    assert label_key(text) == key


def test_a_header_is_found_below_and_right_of_where_it_was_with_columns_in_any_order() -> None:
    grid = Grid([["※メモ"], [], [None, "実績値", "うち町外", "年\n度", "K P I"], [None, 5, 1, 2024, "KPI①"]])
    header, miss, problems = find_header(grid, FIELDS)
    assert header is not None and miss is None and problems == []
    assert header.row == 3
    assert header.columns == {"value": 2, "year": 4, "kpi": 5}
    assert header.ref("value", 4) == "B4"


def test_a_label_with_a_unit_in_brackets_is_the_label() -> None:
    header, _, _ = find_header(Grid([["年度", "KPI", "実績値（人）"]]), FIELDS)
    assert header is not None and header.columns["value"] == 3


def test_a_label_in_two_columns_is_ambiguous_at_the_second() -> None:
    header, _, problems = find_header(Grid([["年度", "KPI", "実績値", "実績値"]]), FIELDS)
    assert header is not None
    assert [(p.code, p.cell) for p in problems] == [("ambiguous-header", "D1")]
    assert "A1" not in problems[0].message and "C1とD1" in problems[0].message


def test_two_header_rows_are_ambiguous_at_the_second() -> None:
    grid = Grid([["年度", "KPI", "実績値"], [2024, "KPI①", 3], [], ["年度", "KPI", "実績値"]])
    _, _, problems = find_header(grid, FIELDS)
    assert [(p.code, p.cell) for p in problems] == [("ambiguous-header", "A4")]


def test_a_missing_label_says_which_row_came_closest_and_which_rows_were_searched() -> None:
    grid = Grid([["タイトル"], ["年度", "KPI", "実績"], [2024, "KPI①", 3]])
    header, miss, _ = find_header(grid, FIELDS)
    assert header is None and miss is not None
    assert (miss.row, miss.found, miss.missing) == (2, ("年度", "KPI"), ("実績値",))
    assert miss.score == pytest.approx(2 / 3)
    assert (
        miss.describe() == "見出し『実績値』が見つかりません（2行目に『年度』『KPI』はあります。1〜3行目を探しました）"
    )


def test_nothing_of_the_header_says_so() -> None:
    _, miss, _ = find_header(Grid([["a"], ["b"]]), FIELDS, first_row=1, rows=2)
    assert miss is not None and miss.row is None and miss.score == 0
    assert miss.describe() == "見出し『年度』『KPI』『実績値』が見つかりません（1〜2行目を探しました）"


def test_rows_skip_blanks_stop_at_the_total_and_report_what_lies_below() -> None:
    grid = Grid([["h"], [1, 2], [], [None, None, "note beside"], [3, 4], ["合 計", 6], [], [9, None]])
    rows = table_rows(grid, (1, 2), 2, total_columns=(1,))
    assert rows.rows == (2, 5)
    assert rows.total_row == 6
    assert rows.after == (8,)


@pytest.mark.parametrize("label", ["合計", "合 計", "計", "総計", "年間計", "年度計", "累計"])
def test_total_labels_end_the_table(label: str) -> None:
    rows = table_rows(Grid([["h"], [1, 2], [label, 3], [4, 5]]), (1, 2), 2, total_columns=(1,))
    assert (rows.rows, rows.total_row, rows.after) == ((2,), 3, (4,))


def test_note_rows_are_not_data_but_a_note_beside_a_figure_is() -> None:
    grid = Grid(
        [
            ["h"],
            [1, 2],
            ["※KPI②は速報値です"],
            [None, "（注）町外を含む"],
            ["＊印は見込み", 3],
            ["合計", 6],
            ["※出典：庁内調べ"],
        ]
    )
    rows = table_rows(grid, (1, 2), 2, total_columns=(1,))
    assert rows.rows == (2, 5)  # row 5 holds a figure beside its note: data, for the reader to check
    assert rows.total_row == 6
    assert rows.after == ()  # a note under the total is not a figure left out
    assert is_note("※速報値") and is_note(" 注：速報値") and not is_note("実績") and not is_note(3)


def test_a_label_found_twice_is_a_problem_at_the_second_naming_the_first() -> None:
    grid = Grid([["令和6年度", "x", "2024年度"]])

    def year(v: Any) -> int | None:
        return 2024 if isinstance(v, str) and "年度" in v else None

    places, problems = scan_labels(grid, [(1, c) for c in (1, 2, 3)], year, what=lambda y: f"{y}年度")
    assert places == {2024: (1, 1)}
    assert [(p.code, p.cell) for p in problems] == [("duplicate-label", "C1")]
    assert "A1" in problems[0].message


@pytest.mark.parametrize(
    ("text", "mark", "name"),
    [
        ("KPI①", 1, None),
        ("ＫＰＩ２", 2, None),
        ("①", 1, None),
        ("事業により創出した関係人口数", None, 2),
        ("関係人口（人）", None, 2),
        ("交流人口\n（人）", None, 3),
        ("受入体制整備（団体）", None, 1),
        ("①事業により関係人口を受け入れる体制が整った地域・団体等数", 1, 1),
        ("①事業により創出した関係人口数", 1, 2),  # a contradiction: the mark and the name differ
        ("KPI② 関係人口数", 2, 2),
    ],
)
def test_kpi_labels(text: str, mark: int | None, name: int | None) -> None:
    label = parse_kpi_label(text, PLAN)
    assert label is not None
    assert (label.mark, label.name) == (mark, name)
    assert label.conflict == (mark is not None and name is not None and mark != name)


@pytest.mark.parametrize("text", ["4月", "2024年度", "3団体", "備考", "KPI⑨", "", None, "1事業"])
def test_what_names_no_kpi(text: object) -> None:
    assert parse_kpi_label(text, PLAN) is None


@pytest.mark.parametrize("dash", ["ー", "―", "−", "－", "‐", "-", " - ", "ｰ", "—", "–"])
def test_a_dash_alone_is_no_figure(dash: str) -> None:
    assert is_dash(dash)
    assert parse_count(dash) is None


@pytest.mark.parametrize("text", ["--", "-3", "ー1", "3-", "", None, 0])
def test_other_values_are_not_dashes(text: object) -> None:
    assert not is_dash(text)


@pytest.mark.parametrize(
    ("text", "quarter"),
    [
        ("第1四半期", 1),
        ("第１四半期", 1),
        ("第一四半期", 1),
        ("第二四半期", 2),
        ("第三四半期", 3),
        ("第四四半期", 4),
        ("1Q", 1),
        ("Q4", 4),
        ("ｑ２", 2),
        ("4-6月", 1),
        ("4月～6月", 1),
        ("7〜9月", 2),
        ("10-12月", 3),
        ("1-3月", 4),
        (" 第 2 四半期 ", 2),
    ],
)
def test_quarters_as_clerks_spell_them(text: str, quarter: int) -> None:
    assert parse_quarter(text) == quarter


@pytest.mark.parametrize("text", ["第5四半期", "5-7月", "四半期", "Q", None, 1.5])
def test_what_is_not_a_quarter(text: object) -> None:
    with pytest.raises(ValueError, match="四半期"):
        parse_quarter(text)
