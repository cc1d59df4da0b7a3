"""The record's commands: ``saisei status`` (who has sent what for the year under review),
``saisei history`` (every figure a body ever reported) and ``saisei record backup|verify``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ._common import EXIT_ERRORS, EXIT_OK, load_plan_or_fail, plan_option, record_failure, record_option
from ._texts import NOTHING, pad, table

__all__ = ["history", "record", "status"]


def _fiscal_year(text: str | None) -> int | None:
    from ..core.fiscal import parse_fiscal_year

    if text is None:
        return None
    try:
        return parse_fiscal_year(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fiscal-year") from None


def _need(record_path: Path | None) -> Path:
    if record_path is None:
        raise click.UsageError("記録ファイルを --record FILE か環境変数 SAISEI_RECORD で指定してください")
    return record_path


@click.command()
@record_option
@click.option(
    "--fiscal-year", "fiscal_year_text", help="年度（2025、令和7年度、R7）。省略時は最新の集計の審査対象年度。"
)
@click.option("--json", "as_json", is_flag=True, help="JSONで出す。")
@plan_option
def status(record_path: Path | None, fiscal_year_text: str | None, as_json: bool, plan_path: Path | None) -> None:
    """団体ごとの提出状況（未提出・要修正・見込み受理・確定受理）と、これから届くもの。"""
    from ..core.fiscal import fiscal_year_label
    from ..record import open_record
    from ..record.tracker import STATUS_LABEL, body_statuses, unattributed

    plan = load_plan_or_fail(plan_path)
    year = _fiscal_year(fiscal_year_text)
    path = _need(record_path)
    with record_failure(), open_record(path) as rec:
        year, rows = body_statuses(rec, plan, year)
        strays = unattributed(rec)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=1))
        return
    click.echo(f"{fiscal_year_label(year)}の提出状況（記録: {path}）")
    lines = table(
        [
            ["団体コード", "団体", "状況", "最新の提出", "受付日", "これから届くもの"],
            *(
                [r.entity_code, r.entity, STATUS_LABEL[r.status], r.file or NOTHING, r.received or NOTHING, r.expected]
                for r in rows
            ),
        ]
    )
    click.echo(lines[0])
    for r, line in zip(rows, lines[1:], strict=True):
        click.echo(line)
        for issue in r.issues:
            click.echo(f"    [エラー] {issue.message}")
    for name, issues in strays:
        click.echo(f"団体を特定できないブック（要修正）: {name}")
        for issue in issues:
            click.echo(f"    [エラー] {issue.message}")
    if strays or any(r.status == "errors" for r in rows):
        click.echo(f"要修正のブックを問題のセルに印を付けて返すには: saisei sendback --record {path} --out 返送")


def _body_code(plan: Any, body: str) -> str:
    found = plan.body(body) or plan.body_named(body)
    if found is None:
        raise click.BadParameter(f"{body!r} は計画の団体ではありません（団体コードか団体名）", param_hint="BODY")
    return str(found.code)


@click.command()
@click.argument("body", required=False)
@click.option("--kpi", type=int, metavar="N", help="KPIの番号。")
@click.option("--fiscal-year", "fiscal_year_text", help="年度（2024、令和6年度、R6）。")
@record_option
@click.option("--json", "as_json", is_flag=True, help="JSONで出す。")
@plan_option
def history(
    body: str | None,
    kpi: int | None,
    fiscal_year_text: str | None,
    record_path: Path | None,
    as_json: bool,
    plan_path: Path | None,
) -> None:
    """BODY（団体コード・団体名。省略時はすべて）がこれまでに報告した値を、年度・KPIごとに届いた順に。

    値ごとに区分（確定・見込み）、出典（ファイル!シート!セル）、受付日、採用した集計を出します。
    """
    from ..record import open_record, read

    plan = load_plan_or_fail(plan_path)
    code = _body_code(plan, body) if body else None
    year = _fiscal_year(fiscal_year_text)
    if kpi is not None and plan.kpi(kpi) is None:
        numbers = "、".join(str(k.number) for k in plan.kpis)
        raise click.BadParameter(f"KPI {kpi} は計画にありません（{numbers} のどれか）", param_hint="--kpi")
    with record_failure(), open_record(_need(record_path)) as rec:
        figures = read.history(rec, code, fiscal_year=year, kpi=kpi)
    names = {b.code: b.name for b in plan.bodies}
    rows = [{"entity": names.get(r["entity_code"], ""), **r} for r in figures.iter_rows(named=True)]
    if as_json:
        keys = ["entity_code", "entity", "fiscal_year", "kpi", "value", "status", "file", "sources"]
        keys += ["sha256", "received", "run", "accepted_by"]
        click.echo(json.dumps([{k: r[k] for k in keys} for r in rows], ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("記録に該当する値がありません")
        return
    last = None
    for r in rows:
        key = (r["entity_code"], r["fiscal_year"], r["kpi"])
        if key != last:
            click.echo(f"{r['entity']}（{r['entity_code']}） {r['fiscal_year']}年度 KPI{r['kpi']}")
            last = key
        kind = "確定" if r["status"] == "final" else "見込み"
        used = "、".join(f"#{n}" for n in r["accepted_by"]) or "なし"
        click.echo(
            f"    {r['value']:>10,}  {pad(kind, 6)} 受付 {r['received']}（集計 #{r['run']}）  採用した集計 {used}"
            f"  出典 {'、'.join(r['sources'])}"
        )


@click.group()
def record() -> None:
    """記録ファイル（全年度の提出ブックと集計の記録）の控えと検査。"""


@record.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@record_option
def backup(target: Path, record_path: Path | None) -> None:
    """記録の控えを TARGET に書き出します（SQLite のオンラインバックアップ。集計中でも安全）。"""
    from ..record import open_record

    with record_failure(), open_record(_need(record_path)) as rec:
        rec.backup(target)
        counts = rec.counts()
    click.echo(f"出力: {target}（提出ブック {counts['submissions']} 件、集計 {counts['runs']} 回）", err=True)


@record.command()
@record_option
def verify(record_path: Path | None) -> None:
    """記録を検査します（SQLite の整合性、追記専用の仕組み、保存したすべてのブックの SHA-256）。"""
    from ..record import open_record

    path = _need(record_path)
    with record_failure(), open_record(path) as rec:
        problems = rec.verify()
        counts = rec.counts()
    for problem in problems:
        click.echo(f"[エラー] {path}: {problem}", err=True)
    click.echo(
        f"{path}: {'問題なし' if not problems else f'問題 {len(problems)} 件'}"
        f"（提出ブック {counts['submissions']} 件、観測値 {counts['observations']} 件、集計 {counts['runs']} 回）",
        err=True,
    )
    sys.exit(EXIT_ERRORS if problems else EXIT_OK)
