"""The council's verdict: the review sheet written from a record, filled in by the committee
(the answer cells found right of their labels), read back with its cells, checked, kept in
the record, and superseded by a newer sheet."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from builders import EXAMPLES, answer_cells, cli, fill_review_sheet, review_sheet, standard_form
from openpyxl import load_workbook

import saisei

GOOD = {
    "検証日": dt.date(2025, 9, 18),
    "事業効果": "地方創生に効果があった",
    "今後の方針": "改善し継続",
    "外部有識者からの意見": "受入体制の整備は順調。\n関係人口の伸びに課題がある。",
}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A record holding the seven sample workbooks of FY2024."""
    base = tmp_path_factory.mktemp("record")
    code, _, err = cli("consolidate", str(EXAMPLES), "--record", str(base / "記録.sqlite"), "--out", str(base / "out"))
    assert code == 0, err
    return base / "記録.sqlite"


@pytest.fixture(scope="module")
def blank(recorded: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("sheet") / "鶴岡市_効果検証.xlsx"
    code, _, err = cli("review-sheet", "鶴岡市", "--fiscal-year", "2024", "--record", str(recorded), "-o", str(out))
    assert code == 0, err
    return out.read_bytes()


def record_copy(recorded: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "記録.sqlite"
    shutil.copy(recorded, copy)
    return copy


def submit(record: Path, tmp_path: Path, *sheets: tuple[str, bytes]) -> tuple[int, Any, str]:
    folder = tmp_path / f"in{len(list(tmp_path.glob('in*')))}"
    folder.mkdir()
    for name, data in sheets:
        (folder / name).write_bytes(data)
    return cli("consolidate", str(folder), "--record", str(record), "--out", str(tmp_path / "out"), "--json")


def test_the_sheet_is_one_print_ready_sheet_of_values_with_drop_downs(
    blank: bytes, recorded: Path, tmp_path: Path
) -> None:
    book = load_workbook(io.BytesIO(blank))
    assert book.sheetnames == ["効果検証"]
    ws = book["効果検証"]
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {
        "062031",
        "鶴岡市",
        "令和6年度（2024年度）",
        "実績値（団体）",
        "実績値（計画全体）",
        "達成率",
        "到達水準",
    } <= texts
    assert any("鶴岡商工会議所" in t for t in texts)  # the committee, from the plan
    cells = answer_cells(blank)
    for label, ref in cells.items():  # each answer right of its label, in the same row
        label_cell = next(c for row in ws.iter_rows() for c in row if c.value == label)
        assert ws[ref].row == label_cell.row and ws[ref].column == label_cell.column + 1
        assert ws[ref].value is None
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert "地方創生に相当程度効果があった" in lists[cells["事業効果"]]
    assert "現状通り継続" in lists[cells["今後の方針"]]
    assert all(dv.showErrorMessage for dv in ws.data_validations.dataValidation)
    suggestion = ws.cell(ws[cells["事業効果"]].row, ws[cells["事業効果"]].column + 6).value
    assert suggestion == "地方創生に非常に効果的であった"  # every FY2024 total of the samples is achieved
    # the same figures give the same bytes
    again = tmp_path / "again.xlsx"
    cli("review-sheet", "062031", "--fiscal-year", "令和6年度", "--record", str(recorded), "-o", str(again))
    assert again.read_bytes() == blank


def test_the_filled_sheet_reads_back_exactly_its_answers_with_their_cells(
    blank: bytes, recorded: Path, tmp_path: Path
) -> None:
    record = record_copy(recorded, tmp_path)
    code, doc, err = submit(record, tmp_path, ("鶴岡市_検証結果.xlsx", fill_review_sheet(blank, GOOD)))
    assert code == 0, err
    cells = answer_cells(blank)
    (verdict,) = doc["verdicts"]
    assert verdict == {
        "entity_code": "062031",
        "entity": "鶴岡市",
        "fiscal_year": 2024,
        "effect": GOOD["事業効果"],
        "policy": GOOD["今後の方針"],
        "opinion": GOOD["外部有識者からの意見"],
        "reviewed_on": "2025-09-18",
        "suggested_effect": "地方創生に非常に効果的であった",  # the committee chose otherwise: fine
        "sources": [
            f"鶴岡市_検証結果.xlsx!効果検証!{cells[k]}"
            for k in ("検証日", "事業効果", "今後の方針", "外部有識者からの意見")
        ],
    }
    # kept in the record: a later run without the sheet still has it
    code, doc, err = submit(record, tmp_path, ("県.xlsx", standard_form([("060003", "山形県", 2025, 1, 3, "見込み")])))
    assert code == 0, err
    assert [v["effect"] for v in doc["verdicts"]] == [GOOD["事業効果"]]
    assert doc["verdicts"][0]["sources"][0].startswith("鶴岡市_検証結果.xlsx!効果検証!")


@pytest.mark.parametrize(
    ("label", "value", "code"),
    [
        ("検証日", None, "missing-value"),
        ("検証日", "来週", "bad-date"),
        ("検証日", dt.date(2025, 12, 1), "outside-window"),
        ("事業効果", "とても効果的だった", "unknown-wording"),
        ("事業効果", None, "missing-value"),
        ("事業効果", 1, "unknown-wording"),
        ("今後の方針", "拡大", "unknown-wording"),
        ("今後の方針", "#N/A", "unknown-wording"),
        ("外部有識者からの意見", 12345, "bad-text"),
        ("外部有識者からの意見", "#DIV/0!", "bad-text"),
    ],
)
def test_garbage_in_an_answer_cell_is_an_error_at_that_cell(
    blank: bytes, recorded: Path, tmp_path: Path, label: str, value: Any, code: str
) -> None:
    record = record_copy(recorded, tmp_path)
    answers = {**GOOD, label: value}
    exit_code, doc, _ = submit(record, tmp_path, ("検証.xlsx", fill_review_sheet(blank, answers)))
    assert exit_code == 1
    errors = [i for i in doc["issues"] if i["severity"] == "error"]
    assert [(i["code"], i["sheet"], i["cell"]) for i in errors] == [(code, "効果検証", answer_cells(blank)[label])]
    assert errors[0]["file"] == "検証.xlsx"
    assert doc["verdicts"] == []


def test_wordings_are_read_as_clerks_type_them(blank: bytes, tmp_path: Path) -> None:
    typed = {**GOOD, "事業効果": " 地方創生に効果があった。", "今後の方針": "改善し継続", "検証日": "令和7年9月18日"}
    (tmp_path / "x.xlsx").write_bytes(fill_review_sheet(blank, typed))
    result = saisei.consolidate([tmp_path / "x.xlsx"])
    assert not result.errors, result.errors
    assert result.verdicts is not None
    assert result.verdicts.row(0, named=True)["effect"] == "地方創生に効果があった"  # the plan's wording
    assert result.verdicts.row(0, named=True)["reviewed_on"] == dt.date(2025, 9, 18)


def test_a_sheet_whose_body_does_not_match_is_an_error_at_the_cell(blank: bytes, tmp_path: Path) -> None:
    book = load_workbook(io.BytesIO(fill_review_sheet(blank, GOOD)))
    ws = book["効果検証"]
    ws["B5"] = "酒田市"  # 団体名 beside 鶴岡市's code
    ws["B6"] = "2031年度"  # a year outside the plan
    buffer = io.BytesIO()
    book.save(buffer)
    (tmp_path / "x.xlsx").write_bytes(buffer.getvalue())
    result = saisei.consolidate([tmp_path / "x.xlsx"])
    assert {(i.code, i.cell) for i in result.errors} == {("body-mismatch", "B5"), ("bad-fiscal-year", "B6")}
    assert result.verdicts is not None and result.verdicts.is_empty()


def test_obanazawa_reviews_the_running_year_in_february(tmp_path: Path) -> None:
    good = review_sheet("062120", 2024, date=dt.date(2025, 2, 20))
    late = review_sheet("062120", 2024, date=dt.date(2025, 9, 20))
    (tmp_path / "good.xlsx").write_bytes(good)
    (tmp_path / "late.xlsx").write_bytes(late)
    result = saisei.consolidate([tmp_path / "good.xlsx", tmp_path / "late.xlsx"])
    (error,) = result.errors
    assert error.code == "outside-window" and error.file == "late.xlsx"
    assert "見込み" in error.message and "2月" in error.message
    assert result.verdicts is not None
    assert result.verdicts["reviewed_on"].to_list() == [dt.date(2025, 2, 20)]


def test_a_newer_sheet_supersedes_the_older_and_a_tie_is_an_error(tmp_path: Path) -> None:
    first = review_sheet(date=dt.date(2025, 9, 5), policy="現状通り継続")
    second = review_sheet(date=dt.date(2025, 9, 25), policy="事業拡大")
    for name, data in (("a.xlsx", second), ("b.xlsx", first), ("c.xlsx", first)):  # c: b given twice
        (tmp_path / name).write_bytes(data)
    result = saisei.consolidate([tmp_path])
    assert not result.has_errors
    assert result.verdicts is not None and result.superseded_verdicts is not None
    assert result.verdicts["policy"].to_list() == ["事業拡大"]
    assert result.superseded_verdicts["old_policy"].to_list() == ["現状通り継続"]
    rival = tmp_path / "rival"
    rival.mkdir()
    (rival / "d.xlsx").write_bytes(review_sheet(date=dt.date(2025, 9, 25), policy="中止・廃止"))
    (rival / "e.xlsx").write_bytes(second)
    result = saisei.consolidate([rival])
    assert [i.code for i in result.errors] == ["verdict-conflict"]
    assert result.verdicts is not None and result.verdicts.is_empty()


def test_a_newer_sheet_in_a_later_run_supersedes_in_the_record(recorded: Path, tmp_path: Path) -> None:
    record = record_copy(recorded, tmp_path)
    submit(record, tmp_path, ("県_検証.xlsx", review_sheet(date=dt.date(2025, 9, 5))))
    code, doc, err = submit(
        record,
        tmp_path,
        ("県_検証_訂正.xlsx", review_sheet(date=dt.date(2025, 9, 5), effect="地方創生に相当程度効果があった")),
    )
    assert code == 0, err
    assert [v["effect"] for v in doc["verdicts"]] == ["地方創生に相当程度効果があった"]
    assert doc["verdicts"][0]["sources"][0].startswith("県_検証_訂正.xlsx!")


def test_the_report_shows_each_verdict_or_when_it_is_due(blank: bytes, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES, folder)
    (folder / "鶴岡市_検証結果.xlsx").write_bytes(fill_review_sheet(blank, GOOD))
    (folder / "県_検証_旧.xlsx").write_bytes(review_sheet(date=dt.date(2025, 9, 2), policy="現状通り継続"))
    (folder / "県_検証.xlsx").write_bytes(review_sheet(date=dt.date(2025, 9, 26), policy="事業拡大"))
    result = saisei.consolidate([folder], as_of=dt.date(2025, 9, 30), out=tmp_path / "out")
    assert not result.has_errors, result.errors
    book = load_workbook(tmp_path / "out" / "report.xlsx")
    rows = [[c.value for c in row] for row in book["検証結果"].iter_rows()]
    header, body = rows[0], {(r[0], r[2]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert header[:7] == ["団体コード", "団体名", "年度", "状況", "検証日", "事業効果", "今後の方針"]
    tsuruoka = body[("062031", "令和6年度（2024年度）")]
    assert (tsuruoka["状況"], tsuruoka["事業効果"], tsuruoka["今後の方針"]) == (
        "検証済み",
        GOOD["事業効果"],
        "改善し継続",
    )
    assert tsuruoka["検証日"].date() == dt.date(2025, 9, 18)
    assert tsuruoka["提案との違い"] == "委員会の判断が提案と異なる"
    assert body[("060003", "令和6年度（2024年度）")]["今後の方針"] == "事業拡大"
    assert body[("062120", "令和6年度（2024年度）")]["状況"] == "検証前（令和7年2月予定）"
    assert body[("064033", "令和6年度（2024年度）")]["検証時期"] == "令和7年3月（見込み値で検証）"
    summary = " ".join(str(c.value) for row in book["総括"].iter_rows() for c in row if c.value)
    assert "7団体のうち 2団体が検証済み" in summary
    revisions = [[c.value for c in row] for row in book["改訂履歴"].iter_rows()]
    (old,) = [r for r in revisions if r[3] == "検証結果"]
    assert old[0] == "060003" and "現状通り継続" in old[4] and "事業拡大" in old[5]
    assert old[7].startswith("県_検証_旧.xlsx!効果検証!")


def test_a_review_sheet_does_not_change_where_the_body_stands_with_its_figures(
    blank: bytes, recorded: Path, tmp_path: Path
) -> None:
    record = record_copy(recorded, tmp_path)
    submit(record, tmp_path, ("鶴岡市_検証.xlsx", fill_review_sheet(blank, {**GOOD, "事業効果": "よかった"})))
    code, out, err = cli("status", "--record", str(record), "--json")
    assert code == 0, err
    tsuruoka = next(r for r in out if r["entity_code"] == "062031")
    assert tsuruoka["status"] == "final"  # its figures are accepted; the sheet's error is the committee's
    assert tsuruoka["file"] != "鶴岡市_検証.xlsx"


def test_saisei_plugins_names_the_review_sheet_reader() -> None:
    code, doc, _ = cli("plugins", "--json")
    assert code == 0
    review = next(p for p in doc["plugins"] if p["name"] == "review")
    assert review["builtin"] and review["entity"] == "効果検証シート（計画のどの団体も）"
