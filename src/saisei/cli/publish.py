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
    record_option,
    run_consolidation,
)

__all__ = ["publish"]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="出力フォルダー。"
)
@record_option
@plan_option
@as_of_option
@debug_option
def publish(
    paths: tuple[Path, ...],
    out_dir: Path,
    record_path: Path | None,
    plan_path: Path | None,
    as_of: dt.date | None,
    debug: bool,
) -> None:
    """団体ごとの公表用ページ（HTML、1団体1ページ）を書き出します。

    PATH のブック（と --record の記録）を集計し、OUT/<団体コード>.html（その団体の効果検証の
    結果、実績と計画全体の合計）、その数値の OUT/<団体コード>.csv と OUT/index.html を
    書き出します。外部のファイルを読み込まない単独のHTMLで、スマートフォンでも読めます。
    記録は読むだけで、追加しません。

    \b
    終了コード: 0 エラーなし、1 エラーあり（ページは「暫定版」として出力）、2 使い方の誤り、
    3 ファイルやフォルダーを読み書きできない、70 内部エラー、130 Ctrl-C で中断、141 出力を読む側が先に終了。
    """

    def work() -> int:
        from ..report.publish import write_pages  # only when the command runs

        if not paths and record_path is None:
            raise click.UsageError("ブックかフォルダー（PATH）、または --record 記録ファイルを指定してください")
        if record_path is not None and not record_path.exists():
            raise click.UsageError(
                f"記録ファイル {record_path} がありません（saisei consolidate --record で作られます）"
            )
        result = run_consolidation(paths, plan_path, as_of, False, out_dir, record=record_path)
        written = write_pages(result, out_dir)
        print_summary(result)
        pages = sum(1 for p in written if p.suffix == ".html")
        click.echo(f"出力: {out_dir}（{pages} ページと各ページのCSV）", err=True)
        return EXIT_ERRORS if result.has_errors else EXIT_OK

    sys.exit(guard(debug, work))
