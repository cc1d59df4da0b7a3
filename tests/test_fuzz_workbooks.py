"""Fuzzing: mutate the good sample workbooks (cells, sheets, rows, bytes of the zip) and
check that every run ends with values and/or issues, never an unexpected exception, and
that a file with an error gives no value.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

import hostile_kit as kit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import saisei
from saisei.pipeline import Consolidation

SAMPLES = {p.name: p.read_bytes() for p in sorted(kit.EXAMPLES.glob("*.xlsx"))}
SHEET_NAMES = [
    "KPI実績",
    "実績報告",
    "実績一覧",
    "集計",
    "R6",
    "月別実績",
    "KPI進捗",
    "レコード一覧",
    "記入例",
    "Sheet",
]

CELL_VALUES = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(
        [
            *("△3", "▲1", "１２", "1,203", "3団体", "14人", "調査中", "=1/0", "=SUM(A1:A3)", "#DIV/0!", "#REF!"),
            *("令和6年度", "R6", "Ｒ７", "2024年度", "060003", "60003", "062031", "KPI①", "確定", "見込み", ""),
        ]
    ),
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
    st.booleans(),
)


def _cells(book: Any, draw: Any) -> None:
    for _ in range(draw(st.integers(1, 8))):
        ws = book.worksheets[draw(st.integers(0, len(book.worksheets) - 1))]
        row = draw(st.integers(1, max(ws.max_row, 1) + 2))
        column = draw(st.integers(1, max(ws.max_column, 1) + 1))
        for merged in list(ws.merged_cells.ranges):
            if (row, column) in {(c[0], c[1]) for c in merged.cells}:
                ws.unmerge_cells(str(merged))
        ws.cell(row=row, column=column).value = draw(CELL_VALUES)


def _sheets(book: Any, draw: Any) -> None:
    action = draw(st.sampled_from(["rename", "delete", "add", "reorder"]))
    index = draw(st.integers(0, len(book.worksheets) - 1))
    if action == "rename":
        book.worksheets[index].title = draw(st.sampled_from(SHEET_NAMES)) + draw(
            st.sampled_from(["", " ", "２", "(2)"])
        )
    elif action == "delete" and len(book.worksheets) > 1:
        book.remove(book.worksheets[index])
    elif action == "add":
        book.create_sheet(draw(st.sampled_from(SHEET_NAMES)) + "x", draw(st.integers(0, len(book.worksheets))))
    else:
        book.move_sheet(book.worksheets[index], offset=draw(st.integers(-2, 2)))


def _rows(book: Any, draw: Any) -> None:
    ws = book.worksheets[draw(st.integers(0, len(book.worksheets) - 1))]
    for merged in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(merged))
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    if len(rows) < 2:
        return
    order = draw(st.permutations(range(len(rows))))
    for r, source in enumerate(order, start=1):
        for c, value in enumerate(rows[source], start=1):
            ws.cell(row=r, column=c).value = value


@st.composite
def mutated(draw: Any) -> tuple[str, bytes]:
    """A sample workbook with cells, sheets, rows or bytes changed."""
    name = draw(st.sampled_from(sorted(SAMPLES)))
    data = SAMPLES[name]
    kinds = draw(st.lists(st.sampled_from(["cells", "sheets", "rows", "bytes"]), min_size=1, max_size=3, unique=True))
    if set(kinds) - {"bytes"}:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data))
        for kind in kinds:
            {"cells": _cells, "sheets": _sheets, "rows": _rows}.get(kind, lambda b, d: None)(book, draw)
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
    if "bytes" in kinds:
        flipped = bytearray(data)
        for _ in range(draw(st.integers(1, 6))):
            # A fraction of the length: openpyxl's output length varies with the time of saving.
            where = draw(st.floats(0, 1, exclude_max=True))
            flipped[int(where * len(flipped))] ^= draw(st.integers(1, 255))
        data = bytes(flipped)
    return f"mutated-{name}", data


def check(result: Consolidation) -> None:
    assert result.values.height or result.issues
    # An exception inside saisei or a plugin is caught and reported; on these inputs none may happen.
    unexpected = [i.message for i in result.issues if i.code in ("internal-error", "plugin-failed")]
    assert not unexpected, unexpected
    failed = {f.name for f in result.files if f.has_errors}
    used = {source.split("!")[0] for sources in result.values["sources"] for source in sources}
    assert not used & failed, used & failed
    for f in result.files:
        if f.has_errors:
            assert f.frame is None or all(f.name not in s for row in result.values["sources"] for s in row)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_a_mutated_workbook_alone(case: tuple[str, bytes]) -> None:
    name, data = case
    with tempfile.TemporaryDirectory() as tmp:
        path = kit.write(Path(tmp), name, data)
        result = saisei.consolidate([path])
        check(result)
        assert [f.name for f in result.files] == [name]
        assert result.files[0].has_errors or result.files[0].frame is not None
        result.write(Path(tmp) / "out")


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(mutated(), min_size=1, max_size=3, unique_by=lambda c: c[0]))
def test_mutated_workbooks_beside_the_samples(cases: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = kit.copy_examples(Path(tmp) / "提出")
        for name, data in cases:
            kit.write(folder, name, data)
        result = saisei.consolidate([folder])
        check(result)
        assert len(result.files) == len(SAMPLES) + len(cases)
        result.write(Path(tmp) / "out")
