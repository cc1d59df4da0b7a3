"""One safe way to open a workbook, shared by every reader.

:func:`open_workbook` reads a file's bytes once and, before any parser sees them:

* tells what the file is (xlsx, an encrypted or legacy ``.xls`` OLE file, ``.xlsm`` with
  macros, ``.xlsb``, ``.ods``, a CSV or PDF renamed ``.xlsx``) and refuses what is not a
  plain xlsx;
* refuses a zip whose directory or parts would pass :class:`Limits` — first by the sizes
  the zip declares, then by inflating every part itself, to the end of its deflate
  stream, with a cap: a part that inflates past what it declares (even one whose CRC was
  forged to match the declared prefix) is refused, so a decompression bomb costs
  milliseconds and bounded memory;
* refuses duplicate part names, encrypted or unusually compressed parts, XML that is not
  UTF-8, and XML with a DOCTYPE (entity expansion, external entities) in any part;
* maps sheet names to worksheet parts exactly as calamine does, so the checks below look
  at the XML calamine will read.

Before calamine parses a sheet, :func:`scan_sheet` reads that sheet's XML once and

* bounds the area calamine's dense grid will span (cells at A1 and XFD1048576 would ask
  for 17 billion cells) and refuses a sheet past ``Limits.max_cells``;
* finds formula cells without a cached value and Excel error cells: calamine shows both
  as blank, and neither may pass as "not reported" or as zero;
* refuses the few constructs calamine misreads (an entity or comment inside a numeric
  value, which calamine cuts short: ``1&#50;`` would read as 1).

Plain sheets (what Excel, LibreOffice, openpyxl and most exporters write: unprefixed
elements, every cell with an ``r`` reference) are scanned with a few passes of a regex
engine (Python's on a small sheet, Rust's through polars on a big one) and Python only
for formula cells without a value after them; anything else (namespace prefixes, cells without ``r``, comments, single quotes,
line breaks in tags ...) goes through an exact streaming parse (expat) that follows
calamine's own rules for positions — about ten times slower, still bounded.

Cell values then come from calamine (python-calamine), many times faster than openpyxl.
A sheet is parsed once, on first use, and shared by every plugin asked about the file.
Values keep their types: ``str``, ``float`` (Excel stores every number as one),
``datetime``/``date``, ``bool``, ``None`` for a blank cell, and the two sentinels
:class:`~saisei.core.values.NoCachedValue` and :class:`~saisei.core.values.CellError`.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from xml.parsers import expat

from .core.cells import cell_ref, column_number, parse_ref, range_ref
from .core.values import CellError, NoCachedValue, normalize_text

__all__ = ["Limits", "Sheet", "SheetScan", "Workbook", "WorkbookError", "open_workbook", "scan_sheet"]

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How big a workbook may be.  Lower them in tests to trip them cheaply.

    The defaults leave room for a ledger of a few million cells and keep one workbook's
    reading well under 1 GiB of memory.
    """

    max_file_bytes: int = 100 * MiB
    max_part_bytes: int = 128 * MiB  # one part, inflated
    max_total_bytes: int = 256 * MiB  # all parts, inflated
    max_parts: int = 10_000
    max_sheets: int = 1_000
    max_cells: int = 5_000_000  # rows x columns of one sheet's used area, from A1 (~250 MB in calamine and Python)
    max_merged: int = 100_000  # merged ranges in all sheets


class WorkbookError(Exception):
    """A file (or one of its sheets) that cannot be read; ``code`` is an issue code.

    ``sheet`` and ``cell`` say where, when the trouble is at one place in the workbook.
    """

    def __init__(self, code: str, message: str, *, sheet: str | None = None, cell: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.sheet = sheet
        self.cell = cell


def _too_large(message: str) -> WorkbookError:
    return WorkbookError("workbook-too-large", message)


def _broken(message: str) -> WorkbookError:
    return WorkbookError("unreadable-workbook", message)


# -- what the file is ---------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RESAVE = "Excelで開き「ファイルの種類: Excelブック（*.xlsx）」で保存し直して送ってください"
_RESEND = "元のブックをExcelで開いて保存し直し、送り直してください"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _classify(data: bytes) -> None:
    """Raise :class:`WorkbookError` unless ``data`` looks like a zip (an xlsx candidate)."""
    if data.startswith(_OLE_MAGIC):
        # An OLE compound file: its directory names its streams in UTF-16.
        if _utf16("EncryptionInfo") in data or _utf16("EncryptedPackage") in data:
            raise WorkbookError(
                "encrypted-workbook",
                "パスワードで保護された（暗号化された）ブックです。開けないため読んでいません"
                "（パスワードを解除し .xlsx で保存し直して送ってください）",
            )
        if _utf16("Workbook") in data or _utf16("Book") in data:
            raise WorkbookError("legacy-xls", f"古い形式（Excel 97-2003 の .xls）のブックです（{_RESAVE}）")
        raise _broken(f"Excelのブックではない古いOffice形式のファイルです（Wordの .doc など。{_RESAVE}）")
    if data.startswith(b"PK"):
        return
    raise _broken(f"{_describe(data)}です（拡張子が .xlsx でも中身が違います。{_RESAVE}）")


def _describe(data: bytes) -> str:
    """What a file that is not a zip looks like, in a clerk's words."""
    if not data.strip():
        return "空のファイル"
    head = data[:4096]
    if head.startswith(b"%PDF"):
        return "PDFファイル"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] == b"<":
        lowered = text[:512].lower()
        if b"<html" in lowered or b"<!doctype html" in lowered:
            return "HTMLファイル（Webページ形式で保存されたもの）"
        return "XMLファイル（XMLスプレッドシート形式など）"
    if b"\x00" not in head:
        for encoding in ("utf-8", "cp932"):
            try:
                head.decode(encoding)
            except UnicodeDecodeError:
                continue
            return "CSVなどのテキストファイル" if (b"," in head or b"\t" in head) else "テキストファイル"
    return "xlsx形式ではないファイル"


# -- the zip -------------------------------------------------------------------------------

_BOOK = "xl/workbook.xml"
_BOOK_RELS = "xl/_rels/workbook.xml.rels"
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_XML_DECL = re.compile(rb"""\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_MACRO_TYPES = (b"macroEnabled", b"vbaProject", b"ms-excel.macrosheet", b"ms-excel.intlmacrosheet")


def _check_directory(data: bytes, limits: Limits) -> None:
    """Refuse a central directory too big for ``limits`` before zipfile builds it.

    zipfile reads the whole directory into objects of a few hundred bytes each, so a
    file of millions of tiny entries would cost gigabytes before any count is checked.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return  # zipfile refuses it
    entries, directory = struct.unpack_from("<HI", data, end + 10)
    locator = end - 20
    if (entries == 0xFFFF or directory == 0xFFFFFFFF) and locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        (offset,) = struct.unpack_from("<Q", data, locator + 8)
        if data[offset : offset + 4] == b"PK\x06\x06" and len(data) >= offset + 56:
            entries, directory = struct.unpack_from("<QQ", data, offset + 32)
    if entries > limits.max_parts or directory > limits.max_parts * 256:
        raise _too_large(
            f"ブックの部品が多すぎます（目録 {entries:,}個・{directory:,}バイト、上限 {limits.max_parts:,}個）"
        )


def _open_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    _check_directory(data, limits)
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # zipfile raises many kinds for a broken directory
        raise _broken(
            f"壊れたファイルです（zipとして開けません: {exc}）。途中までしか保存・送信されていない可能性があります。"
            "元のブックを送り直してください"
        ) from None


#: How far past its declared size a part may inflate before it is called a bomb rather than
#: a corrupt file (what is inflated past the declared size is never kept).
_OVERRUN = 16 * MiB


def _inflate(data: bytes, info: zipfile.ZipInfo, keep: bool) -> bytes:
    """A part's bytes, inflated by hand to the end of its stream and checked.

    zipfile stops at the declared size and checks the CRC of what it read, so a part
    whose CRC was forged for a short prefix would pass while calamine inflates the rest.
    Here the whole stream is inflated (in chunks, never past the declared size + 1) and
    must end exactly at the declared size with the declared CRC.
    """
    name = info.filename
    if info.flag_bits & 0x1:
        raise _broken(f"部品 {name} が暗号化されています（zipのパスワード付きファイルは読めません）。{_RESEND}")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _broken(f"部品 {name} の圧縮方式（{info.compress_type}）には対応していません。{_RESAVE}")
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _broken(f"壊れたファイルです（部品 {name} の見出しがありません）。{_RESEND}")
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    start = offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) < info.compress_size:
        raise _broken(f"壊れたファイルです（部品 {name} が途中で切れています）。{_RESEND}")
    declared = info.file_size
    chunks: list[bytes] = []
    crc = 0
    got = 0
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != declared:
            raise _broken(f"壊れたファイルです（部品 {name} の大きさが目録と合いません）。{_RESEND}")
        crc = zlib.crc32(raw)
        got = declared
        if keep:
            chunks.append(bytes(raw))
    else:
        inflater = zlib.decompressobj(-15)
        step = 1 * MiB
        position = 0
        try:
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    out = inflater.decompress(inflater.unconsumed_tail, step)
                elif position < len(raw):
                    out = inflater.decompress(raw[position : position + step], step)
                    position += step
                else:
                    out = inflater.flush()  # the end of the last block: a few bytes at most
                    if not out:
                        break
                got += len(out)
                if got > declared + _OVERRUN:
                    raise _too_large(
                        f"部品 {name} が目録の大きさ（{declared:,}バイト）を大きく超えて展開されます"
                        "（圧縮爆弾の疑い。展開を中止しました）"
                    )
                if got > declared:
                    continue  # corrupt, or a bomb: inflate a little further to tell, keeping nothing
                crc = zlib.crc32(out, crc)
                if keep:
                    chunks.append(out)
        except zlib.error as exc:
            raise _broken(f"壊れたファイルです（部品 {name} を展開できません: {exc}）。{_RESEND}") from None
        if not inflater.eof:
            raise _broken(f"壊れたファイルです（部品 {name} が途中で切れています）。{_RESEND}")
    if got != declared or crc != info.CRC:
        raise _broken(f"壊れたファイルです（部品 {name} の中身が目録と合いません）。{_RESEND}")
    return b"".join(chunks)


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels"))


def _check_xml(name: str, body: bytes) -> None:
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:256]:
        raise WorkbookError(
            "unsafe-workbook", f"部品 {name} の文字コードが UTF-8 ではありません（Excelの形式と違います。{_RESAVE}）"
        )
    declared = _XML_DECL.match(body.removeprefix(b"\xef\xbb\xbf")[:512])
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise WorkbookError(
            "unsafe-workbook",
            f"部品 {name} の文字コード（{declared.group(1).decode('ascii', 'replace')}）には対応していません（{_RESAVE}）",
        )
    if b"!" in body and _DOCTYPE.search(body):  # a one-byte search first (memchr): "!" is rare in XML
        raise WorkbookError(
            "unsafe-workbook",
            f"部品 {name} にXMLの実体宣言（DOCTYPE）があります。安全のため読みません（{_RESAVE}）",
        )


def _inspect_zip(data: bytes, limits: Limits) -> dict[str, bytes]:
    """Check every part's size and content; return the XML parts by name."""
    with _open_zip(data, limits) as archive:
        infos = archive.infolist()
        if len(infos) > limits.max_parts:
            raise _too_large(f"ブックの部品が多すぎます（{len(infos):,}個、上限 {limits.max_parts:,}個）")
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise _broken(
                f"同じ名前の部品が複数あります（{'、'.join(twice[:5])}）。どれを読むべきか決められません。{_RESEND}"
            )
        present = set(names)
        if "[Content_Types].xml" not in present or _BOOK not in present:
            if "xl/workbook.bin" in present:
                raise WorkbookError("unsupported-format", f"バイナリ形式（.xlsb）のブックです（{_RESAVE}）")
            if "content.xml" in present and "mimetype" in present:
                raise WorkbookError("unsupported-format", f"OpenDocument（.ods）のファイルです（{_RESAVE}）")
            if "word/document.xml" in present or "ppt/presentation.xml" in present:
                raise _broken(f"WordまたはPowerPointのファイルです（{_RESAVE}）")
            raise _broken(f"xlsxのブックではありません（Excelのブックに必要な部品がありません。{_RESAVE}）")
        if any(n.lower().endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in names):
            raise _macro_workbook()
        declared = 0
        for info in infos:
            if info.file_size > limits.max_part_bytes:
                raise _too_large(
                    f"部品 {info.filename} の展開後の大きさ {info.file_size / MiB:,.0f} MiB が上限 "
                    f"{limits.max_part_bytes / MiB:,.0f} MiB を超えます（圧縮爆弾の疑い。展開していません）"
                )
            declared += info.file_size
        if declared > limits.max_total_bytes:
            raise _too_large(
                f"ブック全体の展開後の大きさ {declared / MiB:,.0f} MiB が上限 "
                f"{limits.max_total_bytes / MiB:,.0f} MiB を超えます（圧縮爆弾の疑い。展開していません）"
            )
        parts: dict[str, bytes] = {}
        for info in infos:
            if info.is_dir():
                continue
            keep = _is_xml(info.filename)
            body = _inflate(data, info, keep)
            if keep:
                _check_xml(info.filename, body)
                parts[info.filename] = body
        content_types = parts.get("[Content_Types].xml", b"")
        if any(t in content_types for t in _MACRO_TYPES):
            raise _macro_workbook()
        return parts


def _macro_workbook() -> WorkbookError:
    return WorkbookError(
        "macro-workbook",
        "マクロ付きブック（.xlsm など）です。マクロは実行せず、読んでもいません"
        "（Excelで「Excelブック（*.xlsx）」として保存し直し、マクロなしで送ってください）",
    )


# -- the sheet XML ---------------------------------------------------------------------------

#: The error values calamine knows; any other (#SPILL!, #CALC! ...) makes it refuse the sheet.
_CALAMINE_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})
_SHARED = "（共有数式）"


@dataclass(frozen=True)
class SheetScan:
    """What a worksheet's XML says, read before calamine parses it.

    :ivar rows: the last row any cell sits in: calamine's grid is at most this tall
    :ivar columns: the last column any cell sits in (on the plain path, when the sheet is
        far below the limit, a bound from the width of the column letters: 26, 702 …)
    :ivar special: formula cells without a cached value and error cells, by A1 reference
    :ivar exact: whether the sheet needed the exact, streaming parse
    """

    rows: int
    columns: int
    special: dict[str, CellError | NoCachedValue]
    exact: bool = False


def scan_sheet(xml: bytes, *, name: str = "", max_cells: int = Limits.max_cells) -> SheetScan:
    """Scan one worksheet part.  Raises :class:`WorkbookError` for a sheet to refuse.

    :param xml: the worksheet part, as checked by the opener (UTF-8, no DOCTYPE)
    :param name: the sheet's name, for messages
    :param max_cells: refuse when rows x columns of the used area pass this
    """
    scan = _scan_plain(xml, max_cells)
    if scan is None:
        scan = _scan_exact(xml, name, max_cells)
    if scan.rows * scan.columns > max_cells:
        raise WorkbookError(
            "workbook-too-large",
            f"使用範囲が大きすぎます（{cell_ref(scan.rows, scan.columns)} まで、約{scan.rows:,}行×{scan.columns:,}列、"
            f"上限 {max_cells:,}セル）。離れたセルに値や書式が残っていないか確認してください",
            sheet=name,
        )
    for ref, marker in scan.special.items():
        if isinstance(marker, CellError) and marker.code not in _CALAMINE_ERRORS:
            raise WorkbookError(
                "error-value",
                f'エラー値 "{marker.code}" のセルがあります（数式を直すか値に置き換えて保存し直してください）',
                sheet=name,
                cell=ref,
            )
    return scan


def _judge(t: str | None, has_formula: bool, last: str | None, value: str | None, formula: str) -> Any:
    """calamine's reading of one cell, told apart from what it hides.

    ``last`` is the cell's last child element (``v``, ``f`` or ``is``): calamine takes the
    value from it, so ``<v>3</v><f>…</f>`` is blank to calamine.  ``value`` is the text of
    that ``<v>`` (``""`` for ``<v/>``).
    """
    if last == "v" and t not in ("inlineStr", "is"):
        cached: str | None = value
    elif last == "is":
        cached = "is"
    else:
        cached = None
    if t == "e":
        if cached:
            return CellError(cached)
        return NoCachedValue(formula) if has_formula else CellError("#N/A")
    if not has_formula or last == "is":
        return None
    if cached is None:
        return NoCachedValue(formula)
    if t == "str":
        return None  # a cached string; "" is a formula that shows a blank
    return NoCachedValue(formula) if not cached.strip() else None


# The plain path: byte searches over the <sheetData> span.

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


#: What :func:`_scan_plain` looks for: a formula tag, an inline string, an error cell.
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


def _scan_plain(xml: bytes, max_cells: int) -> SheetScan | None:
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
    formula = _SHARED
    for c in children:
        if c.group(1) == b"f" and not c.group(3):
            close = xml.find(b"</f>", c.end(), end)
            text = xml[c.end() : close].decode("utf-8", "replace") if close >= 0 else ""
            if text:
                formula = _unescape(text)
                break
    return _judge(t, has_formula, last.group(1).decode() if last else None, value, formula)


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


# The exact path: a streaming parse that places cells as calamine does.


class _Refuse(Exception):
    """Carries a :class:`WorkbookError` out of expat's callbacks."""

    def __init__(self, error: WorkbookError) -> None:
        super().__init__(error.message)
        self.error = error


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

    def refuse(self, message: str, cell: str | None = None) -> _Refuse:
        return _Refuse(WorkbookError("unreadable-workbook", message, sheet=self.name, cell=cell))

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
                            f"（{_RESAVE}）",
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
                raise _Refuse(
                    WorkbookError(
                        "workbook-too-large",
                        f"使用範囲が大きすぎます（{cell_ref(self.max_row, self.max_column)} まで、上限 "
                        f"{self.max_cells:,}セル）。離れたセルに値や書式が残っていないか確認してください",
                        sheet=self.name,
                    )
                )
        last = self.children[-1] if self.children else None
        marker = _judge(t, "f" in self.children, last, "".join(self.value), "".join(self.formula) or _SHARED)
        if marker is not None:
            self.special[cell_ref(row + 1, column + 1)] = marker


def _scan_exact(xml: bytes, name: str, max_cells: int) -> SheetScan:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    scan = _ExactScan(xml, parser, name, max_cells)

    def no_doctype(*_: object) -> None:
        raise _Refuse(WorkbookError("unsafe-workbook", "XMLの実体宣言（DOCTYPE）があります", sheet=name))

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.text
    try:
        parser.Parse(xml, True)
    except _Refuse as exc:
        raise exc.error from None
    except expat.ExpatError as exc:
        raise WorkbookError(
            "unreadable-workbook", f"シートのXMLが壊れています（{exc}）。{_RESAVE}", sheet=name
        ) from None
    return SheetScan(scan.max_row, scan.max_column, scan.special, exact=True)


@dataclass
class Sheet:
    """One worksheet's values, 1-based, with its merged ranges.

    ``rows`` is the grid from A1: ``rows[0][0]`` is A1.  Blank cells are ``None``.
    """

    name: str
    hidden: bool
    rows: list[list[Any]]
    merged: tuple[str, ...] = ()
    special: dict[str, CellError | NoCachedValue] = field(default_factory=dict)

    @property
    def max_row(self) -> int:
        return len(self.rows)

    @property
    def max_column(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def at(self, row: int, column: int) -> Any:
        """The value at 1-based (row, column); ``None`` when blank or outside the sheet."""
        if row < 1 or column < 1 or row > len(self.rows):
            return None
        line = self.rows[row - 1]
        if column > len(line):
            return None
        return line[column - 1]

    def value(self, ref: str) -> Any:
        """The value at an A1 reference (``"D5"``); ``None`` when blank."""
        return self.at(*parse_ref(ref))

    def text(self, ref: str) -> str:
        """The cell as normalized text (NFKC, folded spaces); ``""`` when blank."""
        v = self.value(ref)
        if v is None or isinstance(v, CellError | NoCachedValue):
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return normalize_text(str(v))

    def column(self, column: int, first_row: int, last_row: int | None = None) -> list[Any]:
        """The values of one column from ``first_row`` to ``last_row`` (default: the last row)."""
        last = self.max_row if last_row is None else last_row
        return [self.at(r, column) for r in range(first_row, last + 1)]

    def merged_range(self, ref: str) -> str | None:
        """The merged range whose top-left cell is ``ref``, if any."""
        for r in self.merged:
            if r.split(":")[0] == ref:
                return r
        return None

    def hidden_by_merge(self, ref: str) -> str | None:
        """The merged range that covers ``ref`` without starting at it, if any.

        Excel keeps only a merged range's top-left value: a value cell inside a merge
        further down or right is lost, so a reader should say so at that cell.
        """
        row, column = parse_ref(ref)
        for merged in self.merged:
            first, _, last = merged.partition(":")
            if not last or first == ref:
                continue
            (r1, c1), (r2, c2) = parse_ref(first), parse_ref(last)
            if r1 <= row <= r2 and c1 <= column <= c2:
                return merged
        return None


# -- workbook.xml: sheet names to parts, as calamine maps them --------------------------------


def _parse_part(name: str, body: bytes, on_start: Any) -> None:
    """Stream one small XML part through expat (no DTD, no entities)."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.ordered_attributes = True

    def no_doctype(*_: object) -> None:
        raise _Refuse(WorkbookError("unsafe-workbook", f"部品 {name} にXMLの実体宣言（DOCTYPE）があります"))

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    parser.StartElementHandler = on_start
    try:
        parser.Parse(body, True)
    except _Refuse as exc:
        raise exc.error from None
    except expat.ExpatError as exc:
        raise _broken(f"部品 {name} のXMLが壊れています（{exc}）。{_RESAVE}") from None


def _sheet_parts(book: bytes, rels: bytes, limits: Limits) -> list[tuple[str, str | None]]:
    """Every sheet, in workbook order, with the part calamine reads for it.

    calamine looks a sheet's ``r:id`` up in ``workbook.xml.rels`` by its raw bytes and
    prefixes the target with ``xl/`` unless it starts with ``xl/`` or ``/xl/``; it does
    not resolve ``..``.  The same is done here, so the XML checked is the XML calamine
    reads.  Character references in the rels would make the two lookups differ: refused.
    """
    if b"&" in rels:
        raise _broken(
            f"ブックの構成（{_BOOK_RELS}）に文字参照があり、どのシートがどの部品か確かめられません。{_RESEND}"
        )
    targets: dict[str, str] = {}

    def on_rel(tag: str, attrs: list[str]) -> None:
        if tag.rpartition(":")[2] != "Relationship":
            return
        pairs = dict(zip(attrs[::2], attrs[1::2], strict=True))
        if "Id" in pairs and "Target" in pairs:
            targets[pairs["Id"]] = pairs["Target"]

    _parse_part(_BOOK_RELS, rels, on_rel)
    sheets: list[tuple[str, str | None]] = []

    def on_book(tag: str, attrs: list[str]) -> None:
        if tag.rpartition(":")[2] != "sheet":
            return
        if len(sheets) >= limits.max_sheets:
            raise _Refuse(_too_large(f"シートが多すぎます（上限 {limits.max_sheets:,}枚）"))
        name, rid = "", None
        for key, value in zip(attrs[::2], attrs[1::2], strict=True):
            if key == "name":
                name = value
            elif key in ("r:id", "relationships:id"):
                rid = value
        target = targets.get(rid) if rid is not None else None
        if target is None:
            sheets.append((name, None))
        elif target.startswith("/xl/"):
            sheets.append((name, target[1:]))
        elif target.startswith("xl/"):
            sheets.append((name, target))
        else:
            sheets.append((name, "xl/" + target))

    _parse_part(_BOOK, book, on_book)
    return sheets


# -- the workbook ---------------------------------------------------------------------------


class Workbook:
    """A workbook opened once; sheets are parsed on first use and kept.

    :ivar path: where the file is
    :ivar name: the file's name, as messages show it
    :ivar sha256: the file's content hash
    :ivar sheet_names: every sheet, in workbook order (hidden ones too)
    """

    def __init__(self, path: Path, data: bytes, xml_parts: dict[str, bytes], limits: Limits) -> None:
        import python_calamine

        self.path = path
        self.name = path.name
        self.sha256 = hashlib.sha256(data).hexdigest()
        self._limits = limits
        sheets = _sheet_parts(xml_parts.get(_BOOK, b""), xml_parts.get(_BOOK_RELS, b""), limits)
        names = [n for n, _ in sheets]
        if len(set(names)) != len(names):
            raise _broken(f"同じ名前のシートが複数あります（Excelでは作れない構成です）。{_RESEND}")
        self._parts = {n: p for n, p in sheets if p is not None}
        self._xml = {p: xml_parts[p] for p in self._parts.values() if p in xml_parts}
        merged = sum(xml.count(b"mergeCell") for xml in self._xml.values()) - 2 * len(self._xml)
        if merged > limits.max_merged:
            raise _too_large(f"結合セルが多すぎます（約{merged:,}個、上限 {limits.max_merged:,}個）")
        try:
            self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            meta = self._book.sheets_metadata
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # calamine raises several types, and panics are BaseException
            raise _broken(f"ブックを読めません（{type(exc).__name__}: {exc}）。{_RESEND}") from None
        self.sheet_names: tuple[str, ...] = tuple(m.name for m in meta)
        if list(self.sheet_names) != names:
            raise _broken(
                f"シートの構成を確かめられません（workbook.xml の読み方が読み取り部品と一致しません）。{_RESEND}"
            )
        self._hidden = {m.name: str(m.visible).split(".")[-1] != "Visible" for m in meta}
        self._sheets: dict[str, Sheet] = {}
        self._refused: dict[str, WorkbookError] = {}

    def __repr__(self) -> str:
        return f"<Workbook {self.name} sheets={list(self.sheet_names)}>"

    def has_sheet(self, name: str) -> bool:
        return name in self._hidden

    def is_hidden(self, name: str) -> bool:
        return self._hidden[name]

    @property
    def visible_sheet_names(self) -> tuple[str, ...]:
        return tuple(n for n in self.sheet_names if not self._hidden[n])

    def find_sheet(self, wanted: str) -> str | None:
        """The sheet whose name equals ``wanted`` after NFKC (``Ｒ７`` finds ``R7``)."""
        key = normalize_text(wanted)
        return next((n for n in self.sheet_names if normalize_text(n) == key), None)

    def sheet(self, name: str) -> Sheet:
        """The sheet ``name``, parsed on first use.

        Raises ``KeyError`` if there is none, and :class:`WorkbookError` (with the sheet,
        and the cell where there is one) for a sheet to refuse.
        """
        if name in self._sheets:
            return self._sheets[name]
        if name not in self._hidden:
            raise KeyError(name)
        if name in self._refused:  # every plugin that asks gets the same answer, without a rescan
            e = self._refused[name]
            raise WorkbookError(e.code, e.message, sheet=e.sheet, cell=e.cell)
        try:
            sheet = self._parse(name)
        except WorkbookError as exc:
            self._refused[name] = exc
            raise
        self._sheets[name] = sheet
        return sheet

    def _parse(self, name: str) -> Sheet:
        part = self._parts.get(name)
        xml = self._xml.get(part) if part else None
        if xml is None:
            raise WorkbookError(
                "unreadable-workbook", f"シートの部品（{part or '参照なし'}）が見つかりません。{_RESAVE}", sheet=name
            )
        scan = scan_sheet(xml, name=name, max_cells=self._limits.max_cells)
        try:
            raw = self._book.get_sheet_by_name(name)
            grid = raw.to_python(skip_empty_area=False)
            merged = tuple(range_ref(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in (raw.merged_cell_ranges or ()))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            raise WorkbookError(
                "unreadable-workbook", f"シートを読めません（{type(exc).__name__}: {exc}）。{_RESEND}", sheet=name
            ) from None
        del raw
        rows: list[list[Any]] = _blanks_to_none(grid)
        for ref, marker in scan.special.items():
            r, c = parse_ref(ref)
            while len(rows) < r:
                rows.append([])
            line = rows[r - 1]
            if len(line) < c:
                line.extend([None] * (c - len(line)))
            line[c - 1] = marker
        return Sheet(name, self._hidden[name], rows, merged, scan.special)

    def close(self) -> None:
        self._book.close()
        self._xml = {}
        self._sheets.clear()


def _blanks_to_none(grid: list[list[Any]]) -> list[list[Any]]:
    """calamine's ``""`` for an empty cell made ``None``, in the rows calamine gave (ours).

    ``in``, ``index`` and ``count`` compare in C, so a row without a blank costs one scan
    and the rest stay linear: no second grid of Python lists is built.
    """
    for line in grid:
        if "" in line:
            i = line.index("")
            line[i] = None
            if "" in line:
                for _ in range(line.count("")):
                    i = line.index("", i + 1)
                    line[i] = None
    return grid


def open_workbook(path: str | Path, limits: Limits | None = None) -> Workbook:
    """Open ``path`` once, safely.  Raises :class:`WorkbookError` for a file to refuse."""
    import stat

    limits = limits or Limits()
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise _broken(
                "通常のファイルではありません（フォルダーや特殊なファイルは読めません。.xlsx のファイルを指定してください）"
            )
        if info.st_size > limits.max_file_bytes:
            raise _too_large(
                f"ファイルが大きすぎます（{info.st_size / MiB:,.0f} MiB、上限 {limits.max_file_bytes / MiB:,.0f} MiB）"
            )
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise _broken(
            f"ファイルを読めません（{exc.strerror or exc}。ほかのソフトで開いたままでないか、読み取り権限を確認してください）"
        ) from None
    if len(data) > limits.max_file_bytes:
        raise _too_large(f"ファイルが大きすぎます（上限 {limits.max_file_bytes / MiB:,.0f} MiB）")
    _classify(data)
    xml_parts = _inspect_zip(data, limits)
    return Workbook(path, data, xml_parts, limits)
