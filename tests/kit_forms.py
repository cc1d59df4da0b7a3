"""The monthly log of issue 14 (山形市, 062014), described in TOML, and a plan with 山形市 in it.

Shared by tests/test_declarative.py and tests/test_kit_breaks.py (the kit run on broken
variants of this form).
"""

from __future__ import annotations

import io
from pathlib import Path

from saisei import load_plan
from saisei.declarative import DeclarativeForm

ROOT = Path(__file__).resolve().parents[1]
FORMS = Path(__file__).parent / "data" / "forms"
MONTHLY = FORMS / "monthly_log.toml"
ASAHI = FORMS / "asahi.toml"

YAMAGATA_CITY = """
[[bodies]]
code = "062014"
name = "山形市"
plugin = "yamagata_city"
verification_month = 9
method = "山形市総合計画審議会で検証する。"
publication = "市ホームページで公表する。"
publication_channel = "市ホームページ"
[bodies.committee]
industry = ["山形商工会議所"]
"""


def plan_file(folder: Path, *, named: bool = True) -> Path:
    """The bundled plan with 山形市 added, its form read by plugin ``yamagata_city`` (with
    ``named=False``, the plan names no plugin for it: 山形市 sends the standard form)."""
    text = (ROOT / "src" / "saisei" / "core" / "data" / "yamagata.toml").read_text(encoding="utf-8")
    body = YAMAGATA_CITY if named else YAMAGATA_CITY.replace('plugin = "yamagata_city"\n', "")
    path = folder / "plan.toml"
    path.write_text(text + body, encoding="utf-8")
    return path


def monthly_form() -> DeclarativeForm:
    return DeclarativeForm.load(MONTHLY)


#: The sample log: (row values) from row 4, with a blank row, two departments, 速報 in March
#: and the form's own KPI names.  Header on row 3 under a title.
SAMPLE_ROWS: list[tuple[object, ...]] = [
    ("R6.4", "受入れ体制", 1, "確定", "企画課"),
    ("令和6年4月", "関係人口（人）", 12, "確定", "企画課"),
    ("2024/04", "関係人口（人）", 3, "確定", "観光課"),
    (None, None, None, None, None),
    ("R6.5", "交流人口（人）", "１，２０３", "確定", "観光課"),
    ("2025/03", "交流人口（人）", 40, "速報", "観光課"),
    ("R7.4", "関係人口（人）", 5, "確定", "企画課"),
]
#: What a correct reading gives, cell by cell (by hand from SAMPLE_ROWS): a 速報 row makes its
#: whole fiscal year provisional.
SAMPLE_EXPECTED = {
    "C4": (2024, 1, 1, "provisional"),
    "C5": (2024, 2, 12, "provisional"),
    "C6": (2024, 2, 3, "provisional"),
    "C8": (2024, 3, 1203, "provisional"),
    "C9": (2024, 3, 40, "provisional"),
    "C10": (2025, 2, 5, "final"),
}


def monthly_sample(rows: list[tuple[object, ...]] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "月次実績"
    ws["A1"] = "山形市 地域再生計画KPI 月次実績"
    ws.append([])
    ws.append(["年月", "指標", "件数", "確定/速報", "部署"])
    for row in SAMPLE_ROWS if rows is None else rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = [
    "ASAHI",
    "MONTHLY",
    "SAMPLE_EXPECTED",
    "SAMPLE_ROWS",
    "load_plan",
    "monthly_form",
    "monthly_sample",
    "plan_file",
]
