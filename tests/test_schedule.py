"""The verification cycle ahead (``saisei schedule``) and its iCalendar file."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from saisei.cli import main
from saisei.core.cycle import next_meeting
from saisei.core.plan import Body, Committee
from saisei.plans import load_plan
from saisei.schedule import ics_escape, ics_fold, to_ics, upcoming

PLAN = load_plan()
BODY = {b.name: b for b in PLAN.bodies}


def body_in(month: int) -> Body:
    return Body("062031", "鶴岡市", month, Committee({}))


def months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


# ---------------------------------------------------------------------------
# next meetings: properties


@settings(max_examples=200, deadline=None)
@given(
    as_of=st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2040, 12, 31)),
    month=st.integers(min_value=1, max_value=12),
)
def test_next_meeting_properties(as_of: dt.date, month: int) -> None:
    meeting = next_meeting(body_in(month), as_of)
    ahead = months_between(as_of.replace(day=1), meeting.first_day)
    assert meeting.month == month
    assert 0 <= ahead <= 11  # on or after the as-of month, within twelve months
    assert meeting.first_day >= as_of.replace(day=1)
    assert meeting.reviews_fiscal_year == meeting.year - 1
    assert meeting.on_estimates == (month <= 3)
    # it is the first such month: the one a year earlier had already ended
    assert (meeting.year - 1, month) < (as_of.year, as_of.month)


@settings(max_examples=50, deadline=None)
@given(as_of=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)))
def test_upcoming_is_every_body_in_date_order(as_of: dt.date) -> None:
    items = upcoming(PLAN, as_of)
    assert sorted(m.body.code for m in items) == [b.code for b in PLAN.bodies]
    keys = [(m.first_day, m.body.code) for m in items]
    assert keys == sorted(keys)
    for m in items:
        assert m.end_exclusive > m.first_day and m.end_exclusive.day == 1
        assert months_between(m.first_day, m.end_exclusive) == 1


# ---------------------------------------------------------------------------
# next meetings: each body's month around the fiscal-year boundaries


@pytest.mark.parametrize(
    ("name", "as_of", "meeting", "reviews", "estimates"),
    [
        # 尾花沢市 verifies in February, before its year ends: on estimates.
        ("尾花沢市", dt.date(2025, 1, 31), (2025, 2), 2024, True),
        ("尾花沢市", dt.date(2025, 2, 28), (2025, 2), 2024, True),
        ("尾花沢市", dt.date(2025, 3, 1), (2026, 2), 2025, True),
        ("尾花沢市", dt.date(2025, 3, 31), (2026, 2), 2025, True),
        ("尾花沢市", dt.date(2025, 4, 1), (2026, 2), 2025, True),
        # 飯豊町 verifies in March, the last month of the fiscal year.
        ("飯豊町", dt.date(2025, 3, 31), (2025, 3), 2024, True),
        ("飯豊町", dt.date(2025, 4, 1), (2026, 3), 2025, True),
        ("飯豊町", dt.date(2024, 12, 31), (2025, 3), 2024, True),
        # The prefecture and the September bodies review the year that ended.
        ("山形県", dt.date(2025, 3, 31), (2025, 9), 2024, False),
        ("山形県", dt.date(2025, 4, 1), (2025, 9), 2024, False),
        ("山形県", dt.date(2025, 9, 30), (2025, 9), 2024, False),
        ("山形県", dt.date(2025, 10, 1), (2026, 9), 2025, False),
        ("鶴岡市", dt.date(2025, 8, 29), (2025, 9), 2024, False),
        ("酒田市", dt.date(2026, 1, 1), (2026, 9), 2025, False),
        ("寒河江市", dt.date(2024, 12, 31), (2025, 9), 2024, False),
        ("朝日町", dt.date(2027, 3, 31), (2027, 9), 2026, False),
    ],
)
def test_each_body_around_fiscal_year_boundaries(
    name: str, as_of: dt.date, meeting: tuple[int, int], reviews: int, estimates: bool
) -> None:
    item = next(m for m in upcoming(PLAN, as_of) if m.body.name == name)
    assert (item.meeting.year, item.meeting.month) == meeting
    assert item.reviews_fiscal_year == reviews
    assert item.on_estimates is estimates


def test_summary_text() -> None:
    items = {m.body.name: m for m in upcoming(PLAN, dt.date(2025, 8, 29))}
    assert items["尾花沢市"].summary == "尾花沢市 効果検証（令和7年度分・見込み）"
    assert items["鶴岡市"].summary == "鶴岡市 効果検証（令和6年度分・確定）"
    items = {m.body.name: m for m in upcoming(PLAN, dt.date(2025, 1, 10))}
    assert items["尾花沢市"].summary == "尾花沢市 効果検証（令和6年度分・見込み）"


# ---------------------------------------------------------------------------
# iCalendar


def unfold(data: bytes) -> list[str]:
    """A tiny RFC 5545 reader: check CRLF and the 75-octet limit, then unfold."""
    assert data.endswith(b"\r\n")
    raw = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in raw)
    assert all(len(line) <= 75 for line in raw), max(len(line) for line in raw)
    text = [line.decode("utf-8") for line in raw]  # every physical line is whole UTF-8
    lines: list[str] = []
    for line in text:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\":
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            assert value[i] not in ";,", value  # unescaped separators in a TEXT value
            out.append(value[i])
            i += 1
    return "".join(out)


def events(data: bytes) -> list[dict[str, str]]:
    lines = unfold(data)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines[1:-1]:
        if line == "BEGIN:VEVENT":
            assert current is None
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            assert name and name not in current, line
            current[name] = value
    assert current is None
    return found


def test_ics_structure_and_content() -> None:
    as_of = dt.date(2025, 8, 29)
    items = upcoming(PLAN, as_of)
    found = events(to_ics(PLAN, items, as_of))
    assert len(found) == len(PLAN.bodies)
    for event, item in zip(found, items, strict=True):
        for key in ("UID", "DTSTAMP", "DTSTART;VALUE=DATE", "DTEND;VALUE=DATE", "SUMMARY"):
            assert key in event
        assert event["DTSTAMP"] == "20250829T000000Z"
        start = dt.datetime.strptime(event["DTSTART;VALUE=DATE"], "%Y%m%d").date()
        end = dt.datetime.strptime(event["DTEND;VALUE=DATE"], "%Y%m%d").date()
        assert start == item.first_day and start.day == 1
        assert end.day == 1 and months_between(start, end) == 1  # the whole month, all day
        assert unescape(event["SUMMARY"]) == item.summary
        assert "審査する年度" in unescape(event["DESCRIPTION"])
    obanazawa = next(e for e in found if "尾花沢市" in unescape(e["SUMMARY"]))
    assert unescape(obanazawa["SUMMARY"]) == "尾花沢市 効果検証（令和7年度分・見込み）"
    assert obanazawa["DTSTART;VALUE=DATE"] == "20260201" and obanazawa["DTEND;VALUE=DATE"] == "20260301"
    assert len({e["UID"] for e in found}) == len(found)


def test_ics_december_meeting_ends_in_january() -> None:
    plan = replace(PLAN, bodies=(replace(BODY["山形県"], verification_month=12),))
    (event,) = events(to_ics(plan, upcoming(plan, dt.date(2025, 12, 5)), dt.date(2025, 12, 5)))
    assert (event["DTSTART;VALUE=DATE"], event["DTEND;VALUE=DATE"]) == ("20251201", "20260101")


def test_ics_is_deterministic_and_uids_stable_across_dates() -> None:
    a = to_ics(PLAN, upcoming(PLAN, dt.date(2025, 8, 29)), dt.date(2025, 8, 29))
    assert a == to_ics(PLAN, upcoming(PLAN, dt.date(2025, 8, 29)), dt.date(2025, 8, 29))
    b = to_ics(PLAN, upcoming(PLAN, dt.date(2025, 9, 1)), dt.date(2025, 9, 1))
    uids_a = {e["UID"] for e in events(a)}
    uids_b = {e["UID"] for e in events(b)}
    assert uids_a == uids_b  # the same meetings, another day: the same events


def test_ics_escapes_text_from_the_plan() -> None:
    odd = replace(BODY["鶴岡市"], name="鶴岡市;,\\x", method="一行目\n二行目,三", publication_channel="A;B")
    plan = replace(PLAN, bodies=(odd,))
    items = upcoming(plan, dt.date(2025, 8, 29))
    (event,) = events(to_ics(plan, items, dt.date(2025, 8, 29)))
    assert unescape(event["SUMMARY"]) == items[0].summary
    assert "検証方法: 一行目\n二行目,三" in unescape(event["DESCRIPTION"])


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300))
def test_fold_keeps_octets_and_characters(text: str) -> None:
    line = "DESCRIPTION:" + ics_escape(text)
    folded = ics_fold(line)
    parts = folded.encode("utf-8").split(b"\r\n")
    assert all(len(p) <= 75 for p in parts)
    assert all(p.startswith(b" ") for p in parts[1:])
    assert b"".join([parts[0], *(p[1:] for p in parts[1:])]).decode("utf-8") == line


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=100))
def test_escape_round_trips(text: str) -> None:
    assert unescape(ics_escape(text)) == text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------
# the command


def test_schedule_command_json_and_ics(tmp_path: Path) -> None:
    runner = CliRunner()
    ics = tmp_path / "kensho.ics"
    out = runner.invoke(main, ["schedule", "--as-of", "2025-08-29", "--ics", str(ics), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["as_of"] == "2025-08-29"
    meetings = doc["meetings"]
    assert [m["first_day"] for m in meetings] == sorted(m["first_day"] for m in meetings)
    obanazawa = next(m for m in meetings if m["entity"] == "尾花沢市")
    assert obanazawa == {
        "entity_code": "062120",
        "entity": "尾花沢市",
        "year": 2026,
        "month": 2,
        "first_day": "2026-02-01",
        "reviews_fiscal_year": 2025,
        "on_estimates": True,
        "publication_channel": "尾花沢市ホームページ",
    }
    first = ics.read_bytes()
    assert len(events(first)) == 7
    assert runner.invoke(main, ["schedule", "--as-of", "2025-08-29", "--ics", str(ics)]).exit_code == 0
    assert ics.read_bytes() == first


def test_schedule_command_text() -> None:
    out = CliRunner().invoke(main, ["schedule", "--as-of", "令和7年8月29日"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[1].startswith("2025年9月") and "山形県" in lines[1]
    assert "尾花沢市" in lines[-2] and "見込み値" in lines[-2]
    assert "飯豊町" in lines[-1] and "2026年3月" in lines[-1]


def test_schedule_command_rejects_a_bad_date() -> None:
    out = CliRunner().invoke(main, ["schedule", "--as-of", "someday"])
    assert out.exit_code == 2


def test_help_and_schedule_stay_light() -> None:
    """``saisei --help`` and ``saisei schedule`` import neither polars nor openpyxl."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from saisei.cli import main\n"
        "for args in (['--help'], ['schedule', '--as-of', '2025-08-29']):\n"
        "    try:\n"
        "        main(args, standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in ('polars', 'openpyxl', 'pandera') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
