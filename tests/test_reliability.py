"""Reliability for the clerk (issue 15): no silent shift of the year under review, no lost
input, no crash on the filesystem, library misuse said plainly.  Every workbook here is a
copy of the committed samples or built by the test."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import saisei
from saisei.cli import main
from saisei.core.cycle import review_year_problem
from saisei.plans import load_plan
from tests.builders import EXAMPLES

OBANAZAWA = "KPI進捗管理表（尾花沢市）.xlsx"


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    folder = tmp_path / "提出"
    shutil.copytree(EXAMPLES, folder)
    return folder


def _set_cell(path: Path, ref: str, value: object) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path)
    book.worksheets[0][ref] = value
    book.save(path)


# -- item 1: one future form date does not move the run -------------------------------------


def test_a_future_form_date_is_a_warning_at_its_cell_and_does_not_move_as_of(samples: Path) -> None:
    before = saisei.consolidate([samples])
    _set_cell(samples / OBANAZAWA, "H1", dt.datetime(2029, 2, 15))
    after = saisei.consolidate([samples])
    assert after.as_of == before.as_of < dt.date(2029, 1, 1)
    assert after.fiscal_year_under_review == before.fiscal_year_under_review == 2024
    odd = [i for i in after.issues if i.code == "odd-form-date"]
    assert len(odd) == 1
    assert (odd[0].file, odd[0].cell, odd[0].severity) == (OBANAZAWA, "H1", "warning")
    assert "2029-02-15" in odd[0].message and "基準日には使っていません" in odd[0].message
    assert after.as_of_source is not None and after.as_of_source.startswith(before.as_of_source.split("!")[0])


def test_a_form_date_far_after_the_others_is_not_believed() -> None:
    from saisei.pipeline import FileResult, form_dates

    results = [FileResult(Path(f"{n}.xlsx"), as_of=dt.date(2025, 8, n)) for n in range(1, 5)]
    results.append(FileResult(Path("slip.xlsx"), as_of=dt.date(2026, 9, 1), as_of_cell=("表紙", "B2")))
    kept, odd = form_dates(results, today=dt.date(2026, 11, 30))
    assert max(kept) == (dt.date(2025, 8, 4), "4.xlsx")
    assert [(i.file, i.sheet, i.cell) for i in odd] == [("slip.xlsx", "表紙", "B2")]
    kept, odd = form_dates(results[:1] + results[-1:], today=dt.date(2026, 11, 30))  # two: no middle
    assert not odd and max(kept)[0] == dt.date(2026, 9, 1)


def test_the_summary_says_which_form_set_as_of(samples: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["validate", str(samples)])
    assert out.exit_code == 0, out.output
    last = out.stderr.strip().splitlines()[-1]
    assert ".xlsx の日付）" in last or ".xlsx!" in last
    out = CliRunner().invoke(main, ["validate", str(samples), "--as-of", "2025-09-01"])
    assert "基準日 2025-09-01（指定）" in out.stderr


# -- item 16: years outside the plan ------------------------------------------------------------


def test_review_year_problem() -> None:
    plan = load_plan()
    assert review_year_problem(dt.date(2025, 9, 1), plan) is None
    assert review_year_problem(dt.date(2027, 3, 31), plan) is None  # FY2025
    assert review_year_problem(dt.date(2027, 4, 1), plan) is None  # FY2026, the last
    assert "2027年度" in (review_year_problem(dt.date(2028, 4, 1), plan) or "")
    assert "2018年度は計画期間（2024〜2026年度）の外です" in (review_year_problem(dt.date(2020, 1, 1), plan) or "")
    assert review_year_problem(dt.date(2025, 4, 1), plan) is None  # FY2024, the first
    assert review_year_problem(dt.date(2025, 3, 31), plan) is not None


@pytest.mark.parametrize("day", ["2028-01-01", "2020-01-01"])
def test_schedule_lists_no_review_outside_the_plan(day: str) -> None:
    out = CliRunner().invoke(main, ["schedule", "--as-of", day])
    assert out.exit_code == 2
    assert "計画期間（2024〜2026年度）の外です" in out.stderr
    assert "令和9年度" not in out.output and "令和6年度" not in out.output


def test_schedule_leaves_out_the_meetings_after_the_plan_and_says_so() -> None:
    out = CliRunner().invoke(main, ["schedule", "--as-of", "2027-06-01"])
    assert out.exit_code == 0
    assert "令和9年度" not in out.stdout and "令和8年度" in out.stdout
    assert "尾花沢市（令和9年度" in out.stderr


@pytest.mark.parametrize("command", ["consolidate", "validate", "publish"])
@pytest.mark.parametrize("day", ["2020-01-01", "2029-01-01"])
def test_consolidating_for_a_year_outside_the_plan_is_refused(
    samples: Path, tmp_path: Path, command: str, day: str
) -> None:
    extra = [] if command == "validate" else ["--out", str(tmp_path / "out")]
    out = CliRunner().invoke(main, [command, str(samples), "--as-of", day, *extra])
    assert out.exit_code == 2, out.output
    assert "計画期間（2024〜2026年度）の外です" in out.stderr
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="計画期間"):
        saisei.consolidate([samples], as_of=day)


def test_template_says_the_same() -> None:
    out = CliRunner().invoke(main, ["template", "山形県", "--fiscal-year", "2027", "-o", "x.xlsx"])
    assert out.exit_code == 2 and "2027年度は計画期間（2024〜2026年度）の外です" in out.stderr


def test_form_dates_outside_the_plan_are_a_warning(samples: Path) -> None:
    for name in (OBANAZAWA,):
        _set_cell(samples / name, "H1", dt.datetime(2024, 6, 1))
    result = saisei.consolidate([samples / OBANAZAWA])
    assert result.fiscal_year_under_review == 2024
    assert any(i.code == "outside-plan" and "最初" in i.message for i in result.issues)


# -- item 10: library misuse ----------------------------------------------------------------


def test_one_path_as_a_string_or_path_is_one_path(samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(samples.parent)
    by_list = saisei.consolidate([samples])
    for one in ("提出", samples, str(samples)):
        result = saisei.consolidate(one, as_of="2025-09-01")
        assert len(result.files) == len(by_list.files) == 7
        assert result.as_of == dt.date(2025, 9, 1)


def test_plan_as_a_path(samples: Path) -> None:
    plan_file = samples.parent / "plan.toml"
    shutil.copy(Path(saisei.__file__).parent / "core" / "data" / "yamagata.toml", plan_file)
    for plan in (plan_file, str(plan_file)):
        assert saisei.consolidate(samples / OBANAZAWA, plan=plan).plan.name == load_plan().name


@pytest.mark.parametrize(
    ("kwargs", "error", "says"),
    [
        ({"workers": "4"}, TypeError, "workers"),
        ({"workers": 0}, ValueError, "workers"),
        ({"workers": True}, TypeError, "workers"),
        ({"as_of": 20250901}, TypeError, "as_of"),
        ({"as_of": "9月ごろ"}, ValueError, "as_of"),
        ({"plan": {"name": "x"}}, TypeError, "plan"),
    ],
)
def test_wrong_arguments_say_what_is_expected(samples: Path, kwargs: dict[str, object], error: type, says: str) -> None:
    with pytest.raises(error, match=says):
        saisei.consolidate([samples], **kwargs)  # type: ignore[arg-type]


def test_no_paths_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="paths が空です"):
        saisei.consolidate([])
    with pytest.raises(TypeError, match="paths"):
        saisei.consolidate(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="paths の要素"):
        saisei.consolidate([None])  # type: ignore[list-item]
