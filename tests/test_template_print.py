"""Every template prints on A4 as the real form would: page setup and print titles (issue 15, item 17)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import coordinate_from_string

import saisei
from saisei.plugins import get_registry
from saisei.template import A4, Slot, Template, print_ready

PLAN = saisei.load_plan()
REGISTRY = get_registry()


@pytest.mark.parametrize("name", sorted(REGISTRY.plugins))
def test_every_template_is_print_ready(name: str) -> None:
    made = REGISTRY.template(name, 2025, PLAN, None)
    if made is None:
        pytest.skip(f"{name} writes no template")
    buffer = io.BytesIO()
    made.workbook.save(buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))  # what the clerk opens
    first_rows: dict[str, int] = {}
    for slot in made.slots:
        row = coordinate_from_string(slot.cell)[1]
        first_rows[slot.sheet] = min(row, first_rows.get(slot.sheet, row))
    assert first_rows, name
    for ws in book.worksheets:
        assert int(ws.page_setup.paperSize) == A4, (name, ws.title)
        assert ws.page_setup.orientation in ("portrait", "landscape")
        assert ws.sheet_properties.pageSetUpPr.fitToPage, (name, ws.title)
        assert ws.page_setup.fitToWidth in (1, "1") and ws.page_setup.fitToHeight in (0, "0")
        if first_rows.get(ws.title, 1) > 1:
            assert ws.print_title_rows == f"$1:${first_rows[ws.title] - 1}", (name, ws.title, ws.print_title_rows)


def test_wide_sheets_print_landscape_and_narrow_ones_portrait() -> None:
    book = Workbook()
    wide = book.active
    wide.title = "wide"
    for column in "ABCDEFGHIJKL":
        wide.column_dimensions[column].width = 12
    wide["L1"] = "x"
    narrow = book.create_sheet("narrow")
    narrow["C5"] = "x"
    made = print_ready(Template(book, (Slot(1, 2025, "wide", "B4"), Slot(1, 2025, "narrow", "C6")), "final"))
    assert made.workbook["wide"].page_setup.orientation == "landscape"
    assert made.workbook["narrow"].page_setup.orientation == "portrait"
    assert made.workbook["wide"].print_title_rows == "$1:$3"
    assert made.workbook["narrow"].print_title_rows == "$1:$5"


def test_a_plugins_own_page_setup_is_kept() -> None:
    book = Workbook()
    ws = book.active
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.orientation = "portrait"
    print_ready(Template(book, (Slot(1, 2025, ws.title, "A2"),), "final"))
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A3)
    assert not ws.print_title_rows
