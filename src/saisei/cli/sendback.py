"""``saisei sendback``: each body's own workbook back, with every problem marked at its cell."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from ._common import (
    EXIT_ERRORS,
    EXIT_OK,
    as_of_option,
    debug_option,
    guard,
    load_plan_or_fail,
    parse_date_option,
    plan_option,
    print_summary,
    record_failure,
    record_option,
    run_consolidation,
)

__all__ = ["sendback"]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="出力フォルダー。"
)
@click.option("--due", callback=parse_date_option, metavar="DATE", help="送り直しの期限（送付状と確認事項に書く）。")
@click.option("--errors-only", is_flag=True, help="エラーのあるブックだけ（警告だけのブックは返さない）。")
@click.option(
    "--date",
    "checked",
    callback=parse_date_option,
    metavar="DATE",
    help="確認日（確認事項と送付状の日付）。省略時は今日。",
)
@record_option
@plan_option
@as_of_option
@debug_option
def sendback(
    paths: tuple[Path, ...],
    out_dir: Path,
    due: dt.date | None,
    errors_only: bool,
    checked: dt.date | None,
    record_path: Path | None,
    plan_path: Path | None,
    as_of: dt.date | None,
    debug: bool,
) -> None:
    """問題のあったブックを、問題のセルに印を付けて団体に返す形で書き出します。

    PATH のブックを読み取り、エラー（--errors-only がなければ警告も）のあるブックごとに
    OUT/<元の名前>_要確認.xlsx（元のブックの先頭に「確認事項」シート、該当セルに色とメモ。
    ほかは元のまま）と OUT/<元の名前>_要確認.txt（送付状）を書き出します。
    PATH を省いて --record FILE: 記録にある各団体の最新の提出のうち問題のあるものすべてを、
    記録が持つブックから書き出します（集めるたびに、その回の返送をまとめて作り直せます）。

    \b
    終了コード: 0 エラーなし、1 エラーあり、2 使い方の誤り、
    3 ファイルやフォルダーを読み書きできない、70 内部エラー、130 Ctrl-C で中断、141 出力を読む側が先に終了。
    """

    def report(done: list[Any]) -> None:
        for entry in done:
            errors = sum(1 for p in entry.problems if p.is_error)
            counts = f"エラー {errors}件、警告 {len(entry.problems) - errors}件"
            if entry.workbook is not None:
                click.echo(f"出力: {entry.workbook}（{counts}）と送付状 {entry.letter.name}", err=True)
            else:
                click.echo(
                    f"出力: {entry.letter}（{counts}。{entry.name} には確認事項を書き込めませんでした:"
                    f" {entry.reason}。送付状だけです）",
                    err=True,
                )
        if not done:
            click.echo("返送するブックはありません（問題のあるブックがありません）", err=True)

    def work() -> int:
        if not paths:
            if record_path is None:
                raise click.UsageError("PATH（ブックかフォルダー）か、--record FILE（記録から）を指定してください")
            from ..sendback import sendback_record

            plan = load_plan_or_fail(plan_path)
            with record_failure():
                done = sendback_record(
                    record_path, out_dir, plan=plan, due=due, errors_only=errors_only, checked=checked
                )
            report(done)
            return EXIT_ERRORS if any(p.is_error for e in done for p in e.problems) else EXIT_OK
        inside = [p for p in paths if p.is_dir() and out_dir.resolve().is_relative_to(p.resolve())]
        if inside:
            click.echo(
                f"[注意] 出力フォルダー {out_dir} が入力フォルダー {inside[0]} の中にあります。次に {inside[0]} を集計すると、"
                "返送用のブック（_要確認.xlsx）も提出として読み込まれます（出力は入力の外に置いてください）",
                err=True,
            )
        result = run_consolidation(paths, plan_path, as_of, False, out_dir, record=record_path, write=False)
        print_summary(result)
        done = result.sendback(out_dir, due=due, errors_only=errors_only, checked=checked)
        report(done)
        return EXIT_ERRORS if result.has_errors else EXIT_OK

    sys.exit(guard(debug, work))
