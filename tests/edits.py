"""Edits clerks make to last year's workbook, for tests: rows and columns inserted, moved, hidden.

Each helper works on an openpyxl worksheet in place and keeps what Excel keeps when a
clerk does the same: merged ranges move with their cells (openpyxl's own
``insert_rows``/``insert_cols`` leave them behind), and so do hidden columns.  Formulas
are not rewritten, so tests start from :func:`load` (cached values, as Excel shows them)
and compare figures, not formulas.

:func:`shifted` tells where a cell of the original ends up after insertions, so a test
can check that every figure is still cited from the cell it now sits in::

    book = load(data)
    ws = book["KPI実績"]
    insert_rows(ws, 1, note="※令和6年度分")       # a note row above the header
    insert_columns(ws, 1)                          # a column at the left
    result = read_bytes(save(book))
    assert cells(result) == {shifted("E2", rows=[1], columns=[1])}   # "F3"
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from saisei.core.cells import cell_ref, column_letter, parse_ref

__all__ = [
    "Insertions",
    "edited",
    "figures",
    "hide_column",
    "insert_columns",
    "insert_rows",
    "insertions",
    "libreoffice",
    "libreoffice_resave",
    "load",
    "save",
    "shifted",
    "swap_columns",
    "swap_rows",
]


def edited(data: bytes, sheet: str, *edits: Callable[[Any], object]) -> bytes:
    """``data`` with each edit applied to sheet ``sheet`` (an openpyxl worksheet), saved again."""
    book = load(data)
    for edit in edits:
        edit(book[sheet])
    return save(book)


def figures(result: Any) -> dict[tuple[int, int, int, str], str]:
    """A reading's figures, (fiscal year, KPI, value, status) → the cell cited; it must have no error."""
    from saisei.testing import errors, observations

    assert not errors(result), [i.message for i in errors(result)]
    return {(o["fiscal_year"], o["kpi"], o["value"], o["status"]): o["cell"] for o in observations(result)}


def cited(result: Any) -> dict[str, tuple[Any, ...]]:
    """A reading's figures by the cell each is cited from: cell → (fiscal year, KPI, value,
    status, period); it must have no error and no cell twice."""
    from saisei.testing import errors, observations

    assert not errors(result), [i.message for i in errors(result)]
    rows = [
        (o["cell"], (o["fiscal_year"], o["kpi"], o["value"], o["status"], o["period"])) for o in observations(result)
    ]
    assert len({c for c, _ in rows}) == len(rows)
    return dict(rows)


def load(data: bytes, *, values: bool = True) -> Any:
    """An openpyxl workbook from xlsx bytes; ``values``: formulas replaced by their cached values."""
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), data_only=values)


def save(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _merged(ws: Any) -> list[tuple[int, int, int, int]]:
    ranges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
    for r in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(r))
    return ranges


def _merge(ws: Any, ranges: Iterable[tuple[int, int, int, int]]) -> None:
    for r1, c1, r2, c2 in ranges:
        if (r1, c1) != (r2, c2):
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _move(n: int, at: int, count: int) -> int:
    return n + count if n >= at else n


def insert_rows(ws: Any, at: int, count: int = 1, *, note: str | None = None) -> None:
    """Insert ``count`` rows before row ``at`` (1-based); ``note`` goes into the first one's A.

    A merged range that spans ``at`` grows, as in Excel.
    """
    ranges = _merged(ws)
    ws.insert_rows(at, count)
    _merge(ws, [(_move(r1, at, count), c1, r2 + count if r2 >= at else r2, c2) for r1, c1, r2, c2 in ranges])
    if note is not None:
        ws.cell(at, 1, note)


def insert_columns(
    ws: Any,
    at: int,
    count: int = 1,
    *,
    header: tuple[int, str] | None = None,
    values: dict[int, Any] | None = None,
    hidden: bool = False,
) -> None:
    """Insert ``count`` columns before column ``at``; ``header`` (row, text) and ``values``
    (row → value) go into the first new column, which may be ``hidden``.

    Column widths and hidden flags move with their columns; a merged range that spans
    ``at`` grows, as in Excel.
    """
    ranges = _merged(ws)
    dims = {
        k: (d.width, d.hidden)
        for k, d in ws.column_dimensions.items()
        if d.min is not None and (d.width is not None or d.hidden)
    }
    ws.insert_cols(at, count)
    _merge(ws, [(r1, _move(c1, at, count), r2, c2 + count if c2 >= at else c2) for r1, c1, r2, c2 in ranges])
    for letter in list(ws.column_dimensions):
        del ws.column_dimensions[letter]
    for letter, (width, was_hidden) in dims.items():
        column = _move(parse_ref(f"{letter}1")[1], at, count)
        dim = ws.column_dimensions[column_letter(column)]
        if width is not None:
            dim.width = width
        dim.hidden = bool(was_hidden)
    if header is not None:
        ws.cell(header[0], at, header[1])
    for row, value in (values or {}).items():
        ws.cell(row, at, value)
    if hidden:
        ws.column_dimensions[column_letter(at)].hidden = True


def hide_column(ws: Any, column: int) -> None:
    ws.column_dimensions[column_letter(column)].hidden = True


def _swap(x: Any, y: Any) -> None:
    """Swap two cells' values and number formats (a date keeps its date format, as when
    Excel moves cells)."""
    formats = y.number_format, x.number_format  # before: openpyxl gives a date value a format
    x.value, y.value = y.value, x.value
    x.number_format, y.number_format = formats


def swap_rows(ws: Any, a: int, b: int, columns: Iterable[int] | None = None) -> None:
    """Swap the values of rows ``a`` and ``b`` (in ``columns``, default every column)."""
    for c in columns or range(1, ws.max_column + 1):
        _swap(ws.cell(a, c), ws.cell(b, c))


def swap_columns(ws: Any, a: int, b: int, rows: Iterable[int] | None = None) -> None:
    """Swap the values of columns ``a`` and ``b`` (in ``rows``, default every row)."""
    for r in rows or range(1, ws.max_row + 1):
        _swap(ws.cell(r, a), ws.cell(r, b))


def shifted(ref: str, *, rows: Iterable[int] = (), columns: Iterable[int] = ()) -> str:
    """Where the original cell ``ref`` is after rows and columns were inserted, one at a time,
    before each position in ``rows`` / ``columns`` (positions as given to
    :func:`insert_rows` / :func:`insert_columns`, in the order they were applied)."""
    row, column = parse_ref(ref)
    for at in rows:
        row = _move(row, at, 1)
    for at in columns:
        column = _move(column, at, 1)
    return cell_ref(row, column)


@dataclass(frozen=True)
class Insertions:
    """Rows and columns inserted before original positions (applied from the bottom/right up,
    so every position is the original sheet's), some rows with a note, some columns with a
    header label (a memo column the form does not know)."""

    rows: tuple[int, ...]
    notes: frozenset[int]
    columns: tuple[int, ...]
    labelled: frozenset[int]
    header_row: int

    def apply(self, ws: Any) -> None:
        for at in self.rows:
            insert_rows(ws, at, note="※メモ（集計に関係ありません）" if at in self.notes else None)
        moved_header = shifted(f"A{self.header_row}", rows=self.rows)
        header = parse_ref(moved_header)[0]
        for at in self.columns:
            insert_columns(ws, at, header=(header, "メモ") if at in self.labelled else None)

    def move(self, ref: str) -> str:
        return shifted(ref, rows=self.rows, columns=self.columns)


def insertions(*, blank_rows: Sequence[int], note_rows: Sequence[int], columns: Sequence[int], header_row: int) -> Any:
    """A hypothesis strategy of :class:`Insertions`: blank rows before any of ``blank_rows``
    (inside the table), blank or note rows before any of ``note_rows`` (above or below it),
    blank or labelled columns before any of ``columns``."""
    from hypothesis import strategies as st

    @st.composite
    def draw(d: Any) -> Insertions:
        blank = d(st.lists(st.sampled_from(list(blank_rows)), max_size=3)) if blank_rows else []
        noted = d(st.lists(st.sampled_from(list(note_rows)), max_size=3)) if note_rows else []
        cols = d(st.lists(st.sampled_from(list(columns)), max_size=3)) if columns else []
        notes = frozenset(p for p in noted if d(st.booleans()))
        labelled = frozenset(p for p in cols if d(st.booleans()))
        return Insertions(
            tuple(sorted([*blank, *noted], reverse=True)),
            notes - set(blank),
            tuple(sorted(cols, reverse=True)),
            labelled,
            header_row,
        )

    return draw()


#: Marks a test that needs LibreOffice (``nox -s libreoffice`` sets SAISEI_LIBREOFFICE=1).
libreoffice = pytest.mark.skipif(
    not os.environ.get("SAISEI_LIBREOFFICE"), reason="LibreOffice check: SAISEI_LIBREOFFICE=1 (needs soffice)"
)


def libreoffice_resave(data: bytes, folder: Path, name: str = "form.xlsx") -> bytes:
    """``data`` opened and saved again as xlsx by LibreOffice Calc, headless, as a clerk
    without Excel does (``folder``: a scratch folder for the files and LibreOffice's profile)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is not installed (apt-get install libreoffice-calc)"
    source = folder / "in" / name
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(data)
    run = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(folder / "out"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return (folder / "out" / name).read_bytes()
