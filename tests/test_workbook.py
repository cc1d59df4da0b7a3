"""The safe opener: what a file is, the zip, the XML, and each sheet before calamine sees it.

Every workbook here is built by the test (see hostile_kit), small, with Limits lowered where
a test needs to trip one.
"""

from __future__ import annotations

import os
import time
import zlib
from pathlib import Path

import hostile_kit as kit
import pytest

from saisei.core.cells import cell_ref
from saisei.core.values import CellError, NoCachedValue
from saisei.workbook import Limits, WorkbookError, open_workbook, scan_sheet

ONE = kit.raw_standard(lambda d: d.number("E2", 4))


def refused(tmp_path: Path, data: bytes, name: str = "form.xlsx", limits: Limits | None = None) -> WorkbookError:
    path = kit.write(tmp_path, name, data)
    with pytest.raises(WorkbookError) as info:
        workbook = open_workbook(path, limits)
        for sheet in workbook.sheet_names:
            workbook.sheet(sheet)
    return info.value


def test_a_good_raw_workbook_opens(tmp_path: Path) -> None:
    workbook = open_workbook(kit.write(tmp_path, "ok.xlsx", ONE))
    sheet = workbook.sheet("KPI実績")
    assert sheet.value("A1") == "団体コード"
    assert sheet.value("E2") == 4.0
    assert sheet.special == {}


# -- what the file is ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "空のファイル"),
        ("団体コード,年度,KPI,実績値\n060003,2024,1,4\n".encode(), "CSV"),
        ("団体コード,年度\n060003,2024\n".encode("cp932"), "CSV"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
        (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>', "XML"),
        # fixed bytes: random ones were now and then valid cp932 text, or began with "<"
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "xlsx形式ではない"),
    ],
    ids=["empty", "csv", "csv-sjis", "pdf", "html", "xml-spreadsheet", "binary"],
)
def test_not_a_zip_says_what_it_is(tmp_path: Path, data: bytes, words: str) -> None:
    error = refused(tmp_path, data)
    assert error.code == "unreadable-workbook"
    assert words in error.message
    assert ".xlsx" in error.message


@pytest.mark.parametrize("cut", [10, 100, 0.5, -30])
def test_truncated_zip(tmp_path: Path, cut: float) -> None:
    end = int(len(ONE) * cut) if isinstance(cut, float) else cut
    error = refused(tmp_path, ONE[:end])
    assert error.code == "unreadable-workbook"


def test_corrupt_zip_bytes_in_a_part(tmp_path: Path) -> None:
    data = bytearray(ONE)
    start = data.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    for i in range(start + 5, start + 25):
        data[i] ^= 0x5A
    error = refused(tmp_path, bytes(data))
    assert error.code == "unreadable-workbook"
    assert "sheet1.xml" in error.message


def _ole(*streams: str) -> bytes:
    """The start of a compound file: its header, then a directory naming ``streams`` (UTF-16)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    directory = b"".join(s.encode("utf-16-le").ljust(64, b"\0") + b"\0" * 64 for s in ("Root Entry", *streams))
    return header.ljust(512, b"\0") + directory


@pytest.mark.parametrize(
    ("streams", "code", "words"),
    [
        (("EncryptionInfo", "EncryptedPackage"), "encrypted-workbook", "パスワード"),
        (("Workbook", "\x05SummaryInformation"), "legacy-xls", ".xls"),
        (("Book",), "legacy-xls", ".xls"),
        (("WordDocument",), "unreadable-workbook", ".doc"),
    ],
    ids=["encrypted", "xls", "xls95", "doc"],
)
def test_ole_files(tmp_path: Path, streams: tuple[str, ...], code: str, words: str) -> None:
    error = refused(tmp_path, _ole(*streams))
    assert error.code == code
    assert words in error.message
    assert ".xlsx" in error.message  # what to send instead


def test_a_real_encrypted_workbook(tmp_path: Path) -> None:
    """A workbook encrypted the way Excel does it ("パスワードを使用して暗号化")."""
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(kit.standard_form([kit.GOOD_ROW]))).encrypt("secret", encrypted)
    error = refused(tmp_path, encrypted.getvalue())
    assert error.code == "encrypted-workbook"
    assert "パスワードを解除" in error.message


def test_xlsm_by_vba_project(tmp_path: Path) -> None:
    data = kit.xlsx({"KPI実績": kit.worksheet("")}, parts={"xl/vbaProject.bin": b"\xcc" * 100})
    error = refused(tmp_path, data, "form.xlsx")
    assert error.code == "macro-workbook"
    assert "マクロは実行せず" in error.message


def test_xlsm_by_content_type(tmp_path: Path) -> None:
    types = kit.content_types(1, book_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    data = kit.xlsx({"KPI実績": kit.worksheet("")}, parts={"[Content_Types].xml": types})
    assert refused(tmp_path, data).code == "macro-workbook"


def test_excel4_macro_sheet(tmp_path: Path) -> None:
    data = kit.xlsx({"KPI実績": kit.worksheet("")}, parts={"xl/macrosheets/sheet1.xml": kit.worksheet("")})
    assert refused(tmp_path, data).code == "macro-workbook"


def test_xlsb_and_ods(tmp_path: Path) -> None:
    xlsb = kit.raw_zip([kit.Entry("[Content_Types].xml", b"<Types/>"), kit.Entry("xl/workbook.bin", b"\x83\x01")])
    assert "xlsb" in refused(tmp_path, xlsb).message
    ods = kit.raw_zip(
        [
            kit.Entry("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", method=0),
            kit.Entry("content.xml", b"<office:document-content/>"),
        ]
    )
    error = refused(tmp_path, ods)
    assert (error.code, ".ods" in error.message) == ("unsupported-format", True)


def test_a_zip_that_is_no_workbook(tmp_path: Path) -> None:
    docx = kit.raw_zip([kit.Entry("[Content_Types].xml", b"<Types/>"), kit.Entry("word/document.xml", b"<w/>")])
    assert "Word" in refused(tmp_path, docx).message
    other = kit.raw_zip([kit.Entry("readme.txt", b"hello")])
    assert refused(tmp_path, other).code == "unreadable-workbook"


def test_not_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "folder.xlsx").mkdir()
    with pytest.raises(WorkbookError):
        open_workbook(tmp_path / "folder.xlsx")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.xlsx")
        with pytest.raises(WorkbookError, match="通常のファイルではありません"):
            open_workbook(tmp_path / "pipe.xlsx")  # would block forever if opened


# -- the zip: sizes, bombs, lies ---------------------------------------------------------


def test_file_larger_than_the_limit(tmp_path: Path) -> None:
    error = refused(tmp_path, ONE, limits=Limits(max_file_bytes=len(ONE) - 1))
    assert error.code == "workbook-too-large"


def test_part_whose_declared_size_is_huge_is_refused_before_inflating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream, crc, size = kit.blank_bomb(64 * 1024 * 1024)
    data = kit.raw_workbook(b"", sheet_entry={"stream": stream, "crc": crc, "declared": size})

    def no_inflating(*args: object) -> None:
        raise AssertionError("inflated a part of a workbook already known to be too large")

    monkeypatch.setattr("saisei.workbook._zipguard.zlib.decompressobj", no_inflating)
    error = refused(tmp_path, data, limits=Limits(max_part_bytes=16 * 1024 * 1024))
    assert error.code == "workbook-too-large"
    assert "展開していません" in error.message


def test_total_above_the_limit(tmp_path: Path) -> None:
    parts = {f"xl/media/image{i}.png": bytes(300_000) for i in range(5)}
    data = kit.xlsx({"KPI実績": kit.worksheet("")}, parts=parts)
    error = refused(tmp_path, data, limits=Limits(max_part_bytes=400_000, max_total_bytes=1_000_000))
    assert error.code == "workbook-too-large"
    assert "ブック全体" in error.message


def test_part_that_lies_about_its_size_with_a_forged_crc(tmp_path: Path) -> None:
    """Declared 1 KiB with the CRC of its first KiB (zipfile alone accepts that), inflating
    to 64 MiB: stopped 16 MiB past the declared size, nothing kept."""
    stream, _, _ = kit.blank_bomb(64 * 1024 * 1024)
    declared = 1024
    prefix = zlib.decompressobj(-15).decompress(stream, declared)
    data = kit.raw_workbook(b"", sheet_entry={"stream": stream, "declared": declared, "crc": zlib.crc32(prefix)})
    error = refused(tmp_path, data)
    assert error.code == "workbook-too-large"
    assert "目録の大きさ" in error.message and "圧縮爆弾" in error.message


def test_part_a_little_longer_than_declared_is_a_corrupt_file_not_a_bomb(tmp_path: Path) -> None:
    real = kit.worksheet('<row r="1"><c r="A1"><v>1</v></c></row>' + " " * 100_000)
    data = kit.raw_workbook(real, sheet_entry={"declared": 1024, "crc": zlib.crc32(real[:1024])})
    error = refused(tmp_path, data)
    assert error.code == "unreadable-workbook"
    assert "壊れた" in error.message


def test_part_that_inflates_short_of_its_declared_size(tmp_path: Path) -> None:
    real = kit.worksheet("")
    data = kit.raw_workbook(real, sheet_entry={"declared": len(real) + 10})
    assert refused(tmp_path, data).code == "unreadable-workbook"


def test_truncated_deflate_stream(tmp_path: Path) -> None:
    real = kit.worksheet('<row r="1"><c r="A1"><v>1</v></c></row>' * 200)
    stream = kit.deflate(real)[:-40]
    data = kit.raw_workbook(real, sheet_entry={"stream": stream})
    assert refused(tmp_path, data).code == "unreadable-workbook"


def test_stored_part_whose_sizes_disagree(tmp_path: Path) -> None:
    real = kit.worksheet("")
    data = kit.raw_workbook(real, sheet_entry={"method": 0, "declared": len(real) - 5})
    assert refused(tmp_path, data).code == "unreadable-workbook"


def test_duplicate_part_names(tmp_path: Path) -> None:
    decoy = kit.worksheet('<row r="1"><c r="A1"><v>1</v></c></row>')
    data = kit.raw_workbook(decoy, extra=[kit.Entry("xl/worksheets/sheet1.xml", decoy)])
    error = refused(tmp_path, data)
    assert "同じ名前の部品" in error.message


def test_encrypted_zip_entry_and_odd_compression(tmp_path: Path) -> None:
    sheet = kit.worksheet("")
    assert "暗号化" in refused(tmp_path, kit.raw_workbook(sheet, sheet_entry={"flags": 0x801})).message
    bz = kit.raw_workbook(sheet, sheet_entry={"method": 12, "stream": b"BZh9" + bytes(20)})
    assert "圧縮方式" in refused(tmp_path, bz).message


def test_too_many_parts(tmp_path: Path) -> None:
    parts = {f"xl/media/i{i}.bin": b"x" for i in range(50)}
    data = kit.xlsx({"KPI実績": kit.worksheet("")}, parts=parts)
    error = refused(tmp_path, data, limits=Limits(max_parts=20))
    assert error.code == "workbook-too-large"


def test_central_directory_claiming_millions_of_entries(tmp_path: Path) -> None:
    data = bytearray(ONE)
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (0xFFFF).to_bytes(2, "little") * 2
    data[end + 12 : end + 16] = (200_000_000).to_bytes(4, "little")
    error = refused(tmp_path, bytes(data))
    assert error.code == "workbook-too-large"


# -- XML: entities, encodings --------------------------------------------------------------

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _with_doctype(body: bytes, doctype: str, entity: str) -> bytes:
    text = body.decode()
    text = text.replace(kit.DECL, "", 1)
    root_end = text.index(">") + 1
    return (doctype + text[:root_end] + entity + text[root_end:]).encode()


@pytest.mark.parametrize(
    "part",
    ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "[Content_Types].xml", "_rels/.rels"],
)
@pytest.mark.parametrize(("doctype", "entity"), [(LAUGHS, ""), (EXTERNAL, "")], ids=["billion-laughs", "external"])
def test_entities_are_refused_in_any_part(tmp_path: Path, part: str, doctype: str, entity: str) -> None:
    import zipfile

    with zipfile.ZipFile(__import__("io").BytesIO(ONE)) as z:
        body = z.read(part)
    data = kit.xlsx(
        {"KPI実績": kit.worksheet("")}, parts={part: _with_doctype(body, doctype, "&lol9;" if "lol" in doctype else "")}
    )
    started = time.perf_counter()
    error = refused(tmp_path, data)
    assert error.code == "unsafe-workbook"
    assert part in error.message
    assert time.perf_counter() - started < 10  # a bound (no expansion), not a benchmark


def test_utf16_and_foreign_encodings_are_refused(tmp_path: Path) -> None:
    utf16 = kit.worksheet("").decode().replace("UTF-8", "UTF-16").encode("utf-16")
    assert refused(tmp_path, kit.xlsx({"KPI実績": utf16})).code == "unsafe-workbook"
    sjis = kit.worksheet("").decode().replace("UTF-8", "Shift_JIS").encode()
    error = refused(tmp_path, kit.xlsx({"KPI実績": sjis}))
    assert "Shift_JIS" in error.message


def test_openpyxl_parses_with_defusedxml() -> None:
    """saisei writes with openpyxl and tests read with it: it must parse defensively."""
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
    import io

    import defusedxml

    bomb = kit.xlsx(
        {"KPI実績": _with_doctype(kit.worksheet('<row r="1"><c r="A1"><v>1</v></c></row>'), LAUGHS, "")},
    )
    with pytest.raises(ValueError) as info:
        openpyxl.load_workbook(io.BytesIO(bomb))
    assert isinstance(info.value.__cause__, defusedxml.DefusedXmlException)


# -- sheet names and parts, as calamine maps them ------------------------------------------


def test_sheet_names_with_character_references(tmp_path: Path) -> None:
    book = kit.book_xml(["KPI実績"]).replace("KPI実績".encode(), b"KPI&#23455;&#32318;")
    grid_bomb = kit.worksheet('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1048576"><v>1</v></c></row>')
    data = kit.xlsx({"KPI実績": grid_bomb}, parts={"xl/workbook.xml": book})
    error = refused(tmp_path, data)
    assert (error.code, error.sheet) == ("workbook-too-large", "KPI実績")


@pytest.mark.parametrize("target", ["/xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.xml", "worksheets/sheet1.xml"])
def test_targets_calamine_understands(tmp_path: Path, target: str) -> None:
    data = kit.xlsx(
        {"KPI実績": kit.worksheet('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1048576"><v>1</v></c></row>')},
        parts={"xl/_rels/workbook.xml.rels": kit.book_rels(1, targets=[target])},
    )
    assert refused(tmp_path, data).code == "workbook-too-large"


def test_a_target_calamine_would_not_resolve_is_not_silently_read(tmp_path: Path) -> None:
    rels = kit.book_rels(1, targets=["worksheets/../worksheets/sheet1.xml"])
    data = kit.xlsx({"KPI実績": kit.worksheet("")}, parts={"xl/_rels/workbook.xml.rels": rels})
    assert refused(tmp_path, data).code == "unreadable-workbook"


def test_character_references_in_the_rels_are_refused(tmp_path: Path) -> None:
    rels = kit.book_rels(1, targets=["worksheets/sheet&#49;.xml"])
    data = kit.xlsx({"KPI実績": kit.worksheet("")}, parts={"xl/_rels/workbook.xml.rels": rels})
    assert "文字参照" in refused(tmp_path, data).message


def test_too_many_sheets_and_merged_cells(tmp_path: Path) -> None:
    many = kit.xlsx({f"S{i}": kit.worksheet("") for i in range(30)})
    assert refused(tmp_path, many, limits=Limits(max_sheets=10)).code == "workbook-too-large"
    merges = "".join(f'<mergeCell ref="A{i}:B{i}"/>' for i in range(1, 200))
    merged = kit.xlsx({"KPI実績": kit.worksheet("", after=f'<mergeCells count="199">{merges}</mergeCells>')})
    error = refused(tmp_path, merged, limits=Limits(max_merged=100))
    assert "結合セル" in error.message


# -- each sheet before calamine: the used area -----------------------------------------------

FAR = [
    ("plain", '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
    ("rows-without-r", '<row><c r="A1"><v>1</v></c><c r="XFD1048576"><v>1</v></c></row>'),
    ("duplicate-r", '<row r="1"><c r="A1"><v>1</v></c><c r="B1" r="XFD1048576"><v>1</v></c></row>'),
    ("lowercase", '<row r="1"><c r="a1"><v>1</v></c><c r="xfd1048576"><v>1</v></c></row>'),
    ("quotes", "<row r='1'><c r='A1'><v>1</v></c><c r='XFD1048576'><v>1</v></c></row>"),
    ("gt-in-attr", '<row r="1"><c r="A1" x="a>b"><v>1</v></c><c x="&gt;" r="XFD1048576"><v>1</v></c></row>'),
    ("counted", '<row r="1048576"><c><v>1</v></c></row><row r="1"><c r="XFD1"><v>1</v></c></row>'),
    ("beyond-xfd", '<row r="1"><c r="A1"><v>1</v></c><c r="ZZZZ2000"><v>1</v></c></row>'),
]


@pytest.mark.parametrize(("name", "cells"), FAR, ids=[n for n, _ in FAR])
def test_far_apart_cells_are_refused_before_calamine_allocates(tmp_path: Path, name: str, cells: str) -> None:
    started = time.perf_counter()
    error = refused(tmp_path, kit.xlsx({"KPI実績": kit.worksheet(cells)}))
    # Two r attributes are not XML at all (calamine would take the last one).
    code = "unreadable-workbook" if name == "duplicate-r" else "workbook-too-large"
    assert (error.code, error.sheet) == (code, "KPI実績")
    assert time.perf_counter() - started < 10  # a bound (no 17-billion-cell grid), not a benchmark


def test_far_apart_cells_with_namespace_prefixes(tmp_path: Path) -> None:
    d = kit.Dialect("prefixed", prefix="x")
    sheet = d.worksheet(d.row(1, d.cell("A1", d.v("1"))) + d.row(1048576, d.cell("XFD1048576", d.v("1"))))
    assert refused(tmp_path, kit.xlsx({"KPI実績": sheet})).code == "workbook-too-large"


def test_the_cell_limit_is_configurable(tmp_path: Path) -> None:
    sheet = kit.worksheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="100"><c r="J100"><v>1</v></c></row>')
    path = kit.write(tmp_path, "ok.xlsx", kit.xlsx({"S": sheet}))
    assert open_workbook(path).sheet("S").max_row == 100
    with pytest.raises(WorkbookError, match="使用範囲"):
        open_workbook(path, Limits(max_cells=999)).sheet("S")


def test_a_scan_of_a_big_plain_sheet_agrees_with_the_exact_one() -> None:
    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{c}{r}" s="1"><v>{r}</v></c>' for c in "ABCDE")
        + f'<c r="F{r}"><f>SUM(A{r}:E{r})</f>{"<v>5</v>" if r % 7 else ""}</c>'
        + (f'<c r="G{r}" t="e"><v>#REF!</v></c>' if r % 11 == 0 else "")
        + "</row>"
        for r in range(1, 2001)
    )
    plain = scan_sheet(kit.worksheet(rows))
    exact = scan_sheet(kit.worksheet(rows.replace("<row ", "<row  ").replace("<c ", "<c\n")))
    assert not plain.exact and exact.exact
    assert (plain.rows, plain.special) == (exact.rows, exact.special)
    assert (plain.rows, exact.columns) == (2000, 7)
    assert plain.columns == 26  # far below the limit: the bound from one-letter columns will do
    near = scan_sheet(kit.worksheet(rows), max_cells=2000 * 10)
    assert near.columns == 7  # near it, counted exactly
    assert plain.special["F7"] == NoCachedValue("SUM(A7:E7)")
    assert plain.special["G11"] == CellError("#REF!")
    assert len(plain.special) == 2000 // 7 + 2000 // 11


# -- each sheet: the values calamine would hide or misread ------------------------------------


def test_error_values_calamine_cannot_read_are_errors_at_the_cell(tmp_path: Path) -> None:
    data = kit.raw_standard(lambda d: d.cell("E2", d.v("#SPILL!"), "e"))
    error = refused(tmp_path, data)
    assert (error.code, error.sheet, error.cell) == ("error-value", "KPI実績", "E2")


@pytest.mark.parametrize("value", ["1&#50;", "&#49;2", "1<!-- -->2", "<![CDATA[12]]>"])
def test_values_calamine_would_cut_short_are_refused_at_the_cell(tmp_path: Path, value: str) -> None:
    sheet = kit.worksheet(f'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="E2"><v>{value}</v></c></row>')
    error = refused(tmp_path, kit.xlsx({"KPI実績": sheet}))
    assert (error.code, error.cell) == ("unreadable-workbook", "E2")


def test_broken_sheet_xml_names_the_sheet(tmp_path: Path) -> None:
    sheet = kit.worksheet('<row r="1"><c r="A1"><v>1</v></c></row>').replace(b"</sheetData>", b"</sheetDat>")
    error = refused(tmp_path, kit.xlsx({"KPI実績": sheet}))
    assert (error.code, error.sheet) == ("unreadable-workbook", "KPI実績")


# -- the exact parse places cells where calamine does -------------------------------------------


def _layout(draw: object) -> list[tuple[str | None, list[tuple[str | None, str]]]]:
    from hypothesis import strategies as st

    rows = []
    for _ in range(draw(st.integers(1, 6))):  # type: ignore[operator]
        row_r = draw(st.one_of(st.none(), st.integers(1, 30).map(str)))  # type: ignore[operator]
        cells = []
        for _ in range(draw(st.integers(0, 5))):  # type: ignore[operator]
            ref = draw(st.one_of(st.none(), st.tuples(st.sampled_from("ABCDEFGHIJ"), st.integers(1, 30))))  # type: ignore[operator]
            kind = draw(st.sampled_from(["number", "error", "empty"]))  # type: ignore[operator]
            cells.append((None if ref is None else f"{ref[0]}{ref[1]}", kind))
        rows.append((row_r, cells))
    return rows


def test_exact_parse_places_cells_as_calamine_does() -> None:
    """Error cells found by the exact parse sit exactly where calamine puts the same cells.

    Each layout is written twice: with error cells, scanned; and with a unique number in
    each of those cells, read by calamine to learn where it puts them.
    """
    import io

    import python_calamine
    from hypothesis import HealthCheck, assume, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: st.DataObject) -> None:
        layout = _layout(data.draw)
        prefix = data.draw(st.sampled_from(["", "x:"]))

        def sheet(errors: bool) -> bytes:
            out, marker = [], 0
            for row_r, cells in layout:
                inner = []
                for ref, kind in cells:
                    r = f' r="{ref}"' if ref else ""
                    if kind == "empty":
                        inner.append(f'<{prefix}c{r} s="1"/>')
                    elif kind == "error":
                        marker += 1
                        body = f"<{prefix}v>#N/A</{prefix}v>" if errors else f"<{prefix}v>{1000 + marker}</{prefix}v>"
                        t = ' t="e"' if errors else ""
                        inner.append(f"<{prefix}c{r}{t}>{body}</{prefix}c>")
                    else:
                        marker += 1
                        inner.append(f"<{prefix}c{r}><{prefix}v>{5000 + marker}</{prefix}v></{prefix}c>")
                rr = f' r="{row_r}"' if row_r else ""
                out.append(f"<{prefix}row{rr}>{''.join(inner)}</{prefix}row>" if inner else f"<{prefix}row{rr}/>")
            ns = f' xmlns{":x" if prefix else ""}="{kit.MAIN_NS}"'
            return (
                f"<{prefix}worksheet{ns}><{prefix}sheetData>{''.join(out)}</{prefix}sheetData></{prefix}worksheet>"
            ).encode()

        numbered = kit.xlsx({"S": sheet(errors=False)})
        try:
            grid = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(numbered)).get_sheet_by_name("S")
            values = grid.to_python(skip_empty_area=False)
        except Exception:
            return  # a layout calamine refuses (two cells at one place ...): nothing to compare
        found = {int(v): cell_ref(r + 1, c + 1) for r, line in enumerate(values) for c, v in enumerate(line) if v != ""}
        filled = sum(kind != "empty" for _, cells in layout for _, kind in cells)
        assume(len(found) == filled)  # no two cells at one place
        where = {ref for v, ref in found.items() if v < 5000}
        scan = scan_sheet(sheet(errors=True))
        assert set(scan.special) == where
        assert all(isinstance(m, CellError) for m in scan.special.values())
        assert scan.rows >= len(values) and scan.columns >= max((len(x) for x in values), default=0)

    check()


def test_saisei_never_reads_a_workbook_with_openpyxl() -> None:
    """Reading goes through open_workbook; openpyxl only writes (and parses its own output)."""
    root = Path(__file__).resolve().parents[1]
    sources = [*root.glob("src/**/*.py"), *root.glob("plugins/*/src/**/*.py")]
    assert sources
    readers = [p for p in sources if "load_workbook" in p.read_text(encoding="utf-8")]
    assert readers == []


def test_many_formula_tags_outside_cells_cost_linear_time(tmp_path: Path) -> None:
    """200,000 <f/> after one cell (calamine skips them): each text stretch is searched once."""
    sheet = kit.worksheet('<row r="1"><c r="A1"><v>1</v></c>' + "<f/>" * 200_000 + "</row>")
    started = time.perf_counter()
    scan = scan_sheet(sheet)
    assert (scan.rows, scan.special, scan.exact) == (1, {}, False)
    assert time.perf_counter() - started < 10  # quadratic rescans took minutes


def test_blanks_become_none_in_place_as_a_comparison_per_cell_would() -> None:
    """The in-place pass gives what ``None if v == "" else v`` per cell gives."""
    import datetime as dt

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from saisei.workbook._book import _blanks_to_none

    value = st.sampled_from(["", " ", "0", 0.0, 1.5, float("nan"), False, True, dt.date(2025, 4, 1), "空"])

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.lists(value, max_size=12), max_size=8))
    def check(grid: list[list[object]]) -> None:
        expected = [[None if v == "" else v for v in line] for line in grid]
        copy = [list(line) for line in grid]
        assert _blanks_to_none(copy) is copy
        assert [[repr(v) for v in line] for line in copy] == [[repr(v) for v in line] for line in expected]

    check()
