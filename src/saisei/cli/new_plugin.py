"""``saisei new-plugin``: a working plugin for one body, registered in the workspace."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import click

from ._common import EXIT_USAGE

__all__ = ["new_plugin"]


@click.command("new-plugin")
@click.argument("name")
@click.option("--code", required=True, help="団体コード（6桁、検査数字つき。例: 062014）。")
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="計画ファイル（TOML）。その団体に plugin = NAME がなければ書き足します。省略時は山形県の計画。",
)
@click.option(
    "--dir", "directory", default="plugins", show_default=True, help="プラグインを置くフォルダー（ルートから）。"
)
@click.option("--declarative", is_flag=True, help="Pythonではなく、様式を書いたTOMLファイルで読むプラグインにする。")
@click.option("--no-lock", is_flag=True, help="uv lock を実行しない（あとで自分で実行する）。")
def new_plugin(name: str, code: str, plan_path: Path | None, directory: str, declarative: bool, no_lock: bool) -> None:
    """NAME という名前の、団体（--code）の様式を読むプラグインを作り、ワークスペースに登録します。

    できたら `uv run pytest plugins/NAME` がそのまま通ります（仮の様式と見本のブックつき）。
    """
    from ..scaffold import ScaffoldError, find_root
    from ..scaffold import new_plugin as scaffold

    try:
        root = find_root(Path.cwd())
        done = scaffold(name, code, root=root, plan_path=plan_path, directory=directory, declarative=declarative)
    except ScaffoldError as exc:
        click.echo(f"[エラー] {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    where = done.directory.relative_to(root).as_posix()
    click.echo(f"{where}/ を作りました:", err=True)
    for path in done.written:
        click.echo(f"  {path.relative_to(root).as_posix()}", err=True)
    if done.registered:
        click.echo(f"pyproject.toml に登録しました: {'、'.join(done.registered)}", err=True)
    if done.plan_changed is not None:
        click.echo(f'計画ファイル {done.plan_changed} の団体 {code} に plugin = "{name}" を書き足しました', err=True)
    locked = False
    uv = shutil.which("uv")
    if uv and not no_lock:
        run = subprocess.run([uv, "lock", "--quiet"], cwd=root, capture_output=True, text=True)
        locked = run.returncode == 0
        if not locked:
            click.echo(f"[警告] uv lock が失敗しました: {run.stderr.strip()}", err=True)
    if locked:
        click.echo("uv.lock を更新しました。", err=True)
    else:
        click.echo("次に実行してください: uv lock", err=True)
    click.echo(f"テスト: uv run pytest {where}", err=True)
