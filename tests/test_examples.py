"""The bundled examples: every body, read as expected, whatever the files are called."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from builders import EXAMPLES, ROOT
from click.testing import CliRunner

import saisei
from saisei.cli import main

EXPECTED = json.loads((ROOT / "tests" / "data" / "expected_fy2024.json").read_text(encoding="utf-8"))


def keyed(values: list[dict]) -> dict:  # type: ignore[type-arg]
    return {(v["entity_code"], v["fiscal_year"], v["kpi"]): (v["value"], v.get("status")) for v in values}


def test_the_examples_give_every_expected_value(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["consolidate", str(EXAMPLES), "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["fiscal_year_under_review"] == EXPECTED["fiscal_year_under_review"]
    assert keyed(data["values"]) == keyed(EXPECTED["values"])
    totals = {(t["fiscal_year"], t["kpi"]): t["value"] for t in data["totals"]}
    assert totals == {(t["fiscal_year"], t["kpi"]): t["value"] for t in EXPECTED["totals"]}
    assert [i["severity"] for i in data["issues"]] == ["warning"] * len(data["issues"])
    assert any(i["file"] == "酒田市_実績一覧.xlsx" and i["sheet"] == "集計" for i in data["issues"])
    for value in data["values"]:
        assert value["sources"], value  # every number traced to its cells


def test_renamed_copies_give_the_same_result(tmp_path: Path) -> None:
    renamed = tmp_path / "届いたもの"
    for i, path in enumerate(sorted(EXAMPLES.glob("*.xlsx"))):
        target = renamed / f"sub{i % 2}" / f"添付ファイル({i}).xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    result = saisei.consolidate([renamed])
    assert not result.errors
    assert keyed(result.to_dict()["values"]) == keyed(EXPECTED["values"])


def test_every_file_given_twice_counts_once(tmp_path: Path) -> None:
    copies = tmp_path / "copies"
    shutil.copytree(EXAMPLES, copies)
    for path in list(copies.glob("*.xlsx")):
        shutil.copy(path, path.with_name("再送_" + path.name))
    result = saisei.consolidate([EXAMPLES, copies, EXAMPLES / "酒田市_実績一覧.xlsx"])
    assert not result.errors
    assert keyed(result.to_dict()["values"]) == keyed(EXPECTED["values"])


@pytest.mark.parametrize("body", ["tsuruoka", "sakata", "sagae", "obanazawa", "asahi", "iide", "standard"])
def test_plugins_are_installed(body: str) -> None:
    assert body in saisei.get_registry().plugins


def test_observations_parquet_keeps_every_cell(tmp_path: Path) -> None:
    import polars as pl

    result = saisei.consolidate([EXAMPLES])
    result.write(tmp_path)
    cells = pl.read_parquet(tmp_path / "observations.parquet")
    assert cells.height == result.observations.height
    iide = cells.filter((pl.col("entity_code") == "064033") & (pl.col("kpi") == 3))
    assert iide["cell"].to_list() == [f"E{r}" for r in range(5, 17)]  # twelve months, row order
    assert iide["value"].sum() == 296


def test_a_report_written_inside_the_input_folder_is_not_read_back(tmp_path: Path) -> None:
    inputs = tmp_path / "提出"
    shutil.copytree(EXAMPLES, inputs)
    for _ in range(2):
        result = CliRunner().invoke(main, ["consolidate", str(inputs), "--out", str(inputs / "レポート"), "--json"])
        assert result.exit_code == 0, result.stderr
        assert keyed(json.loads(result.stdout)["values"]) == keyed(EXPECTED["values"])
    assert (inputs / "レポート" / "report.xlsx").exists()


def test_other_files_in_a_folder_are_named_not_silently_skipped(tmp_path: Path) -> None:
    inputs = tmp_path / "提出"
    shutil.copytree(EXAMPLES, inputs)
    (inputs / "鶴岡市_実績.pdf").write_bytes(b"%PDF-1.4")
    (inputs / ".DS_Store").write_bytes(b"")
    (inputs / "なくなったファイル.xlsx").symlink_to(tmp_path / "missing.xlsx")
    result = saisei.consolidate([inputs])
    assert not result.errors
    skipped = sorted((i.code, i.file) for i in result.warnings if i.code == "not-a-workbook")
    assert skipped == [("not-a-workbook", "なくなったファイル.xlsx"), ("not-a-workbook", "鶴岡市_実績.pdf")]
    assert keyed(result.to_dict()["values"]) == keyed(EXPECTED["values"])
