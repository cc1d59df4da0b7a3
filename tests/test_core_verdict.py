"""The council's verdict in the core: the suggestion rule, the plan's [verdict] table, the window."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saisei.core.cycle import verification_window
from saisei.core.plan import PlanError, parse_plan
from saisei.core.verdict import DEFAULT_EFFECTS, KPIProgress, VerdictScale

ORIGINAL = files("saisei.core").joinpath("data", "yamagata.toml").read_text(encoding="utf-8")
SCALE = VerdictScale()

rates = st.floats(min_value=0, max_value=3, allow_nan=False)
progress = st.lists(
    st.builds(KPIProgress, rates, st.integers(min_value=0, max_value=1000), st.integers(min_value=0, max_value=1000)),
    min_size=1,
    max_size=6,
)


@given(progress)
def test_the_suggestion_follows_the_rule(items: list[KPIProgress]) -> None:
    rates_ = [p.achievement for p in items if p.achievement is not None]
    suggested = SCALE.suggest(items)
    if all(r >= 1.0 for r in rates_):
        assert suggested == "地方創生に非常に効果的であった"
    elif all(r >= 0.8 for r in rates_):
        assert suggested == "地方創生に相当程度効果があった"
    elif all(p.level is not None and p.level > p.baseline for p in items):
        assert suggested == "地方創生に効果があった"
    else:
        assert suggested == "地方創生に対して効果がなかった"


@given(progress, st.floats(min_value=0, max_value=0.5, allow_nan=False))
def test_better_figures_never_suggest_a_worse_effect(items: list[KPIProgress], gain: float) -> None:
    better = [KPIProgress((p.achievement or 0) + gain, p.level, p.baseline) for p in items]
    before, after = SCALE.suggest(items), SCALE.suggest(better)
    assert before is not None and after is not None
    assert DEFAULT_EFFECTS.index(after) <= DEFAULT_EFFECTS.index(before)


def test_the_thresholds_are_inclusive_and_a_missing_rate_suggests_nothing() -> None:
    assert SCALE.suggest([KPIProgress(1.0, 10, 0), KPIProgress(1.0, 10, 0)]) == DEFAULT_EFFECTS[0]
    assert SCALE.suggest([KPIProgress(1.0, 10, 0), KPIProgress(0.8, 10, 0)]) == DEFAULT_EFFECTS[1]
    assert SCALE.suggest([KPIProgress(0.79, 1, 0)]) == DEFAULT_EFFECTS[2]
    assert SCALE.suggest([KPIProgress(0.79, 268, 268)]) == DEFAULT_EFFECTS[3]
    assert SCALE.suggest([KPIProgress(None, 10, 0), KPIProgress(2.0, 10, 0)]) is None
    assert SCALE.suggest([]) is None


def test_the_plan_carries_the_wordings_and_thresholds() -> None:
    text = ORIGINAL.replace("on_track = 0.8\nwindow_months = 1", "on_track = 0.5\nwindow_months = 2")
    text = text.replace('"期間終了"]', '"期間終了", "統合"]')
    plan = parse_plan(tomllib.loads(text), text)
    assert plan.verdict.on_track == 0.5
    assert plan.verdict.window_months == 2
    assert plan.verdict.policies[-1] == "統合"
    assert plan.verdict.suggest([KPIProgress(0.6, 1, 0)]) == DEFAULT_EFFECTS[1]


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('"地方創生に対して効果がなかった"]', "]", "verdict.effects"),
        ('policies = ["事業拡大"', 'policies = [1, "事業拡大"', "verdict.policies"),
        ('"期間終了"]', '"期間終了", "事業拡大"]', "verdict.policies"),
        ('"期間終了"]', '"期間終了", "縮小, 統合"]', "verdict.policies"),
        ('"期間終了"]', '"期間終了", "' + "長" * 250 + '"]', "verdict.policies"),
        ("window_months = 1", "window_months = 1.5", "verdict.window_months"),
        ("window_months = 1", "window_months = 1\nachived = 1.0", "verdict"),
        ("on_track = 0.8\nwindow", "on_track = 1.2\nwindow", "verdict.on_track"),
    ],
)
def test_a_broken_verdict_table_is_named_at_its_key_and_line(old: str, new: str, key: str) -> None:
    start = ORIGINAL.index("[verdict]")
    text = ORIGINAL[:start] + ORIGINAL[start:].replace(old, new, 1)
    assert text != ORIGINAL
    with pytest.raises(PlanError) as caught:
        parse_plan(tomllib.loads(text), text)
    message = str(caught.value)
    assert f"- {key}（" in message
    assert "行目" in message


def test_the_window_is_the_verification_month_widened() -> None:
    plan = parse_plan(tomllib.loads(ORIGINAL), ORIGINAL)
    obanazawa = plan.body_named("尾花沢市")
    assert obanazawa is not None
    assert verification_window(obanazawa, 2024) == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert verification_window(obanazawa, 2024, 1) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    yamagata = plan.body("060003")
    assert yamagata is not None
    assert verification_window(yamagata, 2025, 0) == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
