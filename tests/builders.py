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


#: The answers a committee types into a review sheet: label → value.
ANSWERS = ("検証日", "事業効果", "今後の方針", "外部有識者からの意見")


def answer_cells(data: bytes) -> dict[str, str]:
    """Where each answer goes in a review sheet: the cell right of its label (found by text)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    ws = load_workbook(io.BytesIO(data))["効果検証"]
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in ANSWERS:
                out[str(cell.value)] = f"{get_column_letter(cell.column + 1)}{cell.row}"
    assert set(out) == set(ANSWERS), out
    return out


def fill_review_sheet(data: bytes, answers: dict[str, Any]) -> bytes:
    """A review sheet with ``answers`` (label → value) typed right of their labels."""
    from openpyxl import load_workbook

    cells = answer_cells(data)
    book = load_workbook(io.BytesIO(data))
    ws = book["効果検証"]
    for label, value in answers.items():
        ws[cells[label]] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def review_sheet(code: str = "060003", fiscal_year: int = 2024, result: Any = None, **answers: Any) -> bytes:
    """A filled review sheet (saisei's own, of a consolidation of nothing unless ``result``):
    answers by keyword ``date``, ``effect``, ``policy``, ``opinion`` (defaults: a valid set
    for a September meeting)."""
    import datetime as dt

    import saisei
    from saisei.report.review_sheet import review_sheet_bytes

    if result is None:
        import tempfile

        with tempfile.TemporaryDirectory() as empty:  # a consolidation of no workbook
            result = saisei.consolidate([empty], as_of=dt.date(2025, 8, 1))
    body = result.plan.body(code)
    assert body is not None
    given = {
        "検証日": answers.get("date", dt.date(fiscal_year + 1, body.verification_month, 10)),
        "事業効果": answers.get("effect", "地方創生に効果があった"),
        "今後の方針": answers.get("policy", "改善し継続"),
        "外部有識者からの意見": answers.get("opinion", "関係人口の伸びに課題がある。"),
    }
    return fill_review_sheet(review_sheet_bytes(result, body, fiscal_year), given)


def cli(*args: str) -> tuple[int, Any, str]:
    """``saisei ARGS``: exit code, stdout (parsed when ``--json``) and stderr; never a traceback."""
    import json

    from click.testing import CliRunner

    from saisei.cli import main

    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.stderr, result.stderr
    out = json.loads(result.stdout) if "--json" in args and result.stdout.strip() else result.stdout
    return result.exit_code, out, result.stderr
