"""Hostile and broken workbooks beside the seven good samples: each one is refused clearly,
at the right file/sheet/cell, and the other bodies' figures consolidate unchanged.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import hostile_kit as kit
import polars as pl
import pytest

import saisei
from saisei.core.issues import Issue
from saisei.hookspecs import hookimpl
from saisei.pipeline import Consolidation, collect_files, read_file
from saisei.plans import load_plan
from saisei.reading import Reading
from saisei.testing import make_registry
from saisei.workbook import Limits, Workbook

PLAN = load_plan()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Consolidation:
    return saisei.consolidate([kit.copy_examples(tmp_path_factory.mktemp("samples"))])


def beside_samples(tmp_path: Path, files: dict[str, bytes], **kwargs: Any) -> Consolidation:
    folder = kit.copy_examples(tmp_path / "提出")
    for name, data in files.items():
        kit.write(folder, name, data)
    return saisei.consolidate([folder], **kwargs)


def errors_for(result: Consolidation, file: str) -> list[Issue]:
    return [i for i in result.errors if i.file == file]


def same_values(result: Consolidation, baseline: Consolidation) -> bool:
    return result.values.drop("sources").equals(baseline.values.drop("sources"))


def assert_refused_beside_samples(
    tmp_path: Path, baseline: Consolidation, name: str, data: bytes, code: str, **kwargs: Any
) -> Issue:
    started = time.perf_counter()
    result = beside_samples(tmp_path, {name: data}, **kwargs)
    assert time.perf_counter() - started < 20
    found = errors_for(result, name)
    assert [i.code for i in found] == [code], [i.message for i in found]
    assert found[0].message.startswith(f"{name}")
    assert result.has_errors
    assert same_values(result, baseline)
    assert name not in {s.split("!")[0] for row in result.values["sources"] for s in row}
    return found[0]


# -- not a workbook ---------------------------------------------------------------------------

GOOD = kit.standard_form([kit.GOOD_ROW])
NOT_WORKBOOKS = {
    "not-xlsx": bytes(range(256)) * 4,
    "truncated": GOOD[: len(GOOD) // 2],
    "corrupt": GOOD[:200] + bytes(b ^ 0xFF for b in GOOD[200:260]) + GOOD[260:],
    "empty": b"",
    "csv-renamed": "団体コード,団体名,年度,KPI,実績値,区分\n060003,山形県,2024,KPI1,4,確定\n".encode(),
}


@pytest.mark.parametrize("kind", list(NOT_WORKBOOKS))
def test_unreadable_files_are_named_and_the_run_goes_on(tmp_path: Path, baseline: Consolidation, kind: str) -> None:
    issue = assert_refused_beside_samples(
        tmp_path, baseline, f"{kind}.xlsx", NOT_WORKBOOKS[kind], "unreadable-workbook"
    )
    assert "送" in issue.message  # says what to send instead


@pytest.mark.parametrize(
    ("kind", "code", "words"),
    [
        ("encrypted", "encrypted-workbook", "パスワード"),
        ("xls", "legacy-xls", ".xls"),
        ("xlsm", "macro-workbook", "マクロは実行せず"),
    ],
)
def test_encrypted_legacy_and_macro_workbooks(
    tmp_path: Path, baseline: Consolidation, kind: str, code: str, words: str
) -> None:
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    if kind == "encrypted":
        out = io.BytesIO()
        OOXMLFile(io.BytesIO(GOOD)).encrypt("pass", out)
        data = out.getvalue()
    elif kind == "xls":
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".ljust(512, b"\0") + "Workbook".encode("utf-16-le")
    else:
        data = kit.xlsx({"KPI実績": kit.worksheet("")}, parts={"xl/vbaProject.bin": b"Attribute VB_Name"})
    issue = assert_refused_beside_samples(tmp_path, baseline, f"{kind}.xlsx", data, code)
    assert words in issue.message
    assert ".xlsx" in issue.message


# -- bombs ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gib_bomb() -> bytes:
    """A sheet of 1 GiB of blanks that zips to about 1 MiB, directory honest."""
    data = kit.gib_bomb()
    assert len(data) < 2 * 1024**2
    return data


def test_gib_bomb_is_refused_before_inflating(tmp_path: Path, baseline: Consolidation, gib_bomb: bytes) -> None:
    issue = assert_refused_beside_samples(tmp_path, baseline, "bomb.xlsx", gib_bomb, "workbook-too-large")
    assert "展開していません" in issue.message


def test_gib_bomb_costs_little_memory(tmp_path: Path, gib_bomb: bytes) -> None:
    """The whole consolidation, in a fresh process: peak RSS far below the 1 GiB inflated."""
    import subprocess

    folder = kit.copy_examples(tmp_path / "提出")
    kit.write(folder, "bomb.xlsx", gib_bomb)
    script = kit.PEAK_AT_EXIT + (
        "import sys, saisei\n"
        "r = saisei.consolidate([sys.argv[1]])\n"
        "assert any(i.code == 'workbook-too-large' and i.file == 'bomb.xlsx' for i in r.errors)\n"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert kit.peak_mib(done.stderr) < 400, kit.peak_mib(done.stderr)
    assert time.perf_counter() - started < 20


def test_lying_bomb_is_stopped_at_its_declared_size(tmp_path: Path, baseline: Consolidation) -> None:
    stream, _, _ = kit.blank_bomb(256 * 1024**2)
    data = kit.raw_workbook(b"", sheet_entry={"stream": stream, "crc": 0, "declared": 4096})
    issue = assert_refused_beside_samples(tmp_path, baseline, "lying.xlsx", data, "workbook-too-large")
    assert "目録の大きさ" in issue.message


def test_total_above_the_limit(tmp_path: Path, baseline: Consolidation) -> None:
    parts = {f"xl/media/image{i}.png": bytes(600_000) for i in range(4)}
    data = kit.xlsx({"KPI実績": kit.worksheet("")}, parts=parts)
    limits = Limits(max_part_bytes=1_000_000, max_total_bytes=2_000_000)
    assert_refused_beside_samples(tmp_path, baseline, "total.xlsx", data, "workbook-too-large", limits=limits)


def test_cells_at_a1_and_xfd1048576(tmp_path: Path, baseline: Consolidation) -> None:
    d = kit.Dialect("prefixed", prefix="x")
    sheet = d.worksheet(
        d.row(1, "".join(d.text(f"{'ABCDEFG'[i]}1", h, None) for i, h in enumerate(kit.HEADER)))
        + d.row(1048576, d.cell("XFD1048576", d.v("1")))
    )
    issue = assert_refused_beside_samples(
        tmp_path, baseline, "grid.xlsx", kit.xlsx({"KPI実績": sheet}), "workbook-too-large"
    )
    assert issue.sheet == "KPI実績"


# -- entities ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "[Content_Types].xml"]
)
def test_billion_laughs_and_external_entities(tmp_path: Path, baseline: Consolidation, part: str) -> None:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(kit.raw_standard(lambda d: d.number("E2", 4), shared=True))) as z:
        body = z.read(part).decode().replace(kit.DECL, "")
    laughs = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    laughs += '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x SYSTEM "file:///etc/passwd">]>'
    data = kit.xlsx({"KPI実績": kit.worksheet("")}, parts={part: (laughs + body).encode()})
    issue = assert_refused_beside_samples(tmp_path, baseline, "laughs.xlsx", data, "unsafe-workbook")
    assert part in issue.message


# -- formula cells without a cached value, error cells ----------------------------------------

VALUE_CELLS: dict[str, tuple[Any, str | int | None]] = {
    # name: (E2 builder, expected: an error code at E2, a value, or None for blank)
    "formula-no-v": (lambda d: d.cell("E2", d.f("SUM(1,2)")), "formula-without-value"),
    "formula-empty-v": (lambda d: d.cell("E2", d.f("SUM(1,2)") + d.v(None)), "formula-without-value"),
    "formula-blank-v": (lambda d: d.cell("E2", d.f("SUM(1,2)") + d.v("")), "formula-without-value"),
    "shared-no-v": (lambda d: d.cell("E2", d.f(None, t="shared", si="0")), "formula-without-value"),
    "shared-with-v": (lambda d: d.cell("E2", d.f(None, t="shared", si="0") + d.v("3")), 3),
    "formula-with-v": (lambda d: d.cell("E2", d.f("SUM(1,2)") + d.v("3")), 3),
    "v-before-f": (lambda d: d.cell("E2", d.v("3") + d.f("SUM(1,2)")), "formula-without-value"),
    "str-formula-blank": (lambda d: d.cell("E2", d.f('IF(1,"","")') + d.v(""), "str"), None),
    "div0": (lambda d: d.cell("E2", d.v("#DIV/0!"), "e"), "error-value"),
    "ref": (lambda d: d.cell("E2", d.v("#REF!"), "e"), "error-value"),
    "value": (lambda d: d.cell("E2", d.v("#VALUE!"), "e"), "error-value"),
    "na": (lambda d: d.cell("E2", d.v("#N/A"), "e"), "error-value"),
    "cached-error": (lambda d: d.cell("E2", d.f("1/0") + d.v("#DIV/0!"), "e"), "error-value"),
    "spill": (lambda d: d.cell("E2", d.f("SEQUENCE(2)") + d.v("#SPILL!"), "e"), "error-value"),
    "number": (lambda d: d.number("E2", 4), 4),
}


VARIANTS = [(d, False) for d in kit.DIALECTS] + [(kit.DIALECTS[0], True), (kit.DIALECTS[1], True)]
REGISTRY = make_registry()


@pytest.mark.parametrize(
    ("dialect", "shared"), VARIANTS, ids=[f"{d.name}-{'shared' if s else 'inline'}" for d, s in VARIANTS]
)
@pytest.mark.parametrize("case", list(VALUE_CELLS))
def test_value_cells_that_calamine_hides(case: str, dialect: kit.Dialect, shared: bool, tmp_path: Path) -> None:
    """Text as inline or shared strings; cells written as Excel does and in the odd ways."""
    build, expected = VALUE_CELLS[case]
    path = kit.write(tmp_path, "form.xlsx", kit.raw_standard(build, dialect=dialect, shared=shared))
    result = read_file(path, PLAN, REGISTRY)
    errors = [(i.code, i.sheet, i.cell) for i in result.issues if i.is_error]
    values = [] if result.frame is None else result.frame["value"].to_list()
    if isinstance(expected, str):
        assert errors == [(expected, "KPI実績", "E2")], [i.message for i in result.issues]
        assert result.issues[0].message.startswith("form.xlsx!KPI実績!E2: ")
    else:
        assert errors == [], [i.message for i in result.issues]
        assert values == ([] if expected is None else [expected])


def test_formula_cells_written_by_openpyxl(tmp_path: Path) -> None:
    """A file written by a program and never opened in Excel: never blank, never zero."""
    data = kit.standard_form([("060003", "山形県", 2024, "KPI1", "=SUM(1,2)", "確定", None)])
    result = read_file(kit.write(tmp_path, "prog.xlsx", data), PLAN, make_registry())
    assert [(i.code, i.cell) for i in result.issues] == [("formula-without-value", "E2")]
    assert "SUM(1,2)" in result.issues[0].message


# -- values -------------------------------------------------------------------------------------

BAD_VALUES = [
    ("negative", ("060003", "山形県", 2024, "KPI1", -3, "確定", None), "negative-count", "E2"),
    ("triangle", ("060003", "山形県", 2024, "KPI1", "△3", "確定", None), "negative-count", "E2"),
    ("black-triangle", ("060003", "山形県", 2024, "KPI1", "▲3", "確定", None), "negative-count", "E2"),
    ("fraction", ("060003", "山形県", 2024, "KPI1", 2.5, "確定", None), "fractional-count", "E2"),
    ("text", ("060003", "山形県", 2024, "KPI1", "調査中", "確定", None), "not-a-number", "E2"),
    ("unit", ("060003", "山形県", 2024, "KPI2", "14人", "確定", None), "unexpected-unit", "E2"),
    ("year", ("060003", "山形県", 2023, "KPI1", 4, "確定", None), "bad-fiscal-year", "C2"),
    ("reiwa-year", ("060003", "山形県", "令和9年度", "KPI1", 4, "確定", None), "bad-fiscal-year", "C2"),
    ("kpi", ("060003", "山形県", 2024, "KPI9", 4, "確定", None), "unknown-kpi", "D2"),
    ("kpi-name", ("060003", "山形県", 2024, "観光客数", 4, "確定", None), "unknown-kpi", "D2"),
    ("check-digit", ("060004", "山形県", 2024, "KPI1", 4, "確定", None), "bad-code", "A2"),
    ("not-in-plan", ("062014", "米沢市", 2024, "KPI1", 4, "確定", None), "unknown-body", "A2"),
    ("status", ("060003", "山形県", 2024, "KPI1", 4, "速報", None), "bad-status", "F2"),
]


@pytest.mark.parametrize(("name", "row", "code", "cell"), BAD_VALUES, ids=[b[0] for b in BAD_VALUES])
def test_bad_values_are_errors_at_their_cell(
    tmp_path: Path, baseline: Consolidation, name: str, row: tuple[Any, ...], code: str, cell: str
) -> None:
    data = kit.standard_form([row])
    result = beside_samples(tmp_path, {f"{name}.xlsx": data})
    found = [(i.code, i.sheet, i.cell) for i in errors_for(result, f"{name}.xlsx")]
    assert (code, "KPI実績", cell) in found, found
    assert same_values(result, baseline)


@pytest.mark.parametrize("value", [9 * 10**18, "1" + "0" * 20, 10**12 + 1], ids=["float", "text", "limit"])
def test_a_huge_count_is_an_error_at_its_cell_not_a_wrapped_total(
    tmp_path: Path, baseline: Consolidation, value: object
) -> None:
    rows = [
        ("060003", "山形県", 2025, "KPI1", value, "確定", None),
        ("062031", "鶴岡市", 2025, "KPI1", value, "確定", None),
    ]
    result = beside_samples(tmp_path, {"huge.xlsx": kit.standard_form(rows)})
    found = [(i.code, i.cell) for i in errors_for(result, "huge.xlsx")]
    assert found == [("too-large-count", "E2"), ("too-large-count", "E3")], found
    assert same_values(result, baseline)
    assert (result.totals["value"] >= 0).all()


def test_a_plugin_that_bypasses_parse_count_cannot_wrap_a_total(tmp_path: Path, baseline: Consolidation) -> None:
    registry = make_registry(("badrows", BadRows([{"value": 2**62}, {"value": 2**62, "cell": "B3"}])))
    result = beside_samples(tmp_path, {"evil.xlsx": evil_form()}, registry=registry)
    assert {i.code for i in errors_for(result, "evil.xlsx")} == {"plugin-failed"}
    assert same_values(result, baseline)


# -- plugins --------------------------------------------------------------------------------


def evil_form(sheet: str = "EVIL") -> bytes:
    return kit.standard_form([("x",)], sheet=sheet, header=("EVIL FORM",))


class Claims:
    """Claims a standard form that also has a sheet 二重 (so two plugins claim it)."""

    @hookimpl
    def saisei_detect(self, workbook: Workbook) -> bool:
        return workbook.find_sheet("KPI実績") is not None and workbook.find_sheet("二重") is not None


class Raises:
    @hookimpl
    def saisei_detect(self, workbook: Workbook) -> bool:
        return workbook.find_sheet("EVIL") is not None

    @hookimpl
    def saisei_read(self, workbook: Workbook, plan: Any) -> Reading:
        raise RuntimeError("boom")


class RaisesInDetect:
    """Raises while looking at one workbook (one with a sheet EVIL), or at every one."""

    def __init__(self, always: bool = False) -> None:
        self.always = always

    @hookimpl
    def saisei_detect(self, workbook: Workbook) -> bool:
        if self.always or workbook.find_sheet("EVIL") is not None:
            raise ZeroDivisionError("detect boom")
        return False


class BadRows:
    """A plugin for 鶴岡市 that returns rows the schema and the plan refuse."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    @hookimpl
    def saisei_body_code(self) -> str:
        return "062031"

    @hookimpl
    def saisei_detect(self, workbook: Workbook) -> bool:
        return workbook.find_sheet("EVIL") is not None

    @hookimpl
    def saisei_read(self, workbook: Workbook, plan: Any) -> Reading:
        reading = Reading(workbook, plan, entity_code="062031")
        for row in self.rows:
            base = {"kpi": 1, "fiscal_year": 2024, "value": 3, "status": "final", "sheet": "EVIL", "cell": "B2"}
            reading.observe(**{**base, **row})
        return reading


def test_a_workbook_no_plugin_recognizes(tmp_path: Path, baseline: Consolidation) -> None:
    issue = assert_refused_beside_samples(tmp_path, baseline, "mystery.xlsx", evil_form("メモ"), "unknown-form")
    assert "メモ" in issue.message  # the sheets it has


def test_a_workbook_two_plugins_claim(tmp_path: Path, baseline: Consolidation) -> None:
    from openpyxl import load_workbook

    book = load_workbook(__import__("io").BytesIO(GOOD))
    book.create_sheet("二重")
    buffer = __import__("io").BytesIO()
    book.save(buffer)
    registry = make_registry(("claims", Claims()))
    issue = assert_refused_beside_samples(
        tmp_path, baseline, "two.xlsx", buffer.getvalue(), "ambiguous-form", registry=registry
    )
    assert "claims" in issue.message and "standard" in issue.message


def test_a_plugin_that_raises(tmp_path: Path, baseline: Consolidation) -> None:
    registry = make_registry(("raises", Raises()))
    issue = assert_refused_beside_samples(
        tmp_path, baseline, "evil.xlsx", evil_form(), "plugin-failed", registry=registry
    )
    assert (issue.plugin, "raises" in issue.message, "boom" in issue.message) == ("raises", True, True)


def test_a_plugin_that_raises_in_detect(tmp_path: Path, baseline: Consolidation) -> None:
    registry = make_registry(("flaky", RaisesInDetect()))
    issue = assert_refused_beside_samples(
        tmp_path, baseline, "evil.xlsx", evil_form(), "plugin-failed", registry=registry
    )
    assert (issue.plugin, "detect boom" in issue.message) == ("flaky", True)


def test_a_plugin_whose_detect_always_raises_stops_no_run(tmp_path: Path) -> None:
    """Whether it would have claimed a file is unknown, so every file gets the error (none is
    silently read by another plugin), and the run still ends with a report."""
    registry = make_registry(("flaky", RaisesInDetect(always=True)))
    result = beside_samples(tmp_path, {}, registry=registry)
    assert {i.file for i in result.errors if i.plugin == "flaky"} == {f.name for f in result.files}
    assert result.values.is_empty()
    result.write(tmp_path / "out")
    assert (tmp_path / "out" / "report.xlsx").exists()


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"value": -5}, "value"),
        ({"cell": "ZZ0"}, "cell"),
        ({"cell": "not a cell"}, "cell"),
        ({"entity_code": "062049"}, "062049"),
        ({"entity_code": "999999"}, "999999"),
        ({"fiscal_year": 2031}, "2031"),
        ({"kpi": 4}, "KPI4"),
        ({"status": "maybe"}, "status"),
        ({"value": "abc"}, "value"),
    ],
    ids=[
        "negative",
        "cell-zero",
        "cell-text",
        "other-body",
        "unknown-body",
        "year",
        "kpi-not-reported",
        "status",
        "text",
    ],
)
def test_a_plugin_that_returns_rows_failing_the_schema(
    tmp_path: Path, baseline: Consolidation, row: dict[str, Any], words: str
) -> None:
    registry = make_registry(("badrows", BadRows([row])))
    result = beside_samples(tmp_path, {"evil.xlsx": evil_form()}, registry=registry)
    found = errors_for(result, "evil.xlsx")
    assert found and {i.code for i in found} == {"plugin-failed"}, [i.message for i in found]
    assert all(i.plugin == "badrows" and "badrows" in i.message for i in found)
    assert any(words in i.message for i in found), [i.message for i in found]
    assert same_values(result, baseline)


# -- duplicates -------------------------------------------------------------------------------


def test_a_repeated_record_is_an_error_at_the_later_row(tmp_path: Path) -> None:
    data = kit.standard_form([kit.GOOD_ROW, ("060003", "山形県", 2024, "KPI2", 5, "確定", None), kit.GOOD_ROW])
    result = read_file(kit.write(tmp_path, "dup.xlsx", data), PLAN, make_registry())
    assert [(i.code, i.cell) for i in result.issues] == [("duplicate-row", "A4")]
    assert "2行目" in result.issues[0].message


def test_disagreeing_workbooks_name_both_files(tmp_path: Path) -> None:
    a = kit.write(tmp_path, "a.xlsx", kit.standard_form([kit.GOOD_ROW]))
    b = kit.write(tmp_path, "b.xlsx", kit.standard_form([("060003", "山形県", 2024, "KPI1", 5, "確定", None)]))
    result = saisei.consolidate([a, b])
    conflicts = [i for i in result.errors if i.code == "conflicting-figures"]
    assert len(conflicts) == 1
    assert "a.xlsx" in conflicts[0].message and "b.xlsx" in conflicts[0].message
    assert result.values.filter(pl.col("kpi") == 1).is_empty()


def test_the_same_workbook_under_two_names_counts_once(tmp_path: Path, baseline: Consolidation) -> None:
    sample = next(kit.EXAMPLES.glob("山形県*.xlsx"))
    result = beside_samples(tmp_path, {"山形県_標準様式_R6 (1).xlsx": sample.read_bytes()})
    assert same_values(result, baseline)
    assert result.totals.drop("achievement").equals(baseline.totals.drop("achievement"))
    assert len(result.errors) == len(baseline.errors)


def test_the_same_path_twice_is_read_once(tmp_path: Path) -> None:
    a = kit.write(tmp_path, "a.xlsx", kit.standard_form([kit.GOOD_ROW]))
    assert collect_files([a, a, tmp_path, tmp_path / "." / "a.xlsx"])[0] == [a]
    result = saisei.consolidate([a, a, tmp_path])
    assert result.values["value"].to_list() == [4]
    assert len(result.files) == 1


def test_workbooks_of_one_name_in_two_folders_are_listed_once(tmp_path: Path) -> None:
    """Two clerks' a.xlsx in two folders, the same estimates (their other rows differ), and
    a final figure: one revision; a figure they share in a conflict: a.xlsx listed once."""
    pref = ("060003", "山形県")
    x, y = tmp_path / "x", tmp_path / "y"
    x.mkdir(), y.mkdir()
    kit.write(x, "a.xlsx", kit.standard_form([(*pref, 2024, 1, 4, "見込み"), (*pref, 2024, 2, 4, "確定")]))
    kit.write(y, "a.xlsx", kit.standard_form([(*pref, 2024, 1, 4, "見込み"), (*pref, 2024, 2, 4, "確定", "再送")]))
    kit.write(y, "b.xlsx", kit.standard_form([(*pref, 2024, 1, 5, "確定"), (*pref, 2024, 2, 6, "確定")]))
    result = saisei.consolidate([x, y])
    assert result.revisions.select("kpi", "old_file", "old_value", "new_value").rows() == [(1, "a.xlsx", 4, 5)]
    (conflict,) = [i for i in result.errors if i.code == "conflicting-figures"]
    assert "食い違います: a.xlsx（4）、b.xlsx（6）（" in conflict.message
