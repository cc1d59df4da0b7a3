"""The plain sheet scan gives the same answer whichever regex engine searches the text."""

from __future__ import annotations

import io
import random
import zipfile
from unittest import mock

import hostile_kit as kit
import pytest
from builders import EXAMPLES
from openpyxl import Workbook

from saisei.core.cells import cell_ref
from saisei.workbook import WorkbookError, _plain, scan_sheet


def sheets() -> list[bytes]:
    parts = []
    for path in sorted(EXAMPLES.glob("*.xlsx")):
        with zipfile.ZipFile(path) as z:
            parts += [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    book = Workbook()
    ws = book.active
    ws["A1"], ws["XFD1048576"], ws["AB12"] = 1, 2, "=SUM(A1:A2)"
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        parts.append(z.read("xl/worksheets/sheet1.xml"))
    return parts


@pytest.mark.parametrize("xml", sheets())
def test_python_re_and_polars_agree(xml: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    by_re = [_plain._plain_area(xml, limit) for limit in (5_000_000, 10)]
    monkeypatch.setattr(_plain, "_SMALL_TEXT", -1)  # every text through polars
    by_polars = [_plain._plain_area(xml, limit) for limit in (5_000_000, 10)]
    assert by_re == by_polars
    assert any(area is not None for area in by_re) or xml.count(b"<sheetData") != 1


KINDS = {
    "number": "<v>7</v>",
    "formula": "<f>SUM(A1:A2)</f><v>3</v>",
    "formula-no-v": "<f>SUM(A1:A2)</f>",
    "shared-no-v": '<f t="shared" si="0"/>',
    "error": "<v>#N/A</v>",
}


def _sheet(cells: list[tuple[int, int, str]], spaced: bool) -> bytes:
    """Cells in the order given, one row element each; ``spaced``: forces the exact parse."""
    c = "<c\n" if spaced else "<c "
    error = ' t="e"'
    return kit.worksheet(
        "".join(
            f'<row r="{r}">{c}r="{cell_ref(r, col)}"{error if kind == "error" else ""}>{KINDS[kind]}</c></row>'
            for r, col, kind in cells
        )
    )


def test_plain_and_exact_scans_agree_on_generated_sheets() -> None:
    """In order or not, near the grid's corners or not, with either engine: the same area
    and the same special cells as the exact parse; refused at the same cell limit."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    place = st.tuples(
        st.one_of(st.integers(1, 40), st.integers(1, 1_048_576)),
        st.one_of(st.integers(1, 30), st.integers(1, 16_384)),
    )

    @settings(max_examples=80, deadline=None)
    @given(st.dictionaries(place, st.sampled_from(list(KINDS)), min_size=1, max_size=12), st.booleans(), st.randoms())
    def check(found: dict[tuple[int, int], str], shuffle: bool, rng: random.Random) -> None:
        cells = sorted((r, col, kind) for (r, col), kind in found.items())
        if shuffle:
            rng.shuffle(cells)
        exact = scan_sheet(_sheet(cells, spaced=True), max_cells=2**40)
        assert exact.exact
        assert (exact.rows, exact.columns) == (max(r for r, _, _ in cells), max(c for _, c, _ in cells))
        plain_xml = _sheet(cells, spaced=False)
        for small in (256 * 1024, -1):
            with mock.patch.object(_plain, "_SMALL_TEXT", small):
                plain = scan_sheet(plain_xml, max_cells=2**40)
                assert not plain.exact
                assert (plain.rows, plain.special) == (exact.rows, exact.special)
                assert plain.columns >= exact.columns
                area = exact.rows * exact.columns
                assert scan_sheet(plain_xml, max_cells=area).columns == exact.columns
                with pytest.raises(WorkbookError, match="使用範囲"):
                    scan_sheet(plain_xml, max_cells=area - 1)

    check()


@pytest.mark.parametrize("odd", ["", "1", "a1", "AAAA1", "A0", "A01", "A12345678", "A1B", "Ａ1", "A1 "])
@pytest.mark.parametrize("where", ["first", "last", "end of text"])
def test_a_cell_reference_that_is_not_plain_a1_goes_to_the_exact_parse(odd: str, where: str) -> None:
    cells = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2"><v>2</v></c></row>'
    if where == "first":
        cells = cells.replace('r="A1"', f'r="{odd}"')
    elif where == "last":
        cells = cells.replace('r="B2"', f'r="{odd}"')
    else:
        cells += f'<c r="{odd}'
    assert _plain._plain_area(kit.worksheet(cells), 5_000_000) is None
    with mock.patch.object(_plain, "_SMALL_TEXT", -1):
        assert _plain._plain_area(kit.worksheet(cells), 5_000_000) is None


def test_the_small_text_checks_are_the_plain_pattern() -> None:
    """_not_plain_small answers as _NOT_PLAIN does in Python's re and in polars, on texts
    made of the pieces the pattern looks at."""
    import re

    import polars as pl
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pieces = st.sampled_from(
        [
            *['<c r="', "<c", " r=", ' r="', "c", "w", " ", "r", "=", '"', "'", "<", ">", "/", ":", "!", "?", "&"],
            *["v", "f", "<v>", "<v ", "is", "row", "sheetData", "A", "Z", "AAA", "AAAA", "0", "1", "9", "1234567"],
            *["Ａ", "\t", "\n", '<row r="1">', 'w r="', 'c r="', '<c r="A1">', '<c r="XFD1048576" t="e">', "</row>"],
            "<v>1</v></c>",
        ]
    )

    @settings(max_examples=400, deadline=None)
    @given(st.lists(pieces, max_size=14).map("".join))
    def check(text: str) -> None:
        expected = re.search(_plain._NOT_PLAIN, text) is not None
        assert _plain._not_plain_small(text) == expected
        assert pl.Series([text]).str.contains(_plain._NOT_PLAIN).item() == expected

    check()


@pytest.mark.parametrize("small", [256 * 1024, -1], ids=["re", "polars"])
def test_text_that_is_not_utf8_goes_to_the_exact_parse(small: int) -> None:
    cells = '<row r="1"><c r="A1" t="inlineStr"><is><t>実績</t></is></c><c r="B1"><f>A1</f></c></row>'
    good = kit.worksheet(cells)
    bad = good.replace("績".encode(), b"\xff\xfe")
    with mock.patch.object(_plain, "_SMALL_TEXT", small):
        area = _plain._plain_area(good, 5_000_000)
        assert area is not None
        assert (area.rows, area.formula, area.inline) == (1, good.index(b"<f>"), good.index(b'"inlineStr"'))
        assert area.error == -1
        assert _plain._plain_area(bad, 5_000_000) is None
