"""The kit's sample tests (``saisei.testing.SampleTests``) pass a plugin that reads its
sample the same under any name and claims no other body's sample, and fail one that doesn't."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from saisei.default_plugins import standard
from saisei.plugin import Plan, Reading, Workbook, hookimpl
from saisei.testing import SampleTests, example_path

SAMPLE = example_path("山形県_標準様式_R6.xlsx")


class Standard:
    """The standard form's reader, as a plugin object whose hooks the tests can change."""

    @hookimpl
    def saisei_body_code(self) -> str | None:
        return None

    @hookimpl
    def saisei_detect(self, workbook: Workbook, explain: bool) -> Any:
        return standard.saisei_detect(workbook, explain)

    @hookimpl
    def saisei_read(self, workbook: Workbook, plan: Plan) -> Reading | None:
        return standard.saisei_read(workbook, plan)


class ClaimsEverything(Standard):
    @hookimpl
    def saisei_detect(self, workbook: Workbook, explain: bool) -> Any:
        return True


class DatesByTheFileName(Standard):
    """Takes the form's date from the file's name (R6 in it: 2025-03-31), as a reader must not."""

    @hookimpl
    def saisei_read(self, workbook: Workbook, plan: Plan) -> Reading | None:
        reading = standard.saisei_read(workbook, plan)
        if reading is not None and "R6" in workbook.name:
            reading.as_of = dt.date(2025, 3, 31)
        return reading


def kit(plugin: object, **given: Any) -> SampleTests:
    case: type[SampleTests] = type("Case", (SampleTests,), {"plugin": plugin, "name": "standard", **given})
    return case()


def test_the_standard_form_passes() -> None:
    case = kit(Standard(), sample_paths=(SAMPLE,))
    case.test_own_samples_read_the_same_under_any_name()
    case.test_other_bodies_samples_are_not_claimed()


def test_a_plugin_that_claims_another_body_s_sample_fails_naming_it() -> None:
    case = kit(ClaimsEverything(), sample_paths=(SAMPLE,))
    with pytest.raises(AssertionError, match=re.escape("鶴岡市_KPI実績報告書_R6.xlsx")):
        case.test_other_bodies_samples_are_not_claimed()


def test_a_plugin_that_reads_by_the_file_name_fails() -> None:
    case = kit(DatesByTheFileName(), sample_paths=(SAMPLE,))
    with pytest.raises(AssertionError, match="読み方が変わります"):
        case.test_own_samples_read_the_same_under_any_name()


def test_the_sample_must_be_named() -> None:
    with pytest.raises(AssertionError, match="sample_paths"):
        kit(Standard()).test_other_bodies_samples_are_not_claimed()
