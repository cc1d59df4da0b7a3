"""``saisei publish``: one standalone HTML page per body, for publication."""

from __future__ import annotations

import datetime as dt
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
    run_consolidation,
)

__all__ = ["publish"]


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="出力フォルダー。"
)
@plan_option
@as_of_option
@debug_option
def publish(paths: tuple[Path, ...], out_dir: Path, plan_path: Path | None, as_of: dt.date | None, debug: bool) -> None:
    """団体ごとの公表用ページ（HTML、1団体1ページ）を書き出します。

    PATH のブックを集計し、OUT/<団体コード>.html（その団体の実績と計画全体の合計）と
    OUT/index.html を書き出します。外部のファイルを読み込まない単独のHTMLです。
    終了コード: 0 エラーなし、1 エラーあり（ページは「暫定版」として出力）、2 使い方の誤り。
    """

    def work() -> int:
        from ..report.publish import write_pages  # only when the command runs

        result = run_consolidation(paths, plan_path, as_of, False, out_dir)
        written = write_pages(result, out_dir)
        print_summary(result)
        click.echo(f"出力: {out_dir}（{len(written)} ページ）", err=True)
        return EXIT_ERRORS if result.has_errors else EXIT_OK

    sys.exit(guard(debug, work))
