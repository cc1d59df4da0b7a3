"""A1 cell references: ``B12`` ⇄ (row 12, column 2), both 1-based."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["cell_ref", "column_letter", "column_number", "parse_ref", "range_ref"]

_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([1-9][0-9]*)")


@lru_cache(maxsize=4096)
def column_letter(column: int) -> str:
    """1 → ``A``, 27 → ``AA``."""
    if column < 1:
        raise ValueError(f"column {column} < 1")
    letters = ""
    while column:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    """``A`` → 1, ``AA`` → 27."""
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"not a column: {letters!r}")
        n = n * 26 + ord(ch) - 64
    return n


def cell_ref(row: int, column: int) -> str:
    """(12, 2) → ``B12``."""
    return f"{column_letter(column)}{row}"


@lru_cache(maxsize=4096)  # plugins ask for the same few cells in every workbook
def parse_ref(ref: str) -> tuple[int, int]:
    """``B12`` → (12, 2)."""
    m = _REF.fullmatch(ref.strip())
    if m is None:
        raise ValueError(f"not an A1 reference: {ref!r}")
    return int(m.group(2)), column_number(m.group(1))


def range_ref(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    """``A1:J1``; a single cell stays ``A1``."""
    a, b = cell_ref(first_row, first_col), cell_ref(last_row, last_col)
    return a if a == b else f"{a}:{b}"
