"""The 確認事項 sheet that ``saisei sendback`` puts first in a body's own workbook.

A clerk fixes the annotated copy and sends it back, with the sheet still in it; every
reader must then see the workbook as it was before.  The sheet is recognised by its
content (the marker in A1 that saisei writes), not by its name alone, so a form's own
sheet that happens to be called 確認事項 is still read.
"""

from __future__ import annotations

from .values import normalize_text

__all__ = ["MARKER", "SHEET_NAME", "is_annotation_sheet", "might_be_annotation"]

SHEET_NAME = "確認事項"
#: The start of cell A1 of the sheet saisei writes (the rest of A1 says what the sheet is).
MARKER = "【確認事項】saisei"


def might_be_annotation(sheet_name: str) -> bool:
    """Whether a sheet's name is worth a look at its A1 (Excel may add " (2)" to a copy)."""
    return SHEET_NAME in normalize_text(sheet_name)


def is_annotation_sheet(sheet_name: str, a1: object) -> bool:
    """Whether a sheet is the 確認事項 list saisei wrote: its name, and the marker in A1."""
    return might_be_annotation(sheet_name) and isinstance(a1, str) and normalize_text(a1).startswith(MARKER)
