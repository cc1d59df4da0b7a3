"""酒田市's 実績一覧: every spelling the form allows, every mistake it refuses, the cross-checks and the template."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
import pytest
import saisei_sakata
from hypothesis import given, settings
from hypothesis import strategies as st
from saisei_sakata import _ledger, synthetic
from saisei_sakata._form import HEADER, TITLE
from saisei_sakata._read import parse_as_of

from saisei import FileResult, load_plan
from saisei.plugin import CellValueError, Sheet, fiscal_year_of, parse_count, parse_date
from saisei.testing import errors, issue_cells, make_registry, message_at, observations, read_bytes, sums

PLAN = load_plan()
REGISTRY = make_registry(("sakata", saisei_sakata))

Row = Sequence[Any]


def ledger(
    rows: Iterable[Row],
    *,
    as_of: object = "令和7年8月20日現在",
    total: object = "=SUM(E4:E100)",
    summary: Sequence[Row] | None = None,
) -> bytes:
    """A 実績一覧 as the city writes it: title, as-of date, header, events, 合計 row, 集計."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "実績一覧"
    ws.append([TITLE])
    ws.append([as_of])
    ws.append(list(HEADER))
    for row in rows:
        ws.append(list(row))
    if total is not None:
        ws.append([None, None, "合計", None, total, None])
    if summary is not None:
        sheet = book.create_sheet("集計")
        for row in summary:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(data: bytes, name: str = "酒田市_実績一覧.xlsx") -> FileResult:
    return read_bytes(data, name, registry=REGISTRY)


def event(number: object, date: object, kpi: object, count: object, note: object = None, name: object = "事業") -> Row:
    return (number, date, name, kpi, count, note)


# -- detection -------------------------------------------------------------------------


def test_a_workbook_is_recognized_by_its_header_not_its_sheet_name_alone() -> None:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "実績一覧"
    ws.append([TITLE])
    ws.append(["令和7年8月20日現在"])
    ws.append(["番号", "日付", "内容", "区分", "人数", "備考"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = read(buffer.getvalue(), "酒田市_実績一覧.xlsx")
    assert result.plugin is None
    assert [i.code for i in result.issues] == ["unknown-form"]


# -- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "fiscal_year"),
    [
        (dt.datetime(2024, 6, 8), 2024),
        (dt.date(2025, 3, 31), 2024),
        ("R6.10.5", 2024),
        ("Ｒ６．１０．５", 2024),
        ("r7.4.1", 2025),
        ("R7/4/1", 2025),
        ("令和6年11月3日", 2024),
        ("令和７年４月１日", 2025),
        ("R7年3月31日", 2024),
        ("2024/12/01", 2024),
        ("２０２５／０６／２８", 2025),
        ("2025-04-01", 2025),
        ("2026年3月31日", 2025),
        ("2026.4.1", 2026),
        (" 2024/12/01 ", 2024),
    ],
)
def test_every_date_spelling_gives_its_fiscal_year(cell: object, fiscal_year: int) -> None:
    result = read(ledger([event(1, cell, "交流人口", 5)]))
    assert not errors(result), [i.message for i in errors(result)]
    assert sums(result) == {(fiscal_year, 3): (5, "final" if fiscal_year == 2024 else "provisional")}


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("2023/12/01", "bad-fiscal-year"),  # FY2023: before the plan
        ("R6.3.31", "bad-fiscal-year"),
        ("2027/04/01", "bad-fiscal-year"),  # after the plan
        ("2024/2/30", "bad-date"),
        ("令和6年13月1日", "bad-date"),
        ("12月1日", "bad-date"),
        ("平成40年1月1日", "bad-date"),
        ("未定", "bad-date"),
        (45450, "bad-date"),  # a serial number that lost its date format
        (None, "missing-value"),
    ],
)
def test_a_date_outside_the_plan_or_unreadable_is_an_error_at_the_date_cell(cell: object, code: str) -> None:
    result = read(ledger([event(1, "R6.10.5", "関係人口", 2), event(2, cell, "関係人口", 3)]))
    assert (code, "実績一覧", "B5") in issue_cells(result, sheet=True)
    assert message_at(result, "B5").startswith("酒田市_実績一覧.xlsx!実績一覧!B5: 実施日")
    assert result.has_errors


# -- 指標区分 ---------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "kpi"), [("受入体制", 1), ("関係人口", 2), ("交流人口", 3), (" 交流人口　", 3)])
def test_kpi_labels(label: str, kpi: int) -> None:
    result = read(ledger([event(1, "R6.10.5", label, 1)]))
    assert not errors(result)
    assert list(sums(result)) == [(2024, kpi)]


@pytest.mark.parametrize(
    ("label", "code"), [("移住", "unknown-kpi"), ("KPI①", "unknown-kpi"), (2, "unknown-kpi"), (None, "missing-value")]
)
def test_unknown_kpi_label_is_an_error_at_the_label_cell(label: object, code: str) -> None:
    result = read(ledger([event(1, "R6.10.5", "関係人口", 2), event(2, "R6.10.6", label, 3)]))
    assert issue_cells(result, sheet=True) == [(code, "実績一覧", "D5")]
    assert "指標区分" in message_at(result, "D5")


# -- 件数 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kpi", "cell", "value"),
    [
        ("関係人口", 14, 14),
        ("関係人口", 14.0, 14),
        ("関係人口", 0, 0),
        ("関係人口", "14", 14),
        ("関係人口", "１４", 14),
        ("関係人口", "14人", 14),
        ("関係人口", "１４人", 14),
        ("関係人口", " 14 人 ", 14),
        ("交流人口", "1,203", 1203),
        ("交流人口", "１，２０３人", 1203),
        ("交流人口", "12.0", 12),
        ("受入体制", "3団体", 3),
        ("受入体制", "３団体", 3),
        ("受入体制", 3, 3),
    ],
)
def test_counts_as_numbers_text_full_width_and_with_the_fitting_unit(kpi: str, cell: object, value: int) -> None:
    result = read(ledger([event(1, dt.datetime(2024, 6, 8), kpi, cell)]))
    assert not errors(result), [i.message for i in errors(result)]
    assert [o["value"] for o in observations(result)] == [value]


@pytest.mark.parametrize(
    ("kpi", "cell", "code"),
    [
        ("関係人口", "3団体", "unexpected-unit"),
        ("交流人口", "3団体", "unexpected-unit"),
        ("受入体制", "2人", "unexpected-unit"),
        ("関係人口", "3件", "unexpected-unit"),
        ("関係人口", "調査中", "not-a-number"),
        ("関係人口", -3, "negative-count"),
        ("関係人口", "△3", "negative-count"),
        ("関係人口", "▲3人", "negative-count"),
        ("関係人口", 2.5, "fractional-count"),
        ("関係人口", "1,20", "not-a-number"),
        ("関係人口", "=SUM(A1:A2)", "formula-without-value"),
        ("関係人口", "#DIV/0!", "error-value"),
        ("関係人口", True, "not-a-number"),
        ("関係人口", None, "missing-value"),
        ("関係人口", "　", "missing-value"),
    ],
)
def test_a_wrong_count_is_an_error_at_the_count_cell(kpi: str, cell: object, code: str) -> None:
    result = read(ledger([event(1, "R6.10.5", kpi, 1 if kpi == "受入体制" else 2), event(2, "R6.10.6", kpi, cell)]))
    assert issue_cells(result, sheet=True) == [(code, "実績一覧", "E5")], [i.message for i in result.issues]
    assert "件数" in message_at(result, "E5")
    assert result.frame is not None  # the reading went through; the file's values are refused for the error


def test_unit_message_names_the_label_and_the_unit_that_fits() -> None:
    result = read(ledger([event(1, "R6.10.5", "関係人口", "3団体")]))
    message = message_at(result, "E4")
    assert "「団体」" in message and "関係人口" in message and "使える単位: 人" in message


def test_cancelled_event_counts_zero_other_blank_count_is_an_error() -> None:
    result = read(
        ledger(
            [
                event(1, "R6.10.5", "交流人口", None, "雨天のため中止"),
                event(2, "R6.10.6", "交流人口", 40),
                event(3, "R6.11.6", "交流人口", None, "中止（台風）"),
            ]
        )
    )
    assert not errors(result)
    got = {o["cell"]: o["value"] for o in observations(result)}
    assert got == {"E4": 0, "E5": 40, "E6": 0}

    result = read(ledger([event(1, "R6.10.5", "交流人口", None, "集計中"), event(2, "R6.10.6", "交流人口", 40)]))
    assert issue_cells(result, sheet=True) == [("missing-value", "実績一覧", "E4")]
    assert "中止" in message_at(result, "E4")


def test_a_count_given_for_a_cancelled_event_is_taken_as_given() -> None:
    result = read(ledger([event(1, "R6.10.5", "交流人口", 12, "一部中止")]))
    assert [o["value"] for o in observations(result)] == [12]


# -- rows ----------------------------------------------------------------------------------


def test_empty_rows_prepared_lines_and_the_total_row_are_not_events() -> None:
    rows = [
        event(1, "R6.10.5", "関係人口", 2),
        (None, None, None, None, None, None),
        (2, None, None, None, None, None),  # a numbered, unused line
        (3, dt.datetime(2024, 12, 1), None, "交流人口", None, None),  # a prepared line (as in the template)
        (None, None, "合計", None, 99, None),  # a 合計 row typed in the middle: skipped
        event(4, "R6.10.7", "関係人口", 3),
    ]
    result = read(ledger(rows))
    assert not errors(result), [i.message for i in errors(result)]
    assert {o["cell"]: o["value"] for o in observations(result)} == {"E4": 2, "E9": 3}


def test_a_total_label_merged_over_a_to_d_and_subtotal_rows_are_not_events() -> None:
    rows = [
        event(1, "R6.10.5", "関係人口", 2),
        (None, None, "小　計", None, 2, None),
        event(2, "R6.10.7", "関係人口", 3),
        ("合 計", None, None, None, 5, None),  # 合計 typed in A (merged over A:D)
    ]
    result = read(ledger(rows, total=None))
    assert result.issues == []
    assert {o["cell"]: o["value"] for o in observations(result)} == {"E4": 2, "E6": 3}
    result = read(ledger([*rows[:3], ("合計", None, None, None, 4, None)], total=None))
    assert issue_cells(result, "warning", sheet=True) == [("total-mismatch", "実績一覧", "E7")]


def test_an_event_without_date_label_and_count_is_three_errors() -> None:
    result = read(ledger([event(1, None, None, None, name="報告会")]))
    assert sorted(issue_cells(result, sheet=True)) == [
        ("missing-value", "実績一覧", "B4"),
        ("missing-value", "実績一覧", "D4"),
        ("missing-value", "実績一覧", "E4"),
    ]


def test_rows_after_the_total_row_are_still_events() -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(ledger([event(1, "R6.10.5", "関係人口", 2)])))
    book["実績一覧"].append([2, "R6.10.9", "追加の事業", "関係人口", 5, None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = read(buffer.getvalue())
    assert sums(result) == {(2024, 2): (7, "final")}
    # a 合計 sums the rows above it only
    rows = [event(1, "R6.10.5", "関係人口", 2), (None, None, "合計", None, 2, None), event(2, "R6.10.9", "関係人口", 5)]
    assert read(ledger(rows, total=None)).issues == []


@pytest.mark.parametrize("again", [3, 3.0, "3", "３", " 3 "])
def test_a_duplicate_number_is_an_error_at_the_later_row_naming_the_earlier(again: object) -> None:
    rows = [
        event(3, "R6.10.5", "関係人口", 2),
        event(4, "R6.10.6", "関係人口", 2),
        event(again, "R6.10.7", "関係人口", 1),
    ]
    result = read(ledger(rows))
    assert issue_cells(result, sheet=True) == [("duplicate-row", "実績一覧", "A6")]
    assert "4行目" in message_at(result, "A6")


def test_events_without_a_number_are_not_duplicates() -> None:
    rows = [event(None, "R6.10.5", "関係人口", 2), event(None, "R6.10.6", "関係人口", 2)]
    assert not errors(read(ledger(rows)))


def test_every_problem_is_reported_not_just_the_first() -> None:
    rows = [event(1, "2023/1/1", "関係人口", 2), event(2, "R6.10.5", "移住", 2), event(2, "R6.10.5", "関係人口", "x")]
    result = read(ledger(rows))
    assert sorted(issue_cells(result, sheet=True)) == [
        ("bad-fiscal-year", "実績一覧", "B4"),
        ("duplicate-row", "実績一覧", "A6"),
        ("not-a-number", "実績一覧", "E6"),
        ("unknown-kpi", "実績一覧", "D5"),
    ]


# -- the as-of date and the status --------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "令和7年8月20日現在",
        "令和７年８月２０日 現在",
        "R7.8.20現在",
        "2025/8/20 時点",
        "作成日：令和7年8月20日現在",
        "2025年8月20日",
        dt.datetime(2025, 8, 20),
    ],
)
def test_as_of_spellings(cell: object) -> None:
    result = read(ledger([event(1, "R6.10.5", "関係人口", 2)], as_of=cell))
    assert not errors(result)
    assert result.as_of == dt.date(2025, 8, 20)


@pytest.mark.parametrize(
    ("cell", "code"),
    [(None, "missing-value"), ("令和　年　月　日現在", "bad-date"), ("令和7年2月30日現在", "bad-date")],
)
def test_an_unreadable_as_of_date_is_an_error_at_a2(cell: object, code: str) -> None:
    result = read(ledger([event(1, "R6.10.5", "関係人口", 2)], as_of=cell))
    assert issue_cells(result, sheet=True) == [(code, "実績一覧", "A2")]


@pytest.mark.parametrize(
    ("as_of", "statuses"),
    [
        ("令和7年3月31日現在", {2024: "provisional", 2025: "provisional"}),
        ("令和7年4月1日現在", {2024: "final", 2025: "provisional"}),
        ("令和8年4月1日現在", {2024: "final", 2025: "final"}),
    ],
)
def test_a_year_that_ended_before_the_as_of_date_is_final(as_of: str, statuses: dict[int, str]) -> None:
    result = read(ledger([event(1, "R6.10.5", "関係人口", 2), event(2, "R7.10.5", "関係人口", 2)], as_of=as_of))
    assert {year: status for (year, _), (_, status) in sums(result).items()} == statuses


def test_parse_as_of_refuses_what_is_not_a_date() -> None:
    for text in ("", "現在", "令和7年度", 3.0):
        with pytest.raises(ValueError):
            parse_as_of(text)


# -- the 合計 row and the 集計 sheet ------------------------------------------------------

SUMMARY_HEADER = ("指標区分", "令和6年度", "令和7年度")


def test_total_row_formula_without_cached_value_is_neither_error_nor_warning() -> None:
    result = read(ledger([event(1, "R6.10.5", "関係人口", "2人")], total="=SUM(E4:E4)"))
    assert result.issues == []


def test_total_row_cached_value_is_cross_checked() -> None:
    rows = [event(1, "R6.10.5", "関係人口", 2), event(2, "R6.10.6", "関係人口", "５")]
    assert read(ledger(rows, total=7)).issues == []
    result = read(ledger(rows, total=2))
    assert issue_cells(result, "warning", sheet=True) == [("total-mismatch", "実績一覧", "E6")]
    assert "5行目（件数が文字）" in message_at(result, "E6")
    assert not errors(result)


def test_summary_agreeing_with_the_ledger_gives_no_warning() -> None:
    rows = [event(1, dt.datetime(2024, 6, 1), "関係人口", 2), event(2, "R7.6.1", "交流人口", 30)]
    summary = [SUMMARY_HEADER, ("受入体制", 0, 0), ("関係人口", 2, 0), ("交流人口", 0, 30)]
    assert read(ledger(rows, summary=summary)).issues == []


def test_summary_formulas_without_cached_values_are_skipped() -> None:
    formula = '=SUMIFS(実績一覧!E:E,実績一覧!D:D,"関係人口")'
    summary = [SUMMARY_HEADER, ("関係人口", formula, formula), ("交流人口", "#N/A", None)]
    result = read(ledger([event(1, "R6.10.5", "関係人口", 2)], summary=summary))
    assert result.issues == []


def test_summary_missing_many_rows_names_a_few_then_the_rest_as_a_count() -> None:
    rows = [event(i, f"R6.{4 + i % 9}.{1 + i}", "交流人口", 10) for i in range(1, 12)]
    summary = [SUMMARY_HEADER, ("交流人口", 0, 0)]
    result = read(ledger(rows, summary=summary))
    assert issue_cells(result, "warning", sheet=True)[0] == ("total-mismatch", "集計", "B2")
    message = message_at(result, "B2", sheet="集計")
    assert "合計 110 と" in message
    assert "4行目（実施日が文字）" in message and "ほか6行" in message
    assert "14行目" not in message


def test_summary_disagreement_without_text_rows_asks_to_check_the_formula() -> None:
    rows = [event(1, dt.datetime(2024, 6, 1), "関係人口", 2)]
    result = read(ledger(rows, summary=[SUMMARY_HEADER, ("関係人口", 5, 0)]))
    assert issue_cells(result, "warning", sheet=True) == [("total-mismatch", "集計", "B2")]
    assert "数式の範囲" in message_at(result, "B2", sheet="集計")


def test_no_cross_check_when_the_ledger_has_errors() -> None:
    rows = [event(1, "R6.10.5", "関係人口", 2), event(2, "R6.10.6", "移住", 3)]
    result = read(ledger(rows, total=1, summary=[SUMMARY_HEADER, ("関係人口", 0, 0)]))
    assert issue_cells(result, "warning", sheet=True) == []
    assert issue_cells(result, sheet=True) == [("unknown-kpi", "実績一覧", "D5")]


# -- the template ----------------------------------------------------------------------


def test_template_has_the_city_layout_and_prepared_lines_per_kpi() -> None:
    template = saisei_sakata.saisei_template(fiscal_year=2025, plan=PLAN, as_of=dt.date(2025, 8, 20))
    ws = template.workbook["実績一覧"]
    assert ws["A1"].value == TITLE
    assert ws["A2"].value == "令和7年8月20日現在"
    assert tuple(c.value for c in ws[3][:6]) == HEADER
    assert {s.kpi for s in template.slots} == {1, 2, 3}
    assert {s.fiscal_year for s in template.slots} == {2025}
    for slot in template.slots:
        row = int(slot.cell[1:])
        day = ws[f"B{row}"].value
        assert fiscal_year_of(day.date() if isinstance(day, dt.datetime) else day) == 2025
    total_row = int(template.slots[-1].cell[1:]) + 1
    assert ws[f"C{total_row}"].value == "合計"
    assert ws[f"E{total_row}"].value.startswith("=SUM(")
    assert template.complete_status == "provisional"
    assert "集計" in template.workbook.sheetnames


def test_template_without_a_date_leaves_a2_for_the_clerk() -> None:
    template = saisei_sakata.saisei_template(fiscal_year=2024, plan=PLAN, as_of=None)
    result = read(template.fill({template.slots[0]: 3}))
    assert issue_cells(result, sheet=True) == [("bad-date", "実績一覧", "A2")]


# -- the fast path agrees with the core's parsers ---------------------------------------


class _Book:
    name = "x.xlsx"


def _read_grid(rows: list[Row]) -> tuple[list[dict[str, Any]], list[tuple[str, str | None]]]:
    """Read ledger rows straight from a grid, without writing a workbook."""
    from saisei.plugin import Reading

    grid: list[list[Any]] = [[TITLE], ["令和7年8月20日現在"], list(HEADER), *[list(r) for r in rows]]
    reading = Reading(_Book(), PLAN, entity_code="062049")  # type: ignore[arg-type]
    _ledger.read_ledger(reading, Sheet("実績一覧", False, grid), PLAN, dt.date(2025, 8, 20))
    frame = reading.to_frame()
    return list(frame.iter_rows(named=True)), [(i.code, i.cell) for i in reading.issues]


_DATE_TEXTS = st.builds(
    lambda era, y, m, d, form: form.format(era=era, y=y, m=m, d=d, gy=y + 2018),
    st.sampled_from(["R", "令和", "Ｒ", "H", "平成"]),
    st.integers(0, 40),
    st.integers(0, 14),
    st.integers(0, 33),
    st.sampled_from(
        [
            "{era}{y}.{m}.{d}",
            "{era}{y}年{m}月{d}日",
            "{gy}/{m}/{d}",
            "{gy}-{m:02d}-{d:02d}",
            "{gy}年{m}月{d}日",
            "{era}{y}/{m}",
        ]
    ),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_DATE_TEXTS, min_size=1, max_size=8))
def test_text_dates_read_as_parse_date_reads_them(texts: list[str]) -> None:
    rows = [event(i + 1, text, "関係人口", 1) for i, text in enumerate(texts)]
    got, issues = _read_grid(rows)
    by_cell = {o["cell"]: o["fiscal_year"] for o in got}
    for i, text in enumerate(texts):
        row = i + 4
        try:
            year: int | None = fiscal_year_of(parse_date(text))
        except ValueError:
            year = None
        if year is not None and PLAN.has_year(year):
            assert by_cell.get(f"E{row}") == year, (text, issues)
        else:
            assert f"E{row}" not in by_cell
            assert any(cell == f"B{row}" for _, cell in issues), (text, issues)


_COUNT_TEXTS = st.builds(
    lambda sign, n, comma, unit, width: (sign + (f"{n:,}" if comma else str(n)) + unit).translate(
        str.maketrans("0123456789,", "０１２３４５６７８９，") if width else {}
    ),
    st.sampled_from(["", "", "△", "-"]),
    st.integers(0, 10**7),
    st.booleans(),
    st.sampled_from(["", "人", "団体", "件", " 人"]),
    st.booleans(),
) | st.text(alphabet="0123456789,.人団体 ０１２", min_size=1, max_size=6)


@settings(max_examples=50, deadline=None)
@given(st.lists(_COUNT_TEXTS, min_size=1, max_size=8))
def test_text_counts_read_as_parse_count_reads_them(texts: list[str]) -> None:
    rows = [event(i + 1, "R6.10.5", "関係人口", text) for i, text in enumerate(texts)]
    got, issues = _read_grid(rows)
    by_cell = {o["cell"]: o["value"] for o in got}
    for i, text in enumerate(texts):
        cell = f"E{i + 4}"
        try:
            expected = parse_count(text, units=("人",), what="件数")
        except CellValueError as exc:
            assert (exc.code, cell) in issues
            continue
        if expected is None:
            assert ("missing-value", cell) in issues
        else:
            assert by_cell[cell] == expected, (text, issues)


# -- big ledgers --------------------------------------------------------------------------


def test_synthetic_ledger_reads_to_its_expected_totals() -> None:
    result = read(synthetic.make_ledger(400, seed=7))
    assert not errors(result), [i.message for i in errors(result)]
    assert {k: v for k, (v, _) in sums(result).items()} == synthetic.expected_totals(400, seed=7)
    assert len(observations(result)) == 400


def test_a_clean_ledger_never_takes_the_row_by_row_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every spelling in the synthetic ledger is settled by the rules: the per-row
    path (the core's parsers, one cell at a time) is for mistakes only."""
    calls: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        raise AssertionError("row-by-row path taken")

    monkeypatch.setattr(_ledger, "_settle", counting)
    result = read(synthetic.make_ledger(2_000, seed=3))
    assert not errors(result), [i.message for i in errors(result)][:3]
    assert calls == []
    frame = result.frame
    assert frame is not None and frame.height == 2_000
    assert frame.filter(pl.col("value") == 0).height > 0  # cancelled events are in it
