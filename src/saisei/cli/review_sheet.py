"""``saisei review-sheet``: a body's 効果検証シート for its committee."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ._common import (
    as_of_option,
    debug_option,
    guard,
    load_plan_or_fail,
    plan_option,
    record_failure,
    record_option,
)

__all__ = ["review_sheet"]


@click.command("review-sheet")
@click.argument("body")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--fiscal-year", "fiscal_year_text", required=True, help="検証する年度（2024、令和6年度、R6）。")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="書き出すファイル（.xlsx）。"
)
@record_option
@plan_option
@as_of_option
@debug_option
def review_sheet(
    body: str,
    paths: tuple[Path, ...],
    fiscal_year_text: str,
    output: Path,
    record_path: Path | None,
    plan_path: Path | None,
    as_of: dt.date | None,
    debug: bool,
) -> None:
    """BODY（団体コード・団体名）の委員会用の効果検証シートを書き出します。

    数値は記録ファイル（--record）またはブック（PATH）から集計します。シートの
    検証日・事業効果・今後の方針・外部有識者からの意見（各見出しの右のセル）を委員会で
    記入し、ほかのブックと同じように saisei consolidate に渡すと、検証結果として読み込まれます。
    """

    def work() -> int:
        from ..api import consolidate
        from ..core.fiscal import fiscal_year_label, parse_fiscal_year
        from ..report import atomic_write
        from ..report.review_sheet import review_sheet_bytes

        plan = load_plan_or_fail(plan_path)
        found = plan.body(body) or plan.body_named(body)
        if found is None:
            names = "、".join(f"{b.name}（{b.code}）" for b in plan.bodies)
            raise click.BadParameter(f"{body!r} は計画の団体ではありません（{names}）", param_hint="BODY")
        try:
            fiscal_year = parse_fiscal_year(fiscal_year_text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--fiscal-year") from None
        if not plan.has_year(fiscal_year):
            raise click.BadParameter(
                f"{fiscal_year}年度は計画期間（{plan.years_text}）の外です", param_hint="--fiscal-year"
            )
        if record_path is None and not paths:
            raise click.UsageError("数値の出どころを指定してください: --record 記録ファイル、またはブックかフォルダー")
        if record_path is not None and not record_path.exists():
            raise click.UsageError(
                f"記録ファイル {record_path} がありません（saisei consolidate --record で作られます）"
            )
        with record_failure():
            result = consolidate(paths, record=record_path, read_only=True, plan=plan, as_of=as_of)
        for issue in result.errors:
            click.echo(f"[エラー] {issue.message}", err=True)
        mine = result.values.filter(
            (result.values["entity_code"] == found.code) & (result.values["fiscal_year"] == fiscal_year)
        )
        if mine.is_empty():
            click.echo(
                f"[警告] {found.name} の {fiscal_year_label(fiscal_year)} の値がまだありません（シートは「未報告」で書き出します）",
                err=True,
            )
        atomic_write(output, review_sheet_bytes(result, found, fiscal_year))
        click.echo(f"出力: {output}（{found.name}、{fiscal_year_label(fiscal_year)}の効果検証シート）", err=True)
        return 0

    raise SystemExit(guard(debug, work))
