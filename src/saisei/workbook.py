"""One safe way to open a workbook, shared by every reader.

:func:`open_workbook` reads a file's bytes once and, before any parser sees them:

* tells what the file is (xlsx, an encrypted or legacy ``.xls`` OLE file, ``.xlsm`` with
  macros, ``.xlsb``, something else) and refuses what is not a plain xlsx;
* refuses a zip whose parts would inflate past :class:`Limits` — by the sizes the zip
  declares, then by inflating each part with a cap (a part that lies about its size
  fails its CRC check), so a decompression bomb costs seconds and bounded memory;
* refuses XML with a DOCTYPE (entity expansion, external entities) in any part;
* scans each worksheet's XML for formula cells without a cached value and for Excel
  error values: calamine shows the first as blank and the second as blank too, and
  both must never pass as "not reported" or as zero.

Cell values then come from calamine (python-calamine), many times faster than openpyxl.
A sheet is parsed once, on first use, and shared by every plugin asked about the file.
Values keep their types: ``str``, ``float`` (Excel stores every number as one),
``datetime``/``date``, ``bool``, ``None`` for a blank cell, and the two sentinels
:class:`~saisei.core.values.NoCachedValue` and :class:`~saisei.core.values.CellError`.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .core.cells import parse_ref, range_ref
from .core.values import CellError, NoCachedValue, normalize_text

__all__ = ["Limits", "Sheet", "Workbook", "WorkbookError", "open_workbook"]

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How big a workbook may be.  Lower them in tests to trip them cheaply."""

    max_file_bytes: int = 256 * MiB
    max_part_bytes: int = 128 * MiB  # one part, inflated
    max_total_bytes: int = 384 * MiB  # all parts, inflated
    max_parts: int = 10_000
    max_cells: int = 20_000_000  # rows x columns of one sheet's used area


class WorkbookError(Exception):
    """A file that cannot be read as a workbook; ``code`` is an issue code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def _classify(data: bytes, name: str) -> None:
    """Raise :class:`WorkbookError` unless ``data`` looks like a zip (xlsx candidate)."""
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTION_INFO in data:
            raise WorkbookError(
                "encrypted-workbook",
                "パスワードで保護されたブックは読めません（パスワードを解除して .xlsx で保存し直し、送ってください）",
            )
        raise WorkbookError(
            "legacy-xls",
            "古い形式（.xls）のブックです（Excelで開き「Excelブック（.xlsx）」として保存し直して送ってください）",
        )
    if not data.startswith(b"PK"):
        kind = "空のファイル" if not data else "xlsx形式ではないファイル"
        raise WorkbookError(
            "unreadable-workbook",
            f"{kind}です（拡張子が .xlsx でも中身が違います。Excelで .xlsx として保存し直してください）",
        )


_BOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _inspect_zip(data: bytes, limits: Limits) -> dict[str, bytes]:
    """Check every part's size and content; return the XML parts by name."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise WorkbookError(
            "unreadable-workbook", f"壊れたファイルです（zipとして開けません: {exc}）。元のブックを送り直してください"
        ) from None
    with archive:
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if len(infos) > limits.max_parts:
            raise WorkbookError(
                "workbook-too-large", f"ブックの部品が多すぎます（{len(infos):,}個、上限 {limits.max_parts:,}個）"
            )
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            if "xl/workbook.bin" in names:
                raise WorkbookError(
                    "unsupported-format", "バイナリ形式（.xlsb）のブックです（.xlsx で保存し直して送ってください）"
                )
            if "content.xml" in names and "mimetype" in names:
                raise WorkbookError(
                    "unsupported-format", "OpenDocument（.ods）のファイルです（.xlsx で保存し直して送ってください）"
                )
            raise WorkbookError(
                "unreadable-workbook", "xlsxのブックではありません（Excelのブックに必要な部品がありません）"
            )
        if "xl/vbaProject.bin" in names:
            raise WorkbookError(
                "macro-workbook",
                "マクロ付きブック（.xlsm）です。マクロは実行しません（マクロなしの .xlsx で保存し直して送ってください）",
            )
        declared = 0
        for info in infos:
            if info.file_size > limits.max_part_bytes:
                raise WorkbookError(
                    "workbook-too-large",
                    f"部品 {info.filename} の展開後の大きさ {info.file_size / MiB:,.0f} MiB が上限 "
                    f"{limits.max_part_bytes / MiB:,.0f} MiB を超えます（圧縮爆弾の疑い。展開していません）",
                )
            declared += info.file_size
        if declared > limits.max_total_bytes:
            raise WorkbookError(
                "workbook-too-large",
                f"ブック全体の展開後の大きさ {declared / MiB:,.0f} MiB が上限 "
                f"{limits.max_total_bytes / MiB:,.0f} MiB を超えます（圧縮爆弾の疑い。展開していません）",
            )
        parts: dict[str, bytes] = {}
        for info in infos:
            if info.is_dir():
                continue
            xml = info.filename.endswith((".xml", ".rels"))
            try:
                with archive.open(info) as part:
                    # zipfile stops at the declared size and checks the CRC at the end:
                    # a part that inflates past what it declares fails here.
                    chunks = []
                    got = 0
                    while chunk := part.read(4 * MiB):
                        got += len(chunk)
                        if got > limits.max_part_bytes:
                            raise WorkbookError(
                                "workbook-too-large", f"部品 {info.filename} が上限を超えて展開されます"
                            )
                        if xml:
                            chunks.append(chunk)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
                raise WorkbookError(
                    "unreadable-workbook", f"壊れたファイルです（部品 {info.filename} を展開できません: {exc}）"
                ) from None
            if not xml:
                continue
            body = b"".join(chunks)
            if _DOCTYPE.search(body):
                raise WorkbookError(
                    "unsafe-workbook",
                    f"部品 {info.filename} にXMLの実体宣言（DOCTYPE）があります。安全のため読みません（Excelで保存し直して送ってください）",
                )
            parts[info.filename] = body
        return parts


_CELL_START = re.compile(rb"<c\s[^>]*>")
_ATTR_R = re.compile(rb'\br="([A-Z]{1,3}[0-9]+)"')
_FORMULA = re.compile(rb"<f[\s/>]")
_ERROR_CELL = re.compile(rb'<c\s[^>]*\bt="e"[^>]*>')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_F_TEXT = re.compile(rb"<f[^>]*>([^<]*)</f>")
_ROW_R = re.compile(rb'<row\s[^>]*?\br="([0-9]+)"')
_CELL_COL = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3})[0-9]')


def _cell_element_around(xml: bytes, pos: int) -> tuple[str | None, bytes]:
    """The reference and the inside of the ``<c>`` element that contains ``pos``."""
    start = xml.rfind(b"<c ", 0, pos + 1)
    if start < 0:
        return None, b""
    head = _CELL_START.match(xml, start)
    end = xml.find(b"</c>", pos)
    if head is None or end < 0:
        return None, b""
    m = _ATTR_R.search(head.group(0))
    return (m.group(1).decode() if m else None), xml[head.end() : end]


def _special_cells(xml: bytes) -> dict[str, CellError | NoCachedValue]:
    """Formula cells without a cached value, and error cells, by A1 reference."""
    found: dict[str, CellError | NoCachedValue] = {}
    if b"<f" in xml:
        for m in _FORMULA.finditer(xml):
            ref, inner = _cell_element_around(xml, m.start())
            if ref is None or ref in found:
                continue
            v = _VALUE.search(inner)
            if v is None or not v.group(1).strip():
                f = _F_TEXT.search(inner)
                formula = f.group(1).decode("utf-8", "replace") if f else "（共有数式）"
                found[ref] = NoCachedValue(_unescape(formula))
    if b't="e"' in xml:
        for m in _ERROR_CELL.finditer(xml):
            r = _ATTR_R.search(m.group(0))
            end = xml.find(b"</c>", m.end())
            inner = xml[m.end() : end] if end >= 0 else b""
            v = _VALUE.search(inner)
            if r is not None:
                found[r.group(1).decode()] = CellError(v.group(1).decode("utf-8", "replace") if v else "#N/A")
    return found


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _used_area(xml: bytes) -> tuple[int, int]:
    """(rows, columns) a sheet's cells span, read off the XML before calamine sees it.

    calamine fills a dense grid, so two cells at A1 and XFD1048576 would ask for 17
    billion cells: the caller refuses such a sheet first.
    """
    rows = _ROW_R.findall(xml)
    max_row = max(map(int, rows), default=0) if rows else xml.count(b"<row")
    cols = set(_CELL_COL.findall(xml))
    max_col = max(parse_ref(c.decode() + "1")[1] for c in cols) if cols else xml.count(b"<c ") + xml.count(b"<c>")
    return max_row, max_col


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
        try:
            self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception as exc:  # calamine raises several types for a broken file
            raise WorkbookError("unreadable-workbook", f"ブックを読めません（{type(exc).__name__}: {exc}）") from None
        meta = self._book.sheets_metadata
        self.sheet_names: tuple[str, ...] = tuple(m.name for m in meta)
        self._hidden = {m.name: str(m.visible).split(".")[-1] != "Visible" for m in meta}
        self._parts = _sheet_parts(xml_parts.get(_BOOK_PARTS[0], b""), xml_parts.get(_BOOK_PARTS[1], b""))
        self._xml = {part: xml_parts.get(part, b"") for part in self._parts.values()}
        self._sheets: dict[str, Sheet] = {}

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
        """The sheet ``name``, parsed on first use.  Raises ``KeyError`` if there is none."""
        if name in self._sheets:
            return self._sheets[name]
        if name not in self._hidden:
            raise KeyError(name)
        xml = self._xml.get(self._parts.get(name, ""), b"")
        rows_bound, cols_bound = _used_area(xml)
        if rows_bound * cols_bound > self._limits.max_cells:
            raise WorkbookError(
                "workbook-too-large",
                f"シート {name} の使用範囲が大きすぎます（約{rows_bound:,}行×{cols_bound:,}列、上限 {self._limits.max_cells:,}セル）",
            )
        try:
            raw = self._book.get_sheet_by_name(name)
            grid = raw.to_python(skip_empty_area=False)
            merged = tuple(range_ref(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in (raw.merged_cell_ranges or ()))
        except Exception as exc:
            raise WorkbookError(
                "unreadable-workbook", f"シート {name} を読めません（{type(exc).__name__}: {exc}）"
            ) from None
        rows: list[list[Any]] = [[None if v == "" else v for v in line] for line in grid]
        special = _special_cells(xml) if xml else {}
        for ref, marker in special.items():
            r, c = parse_ref(ref)
            while len(rows) < r:
                rows.append([])
            line = rows[r - 1]
            if len(line) < c:
                line.extend([None] * (c - len(line)))
            line[c - 1] = marker
        sheet = Sheet(name, self._hidden[name], rows, merged, special)
        self._sheets[name] = sheet
        return sheet

    def close(self) -> None:
        self._book.close()
        self._xml = {}
        self._sheets.clear()


_REL = re.compile(rb"<Relationship\b[^>]*>")
_REL_ID = re.compile(rb'\bId="([^"]+)"')
_REL_TARGET = re.compile(rb'\bTarget="([^"]+)"')
_SHEET_EL = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_SHEET_NAME = re.compile(rb'\bname="([^"]*)"')
_SHEET_RID = re.compile(rb'\b\w+:id="([^"]+)"')


def _sheet_parts(book: bytes, rels: bytes) -> dict[str, str]:
    """Sheet name → worksheet part (``xl/worksheets/sheet1.xml``), from workbook.xml and its rels."""
    targets = {}
    for el in _REL.findall(rels):
        i, t = _REL_ID.search(el), _REL_TARGET.search(el)
        if i and t:
            target = _unescape(t.group(1).decode())
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[i.group(1).decode()] = part
    parts = {}
    for el in _SHEET_EL.findall(book):
        n, r = _SHEET_NAME.search(el), _SHEET_RID.search(el)
        if n and r and r.group(1).decode() in targets:
            parts[_unescape(n.group(1).decode())] = targets[r.group(1).decode()]
    return parts


def open_workbook(path: str | Path, limits: Limits | None = None) -> Workbook:
    """Open ``path`` once, safely.  Raises :class:`WorkbookError` for a file to refuse."""
    limits = limits or Limits()
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise WorkbookError(
                "workbook-too-large",
                f"ファイルが大きすぎます（{size / MiB:,.0f} MiB、上限 {limits.max_file_bytes / MiB:,.0f} MiB）",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise WorkbookError("unreadable-workbook", f"ファイルを読めません（{exc.strerror or exc}）") from None
    _classify(data, path.name)
    xml_parts = _inspect_zip(data, limits)
    return Workbook(path, data, xml_parts, limits)
