"""The evaluation cycle: when each body verifies, which year it reviews, and how final.

Every body verifies every fiscal year in its own month (検証時期).  A meeting in
April–December reviews the fiscal year that ended before it, on final figures (確定).
A meeting in January–March falls before its own fiscal year ends: it reviews that year
on estimates (見込み), to be confirmed by a later form.  Either way the meeting in
calendar year Y reviews fiscal year Y − 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .fiscal import fiscal_year_of
from .plan import Body, Plan

__all__ = [
    "Meeting",
    "fiscal_year_under_review",
    "meeting_in",
    "next_meeting",
    "review_year_problem",
    "reviewed_fiscal_year",
    "status_for",
    "verification_window",
]


@dataclass(frozen=True)
class Meeting:
    """A body's verification meeting: known to the month, not the day."""

    body_code: str
    year: int
    month: int
    reviews_fiscal_year: int

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def on_estimates(self) -> bool:
        """True when the meeting falls before the reviewed year ends (January–March)."""
        return self.month <= 3

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"


def reviewed_fiscal_year(year: int, month: int) -> int:
    """The fiscal year a verification meeting in ``year``-``month`` reviews."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1..12")
    return year - 1


def meeting_in(body: Body, year: int) -> Meeting:
    """The body's meeting in calendar year ``year``."""
    month = body.verification_month
    return Meeting(body.code, year, month, reviewed_fiscal_year(year, month))


def next_meeting(body: Body, after: dt.date) -> Meeting:
    """The body's first meeting whose month has not yet ended on ``after``.

    A meeting in the same month as ``after`` counts as coming: its day is not known.
    """
    this_year = meeting_in(body, after.year)
    if (after.year, after.month) <= (this_year.year, this_year.month):
        return this_year
    return meeting_in(body, after.year + 1)


def fiscal_year_under_review(as_of: dt.date, plan: Plan | None = None) -> int:
    """The fiscal year a consolidation on ``as_of`` is for: the latest one that has ended.

    On 2025-08-29 that is FY2024 (ended 2025-03-31).  With a plan, the year is kept
    within the plan's years (before the first year ends, the first; after the last, the
    last).
    """
    year = fiscal_year_of(as_of) - 1
    if plan is not None and plan.fiscal_years:
        year = min(max(year, plan.fiscal_years[0]), plan.fiscal_years[-1])
    return year


def review_year_problem(as_of: dt.date, plan: Plan) -> str | None:
    """Why a consolidation on ``as_of`` has no year of ``plan`` to review, or None.

    On 2020-01-01 the year under review would be FY2018, before a 2024–2026 plan; on
    2028-06-01 FY2027, after it.  Such a date is refused, never moved into the plan.
    """
    year = fiscal_year_of(as_of) - 1
    return plan.year_problem(year, what=f"基準日 {as_of.isoformat()} の審査対象の年度")


def status_for(fiscal_year: int, as_of: dt.date) -> str:
    """``final`` when ``fiscal_year`` had ended before ``as_of``, else ``provisional``.

    The rule most forms use: a figure for a year still running on the day the form was
    made can only be an estimate.
    """
    return "final" if fiscal_year_of(as_of) > fiscal_year else "provisional"


def verification_window(body: Body, fiscal_year: int, months: int = 0) -> tuple[dt.date, dt.date]:
    """The first and last day a meeting reviewing ``fiscal_year`` may be held: the body's
    verification month (in calendar year ``fiscal_year + 1``), widened by ``months`` on
    either side.  For 尾花沢市 (February) and 飯豊町 (March) that month falls inside the
    reviewed year itself: they review it on estimates.
    """
    meeting = meeting_in(body, fiscal_year + 1)
    first = meeting.year * 12 + meeting.month - 1 - months
    last = meeting.year * 12 + meeting.month - 1 + months + 1  # the month after the window
    end = dt.date(last // 12, last % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(first // 12, first % 12 + 1, 1), end
