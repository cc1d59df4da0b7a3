"""The rows of the report's tables, written straight as worksheet XML.

openpyxl keeps every cell as a Python object with its own style and writes it one XML
element at a time.  A national report has about 600,000 table cells, and building and
saving them that way took about ten of the report's thirteen seconds.  A table needs
none of it: one header row, then one value per cell, with a style chosen per column.  So
openpyxl writes each table sheet with its header row and everything around the rows
(column widths, frozen header, filter, print settings, the styles themselves), and this
module writes the data rows as ``<row>`` elements, which :func:`splice` puts into that
sheet's ``<sheetData>`` when the workbook is packed.

Cells are written as Excel writes them, with one difference: text is an inline string
(``t="inlineStr"``) instead of an entry of the shared-strings table that openpyxl owns.
Excel, LibreOffice, openpyxl, calamine and pandas read both; text is always text, so
``=1+1`` read from a workbook never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.cells import column_letter

__all__ = ["TableRows", "cell_xml", "clean_text", "escaped", "row_height", "splice", "text_units", "wrapped_lines"]

_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')
_SHEET_DATA_END = b"</sheetData>"


#: Characters XML 1.0 forbids (openpyxl's ``ILLEGAL_CHARACTERS_RE``): a workbook can hold one
#: (Excel stores it as ``_x0007_``), and so can a file name.
UNPRINTABLE = "[\x00-\x08\x0b\x0c\x0e-\x1f]"
_ILLEGAL = re.compile(UNPRINTABLE)
EXCEL_CELL_LIMIT = 32_767
LINE_HEIGHT = 16.0  # points per line of 11-point text (CJK fonts have tall lines)


def clean_text(text: str) -> str:
    """Text a cell can hold: control characters XML forbids become U+FFFD, at most 32,767 characters."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("\ufffd", text)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return text


def escaped(text: str) -> str:
    """``text`` with ``&``, ``<``, ``>`` and a carriage return escaped for XML.

    ``str.translate`` would do it, but it looks every character of non-ASCII text up one by
    one (0.7 µs for a short Japanese text, of which a national report has 600,000); most
    texts hold none of the four and are returned as they are.
    """
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text


def text_units(text: str) -> float:
    """Width of ``text`` in column-width units: a full-width (non-ASCII) character is about two."""
    ascii_chars = len(text.encode("ascii", "ignore"))
    return ascii_chars + (len(text) - ascii_chars) * 2.1


def wrapped_lines(value: Any, width: float) -> int:
    """How many lines ``value`` takes in a wrapped cell ``width`` units wide (an estimate)."""
    if not isinstance(value, str) or not value:
        return 1
    room = max(width - 1.5, 1.0)
    return sum(max(1, math.ceil(text_units(part) / room)) for part in value.split("\n"))


def row_height(lines: int) -> float | None:
    """A row's height for ``lines`` lines of wrapped text (spreadsheet programs do not
    always grow rows with wrapped text on their own); ``None``: the default height."""
    return round(lines * LINE_HEIGHT + 3, 1) if lines > 1 else None


@dataclass(frozen=True)
class TableRows:
    """The data rows of one table sheet, from row 2, and how each column is styled.

    :param styles: each column's cell format (the ``s`` index in the workbook's styles)
    :param break_styles: for a column of unwrapped text, the format a cell takes when its
        text has a line break, so that the break shows; ``None`` for the other columns
    :param wraps: whether each column's text wraps (its lines set the row's height)
    :param widths: each column's width, to estimate how many lines wrapped text takes
    """

    rows: Sequence[Sequence[Any]]
    styles: Sequence[int]
    break_styles: Sequence[int | None]
    wraps: Sequence[bool]
    widths: Sequence[float]

    @property
    def columns(self) -> int:
        return len(self.styles)

    def dimension(self) -> str:
        """The sheet's used range, header included: ``A1:G20739``."""
        return f"A1:{column_letter(self.columns)}{len(self.rows) + 1}"

    def xml(self) -> bytes:
        """The ``<row>`` elements, UTF-8."""
        columns = list(
            zip(
                [column_letter(c) for c in range(1, self.columns + 1)],
                self.styles,
                self.break_styles,
                self.wraps,
                self.widths,
                strict=True,
            )
        )
        parts: list[str] = []
        append = parts.append
        for r, row in enumerate(self.rows, start=2):
            if len(row) != self.columns:
                raise ValueError(f"row {r} has {len(row)} cells, the table {self.columns} columns")
            lines = 1
            append("")  # the <row> tag, once the row's height is known
            at = len(parts) - 1
            for (letter, style, break_style, wraps, width), value in zip(columns, row, strict=True):
                if value.__class__ is str and value:  # "" is a blank cell, as openpyxl writes it
                    value = clean_text(value)
                    if break_style is not None and "\n" in value:
                        style, wraps = break_style, True
                    append(
                        f'<c r="{letter}{r}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
                        f"{escaped(value)}</t></is></c>"
                    )
                else:
                    append(cell_xml(f"{letter}{r}", style, value))
                if wraps:
                    lines = max(lines, wrapped_lines(value, width))
            height = row_height(lines)
            parts[at] = f'<row r="{r}">' if height is None else f'<row r="{r}" ht="{height:g}" customHeight="1">'
            append("</row>")
        # a lone surrogate (a file name that was not UTF-8) cannot be encoded: "?" instead
        return "".join(parts).encode("utf-8", "replace")


def cell_xml(ref: str, style: int, value: Any) -> str:
    """One ``<c>`` element; ``value`` is already clean text, a number, a date, a bool or None."""
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, str):
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{escaped(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{ref}: {value} はセルに書けません")
        return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
    if isinstance(value, dt.date):
        from openpyxl.utils.datetime import to_excel  # Excel's serial, its 1900 leap-year bug included

        return f'<c r="{ref}" s="{style}"><v>{to_excel(value)}</v></c>'
    raise TypeError(f"{ref}: {type(value).__name__} の値はセルに書けません")


def splice(sheet_xml: bytes, table: TableRows) -> bytes:
    """Put ``table``'s rows after the header row of a worksheet openpyxl wrote, and widen
    its used range to match."""
    if sheet_xml.count(_SHEET_DATA_END) != 1:
        raise ValueError("worksheet XML without exactly one </sheetData>")
    rows = table.xml()
    sheet_xml = sheet_xml.replace(_SHEET_DATA_END, rows + _SHEET_DATA_END)
    return _DIMENSION.sub(f'<dimension ref="{table.dimension()}"/>'.encode(), sheet_xml, count=1)
