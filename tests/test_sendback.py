"""saisei sendback: each body's own workbook back, problems marked at their cells, nothing
else of the clerk's file changed."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import hostile_kit
import pytest
from builders import EXAMPLES, standard_form
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sendback_kit import check_annotated, flag, parts, rich_workbook, sheet_part_names, sheet_values

import saisei
from saisei.cli import main
from saisei.core.annotation import MARKER, SHEET_NAME
from saisei.sendback import Cover, Problem, annotate

DAY = dt.date(2025, 9, 1)
DUE = dt.date(2025, 9, 30)
COVER = Cover("山形県", "rich.xlsx", DAY, DUE)

RICH_PROBLEMS = [
    Problem("error", "negative-count", '実績値 "-3" は負の値です（0以上の整数を入力してください）', "KPI実績", "E2"),
    Problem("warning", "total-mismatch", "結合セルの中の問題", "KPI実績", "H5"),
    Problem("warning", "bad-status", "メモのあるセルの問題", "KPI実績", "A2"),
    Problem("error", "missing-value", "実績値が空欄です", "KPI実績", "K20"),
    Problem("warning", "bad-header", "非表示シートの問題", "記入方法", "B2"),
    Problem("error", "unknown-form", "ブック全体の問題"),
]
RICH_FLAGGED = [("KPI実績", "E2"), ("KPI実績", "G4"), ("KPI実績", "A2"), ("KPI実績", "K20"), ("記入方法", "B2")]


def _listing(data: bytes) -> list[tuple[object, ...]]:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET_NAME]
    return [
        (*tuple(c.value for c in row), row[3].hyperlink.location if row[3].hyperlink else None)
        for row in sheet.iter_rows(min_row=9)
    ]


def _issues(result: saisei.Consolidation, name: str) -> list[tuple[str, str, str | None, str | None, str]]:
    """One file's issues, with its name taken out of the message (the copy is named otherwise)."""
    return sorted(
        (i.severity, i.code, i.sheet, i.cell, i.message.replace(name, "<file>"))
        for i in result.issues
        if i.file == name
    )


def test_rich_workbook_marked_and_nothing_else_changed() -> None:
    original = rich_workbook()
    annotated = annotate(original, RICH_PROBLEMS, COVER)
    check_annotated(original, annotated, RICH_FLAGGED)
    before, after = parts(original), parts(annotated)
    assert after["xl/media/image1.png"] == before["xl/media/image1.png"]
    assert after["xl/drawings/drawing1.xml"] == before["xl/drawings/drawing1.xml"]
    # the flagged sheet: only the flagged cells' s=, the cell Excel never wrote, and the
    # tab no longer selected (validation, merges, the picture and the comments' drawing stay)
    sheet = sheet_part_names(original)["KPI実績"]
    old, new = before[sheet], after[sheet]
    assert b"<dataValidation " in new and b'<mergeCell ref="G4:H5"/>' in new and b'r:id="rIdPic"' in new
    no_style = re.compile(rb'(<c r="(?:A2|E2|G4)")(?: s="\d+")?|(<c )s="\d+" (r="(?:A2|E2|G4)")')
    strip = lambda xml: no_style.sub(lambda m: m.group(1) or m.group(2) + m.group(3), xml)  # noqa: E731
    assert strip(new).replace(b'<row r="20"><c r="K20" s="', b"").count(b"<c ") == strip(old).count(b"<c ")
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(annotated))
    assert book["KPI実績"]["A2"].comment.text.startswith("担当: 山田（内線123）")  # the clerk's own, kept
    assert "メモのあるセルの問題" in book["KPI実績"]["A2"].comment.text
    assert book["KPI実績"]["E3"].value == "=1+2" and book["KPI実績"].data_validations.dataValidation
    rows = _listing(annotated)
    assert [r[1:4] + r[-1:] for r in rows] == [
        ("エラー", "KPI実績", "E2", "'KPI実績'!$E$2"),
        ("警告", "KPI実績", "G4（結合セル G4:H5）", "'KPI実績'!$G$4"),
        ("警告", "KPI実績", "A2", "'KPI実績'!$A$2"),
        ("エラー", "KPI実績", "K20", "'KPI実績'!$K$20"),
        ("警告", "記入方法（非表示シート）", "B2", None),
        ("エラー", "（ファイル全体）", "—", None),
    ]
    assert rows[0][4:6] == ('実績値 "-3" は負の値です', "0以上の整数を入力してください")
    assert book[SHEET_NAME]["A1"].value.startswith(MARKER)
    assert book[SHEET_NAME]["D2"].value == "山形県"


def test_same_input_same_bytes() -> None:
    original = rich_workbook()
    assert annotate(original, RICH_PROBLEMS, COVER) == annotate(original, RICH_PROBLEMS, COVER)


def test_calc_chain_dropped_and_sheet_local_names_follow(tmp_path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.workbook.defined_name import DefinedName

    book = Workbook()
    book.active.title = "表"
    book.active["A1"] = 1
    book.create_sheet("二枚目")["B2"] = 2
    book["二枚目"].defined_names.add(DefinedName("_xlnm.Print_Area", attr_text="'二枚目'!$A$1:$C$3"))
    buffer = io.BytesIO()
    book.save(buffer)
    src = parts(buffer.getvalue())
    src["xl/calcChain.xml"] = (
        b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="A1" i="1"/></calcChain>'
    )
    src["xl/_rels/workbook.xml.rels"] = src["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in src.items():
            archive.writestr(name, body)
    original = out.getvalue()
    assert b'localSheetId="1"' in src["xl/workbook.xml"]
    annotated = annotate(original, [Problem("error", "x", "値が違います", "二枚目", "B2")], COVER)
    check_annotated(original, annotated, [("二枚目", "B2")])
    after = parts(annotated)
    assert "xl/calcChain.xml" not in after and b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in after["[Content_Types].xml"]
    assert b'localSheetId="2"' in after["xl/workbook.xml"]  # still the print area of 二枚目


def test_annotating_again_replaces_the_list() -> None:
    original = rich_workbook()
    once = annotate(original, RICH_PROBLEMS, COVER)
    twice = annotate(once, RICH_PROBLEMS[:1], COVER)
    names = list(sheet_values(twice))
    assert names.count(SHEET_NAME) == 1 and names[0] == SHEET_NAME and len(names) == 3
    assert len(_listing(twice)) == 1
    assert {n: v for n, v in sheet_values(twice).items() if n != SHEET_NAME} == sheet_values(original)


def test_readers_leave_out_saiseis_sheet_but_read_a_forms_own(tmp_path: Path) -> None:
    annotated = tmp_path / "a.xlsx"
    annotated.write_bytes(annotate(rich_workbook(), RICH_PROBLEMS, COVER))
    assert saisei.open_workbook(annotated).sheet_names == ("KPI実績", "記入方法")
    own = tmp_path / "own.xlsx"
    own.write_bytes(standard_form([], extra_sheets=(SHEET_NAME,)))  # A1 is the form's, not saisei's
    workbook = saisei.open_workbook(own)
    assert SHEET_NAME in workbook.sheet_names and workbook.sheet(SHEET_NAME).text("A1") == "1行に1件。"


def _gathering(folder: Path) -> None:
    folder.mkdir()
    for sample in EXAMPLES.glob("*.xlsx"):
        if "標準様式" not in sample.name:
            shutil.copy(sample, folder / sample.name)
    (folder / "山形県_KPI.xlsx").write_bytes(
        standard_form([["060003", "山形県", 2024, 1, -3, "確定"], ["060003", "山形県", 2024, 2, 40, "確定"]])
    )
    (folder / "鶴岡市_追加.xlsx").write_bytes(
        standard_form(
            [
                ["062031", "鶴岡市", 2024, 1, 2, "確定"],
                ["062031", "鶴岡市", 2024, 2, "十二", "確定"],
                ["062031", "鶴岡市", 2025, 2, 5, "未定"],
            ]
        )
    )


def test_two_bodies_with_errors_get_their_workbooks_and_letters(tmp_path: Path) -> None:
    _gathering(tmp_path / "in")
    result = saisei.consolidate([tmp_path / "in"], as_of=DAY)
    done = result.sendback(tmp_path / "out", due=DUE, errors_only=True, checked=DAY)
    assert sorted(p.name for e in done for p in e.written) == [
        "山形県_KPI_要確認.txt",
        "山形県_KPI_要確認.xlsx",
        "鶴岡市_追加_要確認.txt",
        "鶴岡市_追加_要確認.xlsx",
    ]
    for entry in done:
        assert entry.workbook is not None
        original, annotated = (tmp_path / "in" / entry.name).read_bytes(), entry.workbook.read_bytes()
        check_annotated(original, annotated, flag(entry.problems))
        letter = entry.letter.read_bytes().decode("utf-8-sig")
        assert letter.startswith(f"{entry.body} ご担当者様\r\n")
        assert "2025年9月30日（令和7年9月30日）までに" in letter
        for problem in entry.problems:
            assert f"のセル {problem.cell}: " in letter
    tsuruoka = next(e for e in done if e.body == "鶴岡市")
    assert [(p.cell, p.code) for p in tsuruoka.problems] == [("E3", "not-a-number"), ("F4", "bad-status")]
    # read back by saisei: the same issues as the original
    copies = saisei.consolidate([tmp_path / "out"], as_of=DAY)
    for entry in done:
        assert entry.workbook is not None
        assert _issues(copies, entry.workbook.name) == _issues(result, entry.name)


def test_fixed_copy_reads_normally(tmp_path: Path) -> None:
    import openpyxl

    _gathering(tmp_path / "in")
    result = saisei.consolidate([tmp_path / "in" / "山形県_KPI.xlsx"], as_of=DAY)
    (entry,) = result.sendback(tmp_path / "out", checked=DAY)
    assert entry.workbook is not None
    book = openpyxl.load_workbook(entry.workbook)  # the clerk fixes the cell and saves, fill and comment kept
    book["KPI実績"]["E2"] = 3
    fixed = tmp_path / "fixed" / "山形県_KPI.xlsx"
    fixed.parent.mkdir()
    book.save(fixed)
    assert openpyxl.load_workbook(fixed)["KPI実績"]["E2"].comment is not None
    again = saisei.consolidate([fixed], as_of=DAY)
    assert [i for i in again.issues if i.file] == []
    assert sorted(again.values.select("kpi", "value").iter_rows()) == [(1, 3), (2, 40)]


@pytest.mark.parametrize("sample", sorted(p.name for p in EXAMPLES.glob("*.xlsx")))
def test_every_sample_reads_the_same_once_annotated(sample: str, tmp_path: Path) -> None:
    """Every plugin's detect and read, and the standard form, see through the 確認事項 sheet."""
    source = EXAMPLES / sample
    original = source.read_bytes()
    problems = [Problem("warning", "x", "確認してください", name, "A1") for name in sheet_part_names(original)]
    problems.append(Problem("error", "x", "ブック全体", None, None))
    annotated = annotate(original, problems, Cover("", sample, DAY))
    check_annotated(original, annotated, flag(problems))
    copy = tmp_path / sample
    copy.write_bytes(annotated)
    before, after = saisei.consolidate([source], as_of=DAY), saisei.consolidate([copy], as_of=DAY)
    assert _issues(after, sample) == _issues(before, sample)
    assert after.values.drop("sources").equals(before.values.drop("sources"))
    assert after.files[0].plugin == before.files[0].plugin


def test_command(tmp_path: Path) -> None:
    _gathering(tmp_path / "in")
    (tmp_path / "in" / "壊れた.xlsx").write_bytes(b"not a workbook\n")
    out = tmp_path / "out"
    args = ["sendback", str(tmp_path / "in"), "--out", str(out), "--due", "2025-09-30", "--date", "2025-09-01"]
    run = CliRunner().invoke(main, args)
    assert run.exit_code == 1, run.output
    names = sorted(p.name for p in out.iterdir())
    assert "酒田市_実績一覧_要確認.xlsx" in names  # warnings only: sent back unless --errors-only
    assert "壊れた_要確認.txt" in names and "壊れた_要確認.xlsx" not in names
    letter = (out / "壊れた_要確認.txt").read_text(encoding="utf-8-sig")
    assert "開けなかったため" in letter and "テキストファイルです" in letter
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert CliRunner().invoke(main, args).exit_code == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first  # same inputs, same bytes
    only = tmp_path / "only"
    assert CliRunner().invoke(main, [*args[:3], str(only), "--errors-only", "--date", "2025-09-01"]).exit_code == 1
    assert "酒田市_実績一覧_要確認.xlsx" not in {p.name for p in only.iterdir()}


_SAMPLES = sorted(EXAMPLES.glob("*.xlsx"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(_SAMPLES),
    cells=st.lists(
        st.tuples(st.integers(0, 5), st.integers(1, 60), st.integers(1, 14), st.booleans()), min_size=1, max_size=12
    ),
)
def test_random_flagged_cells(sample: Path, cells: list[tuple[int, int, int, bool]]) -> None:
    from saisei.core.cells import cell_ref

    original = sample.read_bytes()
    sheets = list(sheet_part_names(original))
    problems = [
        Problem("error" if error else "warning", "x", f"問題 {i}", sheets[s % len(sheets)], cell_ref(r, c))
        for i, (s, r, c, error) in enumerate(cells)
    ]
    annotated = annotate(original, problems, Cover("", sample.name, DAY))
    merged = _merged(original)
    check_annotated(original, annotated, [(p.sheet, merged.get((p.sheet, p.cell), p.cell)) for p in problems])


def _merged(data: bytes) -> dict[tuple[str | None, str | None], str]:
    """Each cell inside a merged range (not its top-left), with the top-left cell."""
    import python_calamine

    from saisei.core.cells import cell_ref

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    out: dict[tuple[str | None, str | None], str] = {}
    for name in book.sheet_names:
        for (r1, c1), (r2, c2) in book.get_sheet_by_name(name).merged_cell_ranges or ():
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    out[(name, cell_ref(r + 1, c + 1))] = cell_ref(r1 + 1, c1 + 1)
    return out


def test_from_the_record_the_whole_round_again(tmp_path: Path) -> None:
    """--record without PATH: the send-back of every body whose latest submission has
    problems, from the bytes the record holds (the files themselves may be gone)."""
    _gathering(tmp_path / "in")
    (tmp_path / "in" / "壊れた.xlsx").write_bytes(b"not a workbook\n")
    record = tmp_path / "record.sqlite"
    runner = CliRunner()
    first = runner.invoke(
        main,
        [
            "consolidate",
            str(tmp_path / "in"),
            "--out",
            str(tmp_path / "report"),
            "--record",
            str(record),
            "--as-of",
            "2025-09-01",
        ],
    )
    assert first.exit_code == 1, first.output
    from_paths = runner.invoke(
        main, ["sendback", str(tmp_path / "in"), "--out", str(tmp_path / "a"), "--date", "2025-09-01"]
    )
    shutil.rmtree(tmp_path / "in")  # the record holds the bytes
    status = runner.invoke(main, ["status", "--record", str(record)])
    assert f"saisei sendback --record {record}" in status.output
    run = runner.invoke(
        main, ["sendback", "--record", str(record), "--out", str(tmp_path / "b"), "--date", "2025-09-01"]
    )
    assert run.exit_code == 1, run.output
    assert from_paths.exit_code == 1
    a = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    b = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert sorted(b) == sorted(a) and "鶴岡市_追加_要確認.xlsx" in b and "壊れた_要確認.txt" in b
    for name in ("山形県_KPI_要確認.xlsx", "鶴岡市_追加_要確認.xlsx"):
        assert sheet_values(b[name]) == sheet_values(a[name])
        assert _listing(b[name]) == _listing(a[name])
    no_source = runner.invoke(main, ["sendback", "--out", str(tmp_path / "c")], env={"SAISEI_RECORD": ""})
    assert no_source.exit_code == 2 and "--record" in no_source.output


@pytest.mark.parametrize("dialect", hostile_kit.DIALECTS, ids=lambda d: d.name)
def test_sheet_xml_dialects_and_no_styles_part(dialect: hostile_kit.Dialect, tmp_path: Path) -> None:
    """Cells without r, prefixes, single quotes, odd spaces, a BOM, and a package without
    styles.xml: the flagged cells (and one Excel never wrote) are marked, values unchanged."""
    original = hostile_kit.raw_standard(lambda d: d.number("E2", -3), dialect=dialect)
    if dialect.name == "plain":
        src = parts(original)
        src["xl/worksheets/sheet1.xml"] = b"\xef\xbb\xbf" + src["xl/worksheets/sheet1.xml"]
        original = hostile_kit.xlsx({"KPI実績": src["xl/worksheets/sheet1.xml"]})
    assert "xl/styles.xml" not in parts(original)
    path = tmp_path / "in" / "raw.xlsx"
    path.parent.mkdir()
    path.write_bytes(original)
    result = saisei.consolidate([path], as_of=DAY)
    (issue,) = [i for i in result.issues if i.file]
    assert (issue.code, issue.cell) == ("negative-count", "E2")
    problems = [Problem.from_issue(issue), Problem("warning", "x", "書かれていないセル", "KPI実績", "H9")]
    annotated = annotate(original, problems, COVER)
    check_annotated(original, annotated, [("KPI実績", "E2"), ("KPI実績", "H9")])
    copy = tmp_path / "raw_要確認.xlsx"
    copy.write_bytes(annotated)
    assert _issues(saisei.consolidate([copy], as_of=DAY), copy.name) == _issues(result, path.name)


def test_output_inside_the_input_folder_is_said(tmp_path: Path) -> None:
    _gathering(tmp_path / "in")
    run = CliRunner().invoke(main, ["sendback", str(tmp_path / "in"), "--out", str(tmp_path / "in" / "返送")])
    assert run.exit_code == 1
    assert (
        "[注意] 出力フォルダー" in run.output
        and "返送用のブック（_要確認.xlsx）も提出として読み込まれます" in run.output
    )
    assert any((tmp_path / "in" / "返送").glob("*_要確認.xlsx"))
    elsewhere = CliRunner().invoke(main, ["sendback", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert "[注意]" not in elsewhere.output


def test_letter_says_what_to_fix_where_and_by_when() -> None:
    from saisei.sendback.letter import cover_letter
    from saisei.sendback.package import annotate_listed

    _, placed = annotate_listed(rich_workbook(), RICH_PROBLEMS, COVER)
    letter = cover_letter(COVER, placed, sender="山形県", plan_name="計画", copy_name="rich_要確認.xlsx")
    lines = letter.split("\r\n")
    assert lines[0] == "山形県 ご担当者様"
    assert "■ 直していただきたい点（エラー 3件）" in lines
    assert "■ 確かめていただきたい点（警告 3件。正しければ直す必要はありません）" in lines
    assert '  1. シート「KPI実績」のセル E2: 実績値 "-3" は負の値です → 0以上の整数を入力してください' in lines
    assert "  2. シート「KPI実績」のセル K20: 実績値が空欄です → 値を入力する" in lines
    assert "  3. ブック全体: ブック全体の問題 → 配布した様式のまま" in lines
    assert "  4. シート「KPI実績」のセル G4: 結合セルの中の問題 → 明細の合計と同じ値" in lines
    assert "  6. シート「記入方法」（非表示シート）のセル B2: 非表示シートの問題 → 様式どおりの見出し" in lines
    assert "  2025年9月30日（令和7年9月30日）までにお送りください。" in lines
    assert "  1. 「rich_要確認.xlsx」を開き、上の点を直して上書き保存してください。" in lines
