"""One safe way to open a workbook, shared by every reader.

:func:`open_workbook` reads a file's bytes once and, before any parser sees them, tells
what the file is and refuses what is not a plain xlsx; checks the zip, every part's size
and every XML part; and maps sheet names to worksheet parts exactly as calamine does.
Before calamine parses a sheet, :func:`scan_sheet` reads that sheet's XML once: it bounds
the area calamine's grid will span and finds the formula cells without a cached value and
the error cells that calamine shows as blank.

Cell values then come from calamine (python-calamine).  Values keep their types: ``str``,
``float`` (Excel stores every number as one), ``datetime``/``date``, ``bool``, ``None`` for
a blank cell, and the two sentinels :class:`~saisei.core.values.NoCachedValue` and
:class:`~saisei.core.values.CellError`.

The public names are here; the machinery is in private modules, each one step:

* ``_sniff``: what the file is (an encrypted or legacy ``.xls``, a PDF renamed ``.xlsx`` …);
* ``_zipguard``: the zip and its parts (bombs, macros, DOCTYPE …) and which part holds
  which sheet;
* ``_scan``: one sheet's XML, by the plain path (``_plain``) or the exact one (``_exact``),
  each cell judged as calamine reads it (``_judge``);
* ``_book``: :class:`Workbook` and :class:`Sheet`, what plugins read.

saisei's own writers (the report, the send-back copies) use the checks and the one reading
of ``workbook.xml`` too: :func:`classify`, :func:`inspect_zip`, :func:`sheet_parts`, and the
parts' names :data:`BOOK` and :data:`BOOK_RELS`.
"""

from __future__ import annotations

from ._base import Limits, WorkbookError
from ._book import Sheet, Workbook, open_workbook
from ._judge import SheetScan
from ._scan import scan_sheet
from ._sniff import classify
from ._zipguard import BOOK, BOOK_RELS, inspect_zip, sheet_parts

__all__ = [
    "BOOK",
    "BOOK_RELS",
    "Limits",
    "Sheet",
    "SheetScan",
    "Workbook",
    "WorkbookError",
    "classify",
    "inspect_zip",
    "open_workbook",
    "scan_sheet",
    "sheet_parts",
]
