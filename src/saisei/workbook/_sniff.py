"""What a file is, from its first bytes: a zip (an xlsx candidate) or something to refuse
in a clerk's words (an encrypted or legacy ``.xls`` OLE file, a PDF, HTML, XML or CSV
renamed ``.xlsx``, an empty file)."""

from __future__ import annotations

from ._base import RESAVE, WorkbookError, broken

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def classify(data: bytes) -> None:
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
            raise WorkbookError("legacy-xls", f"古い形式（Excel 97-2003 の .xls）のブックです（{RESAVE}）")
        raise broken(f"Excelのブックではない古いOffice形式のファイルです（Wordの .doc など。{RESAVE}）")
    if data.startswith(b"PK"):
        return
    raise broken(f"{_describe(data)}です（拡張子が .xlsx でも中身が違います。{RESAVE}）")


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
