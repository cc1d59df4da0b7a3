"""A blank form a plugin writes, with the cells where values go.

A template is an openpyxl workbook plus its *slots*: for each KPI, fiscal year and part of
the year (month, quarter, ledger row), the cell a clerk types the value into.  The
conformance kit (:mod:`saisei.testing`) fills the slots with generated values, saves the
workbook and checks that the plugin reads back exactly those values from exactly those
cells.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Slot", "Template", "print_ready"]

#: Width (in Excel's character units) above which a sheet prints landscape: about what
#: fits across portrait A4 at 100% with narrow margins.
PORTRAIT_WIDTH = 95.0
DEFAULT_COLUMN_WIDTH = 8.43
A4 = 9  # Excel's paper size code


@dataclass(frozen=True, order=True)
class Slot:
    """A cell where one value of the form goes.

    ``status_cell``: the cell of the same sheet whose word (確定, 見込み, 速報 …) gives this
    value's status, when the form has one per value (a status column); the conformance kit
    then checks every status word of the form on it.
    """

    kpi: int
    fiscal_year: int
    sheet: str
    cell: str
    period: str | None = None
    status_cell: str | None = None


@dataclass
class Template:
    """A blank form and where its values go.

    :ivar workbook: the blank form (``openpyxl.Workbook``)
    :ivar slots: every value cell, in the form's order
    :ivar complete_status: the status (``final``/``provisional``) the plugin gives the
        values when every slot is filled
    """

    workbook: Any
    slots: tuple[Slot, ...]
    complete_status: str

    def fill(self, values: Mapping[Slot, object]) -> bytes:
        """The form with ``values`` typed into their slots (others stay blank), as xlsx bytes."""
        for slot, value in values.items():
            self.workbook[slot.sheet][slot.cell] = value
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        for slot in values:
            self.workbook[slot.sheet][slot.cell] = None
        return buffer.getvalue()

    def save(self, path: str | Path) -> None:
        """Write the blank form to ``path``."""
        self.workbook.save(path)


def print_ready(template: Template) -> Template:
    """Give every sheet of ``template`` a page setup a clerk can print, where its plugin set none.

    A4, as wide as the sheet's columns need (landscape past :data:`PORTRAIT_WIDTH`), all
    columns on one page width, narrow margins, and the rows down to the header of the
    value cells repeated on every page (print titles).  What a plugin set itself is kept.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import coordinate_from_string

    first_value_row: dict[str, int] = {}
    for slot in template.slots:
        row = coordinate_from_string(slot.cell)[1]
        first_value_row[slot.sheet] = min(row, first_value_row.get(slot.sheet, row))
    for ws in template.workbook.worksheets:
        setup = ws.page_setup
        if setup.paperSize is not None:  # the plugin's own page setup
            continue
        width = sum(
            (ws.column_dimensions[get_column_letter(c)].width or DEFAULT_COLUMN_WIDTH)
            for c in range(1, ws.max_column + 1)
        )
        setup.paperSize = A4
        setup.orientation = "landscape" if width > PORTRAIT_WIDTH else "portrait"
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.print_options.horizontalCentered = True
        header_row = first_value_row.get(ws.title, 1) - 1
        if header_row >= 1 and not ws.print_title_rows:
            ws.print_title_rows = f"1:{header_row}"
        ws.oddFooter.center.text = "&A　&P / &N"
    return template
