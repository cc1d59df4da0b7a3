"""Workbooks built in the tests: nothing is read from outside the project."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "fy2024"
STANDARD_HEADER = ("団体コード", "団体名", "年度", "KPI", "実績値", "区分", "備考")


def standard_form(
    rows: Iterable[Sequence[Any]],
    *,
    extra_sheets: Sequence[str] = ("記入方法",),
    sheet: str = "KPI実績",
    header: Sequence[str] = STANDARD_HEADER,
) -> bytes:
    """A standard-form workbook (KPI実績) with ``rows`` under the header, as xlsx bytes."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for name in extra_sheets:
        book.create_sheet(name)["A1"] = "1行に1件。"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
