"""A broken plan file: one clear error naming the key and its line, exit 2, before any workbook is read."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner

from saisei.cli import main
from saisei.core.plan import PlanError, locate, parse_plan
from saisei.plans import load_plan

ORIGINAL = files("saisei.core").joinpath("data", "yamagata.toml").read_text(encoding="utf-8")


def edited(old: str, new: str, count: int = 1) -> str:
    assert old in ORIGINAL, old
    return ORIGINAL.replace(old, new, count)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


#: (what the edit is, the edited text, the key the message must name, the text its line starts with)
BROKEN = [
    (
        "a string where a table belongs",
        'rating = "高い"\n' + edited("[rating]\nachieved", "[rating_notes]\nachieved"),
        "rating",
        'rating = "高い"',
    ),
    (
        "years as text",
        edited("fiscal_years = [2024, 2025, 2026]", 'fiscal_years = ["2024", "2025", "2026"]'),
        "plan.fiscal_years",
        "fiscal_years =",
    ),
    ("achieved = nan", edited("achieved = 1.0", "achieved = nan"), "rating.achieved", "achieved = nan"),
    (
        "a target beyond Int64",
        edited("2024 = 16,", "2024 = 9223372036854775807,"),
        "kpis[0].targets.2024",
        "targets = { 2024 = 9223372036854775807",
    ),
    (
        "16.9 where a count belongs",
        edited("2024 = 16,", "2024 = 16.9,"),
        "kpis[0].targets.2024",
        "targets = { 2024 = 16.9",
    ),
    ("true where a count belongs", edited("baseline = 268", "baseline = true"), "kpis[3].baseline", "baseline = true"),
    (
        "a fractional month",
        edited('verification_month = 9\nmethod = "山形県', 'verification_month = 9.7\nmethod = "山形県'),
        "bodies[0].verification_month",
        "verification_month = 9.7",
    ),
    (
        "a month that is no month",
        edited(
            'name = "鶴岡市"\nplugin = "tsuruoka"\nverification_month = 9',
            'name = "鶴岡市"\nplugin = "tsuruoka"\nverification_month = 13',
        ),
        "bodies[1].verification_month",
        "verification_month = 13",
    ),
    ("a number where a name belongs", edited('name = "鶴岡市"', "name = 62031"), "bodies[1].name", "name = 62031"),
    ("a code without quotes", edited('code = "062031"', "code = 62031"), "bodies[1].code", "code = 62031"),
    (
        "a committee that is a string",
        edited("[bodies.committee]\nindustry = [", 'committee = "県"\n[bodies.x]\nindustry = [', 1),
        "bodies[0].committee",
        'committee = "県"',
    ),
]


@pytest.mark.parametrize(("case", "text", "key", "line_start"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_plan_names_the_key_and_line(tmp_path: Path, case: str, text: str, key: str, line_start: str) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    message = str(info.value)
    assert f"- {key}" in message, message
    assert f"{key}（{line_of(text, line_start)}行目）" in message, message
    assert str(path) in message


def test_every_broken_plan_is_exit_2_with_one_message_in_each_command(tmp_path: Path) -> None:
    book = tmp_path / "in" / "x.xlsx"
    book.parent.mkdir()
    book.write_bytes(b"not read")  # a plan problem stops the run before any workbook is opened
    for case, text, key, _ in BROKEN:
        path = tmp_path / "plan.toml"
        path.write_text(text, encoding="utf-8")
        for args in (
            ["schedule", "--plan", str(path)],
            ["schedule", "--json", "--plan", str(path)],
            ["template", "tsuruoka", "--fiscal-year", "2025", "-o", str(tmp_path / "t.xlsx"), "--plan", str(path)],
            ["consolidate", str(book.parent), "--out", str(tmp_path / "out"), "--plan", str(path)],
            ["validate", str(book), "--plan", str(path)],
        ):
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 2, (case, args, result.output)
            assert key in result.output, (case, args, result.output)
            # one problem, one line: no problems that follow from it (the targets' years when
            # the plan's years are unreadable; a reference to a body whose month is broken),
            # and no usage text (the file is at fault, not the command)
            assert result.output.count("\n- ") == 1 and "使い方" not in result.output, (case, args, result.output)
            assert "Traceback" not in result.output and "内部エラー" not in result.output, (case, result.output)
        assert not (tmp_path / "out").exists() and not (tmp_path / "t.xlsx").exists()


def test_a_plan_saved_in_cp932(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_bytes(ORIGINAL.encode("cp932", errors="replace"))
    with pytest.raises(PlanError, match=r"行目が UTF-8 ではありません"):
        load_plan(path)


def test_a_plan_nested_too_deep(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(ORIGINAL + "\ndeep = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(PlanError, match="入れ子が深すぎ"):
        load_plan(path)


def test_every_problem_at_once() -> None:
    text = edited("achieved = 1.0", "achieved = nan").replace("baseline = 268", "baseline = 1.5")
    with pytest.raises(PlanError) as info:
        parse_plan(tomllib.loads(text), text)
    assert re.findall(r"^- (\S+?)（", str(info.value), re.M) == ["kpis[3].baseline", "rating.achieved"]


def test_locate_finds_keys_in_arrays_of_tables() -> None:
    text = "[plan]\nname = 'x'\n\n[[bodies]]\ncode = '1'\n[bodies.committee]\nindustry = []\n\n[[bodies]]\ncode = '2'\nverification_month = 9\n[bodies.committee]\nindustry = ['a']\n"
    assert locate(text, "plan.name") == 2
    assert locate(text, "bodies[0].code") == 5
    assert locate(text, "bodies[0].committee.industry") == 7
    assert locate(text, "bodies[1].verification_month") == 11
    assert locate(text, "bodies[1].committee.industry") == 13
    assert locate(text, "bodies[1].committee.academia") == 12  # a missing key: its table
    assert locate(text, "bodies[1].name") == 9  # a missing key: its [[bodies]]
    assert locate(text, "nothing.here") is None


def test_the_shipped_plan_still_parses() -> None:
    plan = load_plan()
    assert plan.fiscal_years == (2024, 2025, 2026)
    assert plan.rating.achieved == 1.0
