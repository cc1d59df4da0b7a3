"""The plain sheet scan gives the same answer whichever regex engine searches the text."""

from __future__ import annotations

import io
import zipfile

import pytest
from builders import EXAMPLES
from openpyxl import Workbook

from saisei import workbook


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
    by_re = [workbook._plain_area(xml, limit) for limit in (5_000_000, 10)]
    monkeypatch.setattr(workbook, "_SMALL_TEXT", -1)  # every text through polars
    by_polars = [workbook._plain_area(xml, limit) for limit in (5_000_000, 10)]
    assert by_re == by_polars
    assert any(area is not None for area in by_re) or xml.count(b"<sheetData") != 1
