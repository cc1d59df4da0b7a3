"""The per-body publication pages (``saisei publish``): well-formed, self-contained,
escaped, deterministic, and holding the body's own figures and the plan totals.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

import saisei
from saisei.cli import main
from saisei.core.plan import Plan, parse_plan
from saisei.pipeline import Consolidation
from saisei.plugins import get_registry
from saisei.report.publish import INDEX, page_name, pages

AS_OF = dt.date(2025, 8, 29)
HEADER = ("団体コード", "団体名", "年度", "KPI", "実績値", "区分", "備考")
FIGURES = {
    "060003": (4, 31, 3905, 142),
    "062031": (3, 12, 1120),
    "062049": (2, 9, 862),
    "062065": (3, 14, 1203),
    "062120": (2, 6, 412),
    "063231": (1, 5, 388),
}  # 飯豊町 (064033) has not reported
PROVISIONAL = {"062120"}
HOSTILE = '<script>alert("x")</script> & =1+1'


def standard_form(path: Path, rows: list[tuple[Any, ...]]) -> None:
    book = Workbook()
    ws = book.active
    ws.title = "KPI実績"
    ws.append(HEADER)
    for row in rows:
        ws.append(list(row))
    book.save(path)


def hostile_plan() -> Plan:
    """The Yamagata plan with markup in a body's name, method and publication channel."""
    data = tomllib.loads(files("saisei.core").joinpath("data", "yamagata.toml").read_text(encoding="utf-8"))
    body = next(b for b in data["bodies"] if b["code"] == "063231")
    body["name"] = "朝日町<b>&amp;"
    body["method"] = HOSTILE
    body["publication_channel"] = HOSTILE
    body["committee"]["other"] = [HOSTILE]
    return parse_plan(data)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    for code, values in FIGURES.items():
        status = "見込み" if code in PROVISIONAL else "確定"
        # 団体名 left blank: the hostile plan renames 朝日町
        standard_form(
            folder / f"{code}.xlsx", [(code, None, 2024, k, v, status, HOSTILE) for k, v in enumerate(values, 1)]
        )
    return folder


def run(folder: Path, plan: Plan | None = None) -> Consolidation:
    return saisei.consolidate([folder], as_of=AS_OF, plan=plan, registry=get_registry(entrypoints=False))


@pytest.fixture(scope="module")
def result(inputs: Path) -> Consolidation:
    return run(inputs)


@pytest.fixture(scope="module")
def built(result: Consolidation) -> dict[str, bytes]:
    return pages(result)


class Collect(HTMLParser):
    """html.parser over a page: every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br"):
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def html(built: dict[str, bytes]) -> dict[str, bytes]:
    """The pages of ``built`` (not their CSVs)."""
    return {name: data for name, data in built.items() if name.endswith(".html")}


def parse(data: bytes) -> tuple[ET.Element, Collect]:
    text = data.decode("utf-8")
    assert text.startswith("<!DOCTYPE html>\n")
    root = ET.fromstring(text.removeprefix("<!DOCTYPE html>\n"))  # well-formed XML (XHTML syntax)
    collect = Collect()
    collect.feed(text)
    collect.close()
    assert not collect.stack
    return root, collect


def rows_of(table: ET.Element) -> list[list[str]]:
    """The table's rows as texts, the KPI cell (a row group, rowspan) repeated on each of its rows."""
    out: list[list[str]] = []
    carried: list[str] = []
    left = 0
    for tr in table.iter("tr"):
        cells = ["".join(cell.itertext()) for cell in tr]
        first = next(iter(tr), None)
        if first is not None and first.get("scope") == "rowgroup":
            carried, left = [cells[0]], int(first.get("rowspan", "1"))
        elif left > 0:
            cells = carried + cells
        left -= 1
        out.append(cells)
    return out


def section_table(root: ET.Element, caption_start: str) -> ET.Element:
    return next(t for t in root.iter("table") if "".join(t.find("caption").itertext()).startswith(caption_start))  # type: ignore[union-attr]


def test_one_page_per_body_and_an_index(built: dict[str, bytes], result: Consolidation) -> None:
    bodies = result.plan.bodies
    assert sorted(built) == sorted([f"{b.code}.{ext}" for b in bodies for ext in ("html", "csv")] + [INDEX])
    root, _ = parse(built[INDEX])
    links = [(a.get("href"), "".join(a.itertext())) for a in root.iter("a")]
    pages_linked = [(href, text) for href, text in links if str(href).endswith(".html")]
    assert pages_linked == [(page_name(b), b.name) for b in bodies]  # named by body, not by file


def test_pages_are_well_formed_japanese_and_self_contained(built: dict[str, bytes]) -> None:
    for name, data in built.items():
        if not name.endswith(".html"):
            continue
        root, collect = parse(data)
        assert root.tag == "html" and root.get("lang") == "ja", name
        assert any(t == "meta" and a.get("charset") == "utf-8" for t, a in collect.tags), name
        for tag, attrs in collect.tags:
            assert tag not in ("script", "link", "img", "iframe", "object", "embed"), (name, tag)
            assert "src" not in attrs, name
            assert not str(attrs.get("href") or "").startswith(("http", "//")), name
        style = root.find("head/style")
        assert style is not None and "url(" not in (style.text or "") and "@import" not in (style.text or "")


def test_body_page_holds_its_figures_and_the_totals(built: dict[str, bytes], result: Consolidation) -> None:
    root, _ = parse(built["062031.html"])
    assert "鶴岡市" in "".join(root.find("body/main/h1").itertext())  # type: ignore[union-attr]
    own = rows_of(section_table(root, "鶴岡市の実績"))[1:]
    assert [(r[1], r[2], r[3]) for r in own] == [
        ("令和6年度（2024年度）", "3", "確定"),
        ("令和6年度（2024年度）", "12", "確定"),
        ("令和6年度（2024年度）", "1,120", "確定"),
    ]
    assert [r[0].split()[0] for r in own] == ["KPI①", "KPI②", "KPI③"]
    totals = {(r[0].split()[0], r[1]): r for r in rows_of(section_table(root, "計画全体"))[1:]}
    assert len(totals) == 12
    for t in result.totals.iter_rows(named=True):
        kpi = result.plan.kpi(t["kpi"])
        assert kpi is not None
        row = totals[(kpi.label, f"令和{t['fiscal_year'] - 2018}年度（{t['fiscal_year']}年度）")]
        assert row[2] == f"{t['target']:,}" and row[3] == f"{t['value']:,}"
    assert totals[("KPI③", "令和6年度（2024年度）")][3] == "7,890"  # 3905+1120+862+1203+412+388
    assert "次回の効果検証" in "".join(root.itertext()) and "2025年9月" in "".join(root.itertext())


def test_provisional_and_missing_are_marked(built: dict[str, bytes]) -> None:
    root, _ = parse(built["062120.html"])
    own = rows_of(section_table(root, "尾花沢市の実績"))[1:]
    assert {r[3] for r in own} == {"見込み"}
    assert "2026年2月（令和7年度分・見込み値）" in "".join(root.itertext())
    root, _ = parse(built["064033.html"])
    own = rows_of(section_table(root, "飯豊町の実績"))[1:]
    assert [(r[2], r[3]) for r in own] == [("—", "未報告")] * 3


def test_no_draft_banner_without_errors(built: dict[str, bytes]) -> None:
    for data in html(built).values():
        root, _ = parse(data)
        assert not [e for e in root.iter() if e.get("class") == "draft"]
        assert "暫定" not in "".join(root.find("body").itertext())  # type: ignore[union-attr]


def test_draft_banner_when_any_error(inputs: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for f in inputs.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    standard_form(folder / "bad.xlsx", [("062031", None, 2024, 1, "調査中", "確定", None)])
    for data in html(pages(run(folder))).values():
        root, _ = parse(data)
        banner = root.find("body/main/p")
        assert banner is not None and banner.get("class") == "draft"
        assert "暫定" in "".join(banner.itertext())


def test_everything_is_escaped(inputs: Path) -> None:
    built = html(pages(run(inputs, hostile_plan())))
    for name, data in built.items():
        text = data.decode("utf-8")
        assert "<script" not in text and "<b>" not in text, name
        parse(data)
    root, _ = parse(built["063231.html"])
    page_text = "".join(root.itertext())
    assert HOSTILE in page_text  # shown as text, exactly
    assert "朝日町<b>&amp;の KPI の実績" in page_text
    assert rows_of(section_table(root, "朝日町<b>&amp;の実績"))[1][2] == "1"


def test_same_consolidation_same_bytes(inputs: Path, built: dict[str, bytes]) -> None:
    assert pages(run(inputs)) == built


def test_publish_command(inputs: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["publish", str(inputs), "--out", str(tmp_path / "a"), "--as-of", "2025-08-29"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted([*(f"{c}.{ext}" for c in (*FIGURES, "064033") for ext in ("html", "csv")), INDEX])
    args[3] = str(tmp_path / "b")
    assert runner.invoke(main, args).exit_code == 0
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    text = (tmp_path / "a" / "060003.html").read_text(encoding="utf-8")
    assert re.search(r'<td class="num">3,905</td>', text)


def test_publish_command_exit_status_on_errors(inputs: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    standard_form(folder / "bad.xlsx", [("062031", None, 2024, 1, -3, "確定", None)])
    out = CliRunner().invoke(main, ["publish", str(folder), "--out", str(tmp_path / "o"), "--as-of", "2025-08-29"])
    assert out.exit_code == 1
    assert (tmp_path / "o" / "062031.html").exists()
