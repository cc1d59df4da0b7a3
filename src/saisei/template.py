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

__all__ = ["Slot", "Template"]


@dataclass(frozen=True, order=True)
class Slot:
    """A cell where one value of the form goes."""

    kpi: int
    fiscal_year: int
    sheet: str
    cell: str
    period: str | None = None


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
