"""The package's shape: no import circle among saisei's modules or a plugin's, counting
imports inside functions and under TYPE_CHECKING (they hide a circle from Python, not from
a reader); no module too long to read (about 600 lines at the most); no module importing
another package's private module (`_name`): a package says what it shares in its `__init__`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PLUGINS = sorted(p for p in (ROOT / "plugins").glob("*/src/saisei_*") if p.is_dir())


def modules(package: Path) -> dict[str, Path]:
    """Every module below ``package`` by dotted name (a package by its ``__init__``)."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imported(name: str, path: Path) -> set[str]:
    """What the module imports: ``from . import x`` imports the package and ``.x``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: from the package, one level up per extra dot
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                module = f"{base}.{module}" if module else base
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle in ``graph``, as the path around it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for other in sorted(graph[node]):
            if state.get(other) == 1:
                return [*path[path.index(other) :], other]
            if other not in state and (found := visit(other)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def graph_of(package: Path) -> dict[str, set[str]]:
    found = modules(package)
    return {name: {m for m in imported(name, path) if m in found and m != name} for name, path in found.items()}


def test_the_checker_sees_imports_inside_functions_and_of_the_package(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import x\n")
    (package / "a.py").write_text("from .b import x\n")
    (package / "b.py").write_text("def f():\n    from .c import y\n")
    (package / "c.py").write_text("")
    assert circle(graph_of(package)) is None
    (package / "c.py").write_text("def g():\n    import pkg.a\n")
    assert circle(graph_of(package)) == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]
    (package / "c.py").write_text("")
    (package / "b.py").write_text("def f():\n    from . import c\n")  # imports the package as well
    assert circle(graph_of(package)) == ["pkg", "pkg.a", "pkg.b", "pkg"]


def test_no_import_circle_in_saisei() -> None:
    assert circle(graph_of(SRC / "saisei")) is None


@pytest.mark.parametrize("package", PLUGINS, ids=lambda p: p.name)
def test_no_import_circle_in_a_plugin(package: Path) -> None:
    assert circle(graph_of(package)) is None


def test_every_plugin_is_checked() -> None:
    folders = sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists())
    assert folders and [p.parents[1].name for p in PLUGINS] == folders


#: The most lines a module in src/saisei may have: past it, split the module along a seam.
MOST_LINES = 600


def test_no_module_in_saisei_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(SRC)): n
        for path in modules(SRC / "saisei").values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert long == {}, f"modules over {MOST_LINES} lines: split them along a seam"


def private_owner(module: str) -> str | None:
    """The package a private module belongs to (``a.b`` of ``a.b._c.d``), or None."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def private_imports(package: Path) -> list[str]:
    """``importer -> module`` for each import of another package's private module."""
    found = modules(package)
    out = []
    for name, path in found.items():
        for module in sorted(imported(name, path)):
            owner = private_owner(module)
            if module in found and owner is not None and name != owner and not name.startswith(owner + "."):
                out.append(f"{name} -> {module}")
    return out


def test_the_private_module_checker_sees_an_import_from_another_package(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "a").mkdir(parents=True)
    (package / "b").mkdir()
    for path in ("__init__.py", "a/__init__.py", "a/_x.py", "a/y.py", "b/__init__.py", "_top.py"):
        (package / path).write_text("")
    (package / "a" / "y.py").write_text("from ._x import f\nfrom .. import _top\n")  # its own, and the root's
    assert private_imports(package) == []
    (package / "b" / "__init__.py").write_text("def g():\n    from ..a._x import f\n")
    assert private_imports(package) == ["pkg.b -> pkg.a._x"]


@pytest.mark.parametrize("package", [SRC / "saisei", *PLUGINS], ids=lambda p: p.name)
def test_no_module_imports_another_package_s_private_module(package: Path) -> None:
    assert private_imports(package) == []
