"""Surgery on one worksheet's XML: the flagged cells' ``s=`` and nothing else.

The worksheet is never parsed and written again: expat finds where each flagged cell's
start tag is (following calamine's rules for cells and rows without ``r``), and only
those bytes are replaced.  A flagged cell that the XML does not hold (a blank cell
Excel never wrote) is inserted, empty, in its row; a missing row likewise.  The one
other change is a ``<legacyDrawing>`` element when the sheet gets its first comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from xml.parsers import expat

from ..core.cells import cell_ref, column_number

__all__ = ["Located", "locate", "merged_ranges", "rewrite", "without_tab_selected"]

#: A whole start tag, attribute values quoted either way (``>`` may sit inside a value).
_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")
_TAG_NAME = re.compile(rb"<[^\s/>]+")
_S_ATTR = re.compile(rb"""(\ss\s*=\s*)(["'])[^"']*\2""")
_MERGE = re.compile(rb"""<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*["']([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)["']""")
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")
_TAB_SELECTED = re.compile(rb"""\s+tabSelected\s*=\s*(["'])[^"']*\1""")
_SHEET_VIEW = re.compile(rb"""<(?:[\w.-]+:)?sheetView\b[^>]*>""")

#: Top-level worksheet elements that come after ``legacyDrawing`` (ECMA-376, CT_Worksheet).
_AFTER_LEGACY = {
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
}


def _split_ref(ref: str) -> tuple[int, int] | None:
    m = _REF.fullmatch(ref)
    if not m:
        return None
    return int(m.group(2)), column_number(m.group(1).upper())


def merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """Every merged range of a sheet: ``(first_row, first_col, last_row, last_col)``."""
    out = []
    for m in _MERGE.finditer(xml):
        first, _, last = m.group(1).decode("ascii").partition(":")
        a, b = _split_ref(first), _split_ref(last or first)
        if a and b:
            out.append((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))
    return out


@dataclass
class _Row:
    index: int
    start: int
    tag_end: int
    closed: bool  # written as <row .../>
    style: int | None  # the row's format for its blank cells (customFormat)
    close: int = -1  # where </row> starts
    cells: list[tuple[int, int, int, int]] = field(default_factory=list)  # (column, start, end, style)


@dataclass
class Located:
    """Where things are in one worksheet's XML."""

    prefix: str = ""
    rows: dict[int, _Row] = field(default_factory=dict)  # only the rows asked about
    row_starts: list[tuple[int, int]] = field(default_factory=list)  # (row, start) of every row
    sheet_data: tuple[int, int, bool] | None = None  # start tag span, self-closing
    sheet_data_close: int = -1
    root_close: int = -1
    after_legacy: int = -1  # the first top-level element that must follow legacyDrawing
    legacy_rid: str | None = None
    columns: list[tuple[int, int, int]] = field(default_factory=list)  # (min, max, style)

    def style_of(self, row: int, column: int) -> int:
        """The format index a cell shows: its own, else its row's, else its column's, else 0."""
        line = self.rows.get(row)
        if line is not None:
            for col, _, _, style in line.cells:
                if col == column:
                    return style
            if line.style is not None:
                return line.style
        for low, high, style in self.columns:
            if low <= column <= high:
                return style
        return 0


def locate(xml: bytes, rows: Iterable[int]) -> Located:
    """Find the rows ``rows`` (and their cells), ``<sheetData>`` and the top-level elements."""
    wanted = set(rows)
    found = Located()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.ordered_attributes = True
    parser.buffer_text = True
    depth = 0
    row_index = 0
    column = 0
    current: _Row | None = None

    def tag_at(position: int) -> tuple[int, bool]:
        m = _TAG.match(xml, position)
        if m is None:
            raise ValueError(f"unexpected tag at byte {position}")
        return m.end(), m.group().endswith(b"/>")

    def start(name: str, attrs: list[str]) -> None:
        nonlocal depth, row_index, column, current
        depth += 1
        local = name.rpartition(":")[2]
        if depth == 4 and local == "c":
            column += 1
            if current is None:
                return
            for i in range(0, len(attrs), 2):
                if attrs[i] == "r":
                    ref = _split_ref(attrs[i + 1])
                    if ref is not None:
                        column = ref[1]
                    break
            position = parser.CurrentByteIndex
            end, _ = tag_at(position)
            style = 0
            for i in range(0, len(attrs), 2):
                if attrs[i] == "s" and attrs[i + 1].isdigit():
                    style = int(attrs[i + 1])
            current.cells.append((column, position, end, style))
        elif depth == 3 and local == "row":
            values = dict(zip(attrs[::2], attrs[1::2], strict=True))
            given = values.get("r", "")
            row_index = int(given) if given.isdigit() else row_index + 1
            column = 0
            position = parser.CurrentByteIndex
            found.row_starts.append((row_index, position))
            if row_index in wanted:
                end, closed = tag_at(position)
                style = None
                if values.get("customFormat") in ("1", "true") and values.get("s", "").isdigit():
                    style = int(values["s"])
                current = found.rows[row_index] = _Row(row_index, position, end, closed, style)
        elif depth == 1:
            found.prefix = name[: -len(local)]
        elif depth == 2:
            if local == "sheetData":
                position = parser.CurrentByteIndex
                end, closed = tag_at(position)
                found.sheet_data = (position, end, closed)
            elif local == "legacyDrawing":
                found.legacy_rid = next(
                    (v for k, v in zip(attrs[::2], attrs[1::2], strict=True) if k.rpartition(":")[2] == "id"), None
                )
            elif local in _AFTER_LEGACY and found.after_legacy < 0:
                found.after_legacy = parser.CurrentByteIndex
        elif depth == 3 and local == "col":
            values = dict(zip(attrs[::2], attrs[1::2], strict=True))
            low, high, fmt = values.get("min", ""), values.get("max", ""), values.get("style", "")
            if low.isdigit() and high.isdigit() and fmt.isdigit():
                found.columns.append((int(low), int(high), int(fmt)))

    def end(name: str) -> None:
        nonlocal depth, current
        if depth == 3 and current is not None:
            if not current.closed:
                current.close = parser.CurrentByteIndex
            current = None
        elif depth == 2 and name.rpartition(":")[2] == "sheetData":
            found.sheet_data_close = parser.CurrentByteIndex
        elif depth == 1:
            found.root_close = parser.CurrentByteIndex
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(xml, True)
    return found


def _with_style(tag: bytes, style: int) -> bytes:
    value = str(style).encode()
    if m := _S_ATTR.search(tag):
        return tag[: m.start()] + m.group(1) + m.group(2) + value + m.group(2) + tag[m.end() :]
    name = _TAG_NAME.match(tag)
    assert name is not None
    return tag[: name.end()] + b' s="' + value + b'"' + tag[name.end() :]


def rewrite(
    xml: bytes,
    found: Located,
    styles: Mapping[tuple[int, int], int],
    *,
    legacy_rid: str | None = None,
    drop_tab_selected: bool = True,
) -> bytes:
    """``xml`` with each ``(row, column)`` of ``styles`` given that format, and a
    ``<legacyDrawing r:id=legacy_rid>`` when one is asked for."""
    p = found.prefix
    edits: list[tuple[int, int, bytes]] = []
    new_rows: dict[int, list[tuple[int, int]]] = {}
    for (row, column), style in sorted(styles.items()):
        line = found.rows.get(row)
        if line is None:
            new_rows.setdefault(row, []).append((column, style))
            continue
        cell = next((c for c in line.cells if c[0] == column), None)
        if cell is not None:
            _, start, end, _ = cell
            edits.append((start, end, _with_style(xml[start:end], style)))
            continue
        empty = f'<{p}c r="{cell_ref(row, column)}" s="{style}"/>'.encode()
        after = next((c for c in line.cells if c[0] > column), None)
        if after is not None:
            edits.append((after[1], after[1], empty))
        elif not line.closed:
            edits.append((line.close, line.close, empty))
        else:  # <row .../>: opened up, with the cells inside
            new_rows.setdefault(-row, []).append((column, style))
    for key, cells in sorted(new_rows.items()):
        body = "".join(f'<{p}c r="{cell_ref(abs(key), c)}" s="{s}"/>' for c, s in sorted(cells)).encode()
        if key < 0:  # a self-closing row
            line = found.rows[-key]
            tag = xml[line.start : line.tag_end]
            opened = tag[:-2].rstrip() + b">"
            edits.append((line.start, line.tag_end, opened + body + f"</{p}row>".encode()))
            continue
        row_xml = f'<{p}row r="{key}">'.encode() + body + f"</{p}row>".encode()
        following = next((start for index, start in found.row_starts if index > key), None)
        if following is not None:
            edits.append((following, following, row_xml))
        elif found.sheet_data is None:
            raise ValueError("worksheet without sheetData")
        elif found.sheet_data[2]:
            start, end, _ = found.sheet_data
            opened = xml[start:end][:-2].rstrip() + b">"
            edits.append((start, end, opened + row_xml + f"</{p}sheetData>".encode()))
        else:
            edits.append((found.sheet_data_close, found.sheet_data_close, row_xml))
    if legacy_rid is not None:
        at = found.after_legacy if found.after_legacy >= 0 else found.root_close
        element = (
            f'<{p}legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            f'r:id="{legacy_rid}"/>'
        )
        edits.append((at, at, element.encode()))
    out = _apply(xml, edits)
    return without_tab_selected(out) if drop_tab_selected else out


def _apply(xml: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out: list[bytes] = []
    position = 0
    # insertions (start == end) go before a replacement that starts at the same place
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1] != e[0])):
        if start < position:
            raise ValueError("overlapping edits")
        out.append(xml[position:start])
        out.append(text)
        position = end
    out.append(xml[position:])
    return b"".join(out)


def without_tab_selected(xml: bytes) -> bytes:
    """``xml`` with no sheet view marked as a selected tab (the 確認事項 sheet is the one)."""
    if b"tabSelected" not in xml:
        return xml
    return _SHEET_VIEW.sub(lambda m: _TAB_SELECTED.sub(b"", m.group()), xml)
