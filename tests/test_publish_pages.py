"""The published pages with the committees' verdicts: what each page and the index say, the
CSV beside each page, a validator-level check of every page (well-formed, unique ids,
headings in order, table headers with scope, labels, contrast), and the pages in a real
Chromium at 1280 and 400 CSS pixels."""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import EXAMPLES, fill_review_sheet
from click.testing import CliRunner

import saisei
from saisei.cli import main

ANSWERS = {
    "検証日": "令和7年9月18日",
    "事業効果": "地方創生に相当程度効果があった",
    "今後の方針": "改善し継続",
    "外部有識者からの意見": "受入体制の整備は順調。<script>alert(1)</script>\n関係人口の伸びに課題がある。",
}
XHTML = "{http://www.w3.org/1999/xhtml}"


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples and 鶴岡市's filled review sheet in a record, published from the record alone."""
    base = tmp_path_factory.mktemp("site")
    record = base / "記録.sqlite"
    cli("consolidate", str(EXAMPLES), "--record", str(record), "--out", str(base / "report"))
    blank = base / "sheet.xlsx"
    cli("review-sheet", "鶴岡市", "--fiscal-year", "2024", "--record", str(record), "-o", str(blank))
    (base / "in").mkdir()
    (base / "in" / "鶴岡市_検証結果.xlsx").write_bytes(fill_review_sheet(blank.read_bytes(), ANSWERS))
    cli("consolidate", str(base / "in"), "--record", str(record), "--out", str(base / "report"))
    cli("publish", "--record", str(record), "--out", str(base / "pub"))
    return base / "pub"


def pages(site: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(site.glob("*.html")):
        yield path.name, path.read_text(encoding="utf-8")


def tree(text: str) -> ET.Element:
    return ET.fromstring(text.removeprefix("<!DOCTYPE html>\n"))


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def test_the_body_page_shows_its_verdict_and_others_are_pending(site: Path) -> None:
    root = tree((site / "062031.html").read_text(encoding="utf-8"))
    body = text_of(root)
    assert "効果検証の結果" in body
    for shown in ("2025年9月18日", ANSWERS["事業効果"], ANSWERS["今後の方針"], "<script>alert(1)</script>"):
        assert shown in body
    assert "鶴岡商工会議所" in body  # the committee
    assert "委員会の判断はこれと異なります" in body  # saisei suggested 非常に効果的
    pending = text_of(tree((site / "060003.html").read_text(encoding="utf-8")))
    assert "検証前（令和7年9月予定）" in pending
    assert "検証前（令和7年2月予定）" in text_of(tree((site / "062120.html").read_text(encoding="utf-8")))
    index = tree((site / "index.html").read_text(encoding="utf-8"))
    rows = {text_of(tr[0]): text_of(tr[2]) for tr in index.iter("tr") if tr[0].get("scope") == "row"}
    assert rows["鶴岡市"] == "検証済み（令和7年9月18日）"
    assert rows["山形県"] == "検証前（令和7年9月予定）"
    assert "7団体のうち 1団体が検証済み" in text_of(index)


def test_each_page_has_its_csv_beside_it_one_value_a_row(site: Path) -> None:
    for name, text in pages(site):
        if name == "index.html":
            continue
        code = name.removesuffix(".html")
        assert f'href="{code}.csv"' in text
        raw = (site / f"{code}.csv").read_bytes()
        assert raw.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0] == ["団体コード", "団体名", "年度", "KPI", "指標名", "単位", "項目", "値", "区分"]
        assert {r[0] for r in rows[1:]} == {code}  # six digits, the leading zero kept
        for r in rows[1:]:
            assert len(r) == 9
            assert r[7] == "" or re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", r[7]), r
    own = [r for r in csv.reader(io.StringIO((site / "062031.csv").read_text(encoding="utf-8-sig")))][1:]
    assert own[0][:4] == ["062031", "鶴岡市", "2024", "1"]
    assert (own[0][6], own[0][7], own[0][8]) == ("団体の実績", "3", "確定")


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_every_page_passes_a_validator_level_check(site: Path) -> None:
    for name, text in pages(site):
        assert text.startswith("<!DOCTYPE html>\n"), name
        root = tree(text)  # well-formed
        assert root.tag == "html" and root.get("lang") == "ja", name
        ids = [e.get("id") for e in root.iter() if e.get("id")]
        assert len(ids) == len(set(ids)), (name, ids)
        for a in root.iter("a"):
            href = a.get("href") or ""
            assert text_of(a).strip(), (name, href)  # every link says where it goes
            if href.startswith("#"):
                assert href[1:] in ids, (name, href)
            elif href:
                assert (site / href).exists(), (name, href)
        body = root.find("body")
        assert body is not None
        skip = body[0]
        assert skip.tag == "a" and skip.get("href") == "#content" and "本文" in text_of(skip), name
        levels = [int(e.tag[1]) for e in root.iter() if re.fullmatch(r"h[1-6]", e.tag)]
        assert levels[0] == 1 and levels.count(1) == 1, (name, levels)
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (name, levels)
        for table in root.iter("table"):
            assert table.find("caption") is not None, name
            for th in table.iter("th"):
                assert th.get("scope") in ("col", "row", "rowgroup", "colgroup"), (name, text_of(th))
        for control in (e for e in root.iter() if e.tag in ("input", "select", "textarea")):
            labelled = control.get("aria-label") or any(
                label.get("for") == control.get("id") for label in root.iter("label")
            )
            assert labelled, (name, control.tag)
        for img in root.iter("img"):
            assert img.get("alt") is not None, name
        for region in (e for e in root.iter() if e.get("role") == "region"):
            assert region.get("aria-label") and region.get("tabindex") == "0", name
        # 見込み is a word, not only a colour
        for cell in (e for e in root.iter() if "provisional" in (e.get("class") or "")):
            assert "見込み" in text_of(cell), name
        # text contrast of every rule that sets a colour, on its own background or white
        style = root.find("head/style")
        assert style is not None and style.text
        for selector, rule in re.findall(r"([^{}]+)\{([^{}]*)\}", style.text):
            colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", rule)
            if colour is None:
                continue
            background = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{6})", rule)
            ratio = contrast(colour.group(1), background.group(1) if background else "#ffffff")
            assert ratio >= 4.5, (selector.strip(), ratio)


# -- in a real browser -------------------------------------------------------------------


def chromium() -> str:
    """Debian's chromium; skipped where it is absent, except in CI (CI=true), which must have it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium がありません（CI では .ci/run が apt-get install chromium で入れます）")
        pytest.skip("chromium is not installed here")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    path = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


#: Texts that must be visible on each page (the verdict on 鶴岡市's).
KEY_TEXTS = {
    "index.html": ["団体別ページ", "鶴岡市", "検証済み（令和7年9月18日）"],
    "062031.html": ["鶴岡市の KPI の実績", "効果検証の結果", ANSWERS["事業効果"], "計画全体の目標と実績"],
    "060003.html": ["山形県の KPI の実績", "検証前（令和7年9月予定）"],
}

#: The widest a column header may be stacked: more lines than this is one character a line.
MAX_HEADER_LINES = 2


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 400])
def test_pages_fit_the_screen_in_chromium(browser: object, site: Path, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    try:
        for name, _ in pages(site):
            page.goto((site / name).as_uri())
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, (name, width, scroll)
            for shown in KEY_TEXTS.get(name, []):
                assert page.get_by_text(shown, exact=False).first.is_visible(), (name, shown)
            stacked = page.evaluate(
                """() => [...document.querySelectorAll('thead th')].map(th => {
                    const line = parseFloat(getComputedStyle(th).lineHeight) || 20;
                    const pad = parseFloat(getComputedStyle(th).paddingTop) + parseFloat(getComputedStyle(th).paddingBottom);
                    return [th.textContent, Math.round((th.clientHeight - pad) / line)];
                })"""
            )
            assert all(lines <= MAX_HEADER_LINES for _, lines in stacked), (name, width, stacked)
        # the skip link appears when the keyboard reaches it
        page.goto((site / "062031.html").as_uri())
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "本文へ移動"
        assert page.locator("a.skip").is_visible()
        if width == 400:
            page.screenshot(path=str(site / "062031-400.png"), full_page=False)
    finally:
        page.close()


def test_published_pages_and_their_csvs_are_never_read_as_submissions(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "提出"
    shutil.copytree(EXAMPLES, folder)
    shutil.copytree(site, folder / "公開")
    result = saisei.consolidate([folder])
    assert not [i for i in result.issues if (i.file or "").endswith((".csv", ".html"))], result.issues
    assert len(result.files) == len(list(EXAMPLES.glob("*.xlsx")))
