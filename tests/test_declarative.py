"""Declarative forms: a form described in TOML reads like a Python plugin, errors at the cells."""

from __future__ import annotations

from pathlib import Path

import pytest
import saisei_asahi
from builders import EXAMPLES
from kit_forms import ASAHI, SAMPLE_EXPECTED, SAMPLE_ROWS, monthly_form, monthly_sample, plan_file

from saisei import load_plan
from saisei.declarative import DeclarativeForm, FormError
from saisei.testing import (
    PluginConformance,
    assert_reads,
    errors,
    make_registry,
    observations,
    read_bytes,
    read_path,
)

PLAN_DIR = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return load_plan(plan_file(tmp_path_factory.mktemp("plan")))


def _read(data: bytes, plan, **cells: object):  # type: ignore[no-untyped-def]
    return read_bytes(data, "log.xlsx", plan=plan, registry=make_registry(("yamagata_city", monthly_form())))


# -- the monthly log of issue 14 ------------------------------------------------------------


def test_the_monthly_log_reads_exactly(plan) -> None:  # type: ignore[no-untyped-def]
    result = _read(monthly_sample(), plan)
    assert result.plugin == "yamagata_city"
    assert_reads(result, SAMPLE_EXPECTED)
    periods = {o["cell"]: o["period"] for o in observations(result)}
    assert periods == {
        "C4": "2024-04",
        "C5": "2024-04",
        "C6": "2024-04",
        "C8": "2024-05",
        "C9": "2025-03",
        "C10": "2025-04",
    }


@pytest.mark.parametrize(
    ("row", "column", "value", "code"),
    [
        (0, 0, "R6.13", "bad-period"),
        (0, 0, "来月", "bad-period"),
        (0, 0, "R12.4", "bad-fiscal-year"),
        (0, 0, None, "missing-value"),
        (1, 1, "観光客数", "unknown-kpi"),
        (1, 1, "UIJターン者数", "unknown-kpi"),  # a KPI of the plan 山形市 does not report
        (1, 2, "12人", "unexpected-unit"),
        (1, 2, "調査中", "not-a-number"),
        (1, 3, "見込み", "bad-status"),
        (1, 3, None, "bad-status"),
        (2, 4, "企画課", "duplicate-row"),  # 2024/04 関係人口 企画課 twice
    ],
)
def test_a_bad_cell_is_an_error_at_that_cell(plan, row: int, column: int, value: object, code: str) -> None:  # type: ignore[no-untyped-def]
    rows = [list(r) for r in SAMPLE_ROWS]
    rows[row][column] = value
    result = _read(monthly_sample([tuple(r) for r in rows]), plan)
    cell = f"{'ABCDE'[1 if code == 'duplicate-row' else column]}{4 + row}"
    found = [(i.code, i.cell) for i in errors(result)]
    assert (code, cell) in found, found
    message = next(i.message for i in errors(result) if i.cell == cell)
    assert message.startswith(f"log.xlsx!月次実績!{cell}: "), message


def test_a_total_row_ends_the_log_and_a_figure_below_it_is_an_error(plan) -> None:  # type: ignore[no-untyped-def]
    rows = [*SAMPLE_ROWS, ("合計", None, 1264, None, None), ("R7.5", "関係人口（人）", 2, "確定", "企画課")]
    result = _read(monthly_sample(rows), plan)
    assert [(i.code, i.cell) for i in errors(result)] == [("bad-row", "A12")]


def test_the_header_is_found_by_its_labels_wherever_the_clerk_moved_it(plan) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "月次実績"
    ws.append(["（注）速報は翌月に確定します"])
    ws.append([None, "部署", "確定/速報", "件数", "指標", "年月"])
    ws.append([None, "企画課", "確定", 7, "KPI②", "令和６年５月"])
    import io

    out = io.BytesIO()
    book.save(out)
    result = _read(out.getvalue(), plan)
    assert_reads(result, {"D3": (2024, 2, 7, "final")})


def test_the_form_passes_the_kit(plan) -> None:  # type: ignore[no-untyped-def]
    class Kit(PluginConformance):
        pass

    Kit.plugin = monthly_form()
    Kit.name = "yamagata_city"
    Kit.plan = plan
    Kit.units = ()
    Kit.examples = 3
    Kit.status_words = {"確定": "final", "速報": "provisional"}
    for name in dir(Kit):
        if name.startswith("test_"):
            getattr(Kit(), name)()


def test_the_template_has_a_row_per_month_and_kpi(plan) -> None:  # type: ignore[no-untyped-def]
    template = monthly_form().saisei_template(2025, plan, None)
    assert len(template.slots) == 36
    ws = template.workbook["月次実績"]
    assert [c.value for c in ws[3]] == ["年月", "指標", "件数", "確定/速報", "部署"]
    assert [c.value for c in ws[4]][:4] == [
        "令和7年4月",
        "事業により関係人口を受け入れる体制が整った地域・団体等数",
        None,
        "確定",
    ]
    assert ws["A39"].value == "令和8年3月"
    assert template.slots[0].status_cell == "D4"
    assert template.slots[-1].period == "2026-03"


# -- an existing form, described: 朝日町's kintone export --------------------------------------


def test_asahi_described_in_toml_reads_the_sample_as_the_python_plugin_does() -> None:
    sample = EXAMPLES / "asahi_kintone_export_20250412.xlsx"
    python = read_path(sample, registry=make_registry(("asahi", saisei_asahi)))
    described = read_path(sample, registry=make_registry(("asahi", DeclarativeForm.load(ASAHI))))
    assert described.plugin == "asahi"
    assert described.issues == python.issues == []
    assert observations(described) == observations(python)
    assert len(observations(described)) == 12
    assert described.as_of == python.as_of


def test_asahi_described_passes_the_kit() -> None:
    class Kit(PluginConformance):
        pass

    Kit.plugin = DeclarativeForm.load(ASAHI)
    Kit.name = "asahi"
    Kit.units = ()
    Kit.examples = 3
    Kit.samples = {
        EXAMPLES / "asahi_kintone_export_20250412.xlsx": {
            "E2": (2024, 3, 90, "final"),
            "E3": (2024, 2, 1, "final"),
            "E4": (2024, 1, 0, "final"),
            "E5": (2024, 3, 98, "final"),
            "E6": (2024, 2, 1, "final"),
            "E7": (2024, 1, 0, "final"),
            "E8": (2024, 3, 120, "final"),
            "E9": (2024, 2, 2, "final"),
            "E10": (2024, 1, 1, "final"),
            "E11": (2024, 3, 80, "final"),
            "E12": (2024, 2, 1, "final"),
            "E13": (2024, 1, 0, "final"),
        }
    }
    for name in dir(Kit):
        if name.startswith("test_"):
            getattr(Kit(), name)()


def test_a_year_of_three_quarters_is_provisional_under_the_complete_rule() -> None:
    from openpyxl import load_workbook

    sample = EXAMPLES / "asahi_kintone_export_20250412.xlsx"
    book = load_workbook(sample)
    book.active.delete_rows(2)  # 第4四半期 交流人口
    import io

    out = io.BytesIO()
    book.save(out)
    result = read_bytes(out.getvalue(), registry=make_registry(("asahi", DeclarativeForm.load(ASAHI))))
    statuses = {(o["kpi"], o["status"]) for o in observations(result)}
    assert statuses == {(1, "final"), (2, "final"), (3, "provisional")}


# -- the description itself ---------------------------------------------------------------------


GOOD = {
    "body": "062014",
    "sheet": "月次実績",
    "columns": {"period": "年月", "kpi": "指標", "value": "件数"},
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bogus": 1}, "form.toml の bogus: 知らないキーです"),
        ({"body": "062015"}, "form.toml の body:"),
        ({"sheet": ""}, "form.toml の sheet: シート名を書いてください"),
        ({"columns": {"kpi": "指標", "value": "件数"}}, "period（年月）か year（年度）のどちらか1つ"),
        ({"columns": {"period": "年月", "value": "件数"}}, "columns.kpi: この列の見出しが必要です"),
        ({"columns": {**GOOD["columns"], "quarter": "四半期"}}, "quarter・month は year（年度）の列と一緒に"),
        ({"columns": {**GOOD["columns"], "colour": "色"}}, "columns.colour: 知らない列です"),
        ({"columns": {**GOOD["columns"], "status": "区分"}}, "status.words: 区分の列があるので"),
        ({"status": {"words": {"確定": "done"}}}, "status.words:"),
        ({"status": {"year": "sometimes"}}, "status.year: any、row、complete のどれか"),
        ({"kpis": {"関係人口": "2"}}, "form.toml の kpis:"),
        ({"values": {"units": "人"}}, "values.units: 単位の並び"),
    ],
)
def test_a_description_that_cannot_be_used_says_which_key_and_why(change: dict[str, object], message: str) -> None:
    with pytest.raises(FormError) as raised:
        DeclarativeForm.parse({**GOOD, **change})
    assert message in str(raised.value)


def test_a_description_file_that_is_not_toml_is_a_form_error(tmp_path: Path) -> None:
    path = tmp_path / "form.toml"
    path.write_text('body = "062014\n', encoding="utf-8")
    with pytest.raises(FormError, match=r"様式ファイル .*form.toml を読めません"):
        DeclarativeForm.load(path)
