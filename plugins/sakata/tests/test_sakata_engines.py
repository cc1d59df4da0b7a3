"""The two engines of the ledger (plain Python for small sheets, polars for big ones) read alike.

Every spelling the form allows and every kind of mistake goes through both, on generated
ledgers; the row readings, the observations, the issues (code, cell, message) and the
cross-checks against 合計 and 集計 must be the same.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import saisei_sakata
from hypothesis import given, settings
from hypothesis import strategies as st
from saisei_sakata import _frames, _ledger, synthetic
from saisei_sakata._checks import check_summary, check_totals
from saisei_sakata._form import HEADER, LABEL_BY_KPI, TITLE

from saisei import load_plan
from saisei.plugin import CellError, NoCachedValue, Reading, Sheet
from saisei.testing import make_registry, read_path

PLAN = load_plan()
SAMPLE = Path(__file__).parent / "data" / "酒田市_実績一覧.xlsx"
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

_COUNTS = _spaced(_COUNT_TEXTS) | _INTS | _FLOATS | _SPACES | st.none() | _ODD | st.just(dt.datetime(2024, 6, 8))

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


def _reading(rows: list[list[Any]], engine: _ledger.Engine, summary: list[list[Any]]) -> tuple[Any, ...]:
    """Everything one engine makes of a ledger: observations, issues, the cross-checks."""
    grid: list[list[Any]] = [[TITLE], ["令和7年8月20日現在"], list(HEADER), *rows]
    sheet = Sheet("実績一覧", False, grid)
    reading = Reading(_Book(), PLAN, entity_code="062049")  # type: ignore[arg-type]
    ledger = _ledger.read_ledger(reading, sheet, PLAN, dt.date(2025, 8, 20), engine=engine)
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


@settings(max_examples=60, deadline=None)
@given(_ROWS, st.lists(st.integers(0, 3), max_size=14), st.data())
def test_both_engines_read_a_ledger_alike(rows: list[tuple[Any, ...]], cut: list[int], data: st.DataObject) -> None:
    grid = _lengths(rows, cut)
    if grid and data.draw(st.booleans()):  # a 合計 row with a cached figure, somewhere
        grid.insert(data.draw(st.integers(0, len(grid))), [None, None, "合計", None, data.draw(_INTS | _FLOATS), None])
    figures = data.draw(_SUMMARY)
    summary = [["指標区分", "令和6年度", "令和7年度"], ["関係人口", *figures[:2]], ["交流人口", *figures[2:4]]]
    summary.append(["受入体制", *figures[4:]])

    columns = _ledger._columns([[]] * (_ledger.FIRST_ROW - 1) + grid)
    assert _ledger.parse_rows(columns, PLAN) == _frames.parse(columns, PLAN).to_dicts()
    assert _reading(grid, "python", summary) == _reading(grid, "polars", summary)


def _synthetic_rows(rows: int) -> list[list[Any]]:
    return [
        [e.number, e.date_cell, e.name, LABEL_BY_KPI[e.kpi], e.count_cell, e.note] for e in synthetic.events(rows, 5)
    ]


@pytest.mark.parametrize("rows", [1, 400])
def test_the_synthetic_ledger_reads_alike_in_both_engines(rows: int) -> None:
    grid = _synthetic_rows(rows)
    summary = [["指標区分", "令和6年度"], ["関係人口", 5.0]]  # disagrees: the warning names rows
    python, polars = _reading(grid, "python", summary), _reading(grid, "polars", summary)
    assert python == polars
    assert len(python[0]) == rows


def test_the_engine_follows_the_ledger_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample (11 rows) goes through Python; from POLARS_FROM_ROWS rows on, polars; both
    give the same result for the whole workbook."""
    used: list[str] = []
    read_frames = _frames.read

    def spy(*args: Any) -> Any:
        used.append("polars")
        return read_frames(*args)

    monkeypatch.setattr(_frames, "read", spy)
    small = read_path(SAMPLE, registry=REGISTRY)
    assert used == []
    monkeypatch.setattr(_ledger, "POLARS_FROM_ROWS", 1)
    big = read_path(SAMPLE, registry=REGISTRY)
    assert used == ["polars"]
    assert small.issues == big.issues
    assert small.frame is not None and big.frame is not None
    assert small.frame.equals(big.frame)
    assert small.frame.height == 11


def test_a_year_zero_text_date_is_an_error_not_a_crash() -> None:
    """``0000/01/01`` matches the pattern but names no day Python has: polars made a date of
    it and the reading failed; both engines now leave it to parse_date's message."""
    grid = [[1, "0000/01/01", "事業", "関係人口", 3, None]]
    for engine in ("python", "polars"):
        _, issues, _, _ = _reading(grid, engine, [])  # type: ignore[arg-type]
        assert [(code, cell) for _, code, _, cell, _ in issues] == [("bad-date", "B4")]
        assert "存在しない日付" in issues[0][4]


def test_importing_the_plugin_does_not_import_polars() -> None:
    """``saisei plugins`` loads every plugin; polars (0.3 s) is imported only to read a big ledger."""
    code = "import saisei_sakata, sys; assert 'polars' not in sys.modules, 'polars imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("engine", ["python", "polars"])
def test_neither_engine_settles_a_clean_row_one_by_one(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every spelling in the synthetic ledger is settled by the engines' own rules: the
    core's parsers, one cell at a time, are for mistakes only."""

    def settle(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("row-by-row path taken")

    monkeypatch.setattr(_ledger, "_settle", settle)
    grid = _synthetic_rows(600)
    observations, issues, _, _ = _reading(grid, engine, [])  # type: ignore[arg-type]
    assert issues == []
    assert len(observations) == 600


@pytest.mark.parametrize(
    "numbers",
    [
        [1.0, 2.0, 1.0, None, 3.0],  # 番号 as Excel writes them: floats, and blanks
        [1.5, 1e-7, 1e-5, 1.5, float("nan"), float("nan"), 2.0**63, 2.0**63, -0.0, 0.0],
        ["1.5", 1.5, "1e-7", 1e-7, "0.00001", 1e-5, "２", 2.0],  # text and numbers that name the same 番号
    ],
)
def test_numbers_as_keys_read_alike(numbers: list[Any]) -> None:
    """A column of numbers only is turned into text by a cast, a mixed one value by value:
    both must give the keys the Python engine gives (duplicates are found by them)."""
    grid = [[n, "R6.10.5", "事業", "関係人口", 1.0, None] for n in numbers]
    columns = _ledger._columns([[]] * (_ledger.FIRST_ROW - 1) + grid)
    assert _ledger.parse_rows(columns, PLAN) == _frames.parse(columns, PLAN).to_dicts()
    python, polars = _reading(grid, "python", []), _reading(grid, "polars", [])
    assert python == polars
    assert any(code == "duplicate-row" for _, code, _, _, _ in python[1])
