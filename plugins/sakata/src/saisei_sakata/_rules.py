"""The ledger's rules, cell by cell: type tags, white space, the spellings of a date and a
count, the 指標区分, 中止, a 番号 as a key.

Each is called once for each distinct cell value (:mod:`._ledger` reads a column's
distinct values, then puts the rows together).  A rule leaves a value unset whenever it is
not sure; the core's parsers then read that cell and say what is wrong with it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache
from typing import Any

from ._form import CANCELLED, KPI_BY_LABEL, SUBTOTAL_LABEL, TOTAL_WORDS, UNITS

# Type tags of a cell value.  Anything else (bool, time, an Excel error, a formula without
# a cached value) gets no tag (None): not blank, and never read by the rules (such a row
# is settled by the core's parsers, which say what is wrong).
BLANK, TEXT, NUMBER, DATE = 0, 1, 2, 3
TAGS: dict[type, int] = {
    type(None): BLANK,
    str: TEXT,
    float: NUMBER,
    int: NUMBER,
    dt.datetime: DATE,
    dt.date: DATE,
}
INT64_MAX = 2**63 - 1

#: White space: Unicode's White_Space.  Python's ``\s`` and ``str.strip()`` also take
#: U+001C..U+001F (separators, not white space), so the rules use this set, spelled out.
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
WS = f"[{WHITE_SPACE}]"

# The text dates parse_date accepts (after NFKC, trimmed, upper case).
DATE_PATTERNS = (
    rf"^(?P<era>令和|平成|昭和|[RHS]){WS}*(?P<n>元|[0-9]{{1,2}}){WS}*年{WS}*(?P<m>[0-9]{{1,2}}){WS}*月{WS}*(?P<d>[0-9]{{1,2}}){WS}*日$",
    rf"^(?P<era>[RHS]){WS}*(?P<n>元|[0-9]{{1,2}})[./-](?P<m>[0-9]{{1,2}})[./-](?P<d>[0-9]{{1,2}})$",
    r"^(?P<y>[0-9]{4})[./-](?P<m>[0-9]{1,2})[./-](?P<d>[0-9]{1,2})$",
    rf"^(?P<y>[0-9]{{4}}){WS}*年{WS}*(?P<m>[0-9]{{1,2}}){WS}*月{WS}*(?P<d>[0-9]{{1,2}}){WS}*日$",
)
ERA_BASE = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988, "昭和": 1925, "S": 1925}
ERA_LAST = {"令和": 99, "R": 99, "平成": 31, "H": 31, "昭和": 64, "S": 64}  # 平成31年 = 2019, 昭和64年 = 1989
#: A count typed as text (NFKC, white space removed): digits (thousands commas in their
#: places), then 人 or 団体.
COUNT_PATTERN = r"^(?P<n>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?P<unit>人|団体)?$"
ALL_UNITS = tuple(dict.fromkeys(UNITS.values()))


def label_pattern(*labels: str) -> str:
    """A cell that says one of ``labels`` (合計, 小計), white space anywhere aside."""
    return f"^{WS}*(?:" + "|".join(f"{WS}*".join(label) for label in labels) + f"){WS}*$"


_DATES = tuple(re.compile(p) for p in DATE_PATTERNS)
_COUNT = re.compile(COUNT_PATTERN)
_WS_RUN = re.compile(f"{WS}+")
_SPACED_DIGITS = re.compile(f"[0-9,.]{WS}+[0-9]")
TOTAL_RE = re.compile(label_pattern(*TOTAL_WORDS))
SUBTOTAL_RE = re.compile(label_pattern(SUBTOTAL_LABEL))
#: A character every 合計 and 小計 label holds (計), for a cheap test before the patterns ("": none).
_LAST = {word[-1] for word in (*TOTAL_WORDS, SUBTOTAL_LABEL)}
TOTAL_MARK = _LAST.pop() if len(_LAST) == 1 else ""


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _squeezed(text: str) -> str:
    """Text as parse_count sees it: NFKC, without white space."""
    return _WS_RUN.sub("", _nfkc(text))


def blank_cell(value: Any, tag: int | None) -> bool:
    return tag == BLANK or (tag == TEXT and not value.strip(WHITE_SPACE))


def text_date(text: str) -> dt.date | None:
    """A 実施日 typed as text, when it is one of the spellings and a real day."""
    key = _nfkc(text).strip(WHITE_SPACE).upper()
    for pattern in _DATES:
        found = pattern.fullmatch(key)
        if found is None:
            continue
        parts = found.groupdict()
        era = parts.get("era")
        if era is None:
            year = int(parts["y"])
        else:
            n = 1 if parts["n"] == "元" else int(parts["n"])
            if not 1 <= n <= ERA_LAST[era]:
                return None
            year = ERA_BASE[era] + n
        try:
            return dt.date(year, int(parts["m"]), int(parts["d"]))
        except ValueError:
            return None
    return None


def text_count(text: str) -> tuple[int | None, str | None]:
    """A 件数 typed as text: the count and its unit, (None, None) when not plain (a space
    inside the number, ``3 3``, is not: parse_count makes it an error)."""
    nfkc = _nfkc(text)
    if _SPACED_DIGITS.search(nfkc):
        return None, None
    found = _COUNT.fullmatch(_WS_RUN.sub("", nfkc))
    if found is None:
        return None, None
    count = int(found["n"].replace(",", ""))
    return (count if count <= INT64_MAX else None), found["unit"]


def number_count(value: float) -> int | None:
    """A 件数 typed as a number: the count when it is a whole number >= 0."""
    try:
        number = float(value)
    except OverflowError:
        return None
    if math.isfinite(number) and number >= 0 and number == math.floor(number) and number < 2.0**53:
        return int(number)
    return None


@lru_cache(maxsize=256)
def kpi_of(text: str) -> int | None:
    return KPI_BY_LABEL.get(_squeezed(text))


@lru_cache(maxsize=1024)
def cancel_note(text: str) -> bool:
    return CANCELLED in _nfkc(text)


def text_number(text: str) -> str:
    """A 番号 typed as text, as a key (``"３ "`` and ``3`` are the same 番号)."""
    return _squeezed(text)


def number_key(value: float) -> str | None:
    """A 番号 typed as a number, as a key: the whole number, or the number's short spelling
    (``1.5``, ``0.00001``, ``1e-7``: as a 番号 typed as text would be)."""
    if isinstance(value, int) and not -(2**127) <= value < 2**127:
        return None  # no key: the row is still read, only never a duplicate
    number = float(value)
    if not math.isfinite(number):
        return None
    if number == math.floor(number):
        return str(int(number)) if -(2**63) <= number < 2**63 else None
    return _float_text(number)


def _float_text(number: float) -> str:
    """A (finite, fractional) float's short spelling: as Python writes it, but
    ``0.00001`` for ``1e-05`` and ``1e-7`` for ``1e-07``."""
    text = repr(number)
    mantissa, exponent_sign, exponent = text.partition("e-0")
    if not exponent_sign:
        return text
    if exponent == "5":
        sign = "-" if mantissa.startswith("-") else ""
        return f"{sign}0.0000{mantissa.lstrip('-').replace('.', '')}"
    return f"{mantissa}e-{exponent}"
