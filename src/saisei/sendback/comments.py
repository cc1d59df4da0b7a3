"""Comments (メモ) on the flagged cells: the comments part and its legacy VML drawing.

A sheet that already has comments keeps them: saisei's are appended to the same parts,
and a cell the clerk already commented gets saisei's note after the clerk's own text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from lxml import etree

from ..core.cells import parse_ref
from .styles import MAIN, parse_xml, to_bytes

__all__ = ["AUTHOR", "comments_xml", "next_vml_ids", "note_text", "vml_xml"]

AUTHOR = "saisei"
_VML_EXCEL = "urn:schemas-microsoft-com:office:excel"
_IDMAP = re.compile(rb"""<o:idmap\b[^>]*\bdata\s*=\s*["']([0-9, ]+)["']""")
_SHAPE_ID = re.compile(rb"_x0000_s([0-9]+)")
_SHAPE_TYPE = b'id="_x0000_t202"'
_VML_END = re.compile(rb"</xml\s*>\s*$")


def comments_xml(existing: bytes | None, notes: Sequence[tuple[str, str]]) -> tuple[bytes, list[str]]:
    """A comments part with ``notes`` (cell, text) added to ``existing`` (or a new one),
    and the cells that had no comment before (each needs its shape in the drawing)."""
    root = parse_xml(existing if existing is not None else f'<comments xmlns="{MAIN}"/>'.encode())
    ns = etree.QName(root).namespace or MAIN

    def q(name: str) -> str:
        return f"{{{ns}}}{name}"

    authors = root.find(q("authors"))
    if authors is None:
        authors = etree.Element(q("authors"))
        root.insert(0, authors)
    listing = root.find(q("commentList"))
    if listing is None:
        listing = etree.SubElement(root, q("commentList"))
    names = [a.text or "" for a in authors.findall(q("author"))]
    if AUTHOR in names:
        author = names.index(AUTHOR)
    else:
        etree.SubElement(authors, q("author")).text = AUTHOR
        author = len(names)
    by_ref = {c.get("ref"): c for c in listing.findall(q("comment"))}
    new: list[str] = []
    for ref, text in notes:
        comment = by_ref.get(ref)
        if comment is None:
            new.append(ref)
            comment = etree.SubElement(listing, q("comment"))
            comment.set("ref", ref)
            comment.set("authorId", str(author))
            _runs(etree.SubElement(comment, q("text")), q, text)
            continue
        body = comment.find(q("text"))
        if body is None:
            body = etree.SubElement(comment, q("text"))
        plain = body.find(q("t"))
        if plain is not None:  # text held as one <t>: made a run so that runs can follow
            run = etree.Element(q("r"))
            body.replace(plain, run)
            run.append(plain)
        _runs(body, q, "\n\n" + text)
    return to_bytes(root), new


def _runs(body: Any, q: Callable[[str], str], text: str) -> None:
    """Runs for ``text`` in ``body``: its first line (after any leading breaks) in bold."""
    lead = text[: len(text) - len(text.lstrip("\n"))]
    head, _, rest = text[len(lead) :].partition("\n")
    for piece, bold in ((lead + head, True), ("\n" + rest if rest else "", False)):
        if not piece:
            continue
        run = etree.SubElement(body, q("r"))
        props = etree.SubElement(run, q("rPr"))
        if bold:
            etree.SubElement(props, q("b"))
        etree.SubElement(props, q("sz")).set("val", "9")
        etree.SubElement(props, q("rFont")).set("val", "MS P ゴシック")
        t = etree.SubElement(run, q("t"))
        t.text = piece
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def next_vml_ids(vml_parts: Sequence[bytes]) -> tuple[int, int]:
    """An unused ``o:idmap`` block and the next unused shape number, over every VML part."""
    blocks = [0]
    shapes = [0]
    for part in vml_parts:
        for m in _IDMAP.finditer(part):
            blocks += [int(b) for b in m.group(1).replace(b" ", b"").split(b",") if b]
        shapes += [int(n) for n in _SHAPE_ID.findall(part)]
    block = max(blocks) + 1
    return block, max(max(shapes) + 1, block * 1024 + 1)


#: The VML prefixes, declared on every element saisei adds (a drawing written by another
#: program may declare them under other names, or only inside its own elements).
_VML_NS = (
    f'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="{_VML_EXCEL}"'
)
_SHAPE_TYPE_XML = (
    f"<v:shapetype {_VML_NS} "
    'id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)


def _shape(number: int, ref: str, lines: int) -> str:
    row, column = parse_ref(ref)
    height = min(max(lines, 3), 12)
    return (
        f'<v:shape {_VML_NS} id="_x0000_s{number}" type="#_x0000_t202" '
        f'style="position:absolute;margin-left:60pt;margin-top:2pt;width:260pt;height:{height * 13 + 10}pt;'
        f'z-index:{number % 1024};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
        '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
        '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
        '<div style="text-align:left"></div></v:textbox>'
        '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:Anchor>{column}, 15, {max(row - 2, 0)}, 2, {column + 4}, 15, {max(row - 2, 0) + height + 1}, 4</x:Anchor>"
        f"<x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row><x:Column>{column - 1}</x:Column>"
        "</x:ClientData></v:shape>"
    )


def vml_xml(existing: bytes | None, notes: Sequence[tuple[str, str]], block: int, first_shape: int) -> bytes:
    """A legacy drawing with a (hidden) note shape for each of ``notes``: ``existing``
    with the shapes added before its end, or a new drawing."""
    shapes = "".join(
        _shape(first_shape + i, ref, text.count("\n") + 1 + len(text) // 30) for i, (ref, text) in enumerate(notes)
    )
    if existing is None:
        return (
            '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            f'xmlns:x="{_VML_EXCEL}">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
            f"{_SHAPE_TYPE_XML}{shapes}</xml>"
        ).encode()
    end = _VML_END.search(existing)
    if end is None:
        raise ValueError("VML drawing without </xml>")
    added = ("" if _SHAPE_TYPE in existing else _SHAPE_TYPE_XML) + shapes
    return existing[: end.start()] + added.encode() + existing[end.start() :]


def note_text(lines: Sequence[str]) -> str:
    """A comment's text: a heading, then one line per problem."""
    return "saisei 確認事項\n" + "\n".join(lines)
