"""The report and the publication pages of the bundled examples (every body's own form,
read by its plugin): the numbers in them are the expected ones, and they are the same
bytes on every run.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from builders import EXAMPLES, ROOT
from openpyxl import load_workbook

import saisei
from saisei.pipeline import Consolidation
from saisei.report import parquet_bytes, report_bytes
from saisei.report.data import values_csv
from saisei.report.publish import pages

EXPECTED = json.loads((ROOT / "tests" / "data" / "expected_fy2024.json").read_text(encoding="utf-8"))
STATUS = {"final": "確定", "provisional": "見込み"}


@pytest.fixture(scope="module")
def result() -> Consolidation:
    return saisei.consolidate([EXAMPLES])


@pytest.fixture(scope="module")
def book(result: Consolidation) -> Any:
    return load_workbook(io.BytesIO(report_bytes(result)))


def test_the_examples_consolidate(result: Consolidation) -> None:
    assert not result.has_errors, [i.message for i in result.errors]
    assert result.fiscal_year_under_review == EXPECTED["fiscal_year_under_review"]


def test_data_sheets_hold_the_expected_values(book: Any) -> None:
    rows = list(book["実績データ"].iter_rows(min_row=2, values_only=True))
    got = {(r[0], r[2], r[3]): (r[4], r[5]) for r in rows}
    assert got == {
        (v["entity_code"], v["fiscal_year"], v["kpi"]): (v["value"], STATUS[v["status"]]) for v in EXPECTED["values"]
    }
    totals = {(r[0], r[1]): r[4] for r in book["KPI集計"].iter_rows(min_row=2, values_only=True) if r[4] is not None}
    assert totals == {(t["fiscal_year"], t["kpi"]): t["value"] for t in EXPECTED["totals"]}


def test_summary_names_the_estimates_and_the_warnings(book: Any) -> None:
    ws = book["総括"]
    found = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert found["審査対象年度"] == "令和6年度（2024年度）"
    assert found["未報告"] == "なし"
    assert found["見込み"].startswith("尾花沢市（") and "飯豊町（" in found["見込み"]
    assert found["状態"].startswith("エラーなし")
    issues = list(book["要確認"].iter_rows(min_row=2, values_only=True))
    assert issues and all(r[0] == "警告" and r[2] and r[3] and r[4] for r in issues)


def test_every_source_cell_is_listed(book: Any, result: Consolidation) -> None:
    rows = list(book["出典"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == sum(len(s) for s in result.values["sources"].to_list())
    files = {p.name for p in EXAMPLES.glob("*.xlsx")}
    assert {r[6] for r in rows} == files
    assert all(re.fullmatch(r"[A-Z]+[0-9]+(:[A-Z]+[0-9]+)?", r[8]) for r in rows)


def test_each_body_page_shows_its_expected_figures(result: Consolidation) -> None:
    built = pages(result)
    for value in EXPECTED["values"]:
        text = built[f"{value['entity_code']}.html"].decode("utf-8")
        ET.fromstring(text.removeprefix("<!DOCTYPE html>\n"))
        cells = re.findall(
            r'<td class="year">([^<]*)</td><td class="num">([^<]*)</td><td class="[a-z]+">([^<]*)</td>', text
        )
        wanted = (f"令和{value['fiscal_year'] - 2018}年度（{value['fiscal_year']}年度）", f"{value['value']:,}")
        assert (*wanted, STATUS[value["status"]]) in cells, (value, cells)


def test_same_bytes_on_every_run(result: Consolidation, tmp_path: Path) -> None:
    again = saisei.consolidate([EXAMPLES])
    assert report_bytes(again) == report_bytes(result)
    assert values_csv(again) == values_csv(result)
    assert parquet_bytes(again.values) == parquet_bytes(result.values)
    assert pages(again) == pages(result)
