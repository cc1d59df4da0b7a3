"""朝日町's kintone export: every rule of the form, on exports built here, and the template."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import saisei_asahi
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from saisei import FileResult, consolidate, load_plan
from saisei.testing import errors, issue_cells, make_registry, observations, read_bytes, warnings

HEADER = ("レコード番号", "年度", "四半期", "指標名", "実績", "更新者", "更新日時")
NAMES = {1: "関係人口を受け入れる体制が整った地域・団体等数", 2: "関係人口数", 3: "事業により創出した交流人口数"}
REGISTRY = make_registry(("asahi", saisei_asahi))
PLAN = load_plan()


def record(
    number: object,
    quarter: int | str,
    kpi: int | str,
    value: object,
    *,
    year: object = "令和6年度",
    updated: object = "2025/04/10 09:12",
) -> list[object]:
    """One export row; ``quarter``/``kpi`` as numbers take the form's usual spelling."""
    q = f"第{quarter}四半期" if isinstance(quarter, int) else quarter
    name = NAMES[kpi] if isinstance(kpi, int) else kpi
    return [number, year, q, name, value, "企画政策課", updated]


def full_year(
    values: Mapping[int, Sequence[object]], *, year: object = "令和6年度", first: int = 1
) -> list[list[object]]:
    """Records for four quarters of each KPI in ``values``, newest first as kintone exports."""
    rows = []
    number = first
    for quarter in range(1, 5):
        for kpi, per_quarter in values.items():
            rows.append(record(number, quarter, kpi, per_quarter[quarter - 1], year=year))
            number += 1
    return rows[::-1]


def export(rows: Sequence[Sequence[object]], header: Sequence[object] = HEADER, sheet: str = "レコード一覧") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(rows: Sequence[Sequence[object]], name: str = "kintone.xlsx", **kwargs: Any) -> FileResult:
    return read_bytes(export(rows, **kwargs), name, registry=REGISTRY)


def figures(result: FileResult) -> dict[tuple[int, int], tuple[int, set[str]]]:
    """(year, KPI) → (sum of the quarters, statuses), as the core adds a workbook up."""
    total: dict[tuple[int, int], int] = defaultdict(int)
    status: dict[tuple[int, int], set[str]] = defaultdict(set)
    for o in observations(result):
        total[(o["fiscal_year"], o["kpi"])] += o["value"]
        status[(o["fiscal_year"], o["kpi"])].add(o["status"])
    return {k: (v, status[k]) for k, v in total.items()}


SAMPLE_VALUES = {1: (0, 1, 0, 0), 2: (1, 2, 1, 1), 3: (80, 120, 98, 90)}


# -- detection ------------------------------------------------------------------------------


def test_columns_in_another_order_read_the_same() -> None:
    order = [6, 3, 0, 4, 1, 2, 5]  # kintone lets the user choose the exported fields' order
    rows = full_year(SAMPLE_VALUES)
    result = read([[r[i] for i in order] for r in rows], header=[HEADER[i] for i in order])
    assert result.plugin == "asahi" and not errors(result)
    assert figures(result) == {(2024, 1): (1, {"final"}), (2024, 2): (5, {"final"}), (2024, 3): (388, {"final"})}
    assert {o["cell"][0] for o in observations(result)} == {"D"}  # 実績 is column D here


def test_extra_columns_are_not_read() -> None:
    rows = [[*r, "メモ"] for r in full_year(SAMPLE_VALUES)]
    result = read(rows, header=[*HEADER, "作成者"])
    assert not errors(result)
    assert figures(result)[(2024, 3)] == (388, {"final"})


@pytest.mark.parametrize(
    ("header", "sheet"),
    [
        (HEADER[:-1], "レコード一覧"),  # 更新日時 missing
        (("番号", *HEADER[1:]), "レコード一覧"),
        (HEADER[:-1], "Sheet1"),
    ],
)
def test_other_layouts_are_not_claimed(header: Sequence[str], sheet: str) -> None:
    result = read([record(1, 1, 1, 3)], header=header, sheet=sheet)
    assert result.plugin is None
    assert [i.code for i in errors(result)] == ["unknown-form"]


def test_the_export_under_any_sheet_name_when_it_is_the_only_sheet() -> None:
    result = read([record(1, 1, 1, 3)], sheet="asahi_kintone_export_20250412")
    assert result.plugin == "asahi" and not errors(result)


def test_a_field_twice_in_the_header_is_an_error() -> None:
    result = read([[*record(1, 1, 1, 3), 4]], header=[*HEADER, "実績"])
    assert ("ambiguous-header", "レコード一覧", "H1") in issue_cells(result, sheet=True)
    assert not observations(result)


# -- reading --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kpi"),
    [
        ("関係人口を受け入れる体制が整った地域・団体等数", 1),
        ("受入体制整備数", 1),
        ("事業により関係人口を受け入れる体制が整った地域・団体等数", 1),  # the plan's own name
        ("事業により創出した関係人口数", 2),
        ("関係人口数", 2),
        ("事業により創出した交流人口数", 3),
        ("交流人口数", 3),
        ("交流人口数 ", 3),
        ("受入体制整備数\u3000", 1),  # an ideographic space typed after it
    ],
)
def test_kpi_names_and_aliases(name: str, kpi: int) -> None:
    result = read([record(1, 1, name, 7)])
    assert not errors(result), [i.message for i in errors(result)]
    assert [(o["kpi"], o["value"]) for o in observations(result)] == [(kpi, 7)]


@pytest.mark.parametrize("name", ["交流人口数（速報）", "移住者数", "KPI1"])
def test_an_unknown_indicator_is_an_error_at_its_cell(name: str) -> None:
    result = read([record(1, 1, 1, 3), record(2, 1, name, 5)])
    assert issue_cells(result, sheet=True) == [("unknown-kpi", "レコード一覧", "D3")]
    assert name in errors(result)[0].message


@pytest.mark.parametrize("name", ["山形県へのUIJターン者数（県移住相談窓口を通じて移住した人数）", "UIJターン者数"])
def test_kpi4_is_not_the_towns_to_report(name: str) -> None:
    result = read([record(1, 1, name, 5)])
    assert issue_cells(result, sheet=True) == [("unknown-kpi", "レコード一覧", "D2")]
    assert "KPI④" in errors(result)[0].message


@pytest.mark.parametrize("quarter", ["第１四半期", "第1四半期", " 第1四半期"])
def test_quarter_spellings(quarter: str) -> None:
    result = read([record(1, quarter, 2, 4)])
    assert not errors(result)
    assert [o["period"] for o in observations(result)] == ["2024-Q1"]


@pytest.mark.parametrize("quarter", ["第5四半期", "Q5", "1", "第五四半期", "上期"])
def test_a_bad_quarter_is_an_error_at_its_cell(quarter: str) -> None:
    result = read([record(1, quarter, 2, 4)])
    assert issue_cells(result, sheet=True) == [("bad-quarter", "レコード一覧", "C2")]


@pytest.mark.parametrize(("year", "fiscal_year"), [("令和7年度", 2025), ("R8", 2026), ("Ｒ６", 2024), (2025, 2025)])
def test_year_spellings(year: object, fiscal_year: int) -> None:
    result = read([record(1, 1, 1, 2, year=year)])
    assert not errors(result)
    assert [o["fiscal_year"] for o in observations(result)] == [fiscal_year]


@pytest.mark.parametrize("year", ["令和9年度", "令和5年度", "2023", "来年度"])
def test_a_year_outside_the_plan_is_an_error(year: str) -> None:
    result = read([record(1, 1, 1, 2), record(2, 1, 1, 2, year=year)])
    assert issue_cells(result, sheet=True) == [("bad-fiscal-year", "レコード一覧", "B3")]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("調査中", "not-a-number"),
        (-1, "negative-count"),
        ("▲2", "negative-count"),
        (1.5, "fractional-count"),
        ("3人", "unexpected-unit"),
        ("=SUM(E2:E3)", "formula-without-value"),
    ],
)
def test_garbage_in_a_value_is_an_error_at_its_cell(value: object, code: str) -> None:
    result = read([record(2, 1, 1, 3), record(1, 1, 2, value)])
    assert issue_cells(result, sheet=True) == [(code, "レコード一覧", "E3")]
    assert errors(result)[0].message.startswith("kintone.xlsx!レコード一覧!E3: ")


def test_text_numbers_are_counts() -> None:
    result = read([record(1, 1, 3, "１，２０３"), record(2, 2, 3, "15")])
    assert not errors(result)
    assert figures(result) == {(2024, 3): (1218, {"provisional"})}


def test_missing_fields_are_errors() -> None:
    result = read([[1, None, "第1四半期", NAMES[1], 3, None, None], [2, "令和6年度", None, None, 4, None, None]])
    assert sorted(issue_cells(result, sheet=True)) == [
        ("missing-value", "レコード一覧", "B2"),
        ("missing-value", "レコード一覧", "C3"),
        ("missing-value", "レコード一覧", "D3"),
    ]


def test_the_same_wrong_value_is_reported_at_every_cell() -> None:
    result = read([record(n, 1, "移住者数", n) for n in (1, 2, 3)])
    assert issue_cells(result, sheet=True) == [("unknown-kpi", "レコード一覧", f"D{r}") for r in (2, 3, 4)]


# -- the year's value and status -----------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(st.permutations(full_year(SAMPLE_VALUES)))
def test_record_order_does_not_matter(rows: list[list[object]]) -> None:
    result = read(rows)
    assert not errors(result)
    assert figures(result) == {(2024, 1): (1, {"final"}), (2024, 2): (5, {"final"}), (2024, 3): (388, {"final"})}


def test_a_missing_quarter_makes_that_kpi_provisional() -> None:
    rows = [r for r in full_year(SAMPLE_VALUES) if not (r[2] == "第4四半期" and r[3] == NAMES[2])]
    result = read(rows)
    assert not errors(result)
    assert figures(result) == {
        (2024, 1): (1, {"final"}),
        (2024, 2): (4, {"provisional"}),  # 1 + 2 + 1, Q4 not yet entered
        (2024, 3): (388, {"final"}),
    }


def test_a_blank_value_is_not_reported_and_not_zero() -> None:
    values = {**SAMPLE_VALUES, 1: (0, 1, 0, None)}
    result = read(full_year(values))
    assert not errors(result)
    assert figures(result)[(2024, 1)] == (1, {"provisional"})
    assert len(observations(result)) == 11


def test_zero_is_a_value() -> None:
    result = read(full_year({1: (0, 0, 0, 0)}))
    assert figures(result) == {(2024, 1): (0, {"final"})}


def test_years_in_one_export_are_separate() -> None:
    rows = [*full_year({1: (1, 1, 1, 1)}, year="令和6年度"), record(100, 1, 1, 5, year="令和7年度")]
    result = read(rows)
    assert not errors(result)
    assert figures(result) == {(2024, 1): (4, {"final"}), (2025, 1): (5, {"provisional"})}


def test_consolidated_quarters_sum_with_a_provisional_status(tmp_path: Path) -> None:
    rows = [r for r in full_year(SAMPLE_VALUES) if r[2] != "第4四半期"]
    (tmp_path / "a.xlsx").write_bytes(export(rows))
    result = consolidate([tmp_path], registry=REGISTRY)
    got = {(r["kpi"], r["value"], r["status"]) for r in result.values.iter_rows(named=True)}
    assert got == {(1, 1, "provisional"), (2, 4, "provisional"), (3, 298, "provisional")}


# -- duplicates --------------------------------------------------------------------------------


def test_two_records_for_one_quarter_are_an_error_at_the_later_record() -> None:
    # newest first, as kintone exports: record 13 (row 2) was created after record 1 (row 14)
    rows = [record(13, 1, 1, 5), *full_year(SAMPLE_VALUES)]
    result = read(rows)
    assert issue_cells(result, sheet=True) == [("duplicate-row", "レコード一覧", "A2")]
    message = errors(result)[0].message
    assert "14行目" in message and "レコード番号 1" in message
    assert result.has_errors  # the workbook gives no value; nothing is summed or kept


def test_later_means_the_larger_record_number_not_the_lower_row() -> None:
    rows = [record(9, 2, 3, 11), record(3, 2, 3, 10), record(5, 2, 3, 12)]
    result = read(rows)
    # records 5 and 9 were created after record 3, whatever rows the export gave them
    assert issue_cells(result, sheet=True) == [
        ("duplicate-row", "レコード一覧", "A2"),
        ("duplicate-row", "レコード一覧", "A4"),
    ]
    assert all("3行目（レコード番号 3）" in i.message for i in errors(result))
    assert all("全部で3件" in i.message for i in errors(result))


def test_duplicates_are_never_summed_or_kept() -> None:
    rows = [record(2, 1, 2, 4), record(1, 1, 2, 4), record(3, 1, 3, 6)]
    result = read(rows)
    assert [i.code for i in errors(result)] == ["duplicate-row"]
    assert [(o["kpi"], o["value"]) for o in observations(result)] == [(3, 6)]


def test_a_duplicate_with_a_blank_value_is_still_a_duplicate() -> None:
    result = read([record(2, 1, 2, None), record(1, 1, 2, 4)])
    assert issue_cells(result, sheet=True) == [("duplicate-row", "レコード一覧", "A2")]


def test_the_same_kpi_by_two_names_is_a_duplicate() -> None:
    result = read([record(2, 1, "関係人口数", 4), record(1, 1, "事業により創出した関係人口数", 4)])
    assert issue_cells(result, sheet=True) == [("duplicate-row", "レコード一覧", "A2")]


# -- record numbers and update times ---------------------------------------------------------------


@pytest.mark.parametrize("number", ["KPI-12", "１２", 12])
def test_record_numbers(number: object) -> None:
    result = read([record(number, 1, 1, 3)])
    assert not result.issues, [i.message for i in result.issues]


@pytest.mark.parametrize("number", [None, "十二", 0])
def test_a_bad_record_number_is_a_warning(number: object) -> None:
    result = read([record(number, 1, 1, 3)])
    assert not errors(result)
    assert issue_cells(result, "warning", sheet=True) == [("bad-record-number", "レコード一覧", "A2")]
    assert len(observations(result)) == 1


def test_a_record_number_twice_is_a_warning_and_row_order_decides() -> None:
    result = read([record(7, 1, 1, 3), record(7, 1, 2, 4), record(8, 1, 3, 5)])
    assert not errors(result)
    assert issue_cells(result, "warning", sheet=True) == [("duplicate-record-number", "レコード一覧", "A3")]
    duplicate = read([record(7, 1, 1, 3), record(7, 1, 1, 4)])
    assert issue_cells(duplicate, sheet=True) == [("duplicate-row", "レコード一覧", "A3")]


def test_a_record_number_past_64_bits_is_read_like_any_other() -> None:
    """A 20-digit レコード番号 (pasted in by hand) made the reader fail on polars' Int64
    column; it is a number like any other, and orders duplicates the same way."""
    big = "99999999999999999999"
    result = read([record(big, 1, 1, 3), record(big, 2, 1, 4)])
    assert not errors(result), [i.message for i in result.issues]
    assert issue_cells(result, "warning", sheet=True) == [("duplicate-record-number", "レコード一覧", "A3")]
    assert len(observations(result)) == 2
    duplicate = read([record(1e30, 1, 1, 3), record(big, 1, 1, 4)])  # 1e30 is the later record
    assert issue_cells(duplicate, sheet=True) == [("duplicate-row", "レコード一覧", "A2")]
    assert f"レコード番号 {big}" in errors(duplicate)[0].message


@pytest.mark.parametrize(
    ("updated", "as_of"),
    [
        ("2025/04/10 09:12", dt.date(2025, 4, 10)),
        ("2025-04-10 09:12:30", dt.date(2025, 4, 10)),
        ("２０２５/４/１０", dt.date(2025, 4, 10)),
        (dt.datetime(2025, 4, 11, 18, 5), dt.date(2025, 4, 11)),
        (None, None),
    ],
)
def test_update_time_gives_as_of(updated: object, as_of: dt.date | None) -> None:
    rows = [record(1, 1, 1, 3, updated="2024/07/10 09:12"), record(2, 4, 1, 3, updated=updated)]
    result = read(rows)
    assert not result.issues, [i.message for i in result.issues]
    assert result.as_of == (as_of or dt.date(2024, 7, 10))


def test_no_update_time_at_all_is_not_an_error() -> None:
    result = read([record(1, 1, 1, 3, updated=None)])
    assert not result.issues
    assert result.as_of is None


@pytest.mark.parametrize("updated", ["昨日", "2025/13/01 09:00", "2025/04/10 25:00", 45757.5])
def test_an_unreadable_update_time_is_an_error(updated: object) -> None:
    result = read([record(1, 1, 1, 3, updated=updated)])
    assert issue_cells(result, sheet=True) == [("bad-date", "レコード一覧", "G2")]


def test_a_record_updated_before_its_quarter_ended_is_a_warning() -> None:
    result = read([record(1, 4, 1, 3, updated="2025/02/15 10:00"), record(2, 3, 1, 3, updated="2025/01/10 09:00")])
    assert not errors(result)
    assert issue_cells(result, "warning", sheet=True) == [("early-update", "レコード一覧", "G2")]
    assert "2025/03/31" in warnings(result)[0].message


# -- the whole workbook ----------------------------------------------------------------------------


def test_blank_lines_are_skipped_and_an_empty_export_is_a_warning() -> None:
    result = read([record(1, 1, 1, 3), [None] * 7, record(2, 2, 1, 4)])
    assert not result.issues
    assert len(observations(result)) == 2
    empty = read([])
    assert empty.plugin == "asahi"
    assert [i.code for i in empty.issues] == ["no-records"]


def test_template_has_twelve_records_newest_first() -> None:
    template = saisei_asahi.saisei_template(2025, PLAN, dt.date(2026, 4, 10))
    assert template.complete_status == "final"
    assert len(template.slots) == 12
    assert [s.period for s in template.slots[:3]] == ["2025-Q4"] * 3
    assert [s.cell for s in template.slots] == [f"E{r}" for r in range(2, 14)]
    ws = template.workbook["レコード一覧"]
    assert [c.value for c in ws[1]] == list(HEADER)
    assert ws["A2"].value == 12 and ws["B2"].value == "令和7年度"
    assert ws["G2"].value == dt.datetime(2026, 4, 10)
    blank = saisei_asahi.saisei_template(2025, PLAN, None)
    assert blank.workbook["レコード一覧"]["G2"].value is None


def test_importing_the_plugin_does_not_import_polars() -> None:
    """``saisei plugins`` loads every plugin: importing this one must not cost polars' 0.3 s."""
    code = "import saisei_asahi, sys; assert 'polars' not in sys.modules, 'polars imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
