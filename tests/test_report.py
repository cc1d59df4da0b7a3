"""report.xlsx: the sheets, their numbers against the library's, no formula anywhere,
the chart's ranges, print setup, and the same bytes for the same inputs.

The inputs are standard-form workbooks (標準様式, read by the core) for all seven bodies of
the plan, so the report is tested without the municipal plugins: one body sends a
provisional figure and then a final one (a revision), two send estimates, one a later
year, and the texts ``=1+1`` / ``@SUM(A1)`` sit where a report could pick them up.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from openpyxl import Workbook, load_workbook

import saisei
from saisei.core.fiscal import fiscal_year_label
from saisei.pipeline import Consolidation
from saisei.plugins import get_registry
from saisei.report import atomic_write, report_bytes, write_outputs
from saisei.report.data import KPI_HEADER, VALUE_HEADER
from saisei.report.views import split_source
from saisei.report.xlsx import ACTUAL_COLUMN, CATEGORY_COLUMN, SHEETS, TARGET_COLUMN, put

AS_OF = dt.date(2025, 8, 29)
HEADER = ("団体コード", "団体名", "年度", "KPI", "実績値", "区分", "備考")
NAMES = {
    "060003": "山形県",
    "062031": "鶴岡市",
    "062049": "酒田市",
    "062065": "寒河江市",
    "062120": "尾花沢市",
    "063231": "朝日町",
    "064033": "飯豊町",
}
FY2024 = {
    "060003": (4, 31, 3905, 142),
    "062031": (3, 12, 1120),
    "062049": (2, 9, 862),
    "062065": (3, 14, 1203),
    "062120": (2, 6, 412),
    "063231": (1, 5, 388),
    "064033": (2, 4, 296),
}
ESTIMATES = {"062120", "064033"}


def standard_form(path: Path, rows: list[tuple[Any, ...]], sheet: str = "KPI実績") -> Path:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(HEADER)
    for row in rows:
        ws.append(list(row))
    book.save(path)
    return path


def make_inputs(folder: Path, *, broken: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for code, values in FY2024.items():
        status = "見込み" if code in ESTIMATES else "確定"
        rows = [(code, NAMES[code], 2024, k, v, status, "=1+1" if k == 1 else None) for k, v in enumerate(values, 1)]
        if code == "062049":
            rows += [(code, NAMES[code], "令和7年度", k, v, "見込み", "@SUM(A1)") for k, v in enumerate((1, 3, 240), 1)]
        standard_form(folder / f"{NAMES[code]}_R6.xlsx", rows)
    # 尾花沢市 confirms two of its estimates later: 2 → 2 and 6 → 7.
    standard_form(
        folder / "=1+1.xlsx",
        [("062120", "尾花沢市", 2024, 1, 2, "確定", None), ("062120", "尾花沢市", 2024, 2, 7, "確定", None)],
    )
    if broken:
        standard_form(folder / "鶴岡市_追加.xlsx", [("062031", "=HYPERLINK(1)", 2025, 1, "調査中", "見込み", None)])
    return folder


def run(folder: Path) -> Consolidation:
    return saisei.consolidate([folder], as_of=AS_OF, registry=get_registry(entrypoints=False))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_inputs(tmp_path_factory.mktemp("in"))


@pytest.fixture(scope="module")
def result(inputs: Path) -> Consolidation:
    return run(inputs)


@pytest.fixture(scope="module")
def xlsx(result: Consolidation) -> bytes:
    return report_bytes(result)


@pytest.fixture(scope="module")
def book(xlsx: bytes) -> Any:
    return load_workbook(io.BytesIO(xlsx))


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Consolidation:
    return run(make_inputs(tmp_path_factory.mktemp("broken"), broken=True))


def table(ws: Any, header_row: int = 1) -> tuple[list[Any], list[list[Any]]]:
    rows = [list(r) for r in ws.iter_rows(min_row=header_row, values_only=True)]
    return rows[0], rows[1:]


# ---------------------------------------------------------------------------
# the inputs consolidate as intended (so the report tests test something)


def test_inputs_consolidate_as_intended(result: Consolidation) -> None:
    assert not result.has_errors, result.issues
    assert result.fiscal_year_under_review == 2024
    assert result.values.height == 25
    assert result.revisions.height == 2
    obanazawa = result.values.filter((pl.col("entity_code") == "062120") & (pl.col("kpi") == 2))
    assert obanazawa["value"].to_list() == [7] and obanazawa["status"].to_list() == ["final"]


# ---------------------------------------------------------------------------
# determinism


def test_same_inputs_same_bytes(inputs: Path, tmp_path: Path) -> None:
    first = write_outputs(run(inputs), tmp_path / "a")
    second = write_outputs(run(inputs), tmp_path / "b")
    assert [p.name for p in first] == ["report.xlsx", "values.csv", "values.parquet", "observations.parquet"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_same_bytes_in_any_process(inputs: Path, tmp_path: Path) -> None:
    """Two processes with different string hashing (the order of a set of names) write
    the same bytes."""
    import os
    import subprocess
    import sys

    made = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        done = subprocess.run(
            [sys.executable, "-m", "saisei", "consolidate", str(inputs), "--out", str(out), "--as-of", str(AS_OF)],
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=120,
        )
        assert done.returncode in (0, 1), done.stderr
        made.append([(out / name).read_bytes() for name in ("report.xlsx", "values.csv", "values.parquet")])
    assert made[0] == made[1]


def test_same_bytes_whatever_the_clock(result: Consolidation, monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    import openpyxl.writer.excel as excel_writer

    made = []
    for year in (2001, 2031):

        class Clock(dt.datetime):
            at = year

            @classmethod
            def now(cls, tz: dt.tzinfo | None = None) -> Clock:
                return cls(cls.at, 5, 6, 7, 8, 9, tzinfo=tz)

        monkeypatch.setattr(excel_writer, "datetime", types.SimpleNamespace(datetime=Clock, timezone=dt.timezone))
        made.append(report_bytes(result))
    assert made[0] == made[1]


def test_zip_entries_have_fixed_times_and_properties(xlsx: bytes, book: Any, result: Consolidation) -> None:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    # openpyxl stamps "modified" with the time of saving; the re-packing puts the run's as-of date
    assert result.as_of == dt.date(2025, 8, 29)
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == ["2025-08-29T00:00:00Z"] * 2
    assert book.properties.creator == "saisei"


def test_one_japanese_font_family_throughout(xlsx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        styles = z.read("xl/styles.xml").decode()
    fonts = re.search(r"<fonts[^>]*>(.*)</fonts>", styles, re.S)
    assert fonts is not None
    names = re.findall(r'<name val="([^"]*)"', fonts.group(1))
    count = len(re.findall(r"<font[ >/]", fonts.group(1)))
    assert names and set(names) == {"游ゴシック"} and len(names) == count, names  # no Calibri, no unnamed font
    assert "scheme" not in fonts.group(1)  # not the theme's Latin font


def test_empty_lists_say_nashi(tmp_path: Path) -> None:
    from builders import standard_form
    from openpyxl import load_workbook

    import saisei

    (tmp_path / "in").mkdir()
    plan = saisei.load_plan()
    (tmp_path / "in" / "x.xlsx").write_bytes(
        standard_form(
            [
                (b.code, b.name, 2024, f"KPI{k.number}", 1, "確定", None)
                for b in plan.bodies
                for k in plan.kpis_for(b.code)
            ]
        )
    )
    made = saisei.consolidate([tmp_path / "in"], as_of=dt.date(2025, 9, 1))
    assert not made.revisions.height and not made.issues, made.issues
    made.write(tmp_path / "out")
    book = load_workbook(tmp_path / "out" / "report.xlsx")
    assert [c.value for c in book["改訂履歴"][2]][:2] == ["なし", None]
    assert [c.value for c in book["要確認"][2]][:2] == ["なし", None]


def test_parquet_reads_back_as_the_values(result: Consolidation, tmp_path: Path) -> None:
    write_outputs(result, tmp_path)
    assert pl.read_parquet(tmp_path / "values.parquet").equals(result.values)


# ---------------------------------------------------------------------------
# no formula anywhere


def sheet_xml(xlsx: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet")}


def test_no_cell_holds_a_formula(xlsx: bytes, draft: Consolidation) -> None:
    for data in (xlsx, report_bytes(draft)):
        sheets = sheet_xml(data)
        assert len(sheets) == len(SHEETS)
        for name, text in sheets.items():
            assert not re.search(r"<f[ >/]", text), name
            assert 't="e"' not in text, name
        wb = load_workbook(io.BytesIO(data))
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate)


def test_formula_like_text_from_workbooks_stays_text(draft: Consolidation) -> None:
    wb = load_workbook(io.BytesIO(report_bytes(draft)))
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=@":
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    seen.add(cell.value)
    # the file name =1+1.xlsx (出典, 改訂履歴) and =HYPERLINK(...) in a message start cells
    assert "=1+1.xlsx" in seen
    assert any("=1+1.xlsx!KPI実績!E" in str(v) for v in seen)


@pytest.mark.parametrize("text", ["=1+1", '=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "=1+1\n=2"])
def test_put_never_writes_a_formula(text: str) -> None:
    wb = Workbook()
    put(wb.active, 1, 1, text)
    buffer = io.BytesIO()
    wb.save(buffer)
    back = load_workbook(buffer).active["A1"]
    assert back.value == text and back.data_type == "s"


def test_put_cleans_characters_a_cell_cannot_hold() -> None:
    wb = Workbook()
    put(wb.active, 1, 1, "a\x00b\x1fc")
    put(wb.active, 2, 1, "x" * 40_000)
    buffer = io.BytesIO()
    wb.save(buffer)
    ws = load_workbook(buffer).active
    assert ws["A1"].value == "a\ufffdb\ufffdc"
    assert len(ws["A2"].value) == 32_767 and ws["A2"].value.endswith("…")


# ---------------------------------------------------------------------------
# sheets and data sheets


def test_sheets_in_order(book: Any) -> None:
    assert book.sheetnames == list(SHEETS)
    assert book.sheetnames[0] == "総括"


def test_values_sheet_reads_back_as_the_values(book: Any, result: Consolidation) -> None:
    header, rows = table(book["実績データ"])
    assert tuple(header) == VALUE_HEADER
    expected = [
        [r["entity_code"], r["entity"], r["fiscal_year"], r["kpi"], r["value"], r["status"], r["sources"]]
        for r in result.values.iter_rows(named=True)
    ]
    assert len(rows) == len(expected) == 25
    for got, want in zip(rows, expected, strict=True):
        code, name, year, kpi, value, status, sources = got
        assert isinstance(code, str) and re.fullmatch(r"[0-9]{6}", code)
        assert isinstance(year, int) and isinstance(kpi, int) and isinstance(value, int)
        assert [code, name, year, kpi, value] == want[:5]
        assert status == {"final": "確定", "provisional": "見込み"}[want[5]]
        assert sources.split("\n") == want[6]


def test_kpi_sheet_reads_back_as_the_summary(book: Any, result: Consolidation) -> None:
    header, rows = table(book["KPI集計"])
    assert tuple(header[:6]) == ("年度", "KPI", "指標名", "目標値", "実績値", "達成率")
    assert tuple(header) == KPI_HEADER
    summary = result.summary()
    assert len(rows) == summary.height == 12
    for got, want in zip(rows, summary.iter_rows(named=True), strict=True):
        assert got[0] == want["fiscal_year"] and got[1] == want["kpi"]
        assert got[3] == want["target"] and got[4] == want["value"]
        if want["achievement"] is None:
            assert got[5] is None
        else:
            assert got[5] == pytest.approx(want["achievement"], abs=1e-6)
        assert got[10] == want["level"] and got[11] == want["rating"]


def test_data_sheets_have_no_merged_cells_and_one_header_row(book: Any) -> None:
    for name in ("実績データ", "KPI集計", "団体別", "出典", "改訂履歴", "要確認", "検証体制"):
        ws = book[name]
        assert not ws.merged_cells.ranges, name
        assert ws.freeze_panes == "A2", name
        assert all(c.value for c in ws[1]), name


# ---------------------------------------------------------------------------
# 総括


def summary_table(ws: Any) -> tuple[int, list[list[Any]]]:
    """The KPI table of 総括: its header row and its data rows (down to the first blank row)."""
    header_row = next(r for r in range(1, 40) if ws.cell(r, 1).value == "KPI" and ws.cell(r, 2).value == "指標名")
    rows = []
    r = header_row + 1
    while ws.cell(r, 1).value is not None:
        rows.append([ws.cell(r, c).value for c in range(1, 14)])
        r += 1
    return header_row, rows


def test_summary_numbers_equal_the_totals(book: Any, result: Consolidation) -> None:
    ws = book["総括"]
    _, rows = summary_table(ws)
    assert len(rows) == 12
    totals = {(r["fiscal_year"], r["kpi"]): r for r in result.totals.iter_rows(named=True)}
    plan = result.plan
    for row in rows:
        label, name, unit, baseline, year_label, target, actual, rate, level, _tl, rating, reported, prov = row
        kpi = next(k for k in plan.kpis if k.label == label)
        year = next(fy for fy in plan.fiscal_years if fiscal_year_label(fy) == year_label)
        assert (name, unit, baseline, target) == (kpi.name, kpi.unit, kpi.baseline, kpi.target(year))
        total = totals.get((year, kpi.number))
        if total is None:
            assert actual is None and rate is None and level is None and reported == 0
            continue
        assert actual == total["value"]
        assert rate == pytest.approx(total["achievement"], abs=1e-6)
        assert reported == total["bodies_reported"] and prov == total["provisional_bodies"]
        years = [fy for fy in plan.fiscal_years if fy <= year]
        if all((fy, kpi.number) in totals for fy in years):
            assert level == kpi.baseline + sum(totals[(fy, kpi.number)]["value"] for fy in years)
        if year <= result.fiscal_year_under_review:
            assert rating == plan.rating.rate(total["achievement"], level, kpi.baseline)
        else:
            assert rating == "（年度途中）"
    # the plan totals by hand for the year under review: 17, 82, 8186, 142
    fy2024 = {r[0]: r[6] for r in rows if r[4] == fiscal_year_label(2024)}
    assert fy2024 == {"KPI①": 17, "KPI②": 82, "KPI③": 8186, "KPI④": 142}


def test_summary_names_plan_year_and_as_of(book: Any, result: Consolidation) -> None:
    ws = book["総括"]
    labels = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 12)}
    assert labels["計画の名称"] == result.plan.name
    assert labels["審査対象年度"] == "令和6年度（2024年度）"
    assert labels["基準日"] == dt.datetime(2025, 8, 29)
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any("暫定" in t for t in texts)
    assert not ws.oddHeader.right.text


def test_summary_lists_estimates_and_missing_bodies(book: Any) -> None:
    ws = book["総括"]
    found = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert found["未報告"] == "なし"
    assert found["見込み"] == "尾花沢市（KPI③）、飯豊町（KPI①・KPI②・KPI③）"
    statuses = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 8)] for r in range(1, ws.max_row + 1)}
    assert statuses["064033"] == ["飯豊町", "見込み", "見込み", "見込み", "対象外", "見込みを含む"]
    assert statuses["060003"] == ["山形県", "確定", "確定", "確定", "確定", "確定"]


def test_draft_is_marked_on_the_summary_and_every_page(draft: Consolidation) -> None:
    assert draft.has_errors
    wb = load_workbook(io.BytesIO(report_bytes(draft)))
    ws = wb["総括"]
    assert ws["A2"].value.startswith("【暫定】")
    assert ws["A2"].font.b and ws["A2"].font.color.rgb.endswith("C00000")
    for sheet in wb.worksheets:
        assert sheet.oddHeader.right.text == "暫定", sheet.title
    header, rows = table(wb["要確認"])
    assert header[:6] == ["区分", "コード", "ファイル", "シート", "セル", "内容"]
    errors = {tuple(r[2:5]) for r in rows if r[0] == "エラー"}
    assert errors == {("鶴岡市_追加.xlsx", "KPI実績", "B2"), ("鶴岡市_追加.xlsx", "KPI実績", "E2")}
    assert len(rows) == len(draft.issues)


def test_missing_bodies_are_listed(tmp_path: Path) -> None:
    folder = make_inputs(tmp_path / "in")
    (folder / "鶴岡市_R6.xlsx").unlink()
    wb = load_workbook(io.BytesIO(report_bytes(run(folder))))
    ws = wb["総括"]
    found = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert found["未報告"] == "鶴岡市（KPI①・KPI②・KPI③）"
    body = [r for r in table(wb["団体別"])[1] if r[0] == "062031"]
    assert [(r[2], r[3], r[5], r[6]) for r in body] == [(2024, k, None, "未報告") for k in (1, 2, 3)]


# ---------------------------------------------------------------------------
# the chart

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def charts(xlsx: bytes) -> list[ET.Element]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        names = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        # the charts hang on 総括 (sheet1)
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        assert "drawing" in rels
        return [ET.fromstring(z.read(n)) for n in names]


def parse_range(ref: str) -> tuple[str, int, int, int]:
    m = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", ref)
    assert m, ref
    sheet, c1, r1, c2, r2 = m.groups()
    assert c1 == c2
    return sheet, ord(c1) - 64, int(r1), int(r2)


def test_chart_per_kpi_references_the_summary_values(xlsx: bytes, book: Any, result: Consolidation) -> None:
    found = charts(xlsx)
    assert len(found) == len(result.plan.kpis)
    ws = book["総括"]
    for chart, kpi in zip(found, result.plan.kpis, strict=True):
        assert chart.find(f".//{C}barChart") is not None
        title = "".join(t.text or "" for t in chart.iter(f"{A}t"))
        assert kpi.label in title
        series = chart.findall(f".//{C}ser")
        assert [s.findtext(f"{C}tx/{C}v") for s in series] == ["目標", "実績"]
        for ser, column in zip(series, (TARGET_COLUMN, ACTUAL_COLUMN), strict=True):
            sheet, col, lo, hi = parse_range(ser.findtext(f"{C}val/{C}numRef/{C}f") or "")
            assert (sheet, col, hi - lo + 1) == ("総括", column, len(result.plan.fiscal_years))
            cat_sheet, cat_col, cat_lo, cat_hi = parse_range(ser.findtext(f"{C}cat//{C}f") or "")
            assert (cat_sheet, cat_col, cat_lo, cat_hi) == ("総括", CATEGORY_COLUMN, lo, hi)
            assert [ws.cell(r, 1).value for r in range(lo, hi + 1)] == [kpi.label] * 3
            assert [ws.cell(r, CATEGORY_COLUMN).value for r in range(lo, hi + 1)] == [
                fiscal_year_label(fy) for fy in result.plan.fiscal_years
            ]
            cells = [ws.cell(r, col).value for r in range(lo, hi + 1)]
            if column == TARGET_COLUMN:
                assert cells == [kpi.target(fy) for fy in result.plan.fiscal_years]
            else:
                totals = {
                    r["fiscal_year"]: r["value"] for r in result.totals.iter_rows(named=True) if r["kpi"] == kpi.number
                }
                assert cells == [totals.get(fy) for fy in result.plan.fiscal_years]


# ---------------------------------------------------------------------------
# 団体別, 検証体制, 改訂履歴, 出典


def test_body_sheet_statuses_and_shares(book: Any, result: Consolidation) -> None:
    header, rows = table(book["団体別"])
    assert header[:7] == ["団体コード", "団体名", "年度", "KPI", "指標名", "実績値", "区分"]
    values = {(r["entity_code"], r["fiscal_year"], r["kpi"]): r for r in result.values.iter_rows(named=True)}
    assert {(r[0], r[2], r[3]) for r in rows if r[5] is not None} == set(values)
    shares: dict[tuple[int, int], float] = {}
    for code, name, year, kpi, _kname, value, status, total, share in rows:
        assert name == NAMES[code]
        if value is None:
            assert status == "未報告" and share is None
            continue
        v = values[(code, year, kpi)]
        assert value == v["value"]
        assert status == {"final": "確定", "provisional": "見込み"}[v["status"]]
        assert share == pytest.approx(value / total, abs=1e-6)
        shares[(year, kpi)] = shares.get((year, kpi), 0) + share
    assert all(s == pytest.approx(1.0, abs=1e-5) for s in shares.values())


def test_verification_sheet(book: Any, result: Consolidation) -> None:
    header, rows = table(book["検証体制"])
    sectors = ["産", "学", "官", "金", "労", "言", "士", "その他"]
    assert header[6:14] == sectors
    by_code = {r[0]: r for r in rows}
    assert list(by_code) == [b.code for b in result.plan.bodies]
    obanazawa = by_code["062120"]
    assert obanazawa[2:6] == ["2月", dt.datetime(2026, 2, 1), "令和7年度（2025年度）", "見込み（年度末前）"]
    assert by_code["060003"][2:6] == ["9月", dt.datetime(2025, 9, 1), "令和6年度（2024年度）", "確定"]
    assert by_code["064033"][3] == dt.datetime(2026, 3, 1)
    for body in result.plan.bodies:
        marks = by_code[body.code][6:14]
        assert marks == ["○" if body.committee.covers(s) else None for s in SECTORS_ORDER]
        assert by_code[body.code][-1] == body.publication_channel
    assert by_code["062031"][6:13] == ["○"] * 7  # 鶴岡市: 産学官金労言士 all there
    assert "学: 山形大学、鶴岡工業高等専門学校" in by_code["062031"][14]


SECTORS_ORDER = ("industry", "academia", "government", "finance", "labour", "press", "professional", "other")


def test_revision_sheet(book: Any) -> None:
    header, rows = table(book["改訂履歴"])
    assert header[:6] == ["団体コード", "団体名", "年度", "KPI", "旧の値", "新の値"]
    assert header[-2:] == ["改訂の種別", "旧の値を受理した集計"]
    assert {(r[-2], r[-1]) for r in rows} == {("見込み値→確定値", "（受理前に置き換え）")}
    assert [r[:7] for r in rows] == [
        ["062120", "尾花沢市", 2024, 1, 2, 2, 0],
        ["062120", "尾花沢市", 2024, 2, 6, 7, 1],
    ]
    assert rows[1][7] == "尾花沢市_R6.xlsx!KPI実績!E3"
    assert rows[1][8] == "=1+1.xlsx!KPI実績!E3"


def test_source_sheet_one_row_per_value_and_source(book: Any, result: Consolidation) -> None:
    header, rows = table(book["出典"])
    assert header[-4:] == ["ファイル", "シート", "セル", "出典"]
    expected = [
        (r["entity_code"], r["fiscal_year"], r["kpi"], r["value"], s)
        for r in result.values.iter_rows(named=True)
        for s in r["sources"]
    ]
    assert [(r[0], r[2], r[3], r[4], r[9]) for r in rows] == expected
    for row in rows:
        assert f"{row[6]}!{row[7]}!{row[8]}" == row[9]
        assert re.fullmatch(r"[A-Z]+[0-9]+(:[A-Z]+[0-9]+)?", row[8])


def test_split_source_keeps_exclamation_marks_in_file_names() -> None:
    files = ["a!b.xlsx", "a.xlsx"]
    assert split_source("a!b.xlsx!KPI実績!E4:E9", files) == ("a!b.xlsx", "KPI実績", "E4:E9")
    assert split_source("a.xlsx!s!G2", files) == ("a.xlsx", "s", "G2")
    assert split_source("x.xlsx!s!G2", files) == ("x.xlsx", "s", "G2")


# ---------------------------------------------------------------------------
# print-ready


def test_every_sheet_is_print_ready(book: Any) -> None:
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.column_dimensions["A"].width > 5, ws.title
        if ws.title != "総括":
            assert ws.print_title_rows == "$1:$1", ws.title
    assert book["実績データ"]["E2"].number_format == "#,##0"
    assert book["KPI集計"]["F2"].number_format == "0.0%"
    header_row, _ = summary_table(book["総括"])
    assert book["総括"].cell(header_row + 1, TARGET_COLUMN).number_format == "#,##0"
    assert book["総括"].row_breaks.brk, "the charts start on a page of their own"


# ---------------------------------------------------------------------------
# other shapes: nothing usable, another plan


def test_a_run_with_no_usable_value_still_gives_a_whole_report(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    standard_form(folder / "bad.xlsx", [("062031", "鶴岡市", 2024, 1, "調査中", "確定", None)])
    data = report_bytes(run(folder))
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == list(SHEETS)
    ws = wb["総括"]
    found = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert found["未報告"].count("（") == len(NAMES)
    assert {r[6] for r in table(wb["団体別"])[1]} == {"未報告"}
    assert len(charts(data)) == 4
    assert table(wb["実績データ"])[1] == []


def test_another_plan_shapes_the_summary_and_charts(tmp_path: Path) -> None:
    import tomllib
    from importlib.resources import files

    from saisei.core.plan import parse_plan

    raw = tomllib.loads(files("saisei.core").joinpath("data", "yamagata.toml").read_text(encoding="utf-8"))
    raw["plan"]["fiscal_years"] = [2024, 2025]
    raw["kpis"] = raw["kpis"][:2]
    for kpi in raw["kpis"]:
        kpi["targets"] = {k: v for k, v in kpi["targets"].items() if k in ("2024", "2025")}
    raw["rating"] = {"achieved": 1.2, "on_track": 1.05}  # a stricter body
    plan = parse_plan(raw)
    folder = tmp_path / "in"
    folder.mkdir()
    standard_form(folder / "県.xlsx", [("060003", "山形県", 2024, 1, 17, "確定", None)])
    result = saisei.consolidate([folder], plan=plan, as_of=AS_OF, registry=get_registry(entrypoints=False))
    data = report_bytes(result)
    wb = load_workbook(io.BytesIO(data))
    _, rows = summary_table(wb["総括"])
    assert [(r[0], r[4]) for r in rows] == [
        ("KPI①", "令和6年度（2024年度）"),
        ("KPI①", "令和7年度（2025年度）"),
        ("KPI②", "令和6年度（2024年度）"),
        ("KPI②", "令和7年度（2025年度）"),
    ]
    assert rows[0][6] == 17 and rows[0][10] == "おおむね順調"  # 17/16 = 106%: between 105% and 120%
    found = charts(data)
    assert len(found) == 2
    for chart in found:
        for ser in chart.findall(f".//{C}ser"):
            _, _, lo, hi = parse_range(ser.findtext(f"{C}val/{C}numRef/{C}f") or "")
            assert hi - lo + 1 == 2
    assert len(table(wb["KPI集計"])[1]) == 4


def test_formula_like_sheet_names_and_messages_stay_text(result: Consolidation) -> None:
    from dataclasses import replace

    from saisei.core.issues import Issue

    odd = Issue.at("warning", "total-mismatch", "=1+1 は合いません", file="=1+1.xlsx", sheet="=SUM(A1)", cell="B2")
    raw = Issue("error", "=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0", "@x", "+1", "-1", "=plugin")
    data = report_bytes(replace(result, issues=[odd, raw]))
    assert not any(re.search(r"<f[ >/]", text) for text in sheet_xml(data).values())
    ws = load_workbook(io.BytesIO(data))["要確認"]
    assert [c.value for c in ws[2]] == ["警告", "total-mismatch", "=1+1.xlsx", "=SUM(A1)", "B2", odd.message, None]
    assert [c.value for c in ws[3]][1:] == ["=cmd|' /C calc'!A0", "@x", "+1", "-1", "=cmd|' /C calc'!A0", "=plugin"]
    assert all(c.data_type == "s" for row in ws.iter_rows(min_row=2) for c in row if c.value is not None)
    assert load_workbook(io.BytesIO(data))["総括"]["A2"].value.startswith("【暫定】")


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX modes")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_follow_the_umask(result: Consolidation, tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        written = write_outputs(result, tmp_path / "out")
        atomic_write(tmp_path / "one.txt", b"x")
    finally:
        os.umask(old)
    assert written
    for path in [*written, tmp_path / "one.txt"]:
        assert path.stat().st_mode & 0o777 == mode, (path, oct(path.stat().st_mode))
