"""``saisei schedule``: each body's next verification meeting."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ._common import load_plan_or_fail, parse_date_option, plan_option
from ._texts import table

__all__ = ["schedule"]


@click.command()
@click.option(
    "--as-of",
    callback=parse_date_option,
    metavar="DATE",
    help="基準日（例: 2025-09-01）。この日より後（同じ月を含む）の検証会議を出す。省略時は今日。",
)
@click.option(
    "--ics",
    "ics_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="iCalendar（.ics）ファイルにも書き出す（カレンダーに取り込めます）。",
)
@click.option("--json", "as_json", is_flag=True, help="JSONで出す。")
@plan_option
def schedule(as_of: dt.date | None, ics_path: Path | None, as_json: bool, plan_path: Path | None) -> None:
    """各団体の次回の効果検証（検証時期、審査する年度、確定値か見込み値か）。"""
    # Imported when the command runs, to keep ``saisei --help`` quick.
    from ..core.fiscal import fiscal_year_label
    from ..schedule import to_ics, upcoming

    plan = load_plan_or_fail(plan_path)
    day = as_of or dt.date.today()
    meetings = upcoming(plan, day)
    inside = [m for m in meetings if plan.has_year(m.reviews_fiscal_year)]
    if not inside:  # every coming meeting reviews a year before or after the plan
        what = f"基準日 {day.isoformat()} 以降の効果検証で審査する年度"
        raise click.UsageError(plan.year_problem(meetings[0].reviews_fiscal_year, what=what) or "")
    if left := [m for m in meetings if m not in inside]:
        names = "、".join(f"{m.body.name}（{fiscal_year_label(m.reviews_fiscal_year)}分）" for m in left)
        click.echo(f"[注意] 計画期間（{plan.years_text}）の外の年度を審査する会議は出していません: {names}", err=True)
    meetings = inside
    if ics_path is not None:
        from ..report import atomic_write

        atomic_write(ics_path, to_ics(plan, meetings, day))
        click.echo(f"出力: {ics_path}（{len(meetings)} 件）", err=True)
    if as_json:
        doc = {"as_of": day.isoformat(), "plan": plan.name, "meetings": [m.to_dict() for m in meetings]}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=1))
        return
    click.echo(f"{day.isoformat()} 以降の効果検証（検証時期は月単位）")
    rows = [
        [
            m.meeting.label,
            m.body.name,
            f"{fiscal_year_label(m.reviews_fiscal_year)}分",
            "見込み値（年度末前）" if m.on_estimates else "確定値",
            m.body.publication_channel,
        ]
        for m in meetings
    ]
    for line in table(rows):
        click.echo(line)
