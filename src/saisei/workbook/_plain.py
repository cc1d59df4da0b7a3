"""The plain path of the sheet scan: byte searches over the ``<sheetData>`` span.

Plain sheets (what Excel, LibreOffice, openpyxl and most exporters write: unprefixed
elements, every cell with an ``r`` reference) are scanned with a few passes of a regex
engine (Python's on a small sheet, Rust's through polars on a big one) and Python only for
formula cells without a value after them.  Anything else gives ``None``: the exact path
(:mod:`._exact`) reads it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from ..core.cells import column_number
from ..core.values import CellError, NoCachedValue
from ._judge import SHARED, SheetScan, judge

_FORMULA_TAG = re.compile(rb"<f[\s/>]")
_ATTRS = rb"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>"""
_HEAD = re.compile(rb'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"' + _ATTRS)
_CHILD = re.compile(rb"<(v|f|is)" + _ATTRS)
_ATTR = re.compile(rb"""\s+([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET_DATA = re.compile(rb"<sheetData" + _ATTRS)


class _Area(NamedTuple):
    """A plain sheet's ``<sheetData>`` span, the area its cells span, and where the first
    formula tag, inline string and error cell are in it (-1: none)."""

    start: int
    end: int
    rows: int
    columns: int  # the last column, or a bound above it
    formula: int
    inline: int
    error: int


def _plain_area(xml: bytes, max_cells: int) -> _Area | None:
    """The ``<sheetData>`` span of a plain sheet and the area its cells span, or None.

    Plain: one unprefixed ``<sheetData>``; no comment, CDATA or processing instruction in
    it; no tab or line break (so every gap inside a tag is one space); every attribute
    written ``name="value"``; every cell's first attribute a plain A1 ``r``, and no second
    one; no character reference in a ``<v>``.  The tests and the area are a few passes of
    a regex engine over the text, with nothing per cell in Python; text that merely looks
    odd only costs the exact parse.
    """
    start = xml.find(b"<sheetData")
    if start < 0:
        return None
    m = _SHEET_DATA.match(xml, start)
    if m is None or m.group(2):
        return None
    a = m.end()
    b = xml.find(b"</sheetData>", a)
    if b < 0:
        return None
    # A second <sheetData or any :sheetData: searched here outside the span (neither can
    # straddle its ends, which are ">" and "<"), and inside it by _NOT_PLAIN.
    if xml.find(b"<sheetData", start + 1, a) >= 0 or xml.find(b"<sheetData", b) >= 0:
        return None
    if xml.find(b":sheetData", 0, a) >= 0 or xml.find(b":sheetData", b) >= 0:
        return None
    found = _Finder.over(xml, a, b)
    if found is None:  # not UTF-8
        return None
    # Cells are usually written in order, so the last one usually holds the last row and
    # the longest column letters: then one search for a cell beyond it settles both.
    letters = max_row = 0
    last = xml.rfind(b'<c r="', a, b)
    if last >= 0:
        ref = _LAST_REF.match(xml, last, b)
        if ref is None:  # an r that is not a plain A1 reference: _NOT_PLAIN would say so
            return None
        letters, max_row = len(ref.group(1)), int(ref.group(2))
    plain, beyond = found.plain_within(_beyond(letters, max_row) if last >= 0 else "")
    if not plain:  # also: every cell's r is a plain A1 reference
        return None
    if beyond:
        # The longest row numbers are the largest (no leading zeros).
        digits = next(k for k in range(7, 0, -1) if found.contains(_REF_DIGITS % (k - 1)))
        max_row = max(int(r[-(digits + 1) : -1]) for r in found.findall(_REF_DIGITS % (digits - 1)))
        letters = next((n for n in (3, 2) if found.contains(_REF_LETTERS % n)), 1)
    # The columns: a bound from the longest column letters, exact only when it matters.
    max_column = (0, 26, 702, 18_278)[letters]
    if max_row * max_column > max_cells:
        names = {r[6 : 6 + letters] for r in found.findall(_REF_LETTERS % letters)}
        max_column = max(column_number(n) for n in names)
    formula, inline, error = found.first(_FIRST)
    return _Area(a, b, max_row, max_column, formula, inline, error)


#: What :func:`scan_plain` looks for: a formula tag, an inline string, an error cell.
_FIRST = ("<f", '"inlineStr"', ' t="e"')


@lru_cache(maxsize=256)
def _beyond(letters: int, row: int) -> str:
    """A pattern for a cell with more column letters than ``letters`` or a row after ``row``.

    A row after ``row``: more digits, or as many with a larger digit at the first place
    they differ (row 1304: ``[2-9]…``, ``1[4-9]…``, ``13[1-9]…``, ``130[5-9]``).
    """
    digits = str(row)
    later = [
        digits[:i] + f"[{int(d) + 1}-9]" + "[0-9]" * (len(digits) - i - 1) + '"'
        for i, d in enumerate(digits)
        if d != "9"
    ]
    if len(digits) < 7:
        later.append(f"[1-9][0-9]{{{len(digits)}}}")
    branches = [f"[A-Z]{{{letters + 1}}}"] if letters < 3 else []
    if later:
        branches.append("[A-Z]{1,3}(?:" + "|".join(later) + ")")
    return '<c r="(?:' + "|".join(branches) + ")" if branches else ""


#: Up to this many bytes a sheet's text is searched with Python's ``re``; above it with
#: Rust's regex engine through polars, whose fixed cost per call (about 0.3 ms) only pays
#: on big sheets.  The patterns are plain enough for both (no backtracking blow-up).
_SMALL_TEXT = 256 * 1024


class _Finder:
    """The few searches :func:`_plain_area` makes over ``xml[start:end]``, by the fastest
    engine: Python's ``re`` on a small text, polars on a big one."""

    def __init__(self, xml: bytes, start: int, end: int, text: str | None, frame: Any = None) -> None:
        self._xml, self._start, self._end = xml, start, end
        self._text = text
        self._frame = frame  # polars: one column "t" holding the text in one row

    @classmethod
    def over(cls, xml: bytes, start: int, end: int) -> _Finder | None:
        """A finder over ``xml[start:end]``; None if that is not UTF-8."""
        if end - start <= _SMALL_TEXT:
            try:
                text = str(memoryview(xml)[start:end], "utf-8")
            except UnicodeDecodeError:
                return None
            return cls(xml, start, end, text)
        import polars as pl

        try:  # polars checks the UTF-8 itself: no Python str of a big text
            frame = pl.DataFrame({"t": pl.Series([xml[start:end]]).cast(pl.String)})
        except pl.exceptions.ComputeError:
            return None
        return cls(xml, start, end, None, frame)

    def _select(self, *exprs: Any) -> tuple[Any, ...]:
        """One polars query over the text: the value of each expression."""
        import polars as pl

        text = pl.col("t").str
        return tuple(self._frame.select(e(text).alias(str(i)) for i, e in enumerate(exprs)).row(0))

    def contains(self, pattern: str) -> bool:
        if self._text is not None:
            return re.search(pattern, self._text) is not None
        return bool(self._select(lambda t: t.contains(pattern))[0])

    def plain_within(self, beyond: str) -> tuple[bool, bool]:
        """Whether the text is plain (:data:`_NOT_PLAIN` matches nowhere), and if so,
        whether ``beyond`` matches somewhere (never when it is empty)."""
        if self._text is not None:
            if _not_plain_small(self._text):
                return False, False
            return True, bool(beyond) and re.search(beyond, self._text) is not None
        if beyond and not self.contains(f"{_NOT_PLAIN}|{beyond}"):
            return True, False  # the usual answer, in one pass
        if self.contains(_NOT_PLAIN):
            return False, False
        return True, bool(beyond)  # the pass above matched, and not _NOT_PLAIN

    def findall(self, pattern: str) -> list[str]:
        """Every match of ``pattern`` (which has no groups), as text."""
        if self._text is not None:
            return re.findall(pattern, self._text)
        return list(self._select(lambda t: t.extract_all(pattern))[0] or [])

    def first(self, literals: tuple[str, ...]) -> list[int]:
        """Where each (ASCII) literal first occurs, as a position in the whole XML; -1: nowhere."""
        if self._text is not None:
            return [self._xml.find(literal.encode(), self._start, self._end) for literal in literals]
        offsets = self._select(*(lambda t, lit=literal: t.find(lit, literal=True) for literal in literals))
        return [-1 if o is None else self._start + o for o in offsets]


#: Anything the plain path does not read exactly: a comment, CDATA or processing
#: instruction; a tab or line break; an attribute not written ``name="value"``; a cell
#: whose first attribute is not its ``r``; an ``r`` after another attribute (calamine
#: takes the last of two); a namespace prefix on an element calamine reads; a character
#: reference in a value (calamine cuts ``1&#50;`` short: left to the exact parse to refuse).
_NOT_PLAIN = "|".join(
    [
        r"<[!?]",
        r"[\t\n\r]",
        r"='|= | =| r ",
        r'<c(?:[^ ]| [^r]| r[^=]| r=[^"])',
        r'[^cw] r="',
        r":(?:c|row|v|f|is|sheetData)[ />]",
        r"<v[ >][^<]*&",
        r"<sheetData|:sheetData",
        # An r that is not a plain A1 reference, whatever follows it: not a letter first,
        # four letters, no row number after the letters, a row number of eight digits,
        # something other than the closing quote after it, or the end of the text.
        r'<c r="(?:[^A-Z]|[A-Z]{4}|[A-Z]{1,3}(?:[^A-Z1-9]|[1-9][0-9]{0,6}[^0-9"]|[1-9][0-9]{7})|[A-Z0-9]*$)',
    ]
)
_LAST_REF = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')

# _NOT_PLAIN for Python's re, which tries an alternation at every position of the text
# (about 150 us for a 2 KB sheet): the same tests as substring searches and patterns that
# start with a literal.  "[^cw] r=" is counted: every ' r="' after the first character
# follows a "c" or a "w".  A test holds the two to the same answers.
_PLAIN_NEVER = ("<!", "<?", "\t", "\n", "\r", "='", "= ", " =", " r ", "<sheetData", ":sheetData")
_CELL_TAG = re.compile(r'<c(?:[^ ]| [^r]| r[^=]| r=[^"])')
_ODD_REF = re.compile(r'<c r="(?![A-Z]{1,3}[1-9][0-9]{0,6}")')
_PREFIXED = re.compile(r":(?:c|row|v|f|is|sheetData)[ />]")
_REFERENCE_IN_VALUE = re.compile(r"<v[ >][^<]*&")


def _not_plain_small(text: str) -> bool:
    for literal in _PLAIN_NEVER:
        if literal in text:
            return True
    if text.count(' r="') - text.startswith(' r="') > text.count('c r="') + text.count('w r="'):
        return True
    if _CELL_TAG.search(text) or _ODD_REF.search(text):
        return True
    if ":" in text and _PREFIXED.search(text):
        return True
    return "&" in text and _REFERENCE_IN_VALUE.search(text) is not None


_REF_DIGITS = r'<c r="[A-Z]{1,3}[1-9][0-9]{%d}"'  # % (digits - 1)
_REF_LETTERS = r'<c r="[A-Z]{%d}[1-9]'


#: A formula cell as Excel writes it once calculated: ``<f>…</f><v>12</v></c>``.
_CALCULATED = re.compile(rb"<f(?: [^<>]*)?(?:/>|>[^<]*</f>)<v>\s*[^<\s][^<]*</v></c>")
_ERROR_ATTR = re.compile(rb' t="e"')


def scan_plain(xml: bytes, max_cells: int) -> SheetScan | None:
    area = _plain_area(xml, max_cells)
    if area is None:
        return None
    a, b = area.start, area.end
    special: dict[str, CellError | NoCachedValue] = {}
    found: list[tuple[int, bool]] = []
    # Each search below starts at the first hit the area found (no match can start
    # earlier), so a sheet whose only formula is in its last row is not read again.
    if area.formula >= 0:
        # Only the formulas not followed by their cached value need a closer look (an
        # inline-string cell ignores its <v>, so then every formula gets one).  A match of
        # _CALCULATED holds no other "<f", so matching at each tag finds what finditer would.
        inline = area.inline >= 0
        found += [
            (m.start(), False)
            for m in _FORMULA_TAG.finditer(xml, area.formula, b)
            if inline or _CALCULATED.match(xml, m.start(), b) is None
        ]
    if area.error >= 0:
        found += [(m.start(), True) for m in _ERROR_ATTR.finditer(xml, area.error, b)]
    # Each place of interest belongs to the last cell that starts before it.  Walking the
    # places in order, each stretch of the text is searched once (no quadratic rescans).
    found.sort()
    cells: dict[int, tuple[re.Match[bytes], int]] = {}  # cell start -> (head, end of its content)
    judged: set[int] = set()
    start, searched = -1, a
    for pos, in_head in found:
        nearer = xml.rfind(b'<c r="', max(a, searched - 5), pos)
        start, searched = (nearer if nearer >= 0 else start), pos
        if start < 0:
            continue
        if start not in cells:
            head = _HEAD.match(xml, start)
            if head is None:
                return None
            close = head.end() if head.group(3) else xml.find(b"</c>", head.end(), b)
            if close < 0:
                return None
            cells[start] = (head, close)
        head, close = cells[start]
        if in_head != (pos < head.end()) or pos > close or start in judged:
            continue  # t="e" in a text, an <f> outside any cell, or a cell already judged
        judged.add(start)
        marker = _judge_plain(xml, head, head.end(), close)
        if marker is _UNSURE:
            return None
        if marker is not None:
            special[head.group(1).decode()] = marker
    return SheetScan(area.rows, area.columns, special)


_UNSURE = object()


def _judge_plain(xml: bytes, head: re.Match[bytes], start: int, end: int) -> Any:
    t = None
    for key, double, single in _ATTR.findall(head.group(2)):
        if key == b"t":
            t = (double or single).decode("utf-8", "replace")
    children = list(_CHILD.finditer(xml, start, end))
    has_formula = any(c.group(1) == b"f" for c in children)
    last = children[-1] if children else None
    value: str | None = None
    if last is not None and last.group(1) == b"v":
        if last.group(3):
            value = ""
        else:
            close = xml.find(b"</v>", last.end(), end)
            if close < 0:
                return _UNSURE
            value = xml[last.end() : close].decode("utf-8", "replace")
    formula = SHARED
    for c in children:
        if c.group(1) == b"f" and not c.group(3):
            close = xml.find(b"</f>", c.end(), end)
            text = xml[c.end() : close].decode("utf-8", "replace") if close >= 0 else ""
            if text:
                formula = _unescape(text)
                break
    return judge(t, has_formula, last.group(1).decode() if last else None, value, formula)


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)
