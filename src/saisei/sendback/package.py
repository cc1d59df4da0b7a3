"""The annotated copy of a clerk's workbook, made by editing its package directly.

What changes: ``styles.xml`` (fills and copied formats), the flagged cells' ``s=`` (and an
empty cell element where a flagged blank cell had none), the comments parts and their
VML drawings and relationships (new, or the clerk's own with saisei's notes added), the
new 確認事項 sheet, ``workbook.xml``, its relationships and ``[Content_Types].xml``;
``calcChain.xml`` is dropped (Excel rebuilds it), and no sheet but 確認事項 stays
marked as a selected tab (two selected tabs would open the workbook with its sheets
grouped).  Every other part is copied byte for byte, so every value and every formula's
cached value stays what the clerk saved.  Never an openpyxl load-and-save: that writes
formulas without their cached values and drops images, text boxes and sparklines.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ..core.annotation import SHEET_NAME, is_annotation_sheet
from ..core.cells import cell_ref
from ..workbook import BOOK as _BOOK
from ..workbook import BOOK_RELS as _BOOK_RELS
from ..workbook import Limits, classify, inspect_zip, sheet_parts
from .comments import comments_xml, next_vml_ids, note_text, vml_xml
from .listing import Cover, Placed, listing_xml
from .problems import Problem
from .sheetxml import Located, locate, merged_ranges, rewrite, without_tab_selected
from .styles import StyleBook, parse_xml, to_bytes

__all__ = ["annotate", "annotate_listed"]

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CONTENT_TYPES = "[Content_Types].xml"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_WORKSHEET_TYPE = f"{_DOC_RELS}/worksheet"
_COMMENTS_TYPE = f"{_DOC_RELS}/comments"
_VML_TYPE = f"{_DOC_RELS}/vmlDrawing"
_STYLES_TYPE = f"{_DOC_RELS}/styles"
_CALC_CHAIN_TYPE = f"{_DOC_RELS}/calcChain"
_CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _target(part: str, target: str) -> str:
    """A relationship's target as a part name (relative to ``part``'s folder)."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source))


@dataclass
class _Rels:
    """A relationships part, edited as a tree."""

    root: Any
    changed: bool = False

    @classmethod
    def of(cls, xml: bytes | None) -> _Rels:
        return cls(parse_xml(xml if xml is not None else f'<Relationships xmlns="{_PKG_RELS}"/>'.encode()))

    def items(self) -> list[Any]:
        return [r for r in self.root if etree.QName(r).localname == "Relationship"]

    def find(self, kind: str) -> Any:
        """The first relationship of ``kind``, by its last segment (``…/styles``), so a
        Strict OOXML package (purl.oclc.org types) is read the same."""
        tail = kind.rpartition("/")[2]
        return next((r for r in self.items() if (r.get("Type") or "").rpartition("/")[2] == tail), None)

    def by_id(self, rid: str) -> Any:
        return next((r for r in self.items() if r.get("Id") == rid), None)

    def add(self, kind: str, target: str) -> str:
        used = {r.get("Id") for r in self.items()}
        number = len(used) + 1
        while f"rId{number}" in used:
            number += 1
        rid = f"rId{number}"
        ns = etree.QName(self.root).namespace or _PKG_RELS
        rel = etree.SubElement(self.root, f"{{{ns}}}Relationship")
        rel.set("Id", rid)
        rel.set("Type", kind)
        rel.set("Target", target)
        self.changed = True
        return rid

    def remove(self, rel: Any) -> None:
        self.root.remove(rel)
        self.changed = True


@dataclass
class _Package:
    infos: list[zipfile.ZipInfo]
    archive: zipfile.ZipFile
    xml: dict[str, bytes]
    out: dict[str, bytes] = field(default_factory=dict)  # changed or new parts
    dropped: set[str] = field(default_factory=set)

    def names(self) -> set[str]:
        return ({i.filename for i in self.infos} | set(self.out)) - self.dropped

    def read(self, name: str) -> bytes | None:
        if name in self.out:
            return self.out[name]
        if name in self.dropped:
            return None
        if name in self.xml:
            return self.xml[name]
        try:
            return self.archive.read(name)
        except KeyError:
            return None

    def free(self, pattern: str) -> str:
        number = 1
        names = {n.lower() for n in self.names()}
        while pattern.format(number).lower() in names:
            number += 1
        return pattern.format(number)

    def pack(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
            seen = set()
            for info in self.infos:
                name = info.filename
                if name in self.dropped or info.is_dir():
                    continue
                seen.add(name)
                data = self.read(name)
                assert data is not None
                dst.writestr(_entry(name, info.compress_type), data)
            for name in sorted(set(self.out) - seen):
                dst.writestr(_entry(name, zipfile.ZIP_DEFLATED), self.out[name])
        return buffer.getvalue()


def _entry(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = compression if compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else 8
    info.external_attr = 0o600 << 16
    return info


def _merged_top_left(merges: Sequence[tuple[int, int, int, int]], row: int, column: int) -> tuple[int, int, str] | None:
    for r1, c1, r2, c2 in merges:
        if r1 <= row <= r2 and c1 <= column <= c2 and (r1, c1) != (r2, c2):
            return r1, c1, f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}"
    return None


def annotate(data: bytes, problems: Sequence[Problem], cover: Cover, limits: Limits | None = None) -> bytes:
    """The workbook ``data`` with ``problems`` marked and the 確認事項 sheet first.

    Raises :class:`~saisei.workbook.WorkbookError` for a file saisei cannot open safely.
    """
    return annotate_listed(data, problems, cover, limits)[0]


def annotate_listed(
    data: bytes, problems: Sequence[Problem], cover: Cover, limits: Limits | None = None
) -> tuple[bytes, list[Placed]]:
    """:func:`annotate`, and each problem as the list places it (cell, merged range, hidden)."""
    from ..core.cells import parse_ref

    limits = limits or Limits()
    classify(data)
    xml = inspect_zip(data, limits)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        package = _Package(archive.infolist(), archive, xml)
        book = parse_xml(xml[_BOOK])
        book_rels = _Rels.of(xml.get(_BOOK_RELS))
        main = etree.QName(book).namespace
        parts = dict(sheet_parts(xml[_BOOK], xml.get(_BOOK_RELS, b""), limits))
        _drop_old_listing(package, data, book, book_rels, parts)
        states = {s.get("name"): s.get("state", "visible") for s in book.find(f"{{{main}}}sheets")}

        # where each problem goes
        placed: list[Placed] = []
        marks: dict[str, dict[tuple[int, int], list[Problem]]] = {}
        merges: dict[str, list[tuple[int, int, int, int]]] = {}
        for problem in problems:
            part = parts.get(problem.sheet or "")
            sheet_xml = xml.get(part or "")
            cell = None
            if problem.cell:
                try:
                    cell = parse_ref(problem.cell)
                except ValueError:
                    cell = None
            if (
                problem.sheet is None
                or part is None
                or sheet_xml is None
                or cell is None
                or b"sheetData" not in sheet_xml
            ):
                placed.append(Placed(problem, problem.sheet if part else None, None))
                continue
            assert problem.sheet is not None
            if part not in merges:
                merges[part] = merged_ranges(sheet_xml)
            row, column = cell
            merged = _merged_top_left(merges[part], row, column)
            if merged is not None:
                row, column, merged_text = merged
            hidden = states.get(problem.sheet, "visible") != "visible"
            placed.append(
                Placed(problem, problem.sheet, cell_ref(row, column), hidden, merged_text if merged else None)
            )
            marks.setdefault(part, {}).setdefault((row, column), []).append(problem)

        styles_rel = book_rels.find(_STYLES_TYPE)
        styles_part = _target(_BOOK, styles_rel.get("Target")) if styles_rel is not None else None
        styles = StyleBook(xml.get(styles_part) if styles_part else None)
        content_types = parse_xml(xml[_CONTENT_TYPES])
        overrides: dict[str, str] = {}
        vml_parts = [package.read(n) or b"" for n in sorted(package.names()) if n.lower().endswith(".vml")]
        block, shape = next_vml_ids(vml_parts)

        for part in sorted(marks):
            cells = marks[part]
            sheet_xml = xml[part]
            found: Located = locate(sheet_xml, {r for r, _ in cells})
            new_styles = {
                (r, c): styles.flagged(found.style_of(r, c), any(p.is_error for p in ps))
                for (r, c), ps in cells.items()
            }
            notes = [(cell_ref(r, c), note_text([_note_line(p) for p in ps])) for (r, c), ps in sorted(cells.items())]
            rels_part = _rels_of(part)
            rels = _Rels.of(package.read(rels_part))
            comments_rel = rels.find(_COMMENTS_TYPE)
            if comments_rel is not None:
                comments_part = _target(part, comments_rel.get("Target"))
            else:
                comments_part = package.free("xl/comments{}.xml")
                rels.add(_COMMENTS_TYPE, _relative(part, comments_part))
                overrides[comments_part] = _CT_COMMENTS
            package.out[comments_part], fresh = comments_xml(package.read(comments_part), notes)
            legacy = rels.by_id(found.legacy_rid) if found.legacy_rid else None
            add_legacy = None
            if legacy is not None:
                vml_part = _target(part, legacy.get("Target"))
                existing = package.read(vml_part)
            else:
                vml_part = package.free("xl/drawings/vmlDrawing{}.vml")
                existing = None
                add_legacy = rels.add(_VML_TYPE, _relative(part, vml_part))
            shapes = [(ref, text) for ref, text in notes if ref in fresh]
            package.out[vml_part] = vml_xml(existing, shapes, block, shape)
            block += 1
            shape = max(shape + len(shapes), block * 1024 + 1)
            package.out[part] = rewrite(sheet_xml, found, new_styles, legacy_rid=add_legacy)
            package.out[rels_part] = to_bytes(rels.root)

        # no other sheet stays a selected tab
        for part in sorted({p for p in parts.values() if p is not None} - set(marks)):
            body = package.read(part)
            if body is not None and b"tabSelected" in body:
                changed = without_tab_selected(body)
                if changed != body:
                    package.out[part] = changed

        # the 確認事項 sheet, first
        name = SHEET_NAME
        number = 2
        while name in states:
            name = f"{SHEET_NAME}{number}"
            number += 1
        listing_part = package.free("xl/worksheets/sheet{}.xml")
        package.out[listing_part] = listing_xml(cover, placed, styles)
        overrides[listing_part] = _CT_WORKSHEET
        rid = book_rels.add(_WORKSHEET_TYPE, _relative(_BOOK, listing_part))
        _insert_first_sheet(book, name, rid)

        if styles_part is None:
            # where Excel keeps it (openpyxl reads no other name)
            styles_part = "xl/styles.xml" if "xl/styles.xml" not in package.names() else package.free("xl/styles{}.xml")
            book_rels.add(_STYLES_TYPE, _relative(_BOOK, styles_part))
            overrides[styles_part] = _CT_STYLES
        package.out[styles_part] = styles.to_bytes()

        calc = book_rels.find(_CALC_CHAIN_TYPE)
        if calc is not None:
            calc_part = _target(_BOOK, calc.get("Target"))
            book_rels.remove(calc)
            package.dropped.add(calc_part)
        package.out[_BOOK] = to_bytes(book)
        package.out[_BOOK_RELS] = to_bytes(book_rels.root)
        package.out[_CONTENT_TYPES] = _content_types(content_types, overrides, package.dropped)
        return package.pack(), placed


def _note_line(problem: Problem) -> str:
    return f"【{'エラー' if problem.is_error else '警告'}】{problem.detail}"


def _insert_first_sheet(book: Any, name: str, rid: str) -> None:
    """Add the sheet first in ``<sheets>``, shift sheet-local names and open on it."""
    main = etree.QName(book).namespace
    sheets = book.find(f"{{{main}}}sheets")
    used = [int(s.get("sheetId")) for s in sheets if (s.get("sheetId") or "").isdigit()]
    element = etree.Element(f"{{{main}}}sheet")
    element.set("name", name)
    element.set("sheetId", str(max(used, default=0) + 1))
    element.set(f"{{{_DOC_RELS}}}id", rid)
    sheets.insert(0, element)
    names = book.find(f"{{{main}}}definedNames")
    if names is not None:
        for defined in names:
            local = defined.get("localSheetId")
            if local is not None and local.isdigit():
                defined.set("localSheetId", str(int(local) + 1))
    views = book.find(f"{{{main}}}bookViews")
    if views is None:
        views = etree.Element(f"{{{main}}}bookViews")
        book.insert(list(book).index(sheets), views)
    view = views.find(f"{{{main}}}workbookView")
    if view is None:
        view = etree.SubElement(views, f"{{{main}}}workbookView")
    view.set("activeTab", "0")
    if "firstSheet" in view.attrib:
        view.set("firstSheet", "0")
    if view.get("visibility") in ("hidden", "veryHidden"):
        view.set("visibility", "visible")


def _content_types(root: Any, overrides: dict[str, str], dropped: set[str]) -> bytes:
    ns = etree.QName(root).namespace or _CT
    for element in list(root):
        if etree.QName(element).localname == "Override" and (element.get("PartName") or "").lstrip("/") in dropped:
            root.remove(element)
    defaults = {(e.get("Extension") or "").lower() for e in root if etree.QName(e).localname == "Default"}
    for part, kind in sorted(overrides.items()):
        if part.lower().endswith(".vml"):
            continue
        element = etree.SubElement(root, f"{{{ns}}}Override")
        element.set("PartName", "/" + part)
        element.set("ContentType", kind)
    if "vml" not in defaults:
        element = etree.Element(f"{{{ns}}}Default")
        element.set("Extension", "vml")
        element.set("ContentType", _CT_VML)
        root.insert(0, element)
    return to_bytes(root)


def _drop_old_listing(package: _Package, data: bytes, book: Any, rels: _Rels, parts: dict[str, str | None]) -> None:
    """Take out a 確認事項 sheet saisei wrote before (a copy sent back not yet right): the
    new list replaces it."""
    import python_calamine

    candidates = [n for n in parts if SHEET_NAME in n]
    if not candidates:
        return
    reader = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    main = etree.QName(book).namespace
    sheets = book.find(f"{{{main}}}sheets")
    for name in candidates:
        try:
            rows = reader.get_sheet_by_name(name).to_python(nrows=1)
        except Exception:
            continue
        a1 = rows[0][0] if rows and rows[0] else None
        if not is_annotation_sheet(name, a1):
            continue
        element = next(s for s in sheets if s.get("name") == name)
        index = list(sheets).index(element)
        rid = element.get(f"{{{_DOC_RELS}}}id")
        sheets.remove(element)
        rel = rels.by_id(rid) if rid else None
        if rel is not None:
            rels.remove(rel)
        part = parts.pop(name)
        if part is not None:
            package.dropped.update({part, _rels_of(part)})
        names = book.find(f"{{{main}}}definedNames")
        if names is not None:
            for defined in list(names):
                local = defined.get("localSheetId")
                if local is not None and local.isdigit():
                    if int(local) == index:
                        names.remove(defined)
                    elif int(local) > index:
                        defined.set("localSheetId", str(int(local) - 1))
