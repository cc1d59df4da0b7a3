"""Builders for hostile and broken workbooks, shared by the hostile tests.

Everything is made here, in memory: raw xlsx parts written by hand (so a test controls
every byte of the XML and the zip), the standard form through openpyxl, hand-made zips
whose directory lies, and decompression bombs.  Nothing is read from outside the project.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import builders

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "fy2024"
HEADER = ("団体コード", "団体名", "年度", "KPI", "実績値", "区分", "備考")
#: One good row of the standard form: 山形県, FY2024, KPI1, 4, final.
GOOD_ROW = ("060003", "山形県", 2024, "KPI1", 4, "確定", None)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# -- raw xlsx -------------------------------------------------------------------------------


def content_types(sheets: int, *, book_type: str = BOOK_TYPE, extra: str = "") -> bytes:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>' for i in range(1, sheets + 1)
    )
    return (
        DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{book_type}"/>{overrides}{extra}</Types>'
    ).encode()


def package_rels() -> bytes:
    return (
        DECL + f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
        f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ).encode()


def book_xml(names: Sequence[str], *, states: Sequence[str | None] = ()) -> bytes:
    sheets = "".join(
        f'<sheet name={quoteattr(n)} sheetId="{i}" r:id="rId{i}"'
        + (f' state="{states[i - 1]}"' if i - 1 < len(states) and states[i - 1] else "")
        + "/>"
        for i, n in enumerate(names, start=1)
    )
    return (DECL + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{sheets}</sheets></workbook>').encode()


def book_rels(count: int, *, targets: Sequence[str] = ()) -> bytes:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" '
        f'Target="{targets[i - 1] if i - 1 < len(targets) else f"worksheets/sheet{i}.xml"}"/>'
        for i in range(1, count + 1)
    )
    shared = f'<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    return (DECL + f'<Relationships xmlns="{PKG_REL_NS}">{rels}{shared}</Relationships>').encode()


def shared_strings(strings: Sequence[str]) -> bytes:
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return (DECL + f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>').encode()


def worksheet(sheet_data: str, *, before: str = "", after: str = "") -> bytes:
    return (
        DECL + f'<worksheet xmlns="{MAIN_NS}">{before}<sheetData>{sheet_data}</sheetData>{after}</worksheet>'
    ).encode()


def xlsx(
    sheets: dict[str, bytes],
    *,
    strings: Sequence[str] = (),
    parts: dict[str, bytes] | None = None,
    omit: Iterable[str] = (),
    compression: int = 8,
) -> bytes:
    """A workbook from raw sheet parts (``{"KPI実績": worksheet(...)}``).

    ``parts`` adds or replaces parts by name; ``omit`` leaves parts out.
    """
    import zipfile

    names = list(sheets)
    files: dict[str, bytes] = {
        "[Content_Types].xml": content_types(len(names)),
        "_rels/.rels": package_rels(),
        "xl/workbook.xml": book_xml(names),
        "xl/_rels/workbook.xml.rels": book_rels(len(names)),
        "xl/sharedStrings.xml": shared_strings(strings),
    }
    for i, body in enumerate(sheets.values(), start=1):
        files[f"xl/worksheets/sheet{i}.xml"] = body
    files.update(parts or {})
    for name in omit:
        files.pop(name, None)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


# -- dialects of the sheet XML ----------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    """One way of writing the same cells, as different programs (or attackers) do.

    ``plain`` is Excel's own; the others exercise the exact parse: attributes in another
    order, cells without ``r`` (their place comes from counting), namespace prefixes,
    single quotes and odd white space.
    """

    name: str
    prefix: str = ""
    reorder: bool = False
    no_r: bool = False
    quote: str = '"'
    space: str = " "

    def tag(self, local: str) -> str:
        return f"{self.prefix}:{local}" if self.prefix else local

    def attrs(self, items: dict[str, str | None]) -> str:
        q, sp = self.quote, self.space
        return "".join(f"{sp}{k}={q}{v}{q}" for k, v in items.items() if v is not None)

    def cell(self, ref: str, inner: str, t: str | None = None) -> str:
        items: dict[str, str | None] = {"r": None if self.no_r else ref, "s": "0", "t": t}
        if self.reorder:
            items = {"s": "0", "t": t, "r": items["r"]}
        return f"<{self.tag('c')}{self.attrs(items)}>{inner}</{self.tag('c')}>"

    def row(self, number: int, cells: str) -> str:
        return f"<{self.tag('row')}{self.attrs({'r': None if self.no_r else str(number)})}>{cells}</{self.tag('row')}>"

    def v(self, text: str | None) -> str:
        return f"<{self.tag('v')}/>" if text is None else f"<{self.tag('v')}>{escape(text)}</{self.tag('v')}>"

    def f(self, text: str | None, **attrs: str) -> str:
        head = f"{self.tag('f')}{self.attrs(dict(attrs))}"
        return f"<{head}/>" if text is None else f"<{head}>{escape(text)}</{self.tag('f')}>"

    def text(self, ref: str, value: str, strings: list[str] | None) -> str:
        """A text cell: inline, or shared when ``strings`` collects the table."""
        if strings is None:
            t = self.tag("t")
            return self.cell(ref, f"<{self.tag('is')}><{t}>{escape(value)}</{t}></{self.tag('is')}>", "inlineStr")
        strings.append(value)
        return self.cell(ref, self.v(str(len(strings) - 1)), "s")

    def number(self, ref: str, value: float) -> str:
        return self.cell(ref, self.v(repr(value) if not float(value).is_integer() else str(int(value))))

    def worksheet(self, rows: str) -> bytes:
        if not self.prefix:
            return worksheet(rows)
        p = self.prefix
        return (
            DECL + f'<{p}:worksheet xmlns:{p}="{MAIN_NS}"><{p}:sheetData>{rows}</{p}:sheetData></{p}:worksheet>'
        ).encode()


DIALECTS = (
    Dialect("plain"),
    Dialect("reordered", reorder=True),
    Dialect("no-r", no_r=True),
    Dialect("prefixed", prefix="x"),
    Dialect("quotes", quote="'"),
    Dialect("spaced", space="\n\t "),
)


def raw_standard(value_cell: Any, *, dialect: Dialect = DIALECTS[0], shared: bool = False, note: str = "") -> bytes:
    """A standard form with one data row whose 実績値 (E2) is ``value_cell(dialect)``.

    Text cells are inline strings, or shared strings when ``shared``.
    """
    strings: list[str] | None = [] if shared else None
    header = "".join(dialect.text(f"{'ABCDEFG'[i]}1", h, strings) for i, h in enumerate(HEADER))
    cells = [
        dialect.text("A2", "060003", strings),
        dialect.text("B2", "山形県", strings),
        dialect.number("C2", 2024),
        dialect.text("D2", "KPI1", strings),
        value_cell(dialect),
        dialect.text("F2", "確定", strings),
    ]
    if note:
        cells.append(dialect.text("G2", note, strings))
    rows = dialect.row(1, header) + dialect.row(2, "".join(cells))
    return xlsx({"KPI実績": dialect.worksheet(rows)}, strings=strings or ())


# -- hand-made zips ---------------------------------------------------------------------------


@dataclass
class Entry:
    """One zip entry whose directory may lie: ``declared`` size and ``crc`` are free."""

    name: str
    data: bytes = b""
    declared: int | None = None
    crc: int | None = None
    method: int = 8
    stream: bytes | None = None  # the compressed bytes, when not ``data`` deflated
    flags: int = 0x800


def deflate(data: bytes, level: int = 9) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def raw_zip(entries: Sequence[Entry]) -> bytes:
    out = bytearray()
    central = bytearray()
    for e in entries:
        stream = e.stream if e.stream is not None else (deflate(e.data) if e.method == 8 else e.data)
        crc = zlib.crc32(e.data) if e.crc is None else e.crc
        size = len(e.data) if e.declared is None else e.declared
        name = e.name.encode()
        offset = len(out)
        out += struct.pack(
            "<4s5H3I2H", b"PK\x03\x04", 20, e.flags, e.method, 0, 0x21, crc, len(stream), size, len(name), 0
        )
        out += name + stream
        central += struct.pack(
            "<4s6H3I5H2I",
            b"PK\x01\x02",
            20,
            20,
            e.flags,
            e.method,
            0,
            0x21,
            crc,
            len(stream),
            size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    start = len(out)
    out += central
    out += struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0)
    return bytes(out)


def raw_workbook(sheet: bytes, *, sheet_entry: dict[str, Any] | None = None, extra: Sequence[Entry] = ()) -> bytes:
    """A one-sheet workbook as a hand-made zip; ``sheet_entry`` overrides the sheet's entry."""
    entries = [
        Entry("[Content_Types].xml", content_types(1)),
        Entry("_rels/.rels", package_rels()),
        Entry("xl/workbook.xml", book_xml(["KPI実績"])),
        Entry("xl/_rels/workbook.xml.rels", book_rels(1)),
        Entry("xl/sharedStrings.xml", shared_strings([])),
        Entry("xl/worksheets/sheet1.xml", sheet, **(sheet_entry or {})),
        *extra,
    ]
    return raw_zip(entries)


def blank_bomb(size: int) -> tuple[bytes, int, int]:
    """A sheet part of ``size`` bytes, nearly all blanks, deflated to about size/1000.

    Returns (deflate stream, CRC, exact size).  Built from one compressed 1 MiB block
    repeated (each block follows a full flush, so the copies are valid), so making a
    1 GiB bomb costs a CRC pass, not a 1 GiB compression.
    """
    head = DECL.encode() + f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    tail = b"</sheetData></worksheet>"
    block = b" " * (1024 * 1024)
    count = max(1, -(-(size - len(head) - len(tail)) // len(block)))  # at least ``size`` in all
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    middle = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    last = c.compress(tail) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return first + middle * count + last, crc, len(head) + count * len(block) + len(tail)


# -- forms through openpyxl ---------------------------------------------------------------------


def standard_form(rows: Iterable[Sequence[Any]], *, sheet: str = "KPI実績", header: Sequence[str] = HEADER) -> bytes:
    """The standard form with ``rows`` under the header, written by openpyxl (no other sheet)."""
    return builders.standard_form(rows, sheet=sheet, header=header, extra_sheets=())


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def copy_examples(folder: Path) -> Path:
    """The seven sample workbooks, copied into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(EXAMPLES.glob("*.xlsx")):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


@functools.cache
def gib_bomb() -> bytes:
    """A workbook whose one sheet is 1 GiB of blanks zipped to about 1 MiB (directory honest)."""
    stream, crc, size = blank_bomb(1024**3)
    return raw_workbook(b"", sheet_entry={"stream": stream, "crc": crc, "declared": size})


def hostile_files(*, bomb: bool = False) -> dict[str, bytes]:
    """One workbook of each hostile or broken kind, by file name (bodies' values never read)."""
    return dict(_hostile_files(bomb))


@functools.cache
def _hostile_files(bomb: bool) -> dict[str, bytes]:
    good = standard_form([GOOD_ROW])
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".ljust(512, b"\0")
    laughs = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    prefixed = Dialect("prefixed", prefix="x")
    files = {
        "not-xlsx.xlsx": bytes(range(256)) * 4,
        "truncated.xlsx": good[: len(good) // 2],
        "corrupt.xlsx": good[:200] + bytes(b ^ 0xFF for b in good[200:260]) + good[260:],
        "empty.xlsx": b"",
        "renamed-csv.xlsx": "団体コード,年度,実績値\n060003,2024,4\n".encode(),
        "encrypted.xlsx": ole + _utf16("EncryptionInfo") + _utf16("EncryptedPackage"),
        "old.xls": ole + _utf16("Workbook"),
        "macro.xlsm": xlsx({"KPI実績": worksheet("")}, parts={"xl/vbaProject.bin": b"VBA"}),
        "grid.xlsx": xlsx(
            {
                "KPI実績": prefixed.worksheet(
                    prefixed.row(1, prefixed.cell("A1", prefixed.v("1")))
                    + prefixed.row(1048576, prefixed.cell("XFD1048576", prefixed.v("1")))
                )
            }
        ),
        "laughs.xlsx": xlsx({"KPI実績": (laughs + worksheet("").decode().replace(DECL, "")).encode()}),
        "no-cached-value.xlsx": standard_form([("060003", "山形県", 2024, "KPI1", "=SUM(1,2)", "確定", None)]),
        "div0.xlsx": raw_standard(lambda d: d.cell("E2", d.f("1/0") + d.v("#DIV/0!"), "e")),
        "spill.xlsx": raw_standard(lambda d: d.cell("E2", d.f("SEQUENCE(2)") + d.v("#SPILL!"), "e")),
        "cut-short.xlsx": raw_standard(lambda d: d.cell("E2", "<v>1&#50;</v>")),
        "negative.xlsx": standard_form([("060003", "山形県", 2024, "KPI1", "△3", "確定", None)]),
        "unknown.xlsx": standard_form([("x",)], sheet="メモ", header=("メモ",)),
        "control.xlsx": raw_standard(lambda d: d.text("E2", "調査中_x0007_", None)),
        "=cmd.xlsx": standard_form([("060003", "山形県", 2024, "KPI1", '=HYPERLINK("http://x","y")', "確定", None)]),
    }
    if bomb:
        files["bomb.xlsx"] = gib_bomb()
    return files


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


#: Python code that prints the process's peak memory (KiB) to stderr as it exits.  Linux
#: keeps ru_maxrss across exec, so a child forked from a big test process would inherit its
#: size; VmHWM belongs to the new address space only.
PEAK_AT_EXIT = """
import atexit, resource, sys
def _peak():
    try:
        with open("/proc/self/status") as status:
            kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    except (OSError, StopIteration):
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write(f"\\npeak-kib={kib}\\n")
atexit.register(_peak)
"""


def peak_mib(stderr: str) -> float:
    """The peak memory a child run with PEAK_AT_EXIT reported, in MiB."""
    return int(stderr.rsplit("peak-kib=", 1)[1].split()[0]) / 1024
