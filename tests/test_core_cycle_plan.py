from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saisei.core.cycle import (
    Meeting,
    fiscal_year_under_review,
    meeting_in,
    next_meeting,
    review_year_problem,
    reviewed_fiscal_year,
    status_for,
    verification_window,
)
from saisei.core.plan import PlanError, parse_plan
from saisei.plans import load_plan

PLAN = load_plan()


def test_the_plan_as_transcribed() -> None:
    assert PLAN.fiscal_years == (2024, 2025, 2026)
    assert [b.code for b in PLAN.bodies] == ["060003", "062031", "062049", "062065", "062120", "063231", "064033"]
    months = {b.name: b.verification_month for b in PLAN.bodies}
    assert months == {"山形県": 9, "鶴岡市": 9, "酒田市": 9, "寒河江市": 9, "尾花沢市": 2, "朝日町": 9, "飯豊町": 3}
    targets = {k.number: (k.baseline, dict(k.targets), k.cumulative_target) for k in PLAN.kpis}
    assert targets == {
        1: (0, {2024: 16, 2025: 18, 2026: 18}, 52),
        2: (0, {2024: 72, 2025: 85, 2026: 87}, 244),
        3: (0, {2024: 7178, 2025: 7671, 2026: 8148}, 22997),
        4: (268, {2024: 131, 2025: 204, 2026: 252}, 587),
    }
    assert [k.number for k in PLAN.kpis_for("062031")] == [1, 2, 3]  # KPI④ is the prefecture's alone
    assert [k.number for k in PLAN.kpis_for("060003")] == [1, 2, 3, 4]
    assert PLAN.body("062031").committee.sectors() == (  # type: ignore[union-attr]
        "industry",
        "academia",
        "government",
        "finance",
        "labour",
        "press",
        "professional",
    )


def test_kpi_names_and_aliases() -> None:
    assert PLAN.kpi_named("受入体制整備数").number == 1  # type: ignore[union-attr]
    assert PLAN.kpi_named("事業により創出した交流人口数").number == 3  # type: ignore[union-attr]
    assert PLAN.kpi_named("交流人口").number == 3  # type: ignore[union-attr]
    assert PLAN.kpi_named("移住者数") is None


def test_a_plan_file_of_the_same_shape(tmp_path: Path) -> None:
    text = (Path(__file__).parents[1] / "src/saisei/core/data/yamagata.toml").read_text(encoding="utf-8")
    path = tmp_path / "other.toml"
    path.write_text(text.replace('name = "地域づくりの', 'name = "別の計画 地域づくりの', 1), encoding="utf-8")
    assert load_plan(path).name.startswith("別の計画")


def test_a_bad_plan_names_every_problem() -> None:
    data = tomllib.loads((Path(__file__).parents[1] / "src/saisei/core/data/yamagata.toml").read_text(encoding="utf-8"))
    data["bodies"][1]["code"] = "062032"
    data["bodies"][2]["verification_month"] = 13
    data["bodies"][3]["committee"]["students"] = ["x"]
    with pytest.raises(PlanError) as info:
        parse_plan(data)
    message = str(info.value)
    assert "062032" in message and "13" in message and "students" in message


@pytest.mark.parametrize(
    ("as_of", "year"),
    [
        (dt.date(2025, 8, 29), 2024),
        (dt.date(2025, 4, 1), 2024),
        (dt.date(2025, 3, 31), 2024),  # before FY2024 ends: clamped to the plan's first year
        (dt.date(2026, 9, 1), 2025),
        (dt.date(2030, 1, 1), 2026),  # after the plan: its last year
    ],
)
def test_fiscal_year_under_review(as_of: dt.date, year: int) -> None:
    assert fiscal_year_under_review(as_of, PLAN) == year


@pytest.mark.parametrize(
    ("as_of", "year"),
    [
        (dt.date(2025, 8, 29), 2024),
        (dt.date(2025, 3, 31), 2023),  # FY2024 has not ended: the year before it
        (dt.date(2025, 4, 1), 2024),
        (dt.date(2031, 5, 1), 2030),  # no plan, no bounds
        (dt.date(2020, 1, 1), 2018),
    ],
)
def test_fiscal_year_under_review_without_a_plan(as_of: dt.date, year: int) -> None:
    assert fiscal_year_under_review(as_of) == year
    assert fiscal_year_under_review(as_of, None) == year


def test_a_plan_without_years_does_not_bound_the_year() -> None:
    plan = dataclasses.replace(PLAN, fiscal_years=())
    assert fiscal_year_under_review(dt.date(2031, 5, 1), plan) == 2030


def test_meeting_in_a_year() -> None:
    sakata = PLAN.body("062049")
    assert sakata is not None
    assert meeting_in(sakata, 2025) == Meeting("062049", 2025, 9, 2024)
    assert meeting_in(sakata, 2025).label == "2025年9月"
    assert meeting_in(sakata, 2025).first_day == dt.date(2025, 9, 1)


@pytest.mark.parametrize("month", [0, 13, -1])
def test_a_month_outside_1_to_12_is_refused(month: int) -> None:
    with pytest.raises(ValueError) as info:
        reviewed_fiscal_year(2025, month)
    assert str(info.value) == f"month {month} is not 1..12"


@pytest.mark.parametrize("month", [1, 3, 4, 12])
def test_every_month_reviews_the_year_before(month: int) -> None:
    assert reviewed_fiscal_year(2025, month) == 2024


def test_status_by_date() -> None:
    assert status_for(2024, dt.date(2025, 3, 31)) == "provisional"
    assert status_for(2024, dt.date(2025, 4, 1)) == "final"
    assert status_for(2025, dt.date(2025, 8, 20)) == "provisional"


def test_obanazawa_reviews_its_own_year_on_estimates() -> None:
    obanazawa = PLAN.body("062120")
    assert obanazawa is not None
    meeting = next_meeting(obanazawa, dt.date(2024, 10, 1))
    assert (meeting.year, meeting.month, meeting.reviews_fiscal_year, meeting.on_estimates) == (2025, 2, 2024, True)
    sakata = PLAN.body("062049")
    assert sakata is not None
    meeting = next_meeting(sakata, dt.date(2025, 8, 20))
    assert (meeting.year, meeting.month, meeting.reviews_fiscal_year, meeting.on_estimates) == (2025, 9, 2024, False)


@given(st.dates(dt.date(2020, 1, 1), dt.date(2100, 12, 31)), st.integers(1, 12))
def test_next_meeting_properties(day: dt.date, month: int) -> None:
    body = PLAN.bodies[0].__class__(**{**PLAN.bodies[0].__dict__, "verification_month": month})
    meeting = next_meeting(body, day)
    assert (meeting.year, meeting.month) >= (day.year, day.month)
    assert (meeting.year - day.year) * 12 + meeting.month - day.month < 12
    assert meeting.reviews_fiscal_year == reviewed_fiscal_year(meeting.year, meeting.month) == meeting.year - 1
    assert meeting.on_estimates == (month <= 3)
    # an estimate meeting falls inside the year it reviews; a final one after it ended
    reviewed_end = dt.date(meeting.reviews_fiscal_year + 1, 3, 31)
    assert (meeting.first_day <= reviewed_end) == meeting.on_estimates


@pytest.mark.parametrize(
    ("as_of", "problem"),
    [
        (dt.date(2025, 4, 1), None),  # FY2024, the first
        (dt.date(2027, 4, 1), None),  # FY2026, the last
        (dt.date(2025, 3, 31), "基準日 2025-03-31 の審査対象の年度 2023年度は計画期間（2024〜2026年度）の外です"),
        (dt.date(2028, 4, 1), "基準日 2028-04-01 の審査対象の年度 2027年度は計画期間（2024〜2026年度）の外です"),
    ],
)
def test_review_year_problem(as_of: dt.date, problem: str | None) -> None:
    assert review_year_problem(as_of, PLAN) == problem


@pytest.mark.parametrize(
    ("month", "fiscal_year", "months", "window"),
    [
        (2, 2024, 0, (dt.date(2025, 2, 1), dt.date(2025, 2, 28))),  # 尾花沢市: on estimates
        (2, 2027, 0, (dt.date(2028, 2, 1), dt.date(2028, 2, 29))),  # a leap year
        (2, 2024, 1, (dt.date(2025, 1, 1), dt.date(2025, 3, 31))),
        (3, 2023, 0, (dt.date(2024, 3, 1), dt.date(2024, 3, 31))),  # 飯豊町
        (9, 2025, 0, (dt.date(2026, 9, 1), dt.date(2026, 9, 30))),
        (12, 2024, 1, (dt.date(2025, 11, 1), dt.date(2026, 1, 31))),  # across the new year
        (1, 2024, 1, (dt.date(2024, 12, 1), dt.date(2025, 2, 28))),
        (6, 2024, 12, (dt.date(2024, 6, 1), dt.date(2026, 6, 30))),
    ],
)
def test_verification_window(month: int, fiscal_year: int, months: int, window: tuple[dt.date, dt.date]) -> None:
    body = dataclasses.replace(PLAN.bodies[0], verification_month=month)
    assert verification_window(body, fiscal_year, months) == window
    if months == 0:
        assert verification_window(body, fiscal_year) == window
