"""The workbook every plugin reads: :func:`open_workbook`, :class:`Workbook`, :class:`Sheet`.

:func:`open_workbook` reads a file's bytes once, tells what the file is (:mod:`._sniff`),
checks the zip and every part (:mod:`._zipguard`) and hands the bytes to calamine
(python-calamine), many times faster than openpyxl.  A sheet is scanned (:mod:`._scan`)
and parsed once, on first use, and shared by every plugin asked about the file.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..core.annotation import is_annotation_sheet, might_be_annotation
from ..core.cells import parse_ref, range_ref
from ..core.numfmt import odd_styles
from ..core.values import CellError, NoCachedValue, normalize_text
from ._base import RESAVE, RESEND, Limits, MiB, WorkbookError, broken, too_large
from ._scan import scan_sheet
from ._sniff import classify
from ._zipguard import BOOK, BOOK_RELS, inspect_zip, sheet_parts


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

    @cached_property
    def max_column(self) -> int:
        """The widest row's length; counted once (a sheet's rows do not change once read, and
        a ledger of 100,000 rows is asked by every plugin's header search)."""
        return max((len(r) for r in self.rows), default=0)

    def at(self, row: int, column: int) -> Any:
        """The value at 1-based (row, column); ``None`` when blank or outside the sheet."""
        if row < 1 or column < 1 or row > len(self.rows):
            return None
        line = self.rows[row - 1]
        if column > len(line):
            return None
        return line[column - 1]

    def row_values(self, row: int, last_column: int) -> list[Any]:
        """The values of ``row`` from column 1 to ``last_column``, as :meth:`at` gives them
        (fewer when the row ends before: the rest are blank); ``[]`` outside the sheet."""
        if row < 1 or row > len(self.rows):
            return []
        return self.rows[row - 1][: max(0, last_column)]

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
        sheets = sheet_parts(xml_parts.get(BOOK, b""), xml_parts.get(BOOK_RELS, b""), limits)
        names = [n for n, _ in sheets]
        if len(set(names)) != len(names):
            raise broken(f"同じ名前のシートが複数あります（Excelでは作れない構成です）。{RESEND}")
        self._parts = {n: p for n, p in sheets if p is not None}
        self._xml = {p: xml_parts[p] for p in self._parts.values() if p in xml_parts}
        merged = sum(xml.count(b"mergeCell") for xml in self._xml.values()) - 2 * len(self._xml)
        if merged > limits.max_merged:
            raise too_large(f"結合セルが多すぎます（約{merged:,}個、上限 {limits.max_merged:,}個）")
        try:
            self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            meta = self._book.sheets_metadata
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # calamine raises several types, and panics are BaseException
            raise broken(f"ブックを読めません（{type(exc).__name__}: {exc}）。{RESEND}") from None
        self.sheet_names: tuple[str, ...] = tuple(m.name for m in meta)
        if list(self.sheet_names) != names:
            raise broken(
                f"シートの構成を確かめられません（workbook.xml の読み方が読み取り部品と一致しません）。{RESEND}"
            )
        self._hidden = {m.name: str(m.visible).split(".")[-1] != "Visible" for m in meta}
        self._sheets: dict[str, Sheet] = {}
        self._refused: dict[str, WorkbookError] = {}
        self._by_key: dict[str, tuple[str, ...]] | None = None
        self._styles_xml = xml_parts.get(STYLES, b"")
        self._odd_styles: Mapping[int, str] | None = None
        self._odd_cells: dict[str, dict[str, str]] = {}
        self._leave_out_annotation()

    def __repr__(self) -> str:
        return f"<Workbook {self.name} sheets={list(self.sheet_names)}>"

    def _leave_out_annotation(self) -> None:
        """Hide the 確認事項 sheet that ``saisei sendback`` wrote (recognised by its A1), so a
        clerk's fixed copy reads as the workbook did before it was annotated."""
        for name in self.sheet_names:
            if not might_be_annotation(name):
                continue
            try:
                a1 = self.sheet(name).value("A1")
            except WorkbookError:
                continue  # not ours: saisei writes a plain sheet; a reader that asks is told
            if is_annotation_sheet(name, a1):
                self.sheet_names = tuple(n for n in self.sheet_names if n != name)
                del self._hidden[name]
                del self._sheets[name]

    def has_sheet(self, name: str) -> bool:
        return name in self._hidden

    def is_hidden(self, name: str) -> bool:
        return self._hidden[name]

    @property
    def visible_sheet_names(self) -> tuple[str, ...]:
        return tuple(n for n in self.sheet_names if not self._hidden[n])

    def find_sheets(self, wanted: str) -> tuple[str, ...]:
        """Every sheet whose name equals ``wanted`` after NFKC and without spaces, visible first."""
        if self._by_key is None:
            by_key: dict[str, list[str]] = {}
            for n in sorted(self.sheet_names, key=self._hidden.__getitem__):  # stable: visible first
                by_key.setdefault(_sheet_key(n), []).append(n)
            self._by_key = {k: tuple(v) for k, v in by_key.items()}
        return self._by_key.get(_sheet_key(wanted), ())

    def find_sheet(self, wanted: str) -> str | None:
        """The sheet whose name equals ``wanted`` after NFKC (``Ｒ７`` finds ``R7``).

        A visible sheet comes before a hidden one of the same name; two such sheets are
        ambiguous, which the reader reports (:func:`saisei.forms.check_reading`).
        """
        found = self.find_sheets(wanted)
        return found[0] if found else None

    def odd_formats(self, name: str) -> dict[str, str]:
        """The cells of sheet ``name`` whose number format may show something else than
        their value (``;;;``, ``"5"``, ``0,``, ``0%`` …), with the format code.

        Most workbooks have no such format, and then no sheet is searched.
        """
        if self._odd_styles is None:
            xml = self._styles_xml
            self._odd_styles = _odd_styles(xml) if len(xml) <= _SHARED_STYLES_BYTES else odd_styles(xml)
        if not self._odd_styles:
            return {}
        if name not in self._odd_cells:
            xml = self._xml.get(self._parts.get(name, ""), b"")
            styles = self._odd_styles
            found: dict[str, str] = {}
            for m in _CELL_TAG.finditer(xml):
                style, ref = _STYLE_ATTR.search(m.group(1)), _REF_ATTR.search(m.group(1))
                if style is not None and ref is not None and int(style.group(1)) in styles:
                    found[ref.group(1).decode("ascii")] = styles[int(style.group(1))]
            self._odd_cells[name] = found
        return self._odd_cells[name]

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
                "unreadable-workbook", f"シートの部品（{part or '参照なし'}）が見つかりません。{RESAVE}", sheet=name
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
                "unreadable-workbook", f"シートを読めません（{type(exc).__name__}: {exc}）。{RESEND}", sheet=name
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


STYLES = "xl/styles.xml"
_CELL_TAG = re.compile(rb"<c\b([^>]*)>")
_STYLE_ATTR = re.compile(rb'\ss="([0-9]+)"')
_REF_ATTR = re.compile(rb'\sr="([A-Z]{1,3}[1-9][0-9]*)"')


#: Styles parts up to this size are parsed once per content (workbooks made from one
#: template share theirs); a bigger one is parsed each time rather than kept.
_SHARED_STYLES_BYTES = 64 * 1024


@lru_cache(maxsize=64)
def _odd_styles(styles_xml: bytes) -> Mapping[int, str]:
    """:func:`~saisei.core.numfmt.odd_styles` of a styles part, read-only (it is shared)."""
    return MappingProxyType(odd_styles(styles_xml))


@lru_cache(maxsize=1024)
def _sheet_key(name: str) -> str:
    """A sheet name as compared: NFKC, no spaces (``ＫＰＩ 実績`` is ``KPI実績``)."""
    return normalize_text(name).replace(" ", "")


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
            raise broken(
                "通常のファイルではありません（フォルダーや特殊なファイルは読めません。.xlsx のファイルを指定してください）"
            )
        if info.st_size > limits.max_file_bytes:
            raise too_large(
                f"ファイルが大きすぎます（{info.st_size / MiB:,.0f} MiB、上限 {limits.max_file_bytes / MiB:,.0f} MiB）"
            )
        with path.open("rb") as handle:
            # Asking for max_file_bytes + 1 at once would allocate that much for every file
            # (100 MiB: a map and unmap of memory per workbook); the size stat gave, plus one
            # byte, is enough unless the file grew since, and then the rest is read as before.
            want = info.st_size + 1
            data = handle.read(want)
            if len(data) == want:
                data += handle.read(limits.max_file_bytes + 1 - want)
    except OSError as exc:
        raise broken(
            f"ファイルを読めません（{exc.strerror or exc}。ほかのソフトで開いたままでないか、読み取り権限を確認してください）"
        ) from None
    if len(data) > limits.max_file_bytes:
        raise too_large(f"ファイルが大きすぎます（上限 {limits.max_file_bytes / MiB:,.0f} MiB）")
    classify(data)
    xml_parts = inspect_zip(data, limits)
    return Workbook(path, data, xml_parts, limits)
