"""Cell values as the forms send them, turned into counts.

Everything here is pure: a value goes in, a count (or ``None`` for "not reported")
comes out, or a :class:`CellValueError` says what was wrong in words a clerk reads.
Where the error happened (file, sheet, cell) is added by the caller, who knows it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CellError",
    "CellValueError",
    "NoCachedValue",
    "display",
    "is_blank",
    "is_dash",
    "normalize_text",
    "parse_count",
]

MINUS_SIGNS = ("△", "▲", "-", "−", "‐")  # NFKC turns － into -
#: A dash alone in a value cell is what clerks type for "no figure (yet)": ー ― − － ‐ -
#: and their look-alikes (NFKC turns － into - and ｰ into ー).
DASHES = frozenset("-‐‑‒–—―−ー─━")
#: The largest count read: no KPI comes near it; far past it a float loses whole numbers and
#: totals could overflow.
MAX_COUNT = 10**12


@dataclass(frozen=True)
class CellError:
    """An Excel error value in a cell (``#DIV/0!``, ``#REF!``, ``#VALUE!`` …)."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class NoCachedValue:
    """A formula cell whose result was never calculated (no cached value in the file).

    Such a file was written by a program and never opened in Excel.  The value is
    unknown: it is neither blank nor zero.
    """

    formula: str

    def __str__(self) -> str:
        return f"={self.formula}"


class CellValueError(ValueError):
    """A cell value that is not what the form asks for.

    ``code`` is a stable identifier (``negative-count``, ``not-a-number`` …) and the
    message says, in Japanese, what was found and what is expected.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def normalize_text(value: str) -> str:
    """NFKC (full-width → half-width), trimmed, inner white space folded to one space."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def is_blank(value: object) -> bool:
    """True for an empty cell or one holding only white space."""
    return value is None or (isinstance(value, str) and not value.strip())


def is_dash(value: object) -> bool:
    """True for a cell holding a dash alone (``ー`` ``―`` ``−`` ``－`` ``‐`` ``-``): no figure."""
    if not isinstance(value, str):
        return False
    text = unicodedata.normalize("NFKC", value).strip()
    return len(text) == 1 and text in DASHES


def display(value: object) -> str:
    """A cell value as a clerk would see it in a message."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return str(value)


_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_DECIMAL = re.compile(r"[0-9][0-9,]*\.[0-9]+")


def parse_count(value: object, *, units: Iterable[str] = (), what: str = "値") -> int | None:
    """Return the count a cell holds, or ``None`` when the cell is blank (not reported).

    A dash alone (:func:`is_dash`) is "no figure" too: ``None``, like a blank.

    A count is a whole number >= 0.  Text is accepted when it is a number after NFKC
    (``１２`` → 12), with thousands commas in the right places (``1,203``), and with one of
    ``units`` typed after it (``3団体``, ``14人``) where the form allows units.
    ``△``/``▲``/``-`` mean minus, so they make a negative count, which is an error; so are
    fractions, any other text, Excel error values and formulas without a cached value.

    :param value: the cell's value as read (None for an empty cell)
    :param units: the units the form allows after the number for this cell
    :param what: the field's name, used in messages (``件数``, ``実績``)
    """
    if is_blank(value) or is_dash(value):
        return None
    if isinstance(value, NoCachedValue):
        raise CellValueError(
            "formula-without-value",
            f'{what}の数式 "{value}" に計算結果が保存されていません（Excelで開いて保存し直すか、値を入力してください）',
        )
    if isinstance(value, CellError):
        raise CellValueError(
            "error-value", f'{what} がエラー値 "{value}" です（数式を直して0以上の整数にしてください）'
        )
    if isinstance(value, bool):
        raise CellValueError("not-a-number", f'{what} "{value}" は数値ではありません（0以上の整数を入力してください）')
    if isinstance(value, int):
        return _non_negative(value, value, what)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellValueError("not-a-number", f'{what} "{value}" は数値ではありません')
        if not value.is_integer():
            raise CellValueError(
                "fractional-count", f'{what} "{display(value)}" は整数ではありません（0以上の整数を入力してください）'
            )
        return _non_negative(int(value), value, what)
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise CellValueError(
            "not-a-number", f'{what} "{display(value)}" は日付・時刻です（0以上の整数を入力してください）'
        )
    if not isinstance(value, str):
        raise CellValueError("not-a-number", f'{what} "{value}" は数値ではありません')
    return _parse_count_text(value, tuple(units), what)


def _non_negative(number: int, shown: object, what: str) -> int:
    if number < 0:
        raise CellValueError(
            "negative-count", f'{what} "{display(shown)}" は負の値です（0以上の整数を入力してください）'
        )
    if number > MAX_COUNT:
        raise CellValueError(
            "too-large-count", f'{what} "{display(shown)}" は大きすぎます（件数・人数として入力を確認してください）'
        )
    return number


#: A space inside a number (``3 3``, ``1 203``): two numbers or one? Never guessed.
_SPACED_DIGITS = re.compile(r"[0-9,.] [0-9]")


def _parse_count_text(raw: str, units: tuple[str, ...], what: str) -> int:
    text = normalize_text(raw)
    if _SPACED_DIGITS.search(text):
        raise CellValueError(
            "not-a-number",
            f'{what} "{raw}" は数字の間に空白があります（一つの数なら空白を消して、0以上の整数を入力してください）',
        )
    text = text.replace(" ", "")  # between a sign or a unit and the number: "△ 3", "3 人"
    negative = text[:1] in MINUS_SIGNS  # a lone sign leaves no digits: not a number, below
    if negative:
        text = text[1:]
    unit = next((u for u in units if text.endswith(normalize_text(u))), None)  # a lone unit: likewise
    if unit is not None:
        text = text[: -len(normalize_text(unit))]
    if _PLAIN.fullmatch(text) or _GROUPED.fullmatch(text):
        number = int(text.replace(",", ""))
        if negative:
            raise CellValueError("negative-count", f'{what} "{raw}" は負の値です（0以上の整数を入力してください）')
        return _non_negative(number, raw, what)
    if _DECIMAL.fullmatch(text):
        number_f = float(text.replace(",", ""))
        if negative:
            raise CellValueError("negative-count", f'{what} "{raw}" は負の値です（0以上の整数を入力してください）')
        if number_f.is_integer():
            return _non_negative(int(number_f), raw, what)
        raise CellValueError(
            "fractional-count", f'{what} "{raw}" は整数ではありません（0以上の整数を入力してください）'
        )
    trailing = re.fullmatch(r"[0-9][0-9,]*(\D+)", text)
    if trailing and trailing.group(1).lstrip().startswith(("※", "(", "注", "*")):  # 31※速報値, 31（速報値）
        raise CellValueError(
            "not-a-number",
            f'{what} "{raw}" は数字のあとに「{trailing.group(1).strip()}」が書かれています'
            "（数字だけを入力し、注記は備考欄かセルのメモに書いてください）",
        )
    if trailing:
        expected = f"使える単位は{'、'.join(units)}です" if units else "数字だけを入力してください"
        raise CellValueError(
            "unexpected-unit",
            f'{what} "{raw}" の単位「{trailing.group(1)}」はこの欄では使えません（{expected}）',
        )
    raise CellValueError("not-a-number", f'{what} "{raw}" は数値ではありません（0以上の整数を入力してください）')
