"""Fiscal years (年度) and Japanese era years (和暦).

A fiscal year runs from April 1 to March 31 and is named by the calendar year it starts
in: FY2024 = 令和6年度 = 2024-04-01..2025-03-31.  令和N = 2018 + N; 平成31年 and 令和元年
are both 2019.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "ERAS",
    "Era",
    "fiscal_year_end",
    "fiscal_year_label",
    "fiscal_year_of",
    "fiscal_year_start",
    "parse_date",
    "parse_fiscal_year",
    "parse_month",
    "parse_quarter",
    "to_wareki",
    "wareki_date",
    "wareki_year_label",
]


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    letter: str  # R
    first_year: int  # Gregorian year of 元年
    start: dt.date  # first day of the era
    last_year: int | None  # last Gregorian year, None for the current era

    def to_gregorian(self, n: int) -> int:
        return self.first_year + n - 1


ERAS: tuple[Era, ...] = (
    Era("令和", "R", 2019, dt.date(2019, 5, 1), None),
    Era("平成", "H", 1989, dt.date(1989, 1, 8), 2019),
    Era("昭和", "S", 1926, dt.date(1926, 12, 25), 1989),
)
_BY_PREFIX = {e.name: e for e in ERAS} | {e.letter: e for e in ERAS}

_ERA_YEAR = re.compile(r"(令和|平成|昭和|[RHS])\s*(元|\d{1,2})\s*(年度|年)?")
_GREGORIAN_YEAR = re.compile(r"(\d{4})\s*(年度|年)?")
_BOTH = re.compile(r"(.+?)\s*\((.+?)\)")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().upper()


def _era_year(prefix: str, number: str) -> int:
    era = _BY_PREFIX[prefix]
    n = 1 if number == "元" else int(number)
    if n < 1:
        raise ValueError(f"{era.name}{number}年 はありません")
    year = era.to_gregorian(n)
    if era.last_year is not None and year > era.last_year:
        raise ValueError(f"{era.name}{number}年 はありません（{era.name}は{era.last_year}年まで）")
    return year


def parse_fiscal_year(value: object) -> int:
    """Return the Gregorian fiscal year named by a cell value.

    Accepts 2024, ``"2024"``, ``"2024年度"``, ``"令和6年度"``, ``"R6"``, ``"Ｒ６"``,
    ``"令和元年度"``, ``"平成31年度"``.  Raises ``ValueError`` (a message for a clerk)
    on anything else.
    """
    if isinstance(value, bool):
        raise ValueError(f"年度 {value!r} は年度ではありません")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if 1900 <= value <= 2200:
            return value
        raise ValueError(f"年度 {value} は西暦4桁の年ではありません")
    if isinstance(value, dt.date):  # an Excel date: which fiscal year was meant is not the clerk's to guess
        day = value.date() if isinstance(value, dt.datetime) else value
        raise ValueError(
            f"年度が日付（{day.year}/{day.month}/{day.day}）で入力されています"
            f"（{fiscal_year_of(day)}年度のことなら、{fiscal_year_of(day)} か {wareki_year_label(fiscal_year_of(day))}"
            "と入力してください）"
        )
    if not isinstance(value, str):
        raise ValueError(f"年度 {value!r} は年度ではありません")
    text = _nfkc(value)
    both = _BOTH.fullmatch(text)
    if both:  # 令和6年度（2024年度）: 和暦 with 西暦, as 総務省 asks; the two must agree
        era_year, gregorian = parse_fiscal_year(both.group(1)), parse_fiscal_year(both.group(2))
        if era_year != gregorian:
            raise ValueError(f'年度 "{value}" の和暦と西暦が合いません（{era_year}年度と{gregorian}年度）')
        return era_year
    m = _ERA_YEAR.fullmatch(text)
    if m:
        return _era_year(m.group(1), m.group(2))
    m = _GREGORIAN_YEAR.fullmatch(text)
    if m:
        return int(m.group(1))
    raise ValueError(f'年度 "{value}" を読み取れません（例: 2024、令和6年度、R6）')


_DATE_FORMS = (
    # 令和6年11月3日, R6年11月3日
    re.compile(r"(?P<era>令和|平成|昭和|[RHS])\s*(?P<y>元|\d{1,2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    # R6.10.5, R6/10/5, R6-10-5
    re.compile(r"(?P<era>[RHS])\s*(?P<y>元|\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<d>\d{1,2})"),
    # 2024/12/01, 2024-12-01, 2024.12.1
    re.compile(r"(?P<y>\d{4})[./-](?P<m>\d{1,2})[./-](?P<d>\d{1,2})"),
    # 2024年12月1日
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
)


def _year_of(parts: dict[str, str]) -> int:
    """The Gregorian year of a matched date or month: ``era`` and ``y``, or ``y`` alone."""
    era = parts.get("era")
    return _era_year(era, parts["y"]) if era else int(parts["y"])


def parse_date(value: object) -> dt.date:
    """Return the date a cell value names.

    Accepts Excel dates (``datetime``/``date``) and text in the spellings the forms
    use: ``R6.10.5``, ``令和6年11月3日``, ``2024/12/01``, ``2024-12-01``,
    ``2024年12月1日`` (full-width digits too).  Raises ``ValueError`` otherwise.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466 and value == int(value):
        # A date whose cell lost its date format shows as a serial number (45451)
        shown = (dt.date(1899, 12, 30) + dt.timedelta(days=int(value))).strftime("%Y/%m/%d").replace("/0", "/")
        raise ValueError(
            f"日付 {int(value)} は数値です（日付の表示形式が外れたセルなら {shown} です。"
            "セルの表示形式を日付にするか、2024/12/01 のように入力してください）"
        )
    if not isinstance(value, str):
        raise ValueError(f"日付 {value!r} は日付ではありません")
    text = _nfkc(value)
    for form in _DATE_FORMS:
        m = form.fullmatch(text)
        if not m:
            continue
        parts = m.groupdict()
        year = _year_of(parts)
        try:
            return dt.date(year, int(parts["m"]), int(parts["d"]))
        except ValueError:
            raise ValueError(f'日付 "{value}" は存在しない日付です') from None
    raise ValueError(f'日付 "{value}" を読み取れません（例: 2024/12/01、令和6年11月3日、R6.10.5）')


_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
_QUARTER_FORMS = (
    re.compile(r"第?([1-4一二三四])四半期"),  # 第1四半期, 第一四半期, 1四半期
    re.compile(r"([1-4])Q|Q([1-4])"),  # 1Q, Q1
)
#: The months of each fiscal quarter, as ``4-6月`` names them.
_QUARTER_MONTHS = {(4, 6): 1, (7, 9): 2, (10, 12): 3, (1, 3): 4}
_MONTH_RANGE = re.compile(r"(\d{1,2})月?[-~〜～―ー−‐]+(\d{1,2})月")


def parse_quarter(value: object) -> int:
    """The fiscal quarter (1 = April–June … 4 = January–March) a cell names.

    Accepts ``第1四半期`` (the digit full-width or a kanji: ``第一四半期``), ``1Q``,
    ``Q1`` and the months ``4-6月`` / ``4月～6月``, spaces anywhere.  Raises
    ``ValueError`` (a message for a clerk) on anything else.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "".join(_nfkc(str(value)).split())  # None, True, 1.5 …: no form matches their text
    for form in _QUARTER_FORMS:
        m = form.fullmatch(text)
        if m:
            digit = next(g for g in m.groups() if g)
            return _KANJI_DIGITS.get(digit) or int(digit)
    m = _MONTH_RANGE.fullmatch(text)
    if m and (int(m.group(1)), int(m.group(2))) in _QUARTER_MONTHS:
        return _QUARTER_MONTHS[(int(m.group(1)), int(m.group(2)))]
    both = _BOTH.fullmatch(text)
    if both:  # 第4四半期（1-3月）: the quarter with its months; the two must agree
        try:
            first, second = parse_quarter(both.group(1)), parse_quarter(both.group(2))
        except ValueError:
            pass
        else:
            if first != second:
                raise ValueError(f'四半期 "{value}" の四半期と月が合いません（第{first}四半期と第{second}四半期）')
            return first
    raise ValueError(f'四半期 "{value}" を読み取れません（例: 第1四半期、第一四半期、1Q、4-6月）')


_MONTH_FORMS = (
    # 令和6年4月, R6年4月
    re.compile(r"(?P<era>令和|平成|昭和|[RHS])\s*(?P<y>元|\d{1,2})\s*年\s*(?P<m>\d{1,2})\s*月"),
    # R6.4, R6/4, R6-4
    re.compile(r"(?P<era>[RHS])\s*(?P<y>元|\d{1,2})[./-](?P<m>\d{1,2})"),
    # 2024/04, 2024-04, 2024.4
    re.compile(r"(?P<y>\d{4})[./-](?P<m>\d{1,2})"),
    # 2024年4月
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月"),
)


def parse_month(value: object) -> tuple[int, int]:
    """The calendar (year, month) a cell names, as monthly forms write it.

    Accepts ``R6.4``, ``令和6年4月``, ``2024/04``, ``2024-04``, ``2024年4月`` (full-width
    digits too), an Excel date (its month) and the full dates :func:`parse_date` reads.
    Raises ``ValueError`` (a message for a clerk) on anything else.
    """
    if isinstance(value, dt.date):
        return value.year, value.month
    if isinstance(value, str):
        text = _nfkc(value)
        for form in _MONTH_FORMS:
            m = form.fullmatch(text)
            if not m:
                continue
            parts = m.groupdict()
            year = _year_of(parts)
            month = int(parts["m"])
            if not 1 <= month <= 12:
                raise ValueError(f'年月 "{value}" の月が1〜12ではありません')
            return year, month
        try:
            day = parse_date(value)
        except ValueError:
            pass
        else:
            return day.year, day.month
    raise ValueError(f'年月 "{value}" を読み取れません（例: R6.4、令和6年4月、2024/04）')


def fiscal_year_of(day: dt.date) -> int:
    """The fiscal year a date falls in (April to March)."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_start(fiscal_year: int) -> dt.date:
    return dt.date(fiscal_year, 4, 1)


def fiscal_year_end(fiscal_year: int) -> dt.date:
    return dt.date(fiscal_year + 1, 3, 31)


def to_wareki(year: int) -> tuple[str, int]:
    """The era and era year that name fiscal year ``year``.

    A fiscal year takes the era in force at its end when that era had begun by its
    first calendar year: FY2019 is 令和元年度 (平成31年度 is the same year).
    """
    for era in ERAS:
        if era.first_year <= year:
            return era.name, year - era.first_year + 1
    raise ValueError(f"{year} is before 昭和")


def wareki_year_label(fiscal_year: int) -> str:
    """``令和6年度`` for 2024, ``令和元年度`` for 2019."""
    era, n = to_wareki(fiscal_year)
    return f"{era}{'元' if n == 1 else n}年度"


def wareki_date(day: dt.date) -> str:
    """``令和7年8月20日`` (``令和元年5月1日``): a date as forms write it, in the era of that day."""
    era = next(e for e in ERAS if day >= e.start)
    n = day.year - era.first_year + 1
    return f"{era.name}{'元' if n == 1 else n}年{day.month}月{day.day}日"


def fiscal_year_label(fiscal_year: int) -> str:
    """``令和6年度（2024年度）``: 和暦 with 西暦, as 総務省's rules ask."""
    return f"{wareki_year_label(fiscal_year)}（{fiscal_year}年度）"
