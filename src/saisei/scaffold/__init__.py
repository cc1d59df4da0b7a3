"""``saisei new-plugin``: a working plugin distribution, registered in the workspace.

:func:`new_plugin` writes ``<dir>/<name>/`` — ``pyproject.toml`` (the entry point in the
``saisei`` group), the module (Python hooks over :mod:`saisei.core.tables`, or a
declarative form read by :mod:`saisei.declarative`), tests using the conformance kit, a
sample workbook with its expected figures (cell by cell), a README in Japanese — and
registers it in the workspace's root ``pyproject.toml``: the ``plugins`` dependency group
(which nox and ``uv sync`` install), ``[tool.uv.sources]`` and mypy's ``files``.  The
plan must name the plugin for its body; a plan file whose body names none gets
``plugin = "<name>"``.

The placeholder form is a small table (``年度 | 指標 | 実績 | 区分 | 備考``, one row per
fiscal year and KPI) the author changes into the body's real form.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from types import ModuleType
from typing import Any

from ..core.codes import CodeError, normalize_code
from ..core.fiscal import fiscal_year_end
from ..core.plan import Plan, PlanError
from ..plans import load_plan

__all__ = ["Scaffold", "ScaffoldError", "find_root", "new_plugin", "register"]

NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


class ScaffoldError(Exception):
    """Why the plugin cannot be made, in one line for the author."""


@dataclass
class Scaffold:
    """What :func:`new_plugin` did."""

    directory: Path
    written: list[Path] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)
    plan_changed: Path | None = None


def find_root(start: Path) -> Path:
    """The workspace root at or above ``start``: the ``pyproject.toml`` with ``[tool.uv.workspace]``."""
    for folder in (start.resolve(), *start.resolve().parents):
        path = folder / "pyproject.toml"
        if path.is_file() and "workspace" in tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get(
            "uv", {}
        ):
            return folder
    raise ScaffoldError(
        f"{start} とその上のフォルダーに saisei のワークスペース（[tool.uv.workspace] のある pyproject.toml）がありません"
        "（リポジトリのルートで実行してください）"
    )


def _text(name: str) -> str:
    return files("saisei.scaffold").joinpath(name).read_text(encoding="utf-8")


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"__{key}__", value)
    left = re.findall(r"__[A-Z_]+__", text)
    assert not left, left
    return text


def new_plugin(
    name: str,
    code: str,
    *,
    root: Path,
    plan_path: Path | None = None,
    directory: str = "plugins",
    declarative: bool = False,
) -> Scaffold:
    """Write plugin ``name`` for the body ``code`` under ``root/directory`` and register it."""
    if not NAME.fullmatch(name):
        raise ScaffoldError(
            f"プラグイン名 {name!r} は使えません（英小文字で始まり、英小文字・数字・_ だけ。例: yamagata_city）"
        )
    try:
        code = normalize_code(code)
    except CodeError as exc:
        raise ScaffoldError(f"--code: {exc}") from None
    plan, plan_changed = _plan_naming(name, code, plan_path)
    body = plan.body(code)
    assert body is not None
    target = root / directory / name
    if target.exists():
        raise ScaffoldError(f"{target} はもうあります（別の名前にするか、そのフォルダーを消してください）")
    module = f"saisei_{name}"
    tests = target / "tests"
    plan_ref, plan_loaded = _plan_reference(plan_path, root, target)
    values = {
        "NAME": name,
        "MODULE": module,
        "DIST": f"saisei-{name.replace('_', '-')}",
        "CODE": code,
        "BODY": body.name,
        "SHEET": f"{body.name}KPI実績",
        "TITLE": f"{body.name} 地域再生計画KPI実績",
        "ENTRY": f"{module}:plugin" if declarative else module,
        "PLUGIN": f"{module}.plugin" if declarative else module,
        "PLAN": plan_ref,
        "PLAN_LOADED": plan_loaded,
        "FORM_FILE": f"src/{module}/form.toml" if declarative else f"src/{module}/__init__.py",
    }
    done = Scaffold(target, plan_changed=plan_changed)
    try:
        package = target / "src" / module
        package.mkdir(parents=True)
        (tests / "data").mkdir(parents=True)
        if declarative:
            done.written.append(_write(package / "form.toml", _fill(_text("form.tmpl"), values)))
            done.written.append(_write(package / "__init__.py", _fill(_text("plugin_toml.tmpl"), values)))
        else:
            done.written.append(_write(package / "__init__.py", _fill(_text("plugin_py.tmpl"), values)))
        if plan_path is not None and plan_ref == 'DATA / "plan.toml"':
            done.written.append(_write(tests / "data" / "plan.toml", plan_path.read_text(encoding="utf-8")))
        expected, status_cell, kpi_cell = _sample(package, module, plan, tests / "data" / "sample.xlsx")
        done.written.append(tests / "data" / "sample.xlsx")
        values |= {"EXPECTED": expected, "STATUS_CELL": status_cell, "KPI_CELL": kpi_cell}
        for file, text in (
            ("pyproject.toml", "pyproject.tmpl"),
            ("README.md", "README.tmpl"),
            ("tests/test_conformance.py", "test_conformance.tmpl"),
            ("tests/test_form.py", "test_form.tmpl"),
        ):
            done.written.append(_write(target / file, _fill(_text(text), values)))
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    done.registered = register(root, name, directory)
    return done


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def _plan_naming(name: str, code: str, plan_path: Path | None) -> tuple[Plan, Path | None]:
    """The plan, naming plugin ``name`` for body ``code`` (added to the plan file when it names none)."""
    try:
        plan = load_plan(plan_path)
    except PlanError as exc:
        raise ScaffoldError(str(exc)) from None
    body = plan.body(code)
    where = f"計画ファイル {plan_path}" if plan_path else "同梱の計画（山形県）"
    if body is None:
        raise ScaffoldError(
            f"{where}に団体コード {code} の団体がありません（団体を加えた計画ファイルを --plan で指定してください）"
        )
    if body.plugin == name:
        return plan, None
    if body.plugin is not None:
        raise ScaffoldError(f"{where}では {body.name}（{code}）の様式はプラグイン {body.plugin} が読みます")
    if plan_path is None:
        raise ScaffoldError(
            f"{where}では {body.name}（{code}）は標準様式で報告します（計画ファイルを --plan で指定してください）"
        )
    text = plan_path.read_text(encoding="utf-8")
    line = re.compile(rf'^(\s*)code\s*=\s*"{code}"[^\n]*\n', re.MULTILINE)
    found = list(line.finditer(text))
    if len(found) != 1:
        raise ScaffoldError(f'{where}の {body.name} に plugin = "{name}" を書き足してください')
    m = found[0]
    plan_path.write_text(f'{text[: m.end()]}{m.group(1)}plugin = "{name}"\n{text[m.end() :]}', encoding="utf-8")
    plan = load_plan(plan_path)
    assert plan.body(code) is not None and plan.body(code).plugin == name  # type: ignore[union-attr]
    return plan, plan_path


def _plan_reference(plan_path: Path | None, root: Path, target: Path) -> tuple[str, str]:
    """How the tests find the plan: ``None`` (saisei's), a path in the repository, or a copy in tests/data."""
    if plan_path is None:
        return "None", "load_plan()"
    try:
        inside = plan_path.resolve().relative_to(root.resolve())
    except ValueError:
        return 'DATA / "plan.toml"', 'load_plan(DATA / "plan.toml")'
    up = len((target / "tests").resolve().relative_to(root.resolve()).parts)
    expr = f'Path(__file__).resolve().parents[{up}] / "{inside.as_posix()}"'
    return expr, f"load_plan({expr})"


def _import(package: Path, module: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module, package / "__init__.py")
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[module] = loaded
    try:
        spec.loader.exec_module(loaded)
    finally:
        del sys.modules[module]
    return loaded


def _sample(package: Path, module: str, plan: Plan, path: Path) -> tuple[str, str, str]:
    """A filled sample of the placeholder form, with a blank row inside and one row 見込み.

    Returns the expected figures as the test's lines, the first row's status cell and KPI cell.
    """
    from ..report import deterministic_xlsx

    loaded = _import(package, module)
    plugin: Any = getattr(loaded, "plugin", loaded)
    as_of = fiscal_year_end(plan.fiscal_years[-1]) + dt.timedelta(days=150)
    template = plugin.saisei_template(fiscal_year=plan.fiscal_years[0], plan=plan, as_of=as_of)
    book = template.workbook
    slots = template.slots
    figures = [3, 12, 1120, 4, 5, 6, 7, 8, 9][: len(slots)]
    sheet = book[slots[0].sheet]
    for slot, figure in zip(slots, figures, strict=False):
        sheet[slot.cell] = figure
    last = slots[-1]
    if last.status_cell:
        sheet[last.status_cell] = "見込み"
    # a blank row inside the table (clerks leave them): every row from the second slot's moves down
    split = sheet[slots[1].cell].row if len(slots) > 1 else sheet.max_row + 1
    sheet.insert_rows(split)

    def moved(ref: str) -> str:
        cell = sheet[ref]
        return f"{cell.column_letter}{cell.row + 1 if cell.row >= split else cell.row}"

    lines = []
    for slot, figure in zip(slots, figures, strict=False):
        status = "provisional" if slot is last and last.status_cell else template.complete_status
        lines.append(f'            "{moved(slot.cell)}": ({slot.fiscal_year}, {slot.kpi}, {figure}, "{status}"),')
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(deterministic_xlsx(out.getvalue()))
    first = slots[0]
    kpi_cell = f"B{sheet[first.cell].row}"
    return "\n".join(lines), first.status_cell or first.cell, kpi_cell


# -- the workspace --------------------------------------------------------------------------


def register(root: Path, name: str, directory: str = "plugins") -> list[str]:
    """Add plugin ``name`` (in ``directory/name``) to the root ``pyproject.toml``: the
    ``plugins`` dependency group, ``[tool.uv.sources]``, mypy's ``files`` and, when
    ``directory`` is not a member already, the workspace's members.  Returns what was added."""
    path = root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    dist = f"saisei-{name.replace('_', '-')}"
    member = f"{directory}/{name}"
    added: list[str] = []

    def insert_in_list(text: str, key: str, item: str, what: str) -> str:
        m = re.search(rf"^{re.escape(key)}\s*=\s*\[(.*?)\]", text, re.MULTILINE | re.DOTALL)
        if m is None:
            raise ScaffoldError(f"{path}: {key} = [...] が見つかりません（{item} を手で加えてください）")
        if f'"{item}"' in m.group(1):
            return text
        body = m.group(1)
        if "\n" in body:
            new = body.rstrip() + ("" if body.rstrip().endswith(",") else ",") + f'\n    "{item}",\n'
        else:
            new = (body.rstrip().rstrip(",") + ", " if body.strip() else "") + f'"{item}"'
        added.append(what)
        return text[: m.start(1)] + new + text[m.end(1) :]

    text = insert_in_list(text, "plugins", dist, "[dependency-groups] plugins")
    members = tomllib.loads(text)["tool"]["uv"]["workspace"].get("members", [])
    if not any(Path(member).match(pattern) for pattern in members):
        text = insert_in_list(text, "members", member, "[tool.uv.workspace] members")
    source = f"{dist} = {{ workspace = true }}"
    if source not in text:
        lines = text.split("\n")
        if "[tool.uv.sources]" not in lines:
            lines += ["", "[tool.uv.sources]"]
        at = lines.index("[tool.uv.sources]") + 1
        while at < len(lines) and not lines[at].startswith("["):
            at += 1
        while lines[at - 1].strip() == "":
            at -= 1
        lines.insert(at, source)
        text = "\n".join(lines)
        added.append("[tool.uv.sources]")
    if "[tool.mypy]" in text:
        text = insert_in_list(text, "files", f"{member}/src", "[tool.mypy] files")
    data = tomllib.loads(text)  # still TOML, and says what it should
    assert dist in data["dependency-groups"]["plugins"]
    assert data["tool"]["uv"]["sources"][dist] == {"workspace": True}
    path.write_text(text, encoding="utf-8", newline="\n")
    return added
