"""The standard form (標準様式), read by the core, and `saisei consolidate` on it."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from builders import EXAMPLES, standard_form
from click.testing import CliRunner

import saisei
from saisei.cli import main

SAMPLE = EXAMPLES / "山形県_標準様式_R6.xlsx"


@pytest.fixture
def sample_only(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "届いたファイル.xlsx")
    return folder


def run_cli(*args: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout) if "--json" in args and result.stdout.strip() else {}
    return result.exit_code, data, result.stderr


def test_sample_gives_the_prefecture_values(sample_only: Path, tmp_path: Path) -> None:
    code, data, _ = run_cli("consolidate", str(sample_only), "--out", str(tmp_path / "out"), "--json")
    assert code == 0
    got = {(v["entity_code"], v["fiscal_year"], v["kpi"]): (v["value"], v["status"]) for v in data["values"]}
    assert got == {
        ("060003", 2024, 1): (4, "final"),
        ("060003", 2024, 2): (31, "final"),
        ("060003", 2024, 3): (3905, "final"),
        ("060003", 2024, 4): (142, "final"),
    }
    assert data["values"][0]["entity"] == "山形県"
    assert data["values"][0]["sources"] == ["届いたファイル.xlsx!KPI実績!E2"]
    assert set(data) >= {"fiscal_year_under_review", "values", "totals", "issues"}
    total = data["totals"][0]
    assert (total["fiscal_year"], total["kpi"], total["value"], total["target"], total["bodies_reported"]) == (
        2024,
        1,
        4,
        16,
        1,
    )
    assert total["achievement"] == pytest.approx(4 / 16)
    assert (tmp_path / "out" / "report.xlsx").stat().st_size > 0
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "values.csv").read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["団体コード", "団体名", "年度", "KPI", "実績値", "区分", "出典"]
    assert rows[1][:6] == ["060003", "山形県", "2024", "1", "4", "確定"]
    assert (tmp_path / "out" / "values.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_data_sheets_are_machine_readable(sample_only: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    run_cli("consolidate", str(sample_only), "--out", str(tmp_path / "out"))
    book = load_workbook(tmp_path / "out" / "report.xlsx")
    data = book["実績データ"]
    assert [c.value for c in data[1]] == ["団体コード", "団体名", "年度", "KPI", "実績値", "区分", "出典"]
    assert [c.value for c in data[2]][:6] == ["060003", "山形県", 2024, 1, 4, "確定"]
    assert not data.merged_cells.ranges
    kpi = book["KPI集計"]
    assert [c.value for c in kpi[1]][:6] == ["年度", "KPI", "指標名", "目標値", "実績値", "達成率"]
    assert kpi.max_row == 13  # 3 years x 4 KPIs
    rows = {(r[0], r[1]): r for r in kpi.iter_rows(min_row=2, values_only=True)}
    assert rows[(2024, 4)][3:6] == (131, 142, pytest.approx(142 / 131))
    assert rows[(2025, 1)][4] is None  # not reported: blank, never zero


def test_the_same_inputs_give_the_same_bytes(sample_only: Path, tmp_path: Path) -> None:
    run_cli("consolidate", str(sample_only), "--out", str(tmp_path / "a"), "--as-of", "2025-09-01")
    run_cli("consolidate", str(sample_only), "--out", str(tmp_path / "b"), "--as-of", "2025-09-01")
    for name in ("report.xlsx", "values.csv", "values.parquet", "observations.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


MALFORMED = [
    ("060004", "山形県", 2024, "KPI①", 4, "確定", "bad-code", "A2"),
    ("062066", "寒河江市", 2024, "KPI①", 4, "確定", "bad-code", "A2"),
    ("062022", "米沢市", 2024, "KPI①", 4, "確定", "unknown-body", "A2"),
    ("060003", "山形県", 2023, "KPI①", 4, "確定", "bad-fiscal-year", "C2"),
    ("060003", "山形県", "令和9年度", "KPI①", 4, "確定", "bad-fiscal-year", "C2"),
    ("060003", "山形県", 2024, "KPI⑤", 4, "確定", "unknown-kpi", "D2"),
    ("062031", "鶴岡市", 2024, "KPI④", 4, "確定", "unknown-kpi", "D2"),
    ("060003", "山形県", 2024, "KPI①", -4, "確定", "negative-count", "E2"),
    ("060003", "山形県", 2024, "KPI①", "▲4", "確定", "negative-count", "E2"),
    ("060003", "山形県", 2024, "KPI①", "調査中", "確定", "not-a-number", "E2"),
    ("060003", "山形県", 2024, "KPI①", 4.5, "確定", "fractional-count", "E2"),
    ("060003", "山形県", 2024, "KPI①", "4人", "確定", "unexpected-unit", "E2"),
    ("060003", "山形県", 2024, "KPI①", 4, "たぶん", "bad-status", "F2"),
    ("060003", "山形県", 2024, "KPI①", 4, None, "missing-value", "F2"),
]


@pytest.mark.parametrize("row", MALFORMED, ids=[f"{m[6]}-{m[7]}-{i}" for i, m in enumerate(MALFORMED)])
def test_a_malformed_form_names_file_sheet_and_cell(row: tuple, write_xlsx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def,type-arg]
    *cells, code, ref = row
    path = write_xlsx("in/県.xlsx", standard_form([cells, ("060003", "山形県", 2024, "KPI②", 31, "確定", None)]))
    exit_code, data, stderr = run_cli("consolidate", str(path.parent), "--out", str(tmp_path / "out"), "--json")
    assert exit_code == 1
    errors = [i for i in data["issues"] if i["severity"] == "error"]
    assert [(i["code"], i["file"], i["sheet"], i["cell"]) for i in errors] == [(code, "県.xlsx", "KPI実績", ref)]
    assert errors[0]["message"].startswith(f"県.xlsx!KPI実績!{ref}: ")
    assert data["values"] == []  # a file with an error contributes nothing
    assert f"県.xlsx!KPI実績!{ref}" in stderr
    assert (tmp_path / "out" / "report.xlsx").exists()


def test_a_duplicate_row_is_an_error_at_the_later_row(write_xlsx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [("060003", "山形県", 2024, "KPI①", 4, "確定"), ("060003", "山形県", "R6", "1", 4, "確定")]
    path = write_xlsx("dup.xlsx", standard_form(rows))
    result = saisei.consolidate([path])
    assert [(i.code, i.cell) for i in result.errors] == [("duplicate-row", "A3")]
    assert "2行目" in result.errors[0].message


def test_all_spellings_the_form_allows(write_xlsx) -> None:  # type: ignore[no-untyped-def]
    rows = [
        (60003, "山形県", "令和6年度", "KPI1", "１２", "見込み", "=1+1"),
        ("060003", "山形県", "R6", "②", "1,203", "見込", None),
        ("060003", None, "Ｒ６", 3, 0, "確定", None),
        ("060003", "山形県", 2025, "KPI④", None, "確定", "未集計"),
    ]
    result = saisei.consolidate([write_xlsx("s.xlsx", standard_form(rows))])
    assert not result.errors, [i.message for i in result.errors]
    got = result.values.select("kpi", "value", "status").rows()
    assert got == [(1, 12, "provisional"), (2, 1203, "provisional"), (3, 0, "final")]


def test_a_file_with_errors_leaves_the_others_alone(write_xlsx) -> None:  # type: ignore[no-untyped-def]
    good = write_xlsx("good.xlsx", standard_form([("060003", "山形県", 2024, "KPI①", 4, "確定")]))
    bad = write_xlsx("bad.xlsx", standard_form([("062031", "鶴岡市", 2024, "KPI①", "△3", "確定")]))
    result = saisei.consolidate([good, bad])
    assert result.values.select("entity_code", "value").rows() == [("060003", 4)]
    assert [(i.file, i.cell) for i in result.errors] == [("bad.xlsx", "E2")]


def test_disagreeing_workbooks_and_a_revision(write_xlsx) -> None:  # type: ignore[no-untyped-def]
    a = write_xlsx(
        "a.xlsx", standard_form([("060003", "山形県", 2024, 1, 4, "見込み"), ("060003", "山形県", 2024, 2, 30, "確定")])
    )
    b = write_xlsx(
        "b.xlsx", standard_form([("060003", "山形県", 2024, 1, 5, "確定"), ("060003", "山形県", 2024, 2, 31, "確定")])
    )
    result = saisei.consolidate([a, b])
    assert result.values.select("kpi", "value", "status").rows() == [(1, 5, "final")]
    assert result.revisions.select("kpi", "old_value", "new_value", "old_file").rows() == [(1, 4, 5, "a.xlsx")]
    conflict = [i for i in result.errors if i.code == "conflicting-figures"]
    assert len(conflict) == 1 and "a.xlsx" in conflict[0].message and "b.xlsx" in conflict[0].message


def test_unknown_and_not_a_workbook(write_xlsx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "何かの表"
    buffer = io.BytesIO()
    book.save(buffer)
    write_xlsx("in/other.xlsx", buffer.getvalue())
    write_xlsx("in/notes.xlsx", b"this is text, not a workbook")
    write_xlsx("in/~$other.xlsx", b"lock file")
    shutil.copy(SAMPLE, tmp_path / "in" / "県.xlsx")
    code, data, _ = run_cli("validate", str(tmp_path / "in"), "--json")
    assert code == 1
    errors = {(i["file"], i["code"]) for i in data["issues"] if i["severity"] == "error"}
    assert errors == {("other.xlsx", "unknown-form"), ("notes.xlsx", "unreadable-workbook")}
    assert len(data["values"]) == 4


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["consolidate", str(tmp_path / "missing"), "--out", str(tmp_path)]).exit_code == 2
    assert CliRunner().invoke(main, ["consolidate", str(tmp_path), "--out", str(tmp_path / "o")]).exit_code == 2
    assert (
        CliRunner()
        .invoke(main, ["consolidate", str(SAMPLE), "--out", str(tmp_path / "o"), "--as-of", "昨日"])
        .exit_code
        == 2
    )


def test_template_of_the_standard_form_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = CliRunner().invoke(
        main, ["template", "060003", "--fiscal-year", "R7", "-o", str(out), "--date", "2026-05-01"]
    )
    assert result.exit_code == 0, result.output
    read = saisei.consolidate([out])
    assert not read.errors
    assert read.values.is_empty()  # a blank template reports nothing
