"""``styles.xml``: two fills (errors, warnings), a copy of each flagged cell's format with
one of them, and the few formats of the 確認事項 sheet.  Nothing already there changes:
every index a cell of the clerk's workbook uses keeps its meaning."""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree

__all__ = ["ERROR_FILL", "WARNING_FILL", "StyleBook", "parse_xml"]

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ERROR_FILL = "FFFFC7CE"  # light red, as Excel's 「悪い」
WARNING_FILL = "FFFFEB9C"  # light yellow, as Excel's 「どちらでもない」
_HEADER_FILL = "FFD9D9D9"
_LINK_COLOUR = "FF0563C1"
#: The order of styleSheet's children (ECMA-376, CT_Stylesheet).
_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs")

_MINIMAL = (
    f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="游ゴシック"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
).encode()


def parse_xml(data: bytes) -> Any:
    """An XML part as an lxml tree (no DTD, no entities, no network: the opener already
    refused any DOCTYPE)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False)
    return etree.fromstring(data, parser)


_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def to_bytes(root: Any) -> bytes:
    """An edited part, with the declaration Excel writes."""
    return _DECLARATION + bytes(etree.tostring(root, encoding="UTF-8"))


class StyleBook:
    """The workbook's styles, with what the annotation adds (in the order it is asked for)."""

    def __init__(self, xml: bytes | None) -> None:
        self.created = xml is None
        self.root = parse_xml(_MINIMAL if xml is None else xml)
        self.ns = etree.QName(self.root).namespace or MAIN
        self._xfs = self._child("cellXfs")
        if not len(self._xfs):
            self._add(self._xfs, "xf", numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0")
        if not len(self._child("cellStyleXfs")):
            self._add(self._child("cellStyleXfs"), "xf", numFmtId="0", fontId="0", fillId="0", borderId="0")
        fills = self._child("fills")
        if not len(fills):  # Excel wants the two reserved fills first
            for kind in ("none", "gray125"):
                self._add(self._add(fills, "fill"), "patternFill", patternType=kind)
        if not len(self._child("fonts")):
            self._add(self._add(self._child("fonts"), "font"), "sz", val="11")
        if not len(self._child("borders")):
            self._add(self._child("borders"), "border")
        self._fills: dict[str, int] = {}
        self._fonts: dict[str, int] = {}
        self._flagged: dict[tuple[int, bool], int] = {}
        self._named: dict[str, int] = {}

    def _q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def _child(self, name: str) -> Any:
        found = self.root.find(self._q(name))
        if found is not None:
            return found
        element = etree.Element(self._q(name))
        later = _ORDER[_ORDER.index(name) + 1 :]
        for index, child in enumerate(self.root):
            if etree.QName(child).localname in later:
                self.root.insert(index, element)
                return element
        self.root.append(element)
        return element

    def _add(self, parent: Any, name: str, **attrs: str) -> Any:
        element = etree.SubElement(parent, self._q(name))
        for key, value in attrs.items():
            element.set(key, value)
        if etree.QName(parent).localname in _ORDER:
            parent.set("count", str(len(parent)))
        return element

    def _fill(self, rgb: str) -> int:
        if rgb not in self._fills:
            fills = self._child("fills")
            pattern = self._add(self._add(fills, "fill"), "patternFill", patternType="solid")
            self._add(pattern, "fgColor", rgb=rgb)
            self._add(pattern, "bgColor", indexed="64")
            self._fills[rgb] = len(fills) - 1
        return self._fills[rgb]

    def _font(self, kind: str) -> int:
        if kind not in self._fonts:
            fonts = self._child("fonts")
            font = copy.deepcopy(fonts[0])
            for child in list(font):
                if etree.QName(child).localname in ("b", "u", "color"):
                    font.remove(child)
            if kind == "bold":
                font.insert(0, etree.Element(self._q("b")))
            else:
                font.insert(0, etree.Element(self._q("u")))
                colour = etree.Element(self._q("color"))
                colour.set("rgb", _LINK_COLOUR)
                font.insert(1, colour)
            fonts.append(font)
            fonts.set("count", str(len(fonts)))
            self._fonts[kind] = len(fonts) - 1
        return self._fonts[kind]

    def flagged(self, style: int, error: bool) -> int:
        """The format of a flagged cell whose own format is ``style``: the same, filled."""
        key = (style, error)
        if key not in self._flagged:
            base = self._xfs[style] if 0 <= style < len(self._xfs) else self._xfs[0]
            xf = copy.deepcopy(base)
            xf.set("fillId", str(self._fill(ERROR_FILL if error else WARNING_FILL)))
            xf.set("applyFill", "1")
            self._xfs.append(xf)
            self._xfs.set("count", str(len(self._xfs)))
            self._flagged[key] = len(self._xfs) - 1
        return self._flagged[key]

    def listing(self, kind: str) -> int:
        """A format of the 確認事項 sheet: ``title``, ``label``, ``header``, ``text``,
        ``link``, ``error`` or ``warning``."""
        if kind not in self._named:
            font = {"title": "bold", "label": "bold", "header": "bold", "link": "link"}.get(kind)
            fill = {"header": _HEADER_FILL, "error": ERROR_FILL, "warning": WARNING_FILL}.get(kind)
            attrs = {"numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0", "xfId": "0"}
            if font:
                attrs.update(fontId=str(self._font(font)), applyFont="1")
            if fill:
                attrs.update(fillId=str(self._fill(fill)), applyFill="1")
            xf = self._add(self._xfs, "xf", **attrs)
            if kind in ("header", "text", "error", "warning", "link"):
                xf.set("applyAlignment", "1")
                self._add(xf, "alignment", vertical="top", wrapText="1")
            self._named[kind] = len(self._xfs) - 1
        return self._named[kind]

    def to_bytes(self) -> bytes:
        return to_bytes(self.root)
