"""Text from workbooks and file names, shown safely: no escape codes, no megabyte echoes,
no formulas in values.csv (issue 15, items 11 and 12)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from builders import standard_form
from click.testing import CliRunner

from saisei.cli import main
from saisei.core.issues import Issue
from saisei.core.text import QUOTE_LIMIT, cap_quotes, quote, safe_text

TERMINAL_ATTACK = "_x001B_]0;pwned_x0007__x001B_[2J"  # Excel's escapes: set the title, clear the screen


def test_safe_text_writes_controls_as_visible_escapes() -> None:
    assert safe_text("a\x1b]0;t\x07b") == "a\\x1b]0;t\\x07b"
    assert safe_text("行1\n行2\t\r") == "行1\\x0a行2\\x09\\x0d"
    assert safe_text("\x9b2J") == "\\x9b2J"  # C1 CSI
    assert safe_text("abc\u202etxt.exe") == "abc\\u202etxt.exe"  # right-to-left override
    assert safe_text("名前\udc93\udcfa.xlsx") == "名前\\x93\\xfa.xlsx"  # CP932 bytes kept by os.fsdecode
    assert safe_text("関係人口　（人）") == "関係人口　（人）"  # full-width space is text
    plain = "酒田市_実績一覧.xlsx!実績一覧!E6"
    assert safe_text(plain) is plain


def test_quote_and_cap() -> None:
    assert quote("調査中") == '"調査中"'
    long = "あ" * 1_000_000
    assert quote(long) == '"' + "あ" * QUOTE_LIMIT + '…"'
    assert cap_quotes(f'x.xlsx!S!A1: 件数 "{long}" は数値ではありません') == (
        'x.xlsx!S!A1: 件数 "' + "あ" * QUOTE_LIMIT + '…" は数値ではありません'
    )
    assert cap_quotes(f"見出し「{long}」") == "見出し「" + "あ" * QUOTE_LIMIT + "…」"
    exact = "い" * QUOTE_LIMIT
    assert cap_quotes(f'件数 "{exact}" と "{exact}x"') == f'件数 "{exact}" と "{exact}…"'


def test_an_issue_is_always_one_safe_line_but_keeps_the_file_name() -> None:
    issue = Issue.at(
        "error",
        "not-a-number",
        f'件数 "{TERMINAL_ATTACK}\x1b[2J" は数値ではありません',
        file="a\x1b.xlsx",
        sheet="S\x07",
        cell="E2",
    )
    assert "\x1b" not in issue.message and "\x07" not in issue.message
    assert issue.message.startswith("a\\x1b.xlsx!S\\x07!E2: ")
    assert issue.sheet == "S\\x07"
    assert issue.file == "a\x1b.xlsx"  # the name on disk, to find the file again
    assert issue.to_dict()["file"] == "a\\x1b.xlsx"
    json.dumps(issue.to_dict(), ensure_ascii=False).encode("utf-8")  # no lone surrogate, no raw ESC


def _book(tmp_path: Path, name: str, value: object, note: object = None) -> Path:
    folder = tmp_path / "提出"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(standard_form([("060003", "山形県", 2024, "KPI1", value, "確定", note)]))
    return folder


def test_escape_codes_in_a_cell_never_reach_the_terminal_or_json(tmp_path: Path) -> None:
    folder = _book(tmp_path, "山形県.xlsx", TERMINAL_ATTACK)
    result = CliRunner().invoke(main, ["validate", str(folder), "--as-of", "2025-09-01"])
    assert result.exit_code == 1, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;pwned\\x07" in result.output  # shown, visibly
    result = CliRunner().invoke(main, ["validate", str(folder), "--json", "--as-of", "2025-09-01"])
    assert "\x1b" not in result.stdout
    doc = json.loads(result.stdout)
    assert any("\\x1b" in i["message"] for i in doc["issues"])


def test_a_megabyte_cell_is_quoted_short(tmp_path: Path) -> None:
    folder = _book(tmp_path, "山形県.xlsx", "調" * 1_000_000)
    result = CliRunner().invoke(main, ["validate", str(folder), "--json", "--as-of", "2025-09-01"])
    assert result.exit_code == 1
    assert len(result.output) < 20_000, len(result.output)
    doc = json.loads(result.stdout)
    assert any("調" * QUOTE_LIMIT + "…" in i["message"] for i in doc["issues"]), doc["issues"]


def test_values_csv_prefixes_whatever_a_spreadsheet_could_run(tmp_path: Path) -> None:
    folder = tmp_path / "提出"
    folder.mkdir()
    names = {
        " =1+1.xlsx": ("060003", "山形県"),
        "＝SUM(1).xlsx": ("062031", "鶴岡市"),
        "\u3000@x.xlsx": ("062049", "酒田市"),
        "－1.xlsx": ("062065", "寒河江市"),
        "ok.xlsx": ("062120", "尾花沢市"),
    }
    for name, (code, body) in names.items():
        (folder / name).write_bytes(standard_form([(code, body, 2024, "KPI1", 1, "確定", None)]))
    out = tmp_path / "out"
    CliRunner().invoke(main, ["consolidate", str(folder), "--out", str(out), "--as-of", "2025-09-01"])
    rows = list(csv.reader(io.StringIO((out / "values.csv").read_text(encoding="utf-8-sig"))))
    sources = {row[1]: row[-1] for row in rows[1:]}
    for name, (_, body) in names.items():
        expected = "'" + name if name != "ok.xlsx" else name
        assert sources[body].startswith(expected + "!"), (body, sources[body])
