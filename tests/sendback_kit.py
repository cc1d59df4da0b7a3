"""Workbooks for the send-back tests, and the checks every annotated copy must pass."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from builders import STANDARD_HEADER

#: A 1x1 PNG (the image a clerk pasted: a logo, a map).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

#: The parts an annotation may change (besides the sheets with flagged cells and their
#: comments, drawings and relationships).
BOOK_PARTS = {"xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {i.filename: archive.read(i.filename) for i in archive.infolist()}


def with_image(data: bytes, sheet: str = "xl/worksheets/sheet1.xml") -> bytes:
    """``data`` with a picture on ``sheet`` (openpyxl needs Pillow for that; this needs nothing)."""
    src = parts(data)
    rels_name = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"
    rels = src.get(
        rels_name,
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>',
    )
    rels = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rIdPic" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing" '
        b'Target="../drawings/drawing1.xml"/></Relationships>',
    )
    xml = src[sheet]
    element = b'<drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rIdPic"/>'
    xml = (
        xml.replace(b"<legacyDrawing", element + b"<legacyDrawing")
        if b"<legacyDrawing" in xml
        else xml.replace(b"</worksheet>", element + b"</worksheet>")
    )
    drawing = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        b'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b"<xdr:oneCellAnchor><xdr:from><xdr:col>9</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        b'<xdr:ext cx="952500" cy="952500"/><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="Logo"/><xdr:cNvPicPr/></xdr:nvPicPr>'
        b'<xdr:blipFill><a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
        b'<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
        b"</xdr:pic><xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>"
    )
    drawing_rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        b'Target="../media/image1.png"/></Relationships>'
    )
    types = src["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Default Extension="png" ContentType="image/png"/>'
        b'<Override PartName="/xl/drawings/drawing1.xml" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/></Types>',
    )
    src.update(
        {
            sheet: xml,
            rels_name: rels,
            "xl/drawings/drawing1.xml": drawing,
            "xl/drawings/_rels/drawing1.xml.rels": drawing_rels,
            "xl/media/image1.png": PNG,
            "[Content_Types].xml": types,
        }
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in src.items():
            archive.writestr(name, body)
    return out.getvalue()


def rich_workbook() -> bytes:
    """A standard form with what clerks' workbooks have: a negative count (E2, an error), a
    formula with its cached result (E3), a merged cell (G4:H5), a comment of the clerk's
    own (A2), data validation (F), a hidden sheet and a picture."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.worksheet.datavalidation import DataValidation

    from saisei.testing import with_cached_results

    book = Workbook()
    ws = book.active
    ws.title = "KPI実績"
    ws.append(list(STANDARD_HEADER))
    ws.append(["060003", "山形県", 2024, 1, -3, "確定", "負の値"])
    ws.append(["060003", "山形県", 2024, 2, "=1+2", "確定", None])
    ws.append(["060003", "山形県", 2024, 3, 5, "確定", "結合したセル"])
    ws.merge_cells("G4:H5")
    ws["A2"].comment = Comment("担当: 山田（内線123）", "山田")
    validation = DataValidation(type="list", formula1='"確定,見込み"', allow_blank=True)
    ws.add_data_validation(validation)
    validation.add("F2:F100")
    hidden = book.create_sheet("記入方法")
    hidden["A1"] = "1行に1件。"
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return with_image(with_cached_results(buffer.getvalue(), {"E3": 3}))


def sheet_values(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet's values as python-calamine reads them (cached results of formulas)."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def sheet_part_names(data: bytes) -> dict[str, str]:
    from saisei.workbook import Limits
    from saisei.workbook._zipguard import BOOK, BOOK_RELS, sheet_parts

    src = parts(data)
    return {n: p for n, p in sheet_parts(src[BOOK], src[BOOK_RELS], Limits()) if p}


_STYLE = re.compile(rb'(<c r="([A-Z]+[0-9]+)"[^>]*?) s="[0-9]+"')


def check_annotated(original: bytes, annotated: bytes, flagged: Iterable[tuple[str, str]]) -> None:
    """What every annotated copy must be: the original's sheets with the same values
    (cached results too), every part outside the edited set byte-identical, the flagged
    cells filled and commented, 確認事項 first with its links, and it opens in openpyxl."""
    import openpyxl

    from saisei.core.annotation import SHEET_NAME
    from saisei.sendback.styles import ERROR_FILL, WARNING_FILL

    flagged = sorted(set(flagged))
    before, after = parts(original), parts(annotated)
    names = sheet_part_names(original)
    touched = {names[s] for s, _ in flagged}
    edited = set(BOOK_PARTS)
    for part in touched:
        folder, _, base = part.rpartition("/")
        rels = f"{folder}/_rels/{base}.rels"
        edited |= {part, rels}
        for target in re.findall(rb'Target="([^"]+)"', after.get(rels, b"")):
            if b"comments" in target or target.endswith(b".vml"):
                edited.add(_resolve(part, target.decode()))
    for name, body in before.items():
        if name in edited or name.endswith("calcChain.xml"):
            continue
        if name in names.values() and b"tabSelected" in body:
            assert re.sub(rb'\s+tabSelected="1"', b"", body) == after[name], name
            continue
        assert after.get(name) == body, f"{name} changed"
    assert not any(n.endswith("calcChain.xml") for n in after)
    values_before, values_after = sheet_values(original), sheet_values(annotated)
    assert next(iter(values_after)) == SHEET_NAME
    assert {n: v for n, v in values_after.items() if n != SHEET_NAME} == values_before
    book = openpyxl.load_workbook(io.BytesIO(annotated))
    assert book.sheetnames[0] == SHEET_NAME and book.active.title == SHEET_NAME
    listing = book[SHEET_NAME]
    links = {
        listing.cell(row, 4).hyperlink.location
        for row in range(9, listing.max_row + 1)
        if listing.cell(row, 4).hyperlink is not None
    }
    for sheet, ref in flagged:
        cell = book[sheet][ref]
        assert cell.fill.fgColor.rgb in (ERROR_FILL, WARNING_FILL), (sheet, ref)
        assert cell.comment is not None and "saisei 確認事項" in cell.comment.text, (sheet, ref)
        if book[sheet].sheet_state == "visible":
            letters, digits = re.fullmatch(r"([A-Z]+)([0-9]+)", ref).groups()  # type: ignore[union-attr]
            quoted = sheet.replace("'", "''")
            assert f"'{quoted}'!${letters}${digits}" in links, (sheet, ref, links)


def _resolve(part: str, target: str) -> str:
    import posixpath

    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def flag(problems: Sequence[Any]) -> list[tuple[str, str]]:
    return [(p.sheet, p.cell) for p in problems if p.sheet and p.cell]
