"""``saisei plugins``: the reading plugins, with their version and body."""

from __future__ import annotations

import json
import sys

import click

from ._common import EXIT_ERRORS, EXIT_OK

__all__ = ["plugins"]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="JSONで出す。")
def plugins(as_json: bool) -> None:
    """読み取りプラグイン（様式）の一覧: 名前、版、団体、検証時期。"""
    from ..plugins import get_registry  # pluggy and every plugin: only when the command runs

    registry = get_registry()
    rows = []
    for name in registry.names():
        info = registry.plugins[name]
        body = info.profile
        rows.append(
            {
                "name": name,
                "version": info.version,
                "entity_code": body.code if body else None,
                "entity": body.name
                if body
                else ("標準様式（計画のどの団体も）" if info.builtin else "（団体の指定なし）"),
                "verification_month": body.verification_month if body else None,
                "builtin": info.builtin,
            }
        )
    if as_json:
        click.echo(
            json.dumps(
                {"plugins": rows, "issues": [i.to_dict() for i in registry.load_issues]}, ensure_ascii=False, indent=1
            )
        )
    else:
        click.echo(f"{'名前':<12}{'版':<10}{'団体コード':<10}{'団体':<24}検証時期")
        for r in rows:
            month = f"{r['verification_month']}月" if r["verification_month"] else "—"
            click.echo(f"{r['name']:<12}{r['version']:<10}{r['entity_code'] or '—':<10}{r['entity']:<24}{month}")
        for issue in registry.load_issues:
            click.echo(f"[エラー] {issue.message}", err=True)
    sys.exit(EXIT_ERRORS if registry.load_issues else EXIT_OK)
