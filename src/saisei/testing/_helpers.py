"""What a plugin's tests ask of a result, and where the project's samples are.

Re-exported by :mod:`saisei.testing` (the public names).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..core.issues import Issue
from ..results import FileResult

__all__ = [
    "EXAMPLES_ENV",
    "errors",
    "example_path",
    "example_paths",
    "expected_values",
    "issue_cells",
    "message_at",
    "observations",
    "sums",
    "values_by_cell",
    "warnings",
]


def observations(result: FileResult) -> list[dict[str, Any]]:
    """A file's observations as dicts, in a stable order."""
    if result.frame is None:
        return []
    return sorted(result.frame.iter_rows(named=True), key=lambda r: (r["sheet"], r["cell"], r["fiscal_year"], r["kpi"]))


# -- what the tests ask of a result ------------------------------------------------------------


def values_by_cell(result: FileResult, *, sheet: bool = False) -> dict[Any, tuple[int, int, int, str]]:
    """cell (or ``(sheet, cell)`` with ``sheet=True``) → (fiscal year, KPI, value, status)."""
    return {
        ((o["sheet"], o["cell"]) if sheet else o["cell"]): (o["fiscal_year"], o["kpi"], o["value"], o["status"])
        for o in observations(result)
    }


def sums(result: FileResult) -> dict[tuple[int, int], tuple[int, str]]:
    """(fiscal year, KPI) → (the sum of its observations, status), as saisei adds up one
    workbook's rows: ``provisional`` when any of them is."""
    out: dict[tuple[int, int], tuple[int, str]] = {}
    for o in observations(result):
        key = (o["fiscal_year"], o["kpi"])
        value, status = out.get(key, (0, "final"))
        out[key] = (value + o["value"], "provisional" if "provisional" in (status, o["status"]) else "final")
    return out


def issue_cells(
    result: FileResult, severity: str | None = "error", *, sheet: bool = False
) -> list[tuple[str, str | None]] | list[tuple[str, str | None, str | None]]:
    """(code, cell) of each issue of ``severity`` (``None``: all), in order; (code, sheet,
    cell) with ``sheet=True``."""
    issues = [i for i in result.issues if severity is None or i.severity == severity]
    if sheet:
        return [(i.code, i.sheet, i.cell) for i in issues]
    return [(i.code, i.cell) for i in issues]


def message_at(result: FileResult, cell: str, sheet: str | None = None) -> str:
    """The message of the first issue at ``cell`` (of ``sheet``, when given)."""
    found = [i.message for i in result.issues if i.cell == cell and (sheet is None or i.sheet == sheet)]
    if not found:
        raise AssertionError(f"no issue at {sheet or '?'}!{cell}: {[i.message for i in result.issues]}")
    return found[0]


def errors(result: FileResult) -> list[Issue]:
    """The result's errors (the file then gives no value)."""
    return [i for i in result.issues if i.is_error]


def warnings(result: FileResult) -> list[Issue]:
    """The result's warnings (shown in the report; the values still count)."""
    return [i for i in result.issues if not i.is_error]


# -- the project's samples -------------------------------------------------------------------

#: Where the project's ``examples/`` folder is, when the tests run outside the source tree.
EXAMPLES_ENV = "SAISEI_EXAMPLES"


def _examples() -> Path:
    """``$SAISEI_EXAMPLES``, or the ``examples/`` folder of the source tree saisei (or the
    current directory) is in."""
    if os.environ.get(EXAMPLES_ENV):
        return Path(os.environ[EXAMPLES_ENV])
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for folder in start.parents if start.is_file() else (start, *start.parents):
            if (folder / "examples").is_dir() and (folder / "pyproject.toml").is_file():
                return folder / "examples"
    raise FileNotFoundError(f"no examples/ folder above {Path(__file__).parent} or {Path.cwd()}: set {EXAMPLES_ENV}")


def example_path(name: str, *, year: str = "fy2024") -> Path:
    """A sample workbook of ``examples/<year>/`` (each is stored there once, for every test)."""
    path = _examples() / year / name
    if not path.is_file():
        raise FileNotFoundError(f"no sample {name} in {path.parent}")
    return path


def example_paths(*, year: str = "fy2024") -> list[Path]:
    """Every sample workbook of ``examples/<year>/``, sorted by name."""
    return sorted((_examples() / year).glob("*.xlsx"))


def expected_values(entity_code: str | None = None, *, year: str = "fy2024") -> list[tuple[str, int, int, int, str]]:
    """What a correct reading of the samples of ``year`` gives: (body code, fiscal year, KPI,
    value, status), sorted; only ``entity_code``'s when given.  From the one copy,
    ``tests/data/expected_<year>.json`` next to ``examples/``."""
    path = _examples().parent / "tests" / "data" / f"expected_{year}.json"
    values = json.loads(path.read_text(encoding="utf-8"))["values"]
    return sorted(
        (v["entity_code"], v["fiscal_year"], v["kpi"], v["value"], v["status"])
        for v in values
        if entity_code is None or v["entity_code"] == entity_code
    )
