"""全国地方公共団体コード: five digits and a check digit, always kept as text.

The check digit: weights 6, 5, 4, 3, 2 on the five digits, sum S,
digit = (11 - S mod 11) mod 10.  Excel turns ``060003`` into the number 60003, so a
number (or a five-digit text that lost its zero the same way) is padded back to six.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["CodeError", "check_digit", "is_valid_code", "normalize_code"]

_WEIGHTS = (6, 5, 4, 3, 2)
_DIGITS = re.compile(r"[0-9]+")


class CodeError(ValueError):
    """A value that is not a valid 団体コード; the message is for a clerk."""


def check_digit(five: str) -> str:
    """Return the check digit of a five-digit code such as ``"06203"``."""
    if len(five) != 5 or not five.isascii() or not five.isdigit():
        raise ValueError(f"five digits expected, got {five!r}")
    pairs = zip(five, _WEIGHTS, strict=True)  # pragma: no mutate (len(five) == 5 is checked above: strict never fires)
    total = sum(int(d) * w for d, w in pairs)
    return str((11 - total % 11) % 10)


def is_valid_code(code: str) -> bool:
    """True when ``code`` is six ASCII digits whose last digit is the right check digit."""
    return len(code) == 6 and code.isascii() and code.isdigit() and check_digit(code[:5]) == code[5]


def normalize_code(value: object) -> str:
    """Turn a cell value into a six-digit code and check its check digit.

    Accepts text (full-width digits too) and numbers that lost a leading zero
    (60003 → ``"060003"``).  Raises :class:`CodeError` otherwise.
    """
    if isinstance(value, bool) or value is None:
        raise CodeError("団体コードがありません")
    if isinstance(value, float):
        if not value.is_integer():
            raise CodeError(f"団体コード {value!r} は整数ではありません")
        value = int(value)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
    else:
        raise CodeError(f"団体コード {value!r} は6桁の数字ではありません")
    if not _DIGITS.fullmatch(text) or not 5 <= len(text) <= 6:
        raise CodeError(f'団体コード "{value}" は6桁の数字ではありません')
    code = text.zfill(6)
    if not is_valid_code(code):
        raise CodeError(f'団体コード "{code}" の検査数字が誤っています（正しくは {code[:5]}{check_digit(code[:5])}）')
    return code
