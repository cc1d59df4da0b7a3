"""``saisei plugins``: the reading plugins, with their version and the body each reads (from the plan)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ._common import EXIT_ERRORS, EXIT_OK, load_plan_or_fail, plan_option
from ._texts import NOTHING, table

__all__ = ["plugins"]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="JSONで出す。")
@plan_option
def plugins(as_json: bool, plan_path: Path | None) -> None:
    """読み取りプラグイン（様式）の一覧: 名前、版、団体、検証時期（団体と検証時期は計画から）。"""
    from ..plugins import BUILTIN_FORMS, get_registry  # pluggy and every plugin: only when the command runs

    plan = load_plan_or_fail(plan_path)
    registry = get_registry()
    issues = [*registry.load_issues, *registry.plan_issues(plan), *registry.unplanned_issues(plan)]
    rows = []
    for name in registry.names():
        info = registry.plugins[name]
        body = info.body(plan)
        if body is not None:
            entity = body.name
        elif info.code is not None:
            entity = f"計画にない団体（{info.code}）"
        else:
            form = BUILTIN_FORMS.get(name, "標準様式")
            entity = f"{form}（計画のどの団体も）" if info.builtin else "（団体の指定なし）"
        rows.append(
            {
                "name": name,
                "version": info.version,
                "entity_code": info.code,
                "entity": entity,
                "verification_month": body.verification_month if body else None,
                "builtin": info.builtin,
            }
        )
    if as_json:
        doc = {"plugins": rows, "issues": [i.to_dict() for i in issues]}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=1))
    else:
        lines = [["名前", "版", "団体コード", "団体", "検証時期"]]
        for r in rows:
            month = f"{r['verification_month']}月" if r["verification_month"] else NOTHING
            lines.append([str(r["name"]), str(r["version"]), str(r["entity_code"] or NOTHING), str(r["entity"]), month])
        for line in table(lines):
            click.echo(line)
        for issue in issues:
            click.echo(f"[{'エラー' if issue.is_error else '警告'}] {issue.message}", err=True)
    sys.exit(EXIT_ERRORS if any(i.is_error for i in issues) else EXIT_OK)
