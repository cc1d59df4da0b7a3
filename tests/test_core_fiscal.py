from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saisei.core.fiscal import (
    ERAS,
    Era,
    fiscal_year_end,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_start,
    parse_date,
    parse_fiscal_year,
    parse_month,
    parse_quarter,
    to_wareki,
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
        ("2024年", 2024),
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
        (1900, 1900),
        (2200, 2200),
        (2200.0, 2200),
        ("1900", 1900),
        ("昭和64年", 1989),
        ("S1", 1926),
        ("平成元年度", 1989),
        ("H1", 1989),
    ],
)
def test_fiscal_year_spellings(text: object, year: int) -> None:
    assert parse_fiscal_year(text) == year


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("調査中", '年度 "調査中" を読み取れません（例: 2024、令和6年度、R6）'),
        ("令和6年度（2025年度）", '年度 "令和6年度（2025年度）" の和暦と西暦が合いません（2024年度と2025年度）'),
        ("", '年度 "" を読み取れません（例: 2024、令和6年度、R6）'),
        ("令和0年度", "令和0年 はありません"),
        ("平成32年度", "平成32年 はありません（平成は2019年まで）"),
        ("昭和65年", "昭和65年 はありません（昭和は1989年まで）"),
        ("R", '年度 "R" を読み取れません（例: 2024、令和6年度、R6）'),
        ("R100", '年度 "R100" を読み取れません（例: 2024、令和6年度、R6）'),
        ("2024/4", '年度 "2024/4" を読み取れません（例: 2024、令和6年度、R6）'),
        ("24年度", '年度 "24年度" を読み取れません（例: 2024、令和6年度、R6）'),
        ("20245", '年度 "20245" を読み取れません（例: 2024、令和6年度、R6）'),
        ("FY2024", '年度 "FY2024" を読み取れません（例: 2024、令和6年度、R6）'),
        (True, "年度 True は年度ではありません"),
        (None, "年度 None は年度ではありません"),
        (2024.5, "年度 2024.5 は年度ではありません"),
        (  # an Excel date in a 年度 cell: named as the clerk sees it, not as Python prints it
            dt.datetime(2025, 3, 1),
            "年度が日付（2025/3/1）で入力されています（2024年度のことなら、2024 か 令和6年度と入力してください）",
        ),
        (
            dt.date(2024, 4, 1),
            "年度が日付（2024/4/1）で入力されています（2024年度のことなら、2024 か 令和6年度と入力してください）",
        ),
        (24, "年度 24 は西暦4桁の年ではありません"),
        (1899, "年度 1899 は西暦4桁の年ではありません"),
        (2201, "年度 2201 は西暦4桁の年ではありません"),
    ],
)
def test_not_a_fiscal_year(bad: object, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_fiscal_year(bad)
    assert str(info.value) == message


def test_the_eras() -> None:
    """The era table as history has it: 昭和 from 1926-12-25, 平成 from 1989-01-08, 令和 from 2019-05-01."""
    assert (
        Era("令和", "R", 2019, dt.date(2019, 5, 1), None),
        Era("平成", "H", 1989, dt.date(1989, 1, 8), 2019),
        Era("昭和", "S", 1926, dt.date(1926, 12, 25), 1989),
    ) == ERAS


@pytest.mark.parametrize(
    ("year", "wareki"),
    [
        (1926, ("昭和", 1)),
        (1988, ("昭和", 63)),
        (1989, ("平成", 1)),
        (2018, ("平成", 30)),
        (2019, ("令和", 1)),
        (2024, ("令和", 6)),
    ],
)
def test_to_wareki(year: int, wareki: tuple[str, int]) -> None:
    assert to_wareki(year) == wareki


def test_no_era_before_showa() -> None:
    with pytest.raises(ValueError) as info:
        to_wareki(1925)
    assert str(info.value) == "1925 is before 昭和"


@pytest.mark.parametrize(
    ("year", "start", "end"),
    [
        (2024, dt.date(2024, 4, 1), dt.date(2025, 3, 31)),
        (2019, dt.date(2019, 4, 1), dt.date(2020, 3, 31)),
        (2026, dt.date(2026, 4, 1), dt.date(2027, 3, 31)),
    ],
)
def test_fiscal_year_bounds_are_april_first_and_march_31(year: int, start: dt.date, end: dt.date) -> None:
    assert fiscal_year_start(year) == start
    assert fiscal_year_end(year) == end
    assert fiscal_year_of(start) == fiscal_year_of(end) == year
    assert fiscal_year_of(start - dt.timedelta(days=1)) == year - 1
    assert fiscal_year_of(end + dt.timedelta(days=1)) == year + 1


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
        ("R6/10/5", dt.date(2024, 10, 5)),
        ("R6-10-5", dt.date(2024, 10, 5)),
        ("H31.4.30", dt.date(2019, 4, 30)),
        ("S64.1.7", dt.date(1989, 1, 7)),
        ("2024.12.1", dt.date(2024, 12, 1)),
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


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("R6.13.1", '日付 "R6.13.1" は存在しない日付です'),
        ("2024/02/30", '日付 "2024/02/30" は存在しない日付です'),
        ("昨日", '日付 "昨日" を読み取れません（例: 2024/12/01、令和6年11月3日、R6.10.5）'),
        ("", '日付 "" を読み取れません（例: 2024/12/01、令和6年11月3日、R6.10.5）'),
        ("平成32年1月1日", "平成32年 はありません（平成は2019年まで）"),
        (
            45000,
            "日付 45000 は数値です（日付の表示形式が外れたセルなら 2023/3/15 です。"
            "セルの表示形式を日付にするか、2024/12/01 のように入力してください）",
        ),
        (
            45451.0,
            "日付 45451 は数値です（日付の表示形式が外れたセルなら 2024/6/8 です。"
            "セルの表示形式を日付にするか、2024/12/01 のように入力してください）",
        ),
        (1.5, "日付 1.5 は日付ではありません"),
        (True, "日付 True は日付ではありません"),
        (None, "日付 None は日付ではありません"),
    ],
)
def test_not_a_date(bad: object, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(bad)
    assert str(info.value) == message


@given(st.dates(dt.date(2019, 5, 1), dt.date(2100, 12, 31)))
def test_date_spellings_round_trip(day: dt.date) -> None:
    reiwa = day.year - 2018
    for text in (
        f"R{reiwa}.{day.month}.{day.day}",
        f"令和{reiwa}年{day.month}月{day.day}日",
        day.strftime("%Y/%m/%d"),
    ):
        assert parse_date(text) == day
    fy = day.year if (day.month, day.day) >= (4, 1) else day.year - 1
    assert fiscal_year_of(day) == fy
    assert fiscal_year_start(fy) == dt.date(fy, 4, 1)
    assert fiscal_year_end(fy) == dt.date(fy + 1, 3, 31)


@pytest.mark.parametrize(
    ("text", "quarter"),
    [
        ("3四半期", 3),
        ("第四四半期", 4),
        ("第４四半期", 4),
        ("Q1", 1),
        ("2Q", 2),
        ("q3", 3),
        ("4月-6月", 1),
        ("4月ー6月", 1),
        ("4―6月", 1),
        ("4−6月", 1),
        ("4‐6月", 1),
        ("4~6月", 1),
        ("4〜6月", 1),
        ("4～6月", 1),
        ("7-9月", 2),
        ("10月～12月", 3),
        ("１－３月", 4),
        (" 第 2 四半期 ", 2),
        ("4 - 6 月", 1),
        ("第4四半期（1-3月）", 4),  # the quarter with its months
        ("Q2 (7～9月)", 2),
    ],
)
def test_quarter_spellings(text: str, quarter: int) -> None:
    assert parse_quarter(text) == quarter


def test_a_quarter_and_months_that_disagree() -> None:
    with pytest.raises(ValueError) as info:
        parse_quarter("第4四半期（4-6月）")
    assert str(info.value) == '四半期 "第4四半期（4-6月）" の四半期と月が合いません（第4四半期と第1四半期）'


@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        ("第0四半期", "第0四半期"),
        ("5Q", "5Q"),
        ("Q", "Q"),
        ("4-5月", "4-5月"),
        ("3-1月", "3-1月"),
        ("4-6", "4-6"),
        ("第1四半期第2四半期", "第1四半期第2四半期"),
        ("第1四半期（速報）", "第1四半期（速報）"),
        (2, "2"),
        (2.0, "2"),
        (1.5, "1.5"),
        (True, "True"),
        (None, "None"),
    ],
)
def test_not_a_quarter(bad: object, shown: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_quarter(bad)
    assert str(info.value) == f'四半期 "{shown}" を読み取れません（例: 第1四半期、第一四半期、1Q、4-6月）'


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(1926, 12, 25), "昭和元年12月25日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(1990, 1, 1), "平成2年1月1日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2024, 12, 1), "令和6年12月1日"),
    ],
)
def test_wareki_date_at_the_era_boundaries(day: dt.date, text: str) -> None:
    assert wareki_date(day) == text


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("R6.4", (2024, 4)),
        ("Ｒ６．４", (2024, 4)),
        ("R6/12", (2024, 12)),
        ("R7-1", (2025, 1)),
        ("令和6年4月", (2024, 4)),
        ("令和元年5月", (2019, 5)),
        ("平成31年4月", (2019, 4)),
        ("2024/04", (2024, 4)),
        ("2024-4", (2024, 4)),
        ("2025.03", (2025, 3)),
        ("2024年4月", (2024, 4)),
        ("２０２４年１２月", (2024, 12)),
        ("2024/04/15", (2024, 4)),
        ("令和6年11月3日", (2024, 11)),
        (dt.date(2025, 1, 18), (2025, 1)),
        (dt.datetime(2025, 2, 1, 9, 30), (2025, 2)),
    ],
)
def test_month_spellings(text: object, month: tuple[int, int]) -> None:
    assert parse_month(text) == month


@pytest.mark.parametrize("bad", ["R6.13", "2024/00", "令和6年13月", "R6", "2024", "来月", "", 202404, None])
def test_not_a_month(bad: object) -> None:
    with pytest.raises(ValueError, match="年月"):
        parse_month(bad)


@given(st.integers(2019, 2100), st.integers(1, 12))
def test_month_spellings_round_trip(year: int, month: int) -> None:
    reiwa = year - 2018
    texts = [f"{year}/{month:02d}", f"{year}年{month}月"]
    if (year, month) >= (2019, 5):
        texts += [f"R{reiwa}.{month}", f"令和{reiwa}年{month}月"]
    for text in texts:
        assert parse_month(text) == (year, month)
