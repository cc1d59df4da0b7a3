"""``saisei template``: a body's empty form for a fiscal year."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import click

from ._common import load_plan_or_fail, parse_date_option, plan_option

__all__ = ["template"]


@click.command()
@click.argument("body")
@click.option("--fiscal-year", "fiscal_year_text", required=True, help="年度（2025、令和7年度、R7）。")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="書き出すファイル（.xlsx）。"
)
@click.option(
    "--date", "as_of", callback=parse_date_option, metavar="DATE", help="様式に記入する作成日・報告日（省略時は空欄）。"
)
@plan_option
def template(body: str, fiscal_year_text: str, output: Path, as_of: dt.date | None, plan_path: Path | None) -> None:
    """BODY（プラグイン名・団体コード・団体名）の空の様式を書き出します。"""
    # Imported when the command runs: the plan, the plugins and the report's writer are heavy.
    from ..core.fiscal import parse_fiscal_year
    from ..plugins import get_registry
    from ..report import atomic_write, deterministic_xlsx

    plan = load_plan_or_fail(plan_path)
    try:
        fiscal_year = parse_fiscal_year(fiscal_year_text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fiscal-year") from None
    if (outside := plan.year_problem(fiscal_year)) is not None:
        raise click.BadParameter(outside, param_hint="--fiscal-year")
    registry = get_registry()
    name = registry.find(body, plan)
    if name is None:
        raise click.UsageError(f"{body!r} の様式が見つかりません（saisei plugins で一覧を確認してください）")
    unplanned = registry.body_problem(name, plan)
    if unplanned is not None:
        raise click.UsageError(unplanned.message)
    made = registry.template(name, fiscal_year, plan, as_of)
    if made is None:
        raise click.UsageError(f"プラグイン {name} は様式のひな形を書き出しません")
    buffer = io.BytesIO()
    made.workbook.save(buffer)
    atomic_write(output, deterministic_xlsx(buffer.getvalue(), day=as_of))
    click.echo(f"出力: {output}（{name}、{fiscal_year}年度）", err=True)
