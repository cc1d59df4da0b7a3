"""The plan's second year with a record, as a prefecture clerk lives it, on the command line.

FY2024: the seven sample workbooks are consolidated into a record (August 2025).  FY2025
(August 2026): every body sends this year's workbook; 酒田市's and 朝日町's no longer
carry FY2024, 尾花沢市 and 飯豊町 send the finals of their FY2024 estimates, and 山形県
corrects a FY2024 final the council already saw.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from builders import EXAMPLES, standard_form
from click.testing import CliRunner

from saisei.cli import main

FY2025 = {
    # body: rows of its FY2025 workbook (fiscal year, KPI, value, status)
    ("060003", "山形県"): [
        (2024, 1, 5, "確定"),
        *[(2025, k, v, "確定") for k, v in ((1, 6), (2, 30), (3, 3000), (4, 150))],
    ],
    ("062031", "鶴岡市"): [(2025, 1, 3, "確定"), (2025, 2, 11, "確定"), (2025, 3, 1000, "確定")],
    ("062049", "酒田市"): [(2025, 1, 2, "確定"), (2025, 2, 8, "確定"), (2025, 3, 800, "確定")],
    ("062065", "寒河江市"): [(2025, 1, 3, "確定"), (2025, 2, 13, "確定"), (2025, 3, 1100, "確定")],
    ("062120", "尾花沢市"): [
        *[(2024, 1, 2, "確定"), (2024, 2, 7, "確定"), (2024, 3, 430, "確定")],
        *[(2025, 1, 1, "確定"), (2025, 2, 5, "確定"), (2025, 3, 400, "確定")],
    ],
    ("063231", "朝日町"): [(2025, 1, 1, "確定"), (2025, 2, 4, "確定"), (2025, 3, 350, "確定")],
    ("064033", "飯豊町"): [
        *[(2024, 1, 2, "確定"), (2024, 2, 4, "確定"), (2024, 3, 301, "確定")],
        *[(2025, 1, 1, "見込み"), (2025, 2, 3, "見込み"), (2025, 3, 250, "見込み")],
    ],
}


def cli(*args: str) -> tuple[int, Any, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.stderr, result.stderr
    out = json.loads(result.stdout) if "--json" in args and result.stdout.strip() else result.stdout
    return result.exit_code, out, result.stderr


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("story")
    first = root / "2025年8月"
    shutil.copytree(EXAMPLES, first)
    second = root / "2026年8月"
    second.mkdir()
    for (code, name), figures in FY2025.items():
        rows = [(code, name, fy, kpi, value, status) for fy, kpi, value, status in figures]
        (second / f"{name}_R7.xlsx").write_bytes(standard_form(rows))
    record = root / "記録.sqlite"
    runs = []
    for folder, out, day in ((first, "out1", "2025-08-29"), (second, "out2", "2026-08-20")):
        runs.append(
            cli("consolidate", str(folder), "--out", str(root / out), "--record", str(record), "--as-of", day, "--json")
        )
    return {"root": root, "record": record, "runs": runs, "second": second}


def by_key(doc: dict[str, Any]) -> dict[tuple[str, int, int], dict[str, Any]]:
    return {(v["entity_code"], v["fiscal_year"], v["kpi"]): v for v in doc["values"]}


def test_both_years_exit_0(story: dict[str, Any]) -> None:
    assert [code for code, _, _ in story["runs"]] == [0, 0], [err for _, _, err in story["runs"]]
    assert "集計 #2 として追加" in story["runs"][1][2]
    assert [doc["record_run"] for _, doc, _ in story["runs"]] == [1, 2]


def test_every_fy2024_figure_is_still_there_with_its_original_source(story: dict[str, Any]) -> None:
    first, second = by_key(story["runs"][0][1]), by_key(story["runs"][1][1])
    assert set(first) <= set(second)
    for code in ("062049", "063231", "062031", "062065"):  # nothing new for FY2024: carried as it was
        for kpi in (1, 2, 3):
            assert second[(code, 2024, kpi)] == first[(code, 2024, kpi)]
    assert second[("062049", 2024, 1)]["sources"] == [
        "酒田市_実績一覧.xlsx!実績一覧!E5",
        "酒田市_実績一覧.xlsx!実績一覧!E9",
    ]
    totals = {(t["fiscal_year"], t["kpi"]): t for t in story["runs"][1][1]["totals"]}
    assert [totals[(2024, k)]["bodies_reported"] for k in (1, 2, 3)] == [7, 7, 7]
    assert totals[(2024, 4)]["bodies_reported"] == 1
    assert totals[(2025, 1)]["bodies_reported"] == 7


def test_finals_replace_estimates_and_a_changed_final_is_a_revision(story: dict[str, Any]) -> None:
    doc = story["runs"][1][1]
    values = by_key(doc)
    assert values[("062120", 2024, 3)]["value"] == 430 and values[("062120", 2024, 3)]["status"] == "final"
    assert values[("060003", 2024, 1)]["value"] == 5
    assert values[("060003", 2024, 1)]["sources"] == ["山形県_R7.xlsx!KPI実績!E2"]
    kinds = {(r["entity_code"], r["fiscal_year"], r["kpi"]): r for r in doc["revisions"]}
    # 尾花沢市's and 飯豊町's FY2024 estimates; 酒田市's ledger of 2025 had FY2025 estimates too
    assert {k for k, r in kinds.items() if r["kind"] == "provisional-final"} == {
        (code, fy, kpi) for code, fy in (("062120", 2024), ("064033", 2024), ("062049", 2025)) for kpi in (1, 2, 3)
    }
    revised = kinds[("060003", 2024, 1)]
    assert (revised["kind"], revised["old_value"], revised["new_value"], revised["old_accepted"]) == (
        "revised-final",
        4,
        5,
        "2025-08-29",
    )
    assert revised["old_sources"] == ["山形県_標準様式_R6.xlsx!KPI実績!E2"]
    warnings = [i for i in doc["issues"] if i["code"] == "revised-final"]
    assert len(warnings) == 1
    message = warnings[0]["message"]
    assert message.startswith("山形県_R7.xlsx!KPI実績!E2: 山形県（060003）の 2024年度 KPI1 の確定値が改訂されました")
    assert message.startswith("山形県_R7.xlsx!KPI実績!E2: 山形県（060003）の 2024年度 KPI1 の確定値が改訂されました")
    for part in ("4", "5", "山形県_標準様式_R6.xlsx!KPI実績!E2", "山形県_R7.xlsx!KPI実績!E2", "2025-08-29"):
        assert part in message
    assert (warnings[0]["file"], warnings[0]["sheet"], warnings[0]["cell"]) == ("山形県_R7.xlsx", "KPI実績", "E2")
    assert not [i for i in doc["issues"] if i["severity"] == "error"]


def test_the_report_lists_the_revisions_across_years(story: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO((story["root"] / "out2" / "report.xlsx").read_bytes()), read_only=True)
    rows = [list(r) for r in book["改訂履歴"].iter_rows(values_only=True)]
    body = [r for r in rows[1:] if r[0]]
    assert len(body) == 10
    revised = [r for r in body if r[-2] == "確定値の改訂"]
    assert len(revised) == 1
    assert revised[0][:7] == ["060003", "山形県", 2024, 1, 4, 5, 1]
    assert revised[0][-1] == "2025-08-29 基準の集計"
    assert sum(1 for r in body if r[-2] == "見込み値→確定値") == 9


def test_running_the_same_gathering_again_adds_nothing(story: dict[str, Any], tmp_path: Path) -> None:
    record = tmp_path / "again.sqlite"
    shutil.copy(story["record"], record)
    before = _counts(record)
    code, doc, _ = cli(
        "consolidate", str(story["second"]), "--out", str(tmp_path / "o"), "--record", str(record),
        "--as-of", "2026-08-20", "--json",
    )  # fmt: skip
    assert code == 0
    after = _counts(record)
    assert after["submissions"] == before["submissions"]
    assert after["revisions"] == before["revisions"]
    assert after["runs"] == before["runs"] + 1
    assert doc["values"] == story["runs"][1][1]["values"]
    assert doc["revisions"] == story["runs"][1][1]["revisions"]
    # the same record and the same inputs: the same report, byte for byte
    assert (tmp_path / "o" / "report.xlsx").read_bytes() == (story["root"] / "out2" / "report.xlsx").read_bytes()


def _counts(record: Path) -> dict[str, int]:
    from saisei.record import open_record

    with open_record(record) as rec:
        return rec.counts()


def test_status_text_and_json(story: dict[str, Any]) -> None:
    code, doc, _ = cli("status", "--record", str(story["record"]), "--json")
    assert code == 0
    got = {r["entity"]: r for r in doc}
    assert list(got) == ["山形県", "鶴岡市", "酒田市", "寒河江市", "尾花沢市", "朝日町", "飯豊町"]
    assert {k: r["status"] for k, r in got.items()} == {
        "山形県": "final",
        "鶴岡市": "final",
        "酒田市": "final",
        "寒河江市": "final",
        "尾花沢市": "final",
        "朝日町": "final",
        "飯豊町": "provisional",
    }
    assert got["飯豊町"]["file"] == "飯豊町_R7.xlsx" and got["飯豊町"]["received"]
    assert "確定値" in got["飯豊町"]["expected"] and "3月" in got["飯豊町"]["expected"]
    assert set(got["山形県"]) >= {"entity_code", "entity", "status", "file", "received", "issues"}
    code, text, _ = cli("status", "--record", str(story["record"]))
    assert code == 0
    assert "令和7年度（2025年度）の提出状況" in text
    line = next(r for r in text.splitlines() if "飯豊町" in r)
    assert "見込み受理" in line and "飯豊町_R7.xlsx" in line
    # the year before: 尾花沢市 and 飯豊町 are final now; each body's latest workbook of FY2024,
    # not its FY2025 workbook (鶴岡市's, 酒田市's … carry no FY2024 figure)
    code, doc, _ = cli("status", "--record", str(story["record"]), "--fiscal-year", "R6", "--json")
    assert {r["status"] for r in doc} == {"final"}
    assert {r["entity"]: r["file"] for r in doc} == {
        "山形県": "山形県_R7.xlsx",  # it corrects a FY2024 final
        "鶴岡市": "鶴岡市_KPI実績報告書_R6.xlsx",
        "酒田市": "酒田市_実績一覧.xlsx",
        "寒河江市": "寒河江市KPI.xlsx",
        "尾花沢市": "尾花沢市_R7.xlsx",
        "朝日町": "asahi_kintone_export_20250412.xlsx",
        "飯豊町": "飯豊町_R7.xlsx",
    }


def test_status_missing_and_errors(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.xlsx").write_bytes(standard_form([("062031", "鶴岡市", 2024, 1, 3, "確定")]))
    (folder / "bad.xlsx").write_bytes(
        standard_form([("062049", "酒田市", 2024, 2, 9, "確定"), ("062049", "酒田市", 2024, 1, "△3", "確定")])
    )
    (folder / "memo.xlsx").write_bytes(standard_form([("x",)], header=("メモ",), sheet="メモ"))
    record = tmp_path / "r.sqlite"
    code, _, _ = cli(
        "consolidate", str(folder), "--out", str(tmp_path / "o"), "--record", str(record), "--as-of", "2025-08-29"
    )
    assert code == 1
    code, doc, _ = cli("status", "--record", str(record), "--json")
    got = {r["entity_code"]: r for r in doc}
    assert got["062049"]["status"] == "errors"
    assert [(i["file"], i["sheet"], i["cell"]) for i in got["062049"]["issues"]] == [("bad.xlsx", "KPI実績", "E3")]
    assert got["062031"]["status"] == "final" and got["062031"]["missing_kpis"] == [2, 3]
    assert got["060003"]["status"] == "missing" and got["060003"]["file"] is None
    code, text, _ = cli("status", "--record", str(record))
    assert "要修正" in text and "bad.xlsx!KPI実績!E3" in text and "未提出" in text
    assert "団体を特定できないブック（要修正）: memo.xlsx" in text


def test_history_of_a_figure_text_and_json(story: dict[str, Any]) -> None:
    code, doc, _ = cli("history", "尾花沢市", "--kpi", "3", "--record", str(story["record"]), "--json")
    assert code == 0
    fy2024 = [r for r in doc if r["fiscal_year"] == 2024]
    assert [(r["value"], r["status"], r["run"], r["accepted_by"]) for r in fy2024] == [
        (412, "provisional", 1, [1]),
        (430, "final", 2, [2]),
    ]
    assert fy2024[0]["sources"] == ["KPI進捗管理表（尾花沢市）.xlsx!KPI進捗!E6"]
    assert fy2024[1]["file"] == "尾花沢市_R7.xlsx"
    code, text, _ = cli("history", "060003", "--kpi", "1", "--fiscal-year", "2024", "--record", str(story["record"]))
    assert code == 0
    lines = text.splitlines()
    assert lines[0] == "山形県（060003） 2024年度 KPI1"
    assert "4" in lines[1] and "#1" in lines[1] and "山形県_標準様式_R6.xlsx!KPI実績!E2" in lines[1]
    assert "5" in lines[2] and "#2" in lines[2] and "山形県_R7.xlsx!KPI実績!E2" in lines[2]
    code, _, err = cli("history", "どこか", "--record", str(story["record"]))
    assert code == 2 and "計画の団体ではありません" in err
    code, _, err = cli("history", "朝日町", "--kpi", "9", "--record", str(story["record"]))
    assert code == 2 and "KPI 9 は計画にありません（1、2、3、4 のどれか）" in err


def test_validate_with_the_record_shows_the_revision_and_writes_nothing(story: dict[str, Any], tmp_path: Path) -> None:
    record = tmp_path / "r.sqlite"
    shutil.copy(story["record"], record)
    before = record.read_bytes()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "鶴岡市_訂正.xlsx").write_bytes(standard_form([("062031", "鶴岡市", 2025, 1, 4, "確定")]))
    code, doc, _ = cli("validate", str(folder), "--record", str(record), "--as-of", "2026-08-21", "--json")
    assert code == 0
    # the new correction, and the one of this review's earlier run (a review run again warns again)
    assert sorted(i["file"] for i in doc["issues"] if i["code"] == "revised-final") == [
        "山形県_R7.xlsx",
        "鶴岡市_訂正.xlsx",
    ]
    assert record.read_bytes() == before
    # the next year's review does not warn about this year's revisions again
    code, doc, _ = cli("validate", str(folder), "--record", str(record), "--as-of", "2027-08-21", "--json")
    assert [i["file"] for i in doc["issues"] if i["code"] == "revised-final"] == ["鶴岡市_訂正.xlsx"]


def test_record_backup_and_verify(story: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "控え.sqlite"
    code, _, err = cli("record", "backup", str(target), "--record", str(story["record"]))
    assert code == 0 and target.exists()
    code, _, err = cli("record", "verify", "--record", str(target))
    assert code == 0 and "問題なし" in err
    code, _, err = cli("record", "backup", str(target), "--record", str(story["record"]))
    assert code == 1 and "上書きはしません" in err


def test_a_foreign_record_is_one_line_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "memo.sqlite"
    path.write_text("会議メモ", encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(standard_form([("062031", "鶴岡市", 2024, 1, 3, "確定")]))
    code, _, err = cli("consolidate", str(folder), "--out", str(tmp_path / "o"), "--record", str(path))
    assert code == 1
    assert err.strip().startswith("[エラー]") and "saisei の記録ファイルではありません" in err
    assert path.read_text(encoding="utf-8") == "会議メモ"
    code, _, err = cli("status")
    assert code == 2 and "SAISEI_RECORD" in err


def test_an_empty_folder_with_the_record_gives_the_report_of_the_record(story: dict[str, Any], tmp_path: Path) -> None:
    record = tmp_path / "r.sqlite"
    shutil.copy(story["record"], record)
    (tmp_path / "空").mkdir()
    code, doc, _ = cli(
        "consolidate", str(tmp_path / "空"), "--out", str(tmp_path / "o"), "--record", str(record),
        "--as-of", "2026-08-20", "--json",
    )  # fmt: skip
    assert code == 0
    assert doc["values"] == story["runs"][1][1]["values"]
    assert doc["files"] == []
    code, _, err = cli("consolidate", str(tmp_path / "空"), "--out", str(tmp_path / "o2"))
    assert code == 2 and "読み込むブックがありません" in err


def test_validate_with_a_missing_record_says_so_and_checks_anyway(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(standard_form([("062031", "鶴岡市", 2024, 1, 3, "確定")]))
    code, _, err = cli("validate", str(folder), "--record", str(tmp_path / "なし.sqlite"))
    assert code == 0 and "記録ファイル" in err and "がありません" in err
    assert not (tmp_path / "なし.sqlite").exists()
