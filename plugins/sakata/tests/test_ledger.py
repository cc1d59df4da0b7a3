"""The ledger's rules, on generated ledgers: every spelling the form allows and every kind of mistake.

The rules (one engine, column by column) settle a row only when the core's parsers read
it the same way; every other event row is an error at one of its cells, never skipped.
The size of a ledger changes nothing.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import unicodedata
from typing import Any

import pytest
import saisei_sakata
from hypothesis import given, settings
from hypothesis import strategies as st
from saisei_sakata import _ledger, synthetic
from saisei_sakata._checks import check_summary, check_totals
from saisei_sakata._form import CANCELLED, HEADER, KPI_BY_LABEL, LABEL_BY_KPI, TITLE, UNITS

from saisei import load_plan, open_workbook
from saisei.plugin import (
    CellError,
    NoCachedValue,
    Reading,
    Sheet,
    fiscal_year_of,
    is_blank,
    is_dash,
    parse_count,
    parse_date,
)
from saisei.testing import example_path, make_registry, read_path

PLAN = load_plan()
SAMPLE = example_path("酒田市_実績一覧.xlsx")
REGISTRY = make_registry(("sakata", saisei_sakata))
FULL_WIDTH = str.maketrans("0123456789,.-/", "０１２３４５６７８９，．－／")

# -- cells as a clerk (or a program) leaves them ------------------------------------------

_SPACES = st.sampled_from(["", " ", "　", "\t", "\x1c", "\u00a0"])  # \x1c: white space to Python only
_ODD = st.sampled_from(
    [True, False, CellError("#DIV/0!"), CellError("#N/A"), NoCachedValue("SUM(E4:E9)"), dt.time(9, 30)]
)
_FLOATS = st.sampled_from(
    [
        0.0,
        -0.0,
        1.0,
        3.0,
        14.0,
        2.5,
        1.5,
        -3.0,
        1e-5,
        1e-7,
        2.0**53,
        2.0**63,
        1e20,
        45450.0,
        *(float(x) for x in ("nan", "inf", "-inf")),
    ]
)
_INTS = st.integers(-5, 3000) | st.sampled_from([2**53 + 1, 2**63, 10**30])


def _spaced(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda before, t, after: before + t + after, _SPACES, text, _SPACES)


def _date_text(era: str, y: int, m: int, d: int, form: str, width: bool, lower: bool) -> str:
    text = form.format(era=era, y=y, m=m, d=d, gy=y + 2018 if y < 100 else y)
    text = text.translate(FULL_WIDTH) if width else text
    return text.lower() if lower else text


_DATE_TEXTS = st.builds(
    _date_text,
    st.sampled_from(["R", "令和", "H", "平成", "S", "昭和", "Ｒ"]),
    st.sampled_from([0, 1, 5, 6, 7, 8, 30, 31, 64, 99, 100, 2024, 2025]),
    st.integers(0, 13),
    st.integers(0, 32),
    st.sampled_from(
        [
            "{era}{y}.{m}.{d}",
            "{era} {y}/{m}/{d}",
            "{era}{y}-{m}-{d}",
            "{era}{y}年{m}月{d}日",
            "{era}元年{m}月{d}日",
            "{era}元.{m}.{d}",
            "{gy}/{m}/{d}",
            "{gy}-{m:02d}-{d:02d}",
            "{gy}.{m}.{d}",
            "{gy}年 {m}月 {d}日",
            "{era}{y}/{m}",
            "{m}月{d}日",
            "0000/{m}/{d}",
            "0999/{m}/{d}",
        ]
    ),
    st.booleans(),
    st.booleans(),
) | st.sampled_from(["未定", "R6.10.5\n", "令和6年\u300011月3日", "R6.10.5\x1c", "2024/12/01 "])

_DATES = (
    st.builds(dt.datetime, st.integers(2022, 2028), st.integers(1, 12), st.integers(1, 28), st.integers(0, 23))
    | st.builds(dt.date, st.integers(2022, 2028), st.integers(1, 12), st.integers(1, 28))
    | st.sampled_from([dt.datetime(999, 1, 1), dt.datetime(9999, 12, 31), dt.datetime(2024, 6, 8, 0, 0, 0, 5)])
    | _spaced(_DATE_TEXTS)
    | _FLOATS
    | _SPACES
    | st.none()
    | _ODD
)

_COUNT_TEXTS = st.builds(
    lambda sign, n, comma, unit, width: (sign + (f"{n:,}" if comma else str(n)) + unit).translate(
        FULL_WIDTH if width else {}
    ),
    st.sampled_from(["", "", "△", "▲", "-", "0"]),
    st.integers(0, 10**7) | st.sampled_from([2**63 - 1, 2**63, 10**12, 10**12 + 1]),
    st.booleans(),
    st.sampled_from(["", "人", "団体", "件", " 人", "人 ", "団 体"]),
    st.booleans(),
) | st.text(alphabet="0123456789,.人団体 　０１２△", min_size=1, max_size=6)

_DASHES = _spaced(st.sampled_from(["ー", "－", "-", "―", "−", "ｰ", "--"]))  # a dash alone: no figure (-- is not one)
_COUNTS = (
    _spaced(_COUNT_TEXTS) | _INTS | _FLOATS | _SPACES | st.none() | _ODD | st.just(dt.datetime(2024, 6, 8)) | _DASHES
)

_LABELS = (
    _spaced(st.sampled_from(["受入体制", "関係人口", "交流人口", "関係 人口", "交流人口\x1c", "移住", "KPI①"]))
    | st.sampled_from(["ｶﾝｹｲ", "関係人口\u3000", "合計"])
    | st.just(2.0)
    | _SPACES
    | st.none()
    | _ODD
)
_NUMBERS = (
    st.integers(1, 6)
    | st.sampled_from([1.0, 2.0, 1.5, 1e-7, 1e-5, 2.0**63, float("nan"), float("inf")])
    | _spaced(st.sampled_from(["1", "２", "3", "1.5", "1e-7", "1e-07", "0.00001", "", "合計", "合 計", "小計"]))
    | st.none()
    | _ODD
)
_NAMES = st.sampled_from(["事業", "説明会", "", " ", "\x1c", "合計", "合　計", "小 計", "合計です", None]) | _ODD
_NOTES = st.sampled_from([None, "", "中止", "雨天のため中止", "中 止", "集計中", "ｷｬﾝｾﾙ", " "]) | _ODD

_ROWS = st.lists(st.tuples(_NUMBERS, _DATES, _NAMES, _LABELS, _COUNTS, _NOTES), min_size=0, max_size=14)


def _lengths(rows: list[tuple[Any, ...]], cut: list[int]) -> list[list[Any]]:
    """Rows as calamine gives them: some cut short (a row without trailing cells)."""
    return [list(r)[: 6 - c] for r, c in zip(rows, cut + [0] * len(rows), strict=False)]


class _Book:
    name = "酒田市_実績一覧.xlsx"


def _reading(rows: list[list[Any]], summary: list[list[Any]]) -> tuple[Any, ...]:
    """Everything the ledger gives: observations, issues, the cross-checks."""
    grid: list[list[Any]] = [[TITLE], ["令和7年8月20日現在"], list(HEADER), *rows]
    sheet = Sheet("実績一覧", False, grid)
    reading = Reading(_Book(), PLAN, entity_code="062049")  # type: ignore[arg-type]
    ledger = _ledger.read_ledger(reading, sheet, PLAN, dt.date(2025, 8, 20))
    # The cross-checks run on any ledger here (the reader skips them after an error).
    check_totals(reading, sheet, ledger)
    check_summary(reading, Sheet("集計", False, summary), sheet.name, ledger)
    checks = (ledger.totals, ledger.sums(), [ledger.above(r, 3) for r in (4, 9, 99)])
    unseen = [ledger.unseen(k, y, 3) for k in (1, 2, 3) for y in PLAN.fiscal_years]
    issues = [(i.severity, i.code, i.sheet, i.cell, i.message) for i in reading.issues]
    return reading.to_frame().rows(), issues, checks, unseen


_SUMMARY = st.lists(
    st.sampled_from([0.0, 1.0, 2.0, 40.0, None, "x", NoCachedValue("SUMIFS()")]), min_size=6, max_size=6
)


def _as_the_core_reads(raw: list[Any], event: tuple[int, int, int, int, bool, bool]) -> None:
    """A row the rules settled reads the same through the core's parsers, one cell at a time."""
    _, raw_date, _, raw_kpi, raw_count, raw_note = raw
    _, year, kpi, value, text_date, text_count = event
    assert fiscal_year_of(parse_date(raw_date)) == year, raw
    assert KPI_BY_LABEL["".join(unicodedata.normalize("NFKC", raw_kpi).split())] == kpi, raw
    if is_blank(raw_count) or is_dash(raw_count):  # a dash alone is no figure, as a blank
        assert value == 0 and CANCELLED in unicodedata.normalize("NFKC", raw_note), raw
    else:
        assert parse_count(raw_count, units=(UNITS[kpi],)) == value, raw
    assert (text_date, text_count) == (isinstance(raw_date, str), isinstance(raw_count, str)), raw


@settings(max_examples=60, deadline=None)
@given(_ROWS, st.lists(st.integers(0, 3), max_size=14), st.data())
def test_the_rules_read_a_row_as_the_core_does_or_the_row_is_an_error(
    rows: list[tuple[Any, ...]], cut: list[int], data: st.DataObject
) -> None:
    grid = _lengths(rows, cut)
    if grid and data.draw(st.booleans()):  # a 合計 row with a cached figure, somewhere
        grid.insert(data.draw(st.integers(0, len(grid))), [None, None, "合計", None, data.draw(_INTS | _FLOATS), None])
    figures = data.draw(_SUMMARY)
    summary = [["指標区分", "令和6年度", "令和7年度"], ["関係人口", *figures[:2]], ["交流人口", *figures[2:4]]]
    summary.append(["受入体制", *figures[4:]])

    columns = _ledger._columns([[]] * (_ledger.FIRST_ROW - 1) + grid)
    read = _ledger.read_rows(columns, PLAN)
    for event in zip(*read.settled, strict=True):
        _as_the_core_reads([column[event[0] - _ledger.FIRST_ROW] for column in columns], event)
    observations, issues, (totals, _, _), _ = _reading(grid, summary)
    observed = {int(cell[1:]) for *_, cell, _ in observations}
    settled_rows = set(read.settled.row)
    unsettled = {p.row for p in read.unsettled}
    assert observed >= settled_rows and not settled_rows & unsettled
    in_error = {int(cell[1:]) for severity, _, _, cell, _ in issues if severity == "error" and cell}
    assert unsettled <= observed | in_error  # no event row is skipped without a word
    assert [row for row, _ in totals] == read.totals


def _moved(ref: str, letters: str, rows: int) -> str:
    """Where cell ``ref`` of the ledger as issued is when its columns A..F are at ``letters``
    and ``rows`` rows were inserted above the header."""
    return f"{letters['ABCDEF'.index(ref[0])]}{int(ref[1:]) + rows}"


def _read_at(grid: list[list[Any]], layout: Any) -> tuple[list[dict[str, Any]], list[tuple[str, str, str | None]]]:
    """The observations and issues (with the 合計 cross-check) of a ledger at ``layout``."""
    sheet = Sheet("実績一覧", False, grid)
    reading = Reading(_Book(), PLAN, entity_code="062049")  # type: ignore[arg-type]
    check_totals(reading, sheet, _ledger.read_ledger(reading, sheet, PLAN, dt.date(2025, 8, 20), layout))
    return list(reading.to_frame().iter_rows(named=True)), [(i.severity, i.code, i.cell) for i in reading.issues]


@settings(max_examples=40, deadline=None)
@given(_ROWS, st.permutations(range(6)), st.integers(0, 3), st.integers(0, 2), st.data())
def test_the_rows_read_alike_wherever_the_columns_and_the_header_are(
    rows: list[tuple[Any, ...]], order: list[int], left: int, above: int, data: st.DataObject
) -> None:
    """The engine gives the same observations and issues for a ledger whose columns are in
    another order, right of blank columns, below blank rows: only the cells move."""
    grid = [list(r) for r in rows]
    if grid and data.draw(st.booleans()):  # a 合計 row with a cached figure, somewhere
        grid.insert(data.draw(st.integers(0, len(grid))), [None, None, "合計", None, data.draw(_INTS | _FLOATS), None])
    observations, issues = _read_at([[TITLE], ["令和7年8月20日現在"], list(HEADER), *grid], _ledger.AS_ISSUED)

    def place(values: list[Any]) -> list[Any]:
        out: list[Any] = [None] * (left + 6)
        for field, value in enumerate(values):
            out[left + order[field]] = value
        return out

    moved = [[TITLE], ["令和7年8月20日現在"], *([[]] * above), place(list(HEADER)), *map(place, grid)]
    layout = _ledger.Layout(4 + above, tuple(left + order[f] + 1 for f in range(6)), tuple(range(1, left + 1)))
    letters = "".join(layout.letters)
    got, got_issues = _read_at(moved, layout)
    assert got == [
        {**o, "cell": _moved(o["cell"], letters, above), "period": f"行{int(o['period'][1:]) + above}"}
        for o in observations
    ]
    assert got_issues == [(severity, code, cell and _moved(cell, letters, above)) for severity, code, cell in issues]


def _synthetic_rows(rows: int) -> list[list[Any]]:
    return [
        [e.number, e.date_cell, e.name, LABEL_BY_KPI[e.kpi], e.count_cell, e.note] for e in synthetic.events(rows, 5)
    ]


@pytest.mark.parametrize("rows", [1, 400])
def test_the_synthetic_ledger_gives_an_observation_a_row(rows: int) -> None:
    grid = _synthetic_rows(rows)
    summary = [["指標区分", "令和6年度"], ["関係人口", 5.0]]  # disagrees: the warning names rows
    observations, issues, _, _ = _reading(grid, summary)
    assert len(observations) == rows
    assert [code for _, code, _, _, _ in issues] == ["total-mismatch"]


def test_a_big_ledger_reads_its_rows_as_a_small_one_does() -> None:
    """The sample's 11 events, then the same events 300 times over: the first 11 read alike."""
    small = read_path(SAMPLE, registry=REGISTRY)
    assert small.frame is not None and small.frame.height == 11
    sheet = open_workbook(SAMPLE).sheet("実績一覧")
    events = [row for row in sheet.rows[_ledger.FIRST_ROW - 1 :] if row and row[0] is not None]
    grid = [[n + 1, *row[1:6]] for n, row in enumerate(events * 300)]
    observations, _, _, _ = _reading(grid, [])
    assert len(observations) == 11 * 300
    mine = small.frame.drop("file").rows()
    assert [o[:4] for o in observations[:11]] == [o[:4] for o in mine]


def test_a_year_zero_text_date_is_an_error_not_a_crash() -> None:
    """``0000/01/01`` matches the pattern but names no day: parse_date says so."""
    grid = [[1, "0000/01/01", "事業", "関係人口", 3, None]]
    _, issues, _, _ = _reading(grid, [])
    assert [(code, cell) for _, code, _, cell, _ in issues] == [("bad-date", "B4")]
    assert "存在しない日付" in issues[0][4]


def test_importing_the_plugin_does_not_import_polars() -> None:
    """``saisei plugins`` loads every plugin; polars (0.3 s) is imported only to read a ledger."""
    code = "import saisei_sakata, sys; assert 'polars' not in sys.modules, 'polars imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_clean_row_is_never_settled_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every spelling in the synthetic ledger is settled by the rules: the core's parsers,
    one cell at a time, are for mistakes only."""

    def settle(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("row-by-row path taken")

    monkeypatch.setattr(_ledger, "_settle", settle)
    grid = _synthetic_rows(600)
    observations, issues, _, _ = _reading(grid, [])
    assert issues == []
    assert len(observations) == 600


@pytest.mark.parametrize(
    ("numbers", "duplicates"),
    [
        ([1.0, 2.0, 1.0, None, 3.0], [("A6", 4)]),  # 番号 as Excel writes them: floats, and blanks
        # no 番号 in NaN or past 64 bits; -0.0 is 0
        ([1.5, 1e-7, 1e-5, 1.5, float("nan"), float("nan"), 2.0**63, 2.0**63, -0.0, 0.0], [("A7", 4), ("A13", 12)]),
        # text and numbers that name the same 番号
        (["1.5", 1.5, "1e-7", 1e-7, "0.00001", 1e-5, "２", 2.0], [("A5", 4), ("A7", 6), ("A9", 8), ("A11", 10)]),
    ],
)
def test_numbers_as_keys(numbers: list[Any], duplicates: list[tuple[str, int]]) -> None:
    """A 番号 typed as a number or as text: the same 番号 is a duplicate, whichever way it is typed."""
    grid = [[n, "R6.10.5", "事業", "関係人口", 1.0, None] for n in numbers]
    _, issues, _, _ = _reading(grid, [])
    found = [(cell, int(message.split("は ")[1].split("行目")[0])) for _, code, _, cell, message in issues]
    assert found == duplicates
    assert {code for _, code, _, _, _ in issues} == {"duplicate-row"}


def test_a_total_label_in_a_mixed_number_column_is_no_event() -> None:
    """番号 typed as 1, 1.0 and text in one column, and 合計 merged over A:D: still the 合計 row."""
    grid = [
        [1, "R6.10.5", "事業", "関係人口", 2, None],
        ["2", "R6.10.5", "事業", "関係人口", 3.0, None],
        ["合計", None, None, None, 5.0, None],
        [3.0, "R6.10.5", "事業", "関係人口", "4", None],
    ]
    observations, issues, (totals, _, _), _ = _reading(grid, [])
    assert [cell for *_, cell, _ in observations] == ["E4", "E5", "E7"]
    assert totals == [(6, 5.0)]
    assert issues == []


@pytest.mark.parametrize("count", [3, 2**62])
def test_the_sums_for_the_summary_are_exact_whatever_the_counts(count: int) -> None:
    """Added up in Int64 while no sum can overflow it, else with Python's integers."""
    events = _ledger.Events(
        [4, 5, 6], [2024, 2024, 2025], [2, 2, 2], [count, count, 1], [False] * 3, [True, False, True]
    )
    ledger = _ledger.Ledger(events, [])
    assert ledger.sums() == {(2, 2024): 2 * count, (2, 2025): 1}
    assert ledger.unseen(2, 2024, 5) == _ledger.Missed([(4, False, True)], 1)
    assert ledger.unseen(2, 2025, 5) == _ledger.Missed([(6, False, True)], 1)
    assert ledger.unseen(1, 2024, 5) == _ledger.Missed([], 0)


@settings(max_examples=40, deadline=None)
@given(_ROWS, _SUMMARY)
def test_a_few_events_and_many_are_handed_on_alike(rows: list[tuple[Any, ...]], figures: list[Any]) -> None:
    """Below MANY events the sums and observations go through plain Python, from MANY on through
    polars: the same observations (values, statuses, cells), issues and sums either way."""
    grid = [list(r) for r in rows]
    summary = [["指標区分", "令和6年度", "令和7年度"], ["関係人口", *figures[:2]], ["交流人口", *figures[2:4]]]
    summary.append(["受入体制", *figures[4:]])
    many = _ledger.MANY
    try:
        _ledger.MANY = 0  # every ledger is "many": polars
        by_polars = _reading(grid, summary)
        _ledger.MANY = 10**9  # every ledger is "a few": Python
        by_python = _reading(grid, summary)
    finally:
        _ledger.MANY = many
    assert by_python == by_polars
