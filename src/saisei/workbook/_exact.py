"""The exact path of the sheet scan: a streaming parse (expat) that places cells as
calamine does, for any sheet the plain path (:mod:`._plain`) does not read exactly
(namespace prefixes, cells without ``r``, comments, single quotes, line breaks in tags …).
About ten times slower than the plain path, still bounded."""

from __future__ import annotations

import re
from typing import Any
from xml.parsers import expat

from ..core.cells import cell_ref, column_number
from ..core.values import CellError, NoCachedValue
from ._base import RESAVE, Refuse, WorkbookError
from ._judge import SHARED, SheetScan, judge

_CELL_POSITION = re.compile(r"([A-Za-z]+)([0-9]+)")


class _ExactScan:
    """expat callbacks following calamine's cell reader.

    calamine (with empty elements expanded) keeps a row index and a column index: a
    ``<row r>`` sets the row, the end of a row moves to the next and back to column 1; a
    cell's ``r`` sets its place (and the column index), a cell without one takes the
    current place; after every cell the column moves right.  The value comes from the
    cell's last child element.
    """

    def __init__(self, xml: bytes, parser: Any, name: str, max_cells: int) -> None:
        self.xml = xml
        self.parser = parser
        self.name = name
        self.max_cells = max_cells
        self.phase = 0  # 0: before <sheetData>, 1: inside, 2: after
        self.row = 0  # 0-based, as calamine
        self.column = 0
        self.max_row = 0
        self.max_column = 0
        self.special: dict[str, CellError | NoCachedValue] = {}
        self.cell: tuple[int, int, str | None] | None = None
        self.depth = 0
        self.children: list[str] = []
        self.collect: list[str] | None = None
        self.value: list[str] = []
        self.formula: list[str] = []
        self.value_start = 0

    def refuse(self, message: str, cell: str | None = None) -> Refuse:
        return Refuse(WorkbookError("unreadable-workbook", message, sheet=self.name, cell=cell))

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        if self.phase != 1:
            if self.phase == 0 and local == "sheetData":
                self.phase = 1
            return
        if self.cell is not None:
            self.depth += 1
            if self.depth == 1:
                self.children.append(local)
                if local == "v":
                    self.value = []
                    self.collect = self.value
                    self.value_start = self.parser.CurrentByteIndex
                elif local == "f" and not self.formula:
                    self.collect = self.formula
                else:
                    self.collect = None
            return
        if local == "row":
            r = attrs.get("r")
            if r is not None:
                if not r.isascii() or not r.isdigit() or int(r) < 1:
                    raise self.refuse(f'行番号 "{r}" が正しくありません')
                self.row = int(r) - 1
        elif local == "c":
            r = attrs.get("r")
            if r is None:
                row, column = self.row, self.column
            else:
                m = _CELL_POSITION.fullmatch(r)
                if m is None or int(m.group(2)) < 1 or len(m.group(1)) > 7:
                    raise self.refuse(f'セル番地 "{r}" が正しくありません')
                row, column = int(m.group(2)) - 1, column_number(m.group(1)) - 1
                self.column = column
            self.cell = (row, column, attrs.get("t"))
            self.depth = 0
            self.children = []
            self.collect = None
            self.value = []
            self.formula = []

    def text(self, data: str) -> None:
        if self.collect is not None:
            self.collect.append(data)

    def end(self, tag: str) -> None:
        if self.phase != 1:
            return
        if self.cell is not None:
            if self.depth:
                if self.depth == 1 and self.children and self.children[-1] == "v":
                    raw = self.xml[self.value_start : self.parser.CurrentByteIndex]
                    numeric = self.cell[2] not in ("str", "d", "inlineStr", "is")
                    if b"<!" in raw[1:] or b"<?" in raw or (numeric and b"&" in raw):
                        row, column, _ = self.cell
                        raise self.refuse(
                            "セルの値が特殊な書き方（文字参照・コメントなど）で保存されていて、正しく読めません"
                            f"（{RESAVE}）",
                            cell_ref(row + 1, column + 1),
                        )
                if self.depth == 1:
                    self.collect = None
                self.depth -= 1
                return
            self.finish_cell()
            return
        local = tag.rpartition(":")[2]
        if local == "row":
            self.row += 1
            self.column = 0
        elif local == "sheetData":
            self.phase = 2

    def finish_cell(self) -> None:
        assert self.cell is not None
        row, column, t = self.cell
        self.cell = None
        self.column = column + 1
        if row + 1 > self.max_row or column + 1 > self.max_column:
            self.max_row = max(self.max_row, row + 1)
            self.max_column = max(self.max_column, column + 1)
            if self.max_row * self.max_column > self.max_cells:
                raise Refuse(
                    WorkbookError(
                        "workbook-too-large",
                        f"使用範囲が大きすぎます（{cell_ref(self.max_row, self.max_column)} まで、上限 "
                        f"{self.max_cells:,}セル）。離れたセルに値や書式が残っていないか確認してください",
                        sheet=self.name,
                    )
                )
        last = self.children[-1] if self.children else None
        marker = judge(t, "f" in self.children, last, "".join(self.value), "".join(self.formula) or SHARED)
        if marker is not None:
            self.special[cell_ref(row + 1, column + 1)] = marker


def scan_exact(xml: bytes, name: str, max_cells: int) -> SheetScan:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    scan = _ExactScan(xml, parser, name, max_cells)

    def no_doctype(*_: object) -> None:
        raise Refuse(WorkbookError("unsafe-workbook", "XMLの実体宣言（DOCTYPE）があります", sheet=name))

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.text
    try:
        parser.Parse(xml, True)
    except Refuse as exc:
        raise exc.error from None
    except expat.ExpatError as exc:
        raise WorkbookError(
            "unreadable-workbook", f"シートのXMLが壊れています（{exc}）。{RESAVE}", sheet=name
        ) from None
    return SheetScan(scan.max_row, scan.max_column, scan.special, exact=True)
