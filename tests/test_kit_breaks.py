"""The conformance kit catches real mistakes: run on deliberately broken variants of a form
(the monthly log of issue 14), it fails each one with a message naming the cells."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from kit_forms import SAMPLE_EXPECTED, monthly_form, monthly_sample, plan_file

from saisei import load_plan
from saisei.declarative import DeclarativeForm
from saisei.plugin import Plan, Reading, Workbook, hookimpl
from saisei.testing import PluginConformance

CELL = re.compile(r"[^\s!]+![A-Z]{1,3}[1-9][0-9]*")


class StopsAtTheFirstBlankRow(DeclarativeForm):
    """Reads rows until the first blank one, as a loop ``while sheet.value(f"A{row}")`` does."""

    def _row(self, reading: Reading, sheet: Any, header: Any, row: int) -> Any:
        blank = any(
            all(sheet.at(r, c) in (None, "") for c in header.columns.values()) for r in range(header.row + 1, row)
        )
        return None if blank else super()._row(reading, sheet, header, row)


class ReadsBlankAsZero(DeclarativeForm):
    """A blank 件数 is taken for 0."""

    def _row(self, reading: Reading, sheet: Any, header: Any, row: int) -> Any:
        found = super()._row(reading, sheet, header, row)
        if found is not None and found.value is None:
            found = replace(found, value=0, status="final")
        return found


class OtherBodysFigures:
    """Reports its figures as another body's (a code copied from another plugin)."""

    def __init__(self, form: DeclarativeForm) -> None:
        self.form = form

    @hookimpl
    def saisei_body_code(self) -> str:
        return self.form.body

    @hookimpl
    def saisei_detect(self, workbook: Workbook, explain: bool) -> Any:
        return self.form.saisei_detect(workbook, explain)

    @hookimpl
    def saisei_read(self, workbook: Workbook, plan: Plan) -> Reading | None:
        reading = self.form.saisei_read(workbook, plan)
        if reading is not None:
            reading.entity_code = "062031"
            reading._columns["entity_code"] = ["062031"] * len(reading._columns["entity_code"])
        return reading

    @hookimpl
    def saisei_template(self, fiscal_year: int, plan: Plan, as_of: Any) -> Any:
        return self.form.saisei_template(fiscal_year, plan, as_of)


def _with(**change: Any) -> DeclarativeForm:
    return replace(monthly_form(), **change)


def _words(**words: str) -> tuple[tuple[str, str], ...]:
    return tuple(words.items())


BREAKS: dict[str, Any] = {
    # status always provisional: 確定 read as 速報
    "status always provisional": _with(words=_words(確定="provisional", 速報="provisional")),
    # 速報 ignored: every row final
    "速報 ignored": _with(words=_words(確定="final", 速報="final")),
    # two KPIs swapped in the form's own names (the template writes the plan's names, so
    # its round trip agrees with itself: only the sample shows it)
    "two KPIs swapped": _with(kpis=(("受入れ体制", 1), ("関係人口(人)", 3), ("交流人口(人)", 2))),
    # units accepted where the form forbids them
    "units accepted": _with(units=("人", "件", "団体", "回", "地域・団体等")),
    "stops at the first blank row": StopsAtTheFirstBlankRow(**vars(monthly_form())),
    "blank read as zero": ReadsBlankAsZero(**vars(monthly_form())),
    # a status word the form does not have taken for final
    "unknown status word accepted": _with(words=_words(確定="final", 速報="provisional", 調査中="final")),
    "another body's figures": OtherBodysFigures(monthly_form()),
}


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> type[PluginConformance]:
    folder = tmp_path_factory.mktemp("kit")
    sample = folder / "log.xlsx"
    sample.write_bytes(monthly_sample())
    plan: Plan = load_plan(plan_file(folder))

    class Kit(PluginConformance):
        pass

    Kit.name = "yamagata_city"
    Kit.plan = plan
    Kit.units = ()
    Kit.examples = 3
    Kit.status_words = {"確定": "final", "速報": "provisional"}
    Kit.samples = {sample: SAMPLE_EXPECTED}
    return Kit


#: The kit's tests, quickest first (a broken plugin's run stops at its first failure).
ORDER = (
    "test_serves_a_body_of_the_plan_that_names_it",
    "test_samples_read_to_their_expected_figures",
    "test_every_slot_filled_reads_back_with_the_complete_status",
    "test_status_words_give_their_status",
    "test_units_the_form_forbids_are_errors_and_those_it_allows_are_read",
    "test_full_width_digits_typed_as_text_read_as_numbers",
    "test_garbage_in_a_value_cell_is_an_error_at_that_cell",
    "test_values_read_back_exactly",
    "test_claims_its_own_template_under_any_name",
    "test_leaves_other_forms_alone",
)


def _run(kit: type[PluginConformance], plugin: object, *, first: bool = True) -> dict[str, str]:
    """The kit's tests on ``plugin``: test name → the failure's message (passing tests left
    out); up to the first failure when ``first``."""
    case: type[PluginConformance] = type("Case", (kit,), {"plugin": plugin})
    assert sorted(ORDER) == sorted(n for n in dir(case) if n.startswith("test_")), "a kit test is missing from ORDER"
    failures = {}
    for name in ORDER:
        try:
            getattr(case(), name)()
        except AssertionError as exc:
            failures[name] = str(exc)
            if first:
                break
    return failures


def test_the_kit_passes_the_form_as_described(kit: type[PluginConformance]) -> None:
    assert _run(kit, monthly_form(), first=False) == {}


@pytest.mark.parametrize("name", list(BREAKS))
def test_the_kit_fails_a_broken_plugin_naming_the_cells(kit: type[PluginConformance], name: str) -> None:
    failures = _run(kit, BREAKS[name])
    assert failures, f"the kit missed: {name}"
    for test, message in failures.items():
        assert CELL.search(message), f"{name}: {test} does not name a cell: {message}"


def test_a_failure_shows_both_figures_of_each_cell(kit: type[PluginConformance]) -> None:
    failures = _run(kit, BREAKS["two KPIs swapped"])
    message = failures["test_samples_read_to_their_expected_figures"]
    assert "月次実績!C5: 読んだ値 (2024, 3, 12, 'provisional')、期待 (2024, 2, 12, 'provisional')" in message


def test_the_kit_says_which_plan_to_give_for_a_body_the_bundled_plan_lacks(tmp_path: Path) -> None:
    class Kit(PluginConformance):
        pass

    Kit.plugin = monthly_form()
    Kit.name = "yamagata_city"
    with pytest.raises(AssertionError, match="plan = 計画ファイルのパス"):
        Kit().test_serves_a_body_of_the_plan_that_names_it()


#: The breaks the kit's own checks catch without the author's samples: all but the two a
#: template round trip cannot show (the reader and the template share the KPI names; the
#: template has no blank row).
WITHOUT_SAMPLES = [name for name in BREAKS if name not in ("two KPIs swapped", "stops at the first blank row")]


@pytest.mark.parametrize("name", WITHOUT_SAMPLES)
def test_the_kit_fails_a_broken_plugin_without_samples_too(kit: type[PluginConformance], name: str) -> None:
    bare: type[PluginConformance] = type("Bare", (kit,), {"samples": {}})
    failures = _run(bare, BREAKS[name])
    assert failures, f"the kit missed without samples: {name}"
    assert all(CELL.search(message) for message in failures.values()), failures


def test_units_may_be_given_by_kpi(kit: type[PluginConformance]) -> None:
    allows = replace(monthly_form(), units=("団体",))
    by_kpi: type[PluginConformance] = type("ByKpi", (kit,), {"samples": {}, "units": {1: ("団体",)}})
    failures = _run(by_kpi, allows)
    message = failures["test_units_the_form_forbids_are_errors_and_those_it_allows_are_read"]
    assert "（単位つきの「3団体」: 様式が認めない単位）" in message  # accepted for KPI② too
    everywhere: type[PluginConformance] = type(
        "Everywhere", (kit,), {"samples": {}, "units": dict.fromkeys((1, 2, 3), ("団体",))}
    )
    assert _run(everywhere, allows, first=False) == {}
