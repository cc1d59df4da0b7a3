"""A small, fast xlsx writer for the synthetic inputs.

openpyxl cannot store a formula's cached value, and writing 1,741 workbooks or a
100,000-row ledger with it takes minutes.  This writes the parts Excel itself writes
(shared strings, a date style, formulas *with* their cached value, merged ranges, hidden
sheets), so calamine, openpyxl and pandas all read the files as they read Excel's own.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["Formula", "Sheet", "col_letter", "write_workbook"]

_EPOCH = dt.date(1899, 12, 30)
_ZIP_TIME = (2024, 4, 1, 0, 0, 0)


@dataclass(frozen=True)
class Formula:
    """A formula cell and the value Excel cached for it (None: never calculated)."""

    text: str
    cached: float | int | None = None


@dataclass
class Sheet:
    """Rows from A1 (``None`` is a blank cell), merged ranges, and visibility."""

    name: str
    rows: Sequence[Sequence[Any]]
    merged: Sequence[str] = ()
    hidden: bool = False
    widths: dict[str, float] = field(default_factory=dict)


def col_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


_LETTERS = [col_letter(i) for i in range(1, 64)]


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def get(self, text: str) -> int:
        self.count += 1
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def xml(self) -> bytes:
        items = "".join(
            f'<si><t xml:space="preserve">{escape(t)}</t></si>' if t != t.strip() else f"<si><t>{escape(t)}</t></si>"
            for t in self.index
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{self.count}" uniqueCount="{len(self.index)}">{items}</sst>'
        ).encode()


def _cell(ref: str, value: Any, strings: _Strings) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, dt.datetime):
        days = (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
        return f'<c r="{ref}" s="2"><v>{days!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{(value - _EPOCH).days}</v></c>'
    if isinstance(value, Formula):
        cached = "" if value.cached is None else f"<v>{value.cached!r}</v>"
        return f'<c r="{ref}"><f>{escape(value.text)}</f>{cached}</c>'
    return f'<c r="{ref}" t="s"><v>{strings.get(str(value))}</v></c>'


def _sheet_xml(sheet: Sheet, strings: _Strings) -> bytes:
    out = io.StringIO()
    last_row = len(sheet.rows)
    last_col = max((len(r) for r in sheet.rows), default=1) or 1
    out.write(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<dimension ref="A1:{col_letter(last_col)}{max(last_row, 1)}"/>'
    )
    if sheet.widths:
        out.write("<cols>")
        for letter, width in sorted(sheet.widths.items()):
            n = _LETTERS.index(letter) + 1
            out.write(f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>')
        out.write("</cols>")
    out.write("<sheetData>")
    for r, row in enumerate(sheet.rows, start=1):
        cells = "".join(_cell(f"{_LETTERS[c]}{r}", v, strings) for c, v in enumerate(row) if v is not None)
        if cells:
            out.write(f'<row r="{r}">{cells}</row>')
    out.write("</sheetData>")
    if sheet.merged:
        out.write(f'<mergeCells count="{len(sheet.merged)}">')
        out.write("".join(f'<mergeCell ref="{m}"/>' for m in sheet.merged))
        out.write("</mergeCells>")
    out.write("</worksheet>")
    return out.getvalue().encode()


_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Yu Gothic"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    b'<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    b"</styleSheet>"
)


def write_workbook(path: Path, sheets: Iterable[Sheet]) -> int:
    """Write ``sheets`` to ``path`` (an xlsx); returns the file's size in bytes."""
    sheets = list(sheets)
    strings = _Strings()
    bodies = [_sheet_xml(s, strings) for s in sheets]
    n = len(sheets)
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        + '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    book = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(
            f'<sheet name="{escape(s.name, {chr(34): "&quot;"})}" sheetId="{i}"'
            + (' state="hidden"' if s.hidden else "")
            + f' r:id="rId{i}"/>'
            for i, s in enumerate(sheets, start=1)
        )
        + "</sheets></workbook>"
    )
    book_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    )
    parts: list[tuple[str, bytes]] = [
        ("[Content_Types].xml", content_types.encode()),
        ("_rels/.rels", root_rels.encode()),
        ("xl/workbook.xml", book.encode()),
        ("xl/_rels/workbook.xml.rels", book_rels.encode()),
        ("xl/styles.xml", _STYLES),
        ("xl/sharedStrings.xml", strings.xml()),
        *((f"xl/worksheets/sheet{i}.xml", body) for i, body in enumerate(bodies, start=1)),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())
