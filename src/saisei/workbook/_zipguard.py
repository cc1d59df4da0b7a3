"""The zip, checked before any parser sees it; and which part holds which sheet.

:func:`inspect_zip` refuses a zip whose directory or parts would pass :class:`Limits` —
first by the sizes the zip declares, then by inflating every part itself, to the end of
its deflate stream, with a cap: a part that inflates past what it declares (even one whose
CRC was forged to match the declared prefix) is refused, so a decompression bomb costs
milliseconds and bounded memory.  It refuses duplicate part names, encrypted or unusually
compressed parts, macros, ``.xlsb``/``.ods``/Word/PowerPoint files, XML that is not UTF-8,
and XML with a DOCTYPE (entity expansion, external entities) in any part.

:func:`sheet_parts` maps sheet names to worksheet parts exactly as calamine does, so the
checks look at the XML calamine will read.  It is the one reading of ``workbook.xml`` and
its relationships in saisei (the report uses it too).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from functools import lru_cache
from typing import Any
from xml.parsers import expat

from ._base import RESAVE, RESEND, Limits, MiB, Refuse, WorkbookError, broken, too_large

BOOK = "xl/workbook.xml"
BOOK_RELS = "xl/_rels/workbook.xml.rels"
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
        raise too_large(
            f"ブックの部品が多すぎます（目録 {entries:,}個・{directory:,}バイト、上限 {limits.max_parts:,}個）"
        )


def _open_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    _check_directory(data, limits)
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # zipfile raises many kinds for a broken directory
        raise broken(
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
        raise broken(f"部品 {name} が暗号化されています（zipのパスワード付きファイルは読めません）。{RESEND}")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise broken(f"部品 {name} の圧縮方式（{info.compress_type}）には対応していません。{RESAVE}")
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise broken(f"壊れたファイルです（部品 {name} の見出しがありません）。{RESEND}")
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    start = offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) < info.compress_size:
        raise broken(f"壊れたファイルです（部品 {name} が途中で切れています）。{RESEND}")
    declared = info.file_size
    chunks: list[bytes] = []
    crc = 0
    got = 0
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != declared:
            raise broken(f"壊れたファイルです（部品 {name} の大きさが目録と合いません）。{RESEND}")
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
                    raise too_large(
                        f"部品 {name} が目録の大きさ（{declared:,}バイト）を大きく超えて展開されます"
                        "（圧縮爆弾の疑い。展開を中止しました）"
                    )
                if got > declared:
                    continue  # corrupt, or a bomb: inflate a little further to tell, keeping nothing
                crc = zlib.crc32(out, crc)
                if keep:
                    chunks.append(out)
        except zlib.error as exc:
            raise broken(f"壊れたファイルです（部品 {name} を展開できません: {exc}）。{RESEND}") from None
        if not inflater.eof:
            raise broken(f"壊れたファイルです（部品 {name} が途中で切れています）。{RESEND}")
    if got != declared or crc != info.CRC:
        raise broken(f"壊れたファイルです（部品 {name} の中身が目録と合いません）。{RESEND}")
    return b"".join(chunks)


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels"))


def _check_xml(name: str, body: bytes) -> None:
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:256]:
        raise WorkbookError(
            "unsafe-workbook", f"部品 {name} の文字コードが UTF-8 ではありません（Excelの形式と違います。{RESAVE}）"
        )
    declared = _XML_DECL.match(body.removeprefix(b"\xef\xbb\xbf")[:512])
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise WorkbookError(
            "unsafe-workbook",
            f"部品 {name} の文字コード（{declared.group(1).decode('ascii', 'replace')}）には対応していません（{RESAVE}）",
        )
    if b"!" in body and _DOCTYPE.search(body):  # a one-byte search first (memchr): "!" is rare in XML
        raise WorkbookError(
            "unsafe-workbook",
            f"部品 {name} にXMLの実体宣言（DOCTYPE）があります。安全のため読みません（{RESAVE}）",
        )


def inspect_zip(data: bytes, limits: Limits) -> dict[str, bytes]:
    """Check every part's size and content; return the XML parts by name."""
    with _open_zip(data, limits) as archive:
        infos = archive.infolist()
        if len(infos) > limits.max_parts:
            raise too_large(f"ブックの部品が多すぎます（{len(infos):,}個、上限 {limits.max_parts:,}個）")
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise broken(
                f"同じ名前の部品が複数あります（{'、'.join(twice[:5])}）。どれを読むべきか決められません。{RESEND}"
            )
        present = set(names)
        if "[Content_Types].xml" not in present or BOOK not in present:
            if "xl/workbook.bin" in present:
                raise WorkbookError("unsupported-format", f"バイナリ形式（.xlsb）のブックです（{RESAVE}）")
            if "content.xml" in present and "mimetype" in present:
                raise WorkbookError("unsupported-format", f"OpenDocument（.ods）のファイルです（{RESAVE}）")
            if "word/document.xml" in present or "ppt/presentation.xml" in present:
                raise broken(f"WordまたはPowerPointのファイルです（{RESAVE}）")
            raise broken(f"xlsxのブックではありません（Excelのブックに必要な部品がありません。{RESAVE}）")
        if any(n.lower().endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in names):
            raise _macro_workbook()
        declared = 0
        for info in infos:
            if info.file_size > limits.max_part_bytes:
                raise too_large(
                    f"部品 {info.filename} の展開後の大きさ {info.file_size / MiB:,.0f} MiB が上限 "
                    f"{limits.max_part_bytes / MiB:,.0f} MiB を超えます（圧縮爆弾の疑い。展開していません）"
                )
            declared += info.file_size
        if declared > limits.max_total_bytes:
            raise too_large(
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


# -- workbook.xml: sheet names to parts, as calamine maps them --------------------------------


def _parse_part(name: str, body: bytes, on_start: Any) -> None:
    """Stream one small XML part through expat (no DTD, no entities)."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.ordered_attributes = True

    def no_doctype(*_: object) -> None:
        raise Refuse(WorkbookError("unsafe-workbook", f"部品 {name} にXMLの実体宣言（DOCTYPE）があります"))

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    parser.StartElementHandler = on_start
    try:
        parser.Parse(body, True)
    except Refuse as exc:
        raise exc.error from None
    except expat.ExpatError as exc:
        raise broken(f"部品 {name} のXMLが壊れています（{exc}）。{RESAVE}") from None


#: Workbook parts up to this size (workbook.xml and its rels together) are mapped once per
#: content (workbooks made from one template share them); bigger ones each time.
_SHARED_BOOK_BYTES = 64 * 1024


def sheet_parts(book: bytes, rels: bytes, limits: Limits) -> list[tuple[str, str | None]]:
    """Every sheet, in workbook order, with the part calamine reads for it (see :func:`_sheet_parts`)."""
    if len(book) + len(rels) <= _SHARED_BOOK_BYTES:
        return list(_shared_sheet_parts(book, rels, limits.max_sheets))
    return _sheet_parts(book, rels, limits.max_sheets)


@lru_cache(maxsize=64)
def _shared_sheet_parts(book: bytes, rels: bytes, max_sheets: int) -> tuple[tuple[str, str | None], ...]:
    return tuple(_sheet_parts(book, rels, max_sheets))  # a refusal raises each time: not kept


def _sheet_parts(book: bytes, rels: bytes, max_sheets: int) -> list[tuple[str, str | None]]:
    """Every sheet, in workbook order, with the part calamine reads for it.

    calamine looks a sheet's ``r:id`` up in ``workbook.xml.rels`` by its raw bytes and
    prefixes the target with ``xl/`` unless it starts with ``xl/`` or ``/xl/``; it does
    not resolve ``..``.  The same is done here, so the XML checked is the XML calamine
    reads.  Character references in the rels would make the two lookups differ: refused.
    """
    if b"&" in rels:
        raise broken(f"ブックの構成（{BOOK_RELS}）に文字参照があり、どのシートがどの部品か確かめられません。{RESEND}")
    targets: dict[str, str] = {}

    def on_rel(tag: str, attrs: list[str]) -> None:
        if tag.rpartition(":")[2] != "Relationship":
            return
        pairs = dict(zip(attrs[::2], attrs[1::2], strict=True))
        if "Id" in pairs and "Target" in pairs:
            targets[pairs["Id"]] = pairs["Target"]

    _parse_part(BOOK_RELS, rels, on_rel)
    sheets: list[tuple[str, str | None]] = []

    def on_book(tag: str, attrs: list[str]) -> None:
        if tag.rpartition(":")[2] != "sheet":
            return
        if len(sheets) >= max_sheets:
            raise Refuse(too_large(f"シートが多すぎます（上限 {max_sheets:,}枚）"))
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

    _parse_part(BOOK, book, on_book)
    return sheets
