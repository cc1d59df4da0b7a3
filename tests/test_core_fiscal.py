from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saisei.core.fiscal import (
    fiscal_year_end,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_start,
    parse_date,
    parse_fiscal_year,
    wareki_date,
    wareki_year_label,
)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        (2024, 2024),
        (2024.0, 2024),
        ("2024", 2024),
        ("2024年度", 2024),
        ("２０２４年度", 2024),
        ("令和6年度", 2024),
        ("令和６年度", 2024),
        ("R6", 2024),
        ("Ｒ６", 2024),
        ("r6", 2024),
        ("R6年度", 2024),
        ("令和元年度", 2019),
        ("平成31年度", 2019),
        ("H31", 2019),
        ("令和8年度", 2026),
        (" 令和 7 年度 ", 2025),
        ("令和6年度（2024年度）", 2024),
        ("R6(2024)", 2024),
    ],
)
def test_fiscal_year_spellings(text: object, year: int) -> None:
    assert parse_fiscal_year(text) == year


@pytest.mark.parametrize(
    "bad", ["調査中", "令和6年度（2025年度）", "", "令和0年度", "平成32年度", "R", "2024/4", True, None, 24, "FY2024"]
)
def test_not_a_fiscal_year(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_fiscal_year(bad)


@given(st.integers(2019, 2100))
def test_wareki_label_round_trips(year: int) -> None:
    label = wareki_year_label(year)
    assert label.startswith("令和")
    assert parse_fiscal_year(label) == year
    assert parse_fiscal_year(f"R{year - 2018}") == year
    assert fiscal_year_label(year).endswith(f"（{year}年度）")
    assert parse_fiscal_year(fiscal_year_label(year)) == year


@given(st.dates(dt.date(1927, 1, 1), dt.date(2100, 12, 31)))
def test_wareki_date_reads_back(day: dt.date) -> None:
    assert parse_date(wareki_date(day)) == day


def test_wareki_date_takes_the_era_of_the_day() -> None:
    assert wareki_date(dt.date(2019, 4, 30)) == "平成31年4月30日"
    assert wareki_date(dt.date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki_date(dt.date(2025, 8, 20)) == "令和7年8月20日"


def test_reiwa_gannen_and_heisei_31_are_one_year() -> None:
    assert wareki_year_label(2019) == "令和元年度"
    assert parse_fiscal_year("平成31年度") == parse_fiscal_year("令和元年度") == 2019
    assert wareki_year_label(2018) == "平成30年度"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("R6.10.5", dt.date(2024, 10, 5)),
        ("Ｒ６．１０．５", dt.date(2024, 10, 5)),
        ("令和6年11月3日", dt.date(2024, 11, 3)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("2024/12/01", dt.date(2024, 12, 1)),
        ("2024-12-01", dt.date(2024, 12, 1)),
        ("2024年12月1日", dt.date(2024, 12, 1)),
        (dt.datetime(2025, 1, 18, 0, 0), dt.date(2025, 1, 18)),
        (dt.date(2025, 1, 18), dt.date(2025, 1, 18)),
    ],
)
def test_date_spellings(text: object, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize("bad", ["R6.13.1", "2024/02/30", "昨日", "", 45000, None])
def test_not_a_date(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_date(bad)


@given(st.dates(dt.date(2019, 5, 1), dt.date(2100, 12, 31)))
def test_date_spellings_round_trip(day: dt.date) -> None:
    reiwa = day.year - 2018
    for text in (
        f"R{reiwa}.{day.month}.{day.day}",
        f"令和{reiwa}年{day.month}月{day.day}日",
        day.strftime("%Y/%m/%d"),
    ):
        assert parse_date(text) == day
    fy = fiscal_year_of(day)
    assert fiscal_year_start(fy) <= day <= fiscal_year_end(fy)
