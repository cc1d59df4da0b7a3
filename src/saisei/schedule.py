"""The verification cycle ahead: every body's next meeting, and an iCalendar of them.

Each body of the plan verifies its KPIs once a fiscal year, in its own month (検証時期).
The meeting is known to the month only, so in the calendar it is an all-day event that
spans the month.  Everything here is pure and light (no polars, no openpyxl): the same
plan and as-of date always give the same meetings and the same calendar bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from .core.cycle import Meeting, next_meeting
from .core.fiscal import fiscal_year_label, wareki_year_label
from .core.plan import SECTORS, Body, Plan

__all__ = ["ScheduledMeeting", "ics_escape", "ics_fold", "to_ics", "upcoming"]

PRODID = "-//saisei//saisei 効果検証//JA"


@dataclass(frozen=True)
class ScheduledMeeting:
    """A body's coming verification meeting."""

    body: Body
    meeting: Meeting

    @property
    def first_day(self) -> dt.date:
        return self.meeting.first_day

    @property
    def end_exclusive(self) -> dt.date:
        """The first day of the month after the meeting's (iCalendar's DTEND of an all-day event)."""
        year, month = self.meeting.year, self.meeting.month
        return dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)

    @property
    def reviews_fiscal_year(self) -> int:
        return self.meeting.reviews_fiscal_year

    @property
    def on_estimates(self) -> bool:
        return self.meeting.on_estimates

    @property
    def status_label(self) -> str:
        """見込み when the meeting falls before the reviewed year ends, else 確定."""
        return "見込み" if self.on_estimates else "確定"

    @property
    def summary(self) -> str:
        """``尾花沢市 効果検証（令和6年度分・見込み）``."""
        return f"{self.body.name} 効果検証（{wareki_year_label(self.reviews_fiscal_year)}分・{self.status_label}）"

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_code": self.body.code,
            "entity": self.body.name,
            "year": self.meeting.year,
            "month": self.meeting.month,
            "first_day": self.first_day.isoformat(),
            "reviews_fiscal_year": self.reviews_fiscal_year,
            "on_estimates": self.on_estimates,
            "publication_channel": self.body.publication_channel,
        }


def upcoming(plan: Plan, as_of: dt.date) -> list[ScheduledMeeting]:
    """Every body's next meeting whose month has not ended on ``as_of``, by date then code."""
    meetings = [ScheduledMeeting(body, next_meeting(body, as_of)) for body in plan.bodies]
    return sorted(meetings, key=lambda m: (m.first_day, m.body.code))


# ---------------------------------------------------------------------------
# iCalendar (RFC 5545), written by hand: a handful of properties, CRLF, folded lines.


def ics_escape(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks (RFC 5545 3.3.11)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    # Other control characters are not allowed in a TEXT value.
    return "".join(ch for ch in out if ch == "\t" or (ord(ch) >= 0x20 and ord(ch) != 0x7F))


def ics_fold(line: str, limit: int = 75) -> str:
    """Fold a content line at ``limit`` octets (UTF-8), never inside a character.

    Continuation lines start with one space, which counts towards their own limit.
    """
    pieces: list[str] = []
    current = ""
    size = 0
    room = limit
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > room:
            pieces.append(current)
            current, size, room = "", 0, limit - 1
        current += ch
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _uid(plan: Plan, meeting: ScheduledMeeting) -> str:
    """Stable across runs and as-of dates: the plan, the body and the meeting's month."""
    digest = hashlib.sha256(plan.name.encode("utf-8")).hexdigest()[:12]
    m = meeting.meeting
    return f"kouka-kensho-{m.body_code}-{m.year:04d}{m.month:02d}-{digest}@saisei"


def _description(plan: Plan, item: ScheduledMeeting) -> str:
    body = item.body
    lines = [
        f"計画: {plan.name}",
        f"審査する年度: {fiscal_year_label(item.reviews_fiscal_year)}",
        (
            "数値: 見込み（年度末より前の検証のため、確定値は翌年度の様式で確認）"
            if item.on_estimates
            else "数値: 確定（終了した年度の実績）"
        ),
    ]
    if body.method:
        lines.append(f"検証方法: {body.method}")
    sectors = [SECTORS[s] for s in body.committee.sectors()]
    if sectors:
        lines.append(f"委員の分野: {'・'.join(sectors)}{'（ほか）' if body.committee.and_others else ''}")
    if body.publication_channel or body.publication:
        lines.append(f"公表: {body.publication_channel or body.publication}")
    lines.append(f"検証時期は月単位で決まっています（{item.meeting.month}月）。日程は各団体で確認してください。")
    return "\n".join(lines)


def to_ics(plan: Plan, meetings: list[ScheduledMeeting], as_of: dt.date) -> bytes:
    """An iCalendar file of ``meetings``: one all-day event per meeting spanning its month.

    DTSTAMP is ``as_of`` at midnight UTC, not the time of the run, so the same plan and
    date give the same bytes; UIDs depend only on the plan, the body and the month, so
    importing a newer file updates the events instead of duplicating them.
    """
    stamp = f"{as_of:%Y%m%d}T000000Z"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape('効果検証 ' + plan.name)}",
    ]
    for item in meetings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_uid(plan, item)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{item.first_day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{item.end_exclusive:%Y%m%d}",
            f"SUMMARY:{ics_escape(item.summary)}",
            f"DESCRIPTION:{ics_escape(_description(plan, item))}",
            f"CATEGORIES:{ics_escape('効果検証')}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines).encode("utf-8")
