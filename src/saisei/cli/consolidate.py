"""``saisei consolidate`` (read, check and write the report) and ``saisei validate`` (read
and check only)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from ._common import (
    EXIT_ERRORS,
    EXIT_OK,
    as_of_option,
    debug_option,
    guard,
    plan_option,
    print_summary,
    record_option,
    run_consolidation,
)

__all__ = ["consolidate", "validate"]


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="出力フォルダー。"
)
@click.option("--json", "as_json", is_flag=True, help="結果のJSONを標準出力に出す。")
@record_option
@plan_option
@as_of_option
@debug_option
def consolidate(
    paths: tuple[Path, ...],
    out_dir: Path,
    as_json: bool,
    record_path: Path | None,
    plan_path: Path | None,
    as_of: dt.date | None,
    debug: bool,
) -> None:
    """PATH のブック（フォルダーは中の .xlsx すべて）を集計し、レポートを書き出します。

    \b
    書き出すもの: OUT/report.xlsx（集計レポート）、OUT/values.csv、OUT/values.parquet、
    OUT/observations.parquet（読み取ったすべての値とそのセル）。

    \b
    --record FILE（または SAISEI_RECORD）: 記録ファイルにこれまでの年度の提出と値があれば
    それも合わせて集計し、今回の提出と集計を記録に追加します（記録にあるブックは読み直しません）。

    \b
    終了コード: 0 エラーなし（警告は可）、1 エラーあり（レポートは「暫定」として出力）、2 使い方の誤り、
    3 ファイルやフォルダーを読み書きできない、70 内部エラー、130 Ctrl-C で中断、141 出力を読む側が先に終了。
    """

    def work() -> int:
        result = run_consolidation(paths, plan_path, as_of, as_json, out_dir, record=record_path, write=True)
        print_summary(result)
        for path in result.outputs:
            click.echo(f"出力: {path}", err=True)
        if result.run is not None:
            click.echo(f"記録: {record_path}（集計 #{result.run} として追加）", err=True)
        if as_json:
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return EXIT_ERRORS if result.has_errors else EXIT_OK

    sys.exit(guard(debug, work))


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="結果のJSONを標準出力に出す。")
@record_option
@plan_option
@as_of_option
@debug_option
def validate(
    paths: tuple[Path, ...],
    as_json: bool,
    record_path: Path | None,
    plan_path: Path | None,
    as_of: dt.date | None,
    debug: bool,
) -> None:
    """PATH のブックを読み取り、検査だけします（レポートは書きません）。

    --record FILE: 記録のこれまでの値と合わせて検査します（確定値の改訂などが分かります）。記録には何も書きません。
    """

    def work() -> int:
        if record_path is not None and not record_path.exists():
            click.echo(f"[注意] 記録ファイル {record_path} がありません。記録なしで検査します", err=True)
        result = run_consolidation(paths, plan_path, as_of, as_json, record=record_path)
        print_summary(result)
        if as_json:
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return EXIT_ERRORS if result.has_errors else EXIT_OK

    sys.exit(guard(debug, work))
