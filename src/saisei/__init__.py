"""saisei: consolidate the KPI workbooks of a regional revitalization plan (地域再生計画).

For prefecture scripts::

    import saisei

    result = saisei.consolidate(["提出/"], as_of=datetime.date(2025, 9, 1))
    result.values        # polars: one row per body, fiscal year and KPI, with sources
    result.totals        # per fiscal year and KPI: value, target, achievement
    result.issues        # every error and warning, with file, sheet and cell
    result.write("out")  # report.xlsx, values.csv, values.parquet

For plugin authors: :mod:`saisei.plugin` (everything a plugin may use, the stable API),
:mod:`saisei.hookspecs` (the hooks) and the conformance kit :mod:`saisei.testing`.

Names are imported on first use, so ``import saisei`` stays light.
"""

from __future__ import annotations

import importlib

# Not ``from typing import TYPE_CHECKING``: typing takes longer to import than all of this
# (the saisei command imports this package first; until its Ctrl-C handler is set, a
# Ctrl-C is Python's traceback).  Type checkers know the name.
TYPE_CHECKING = False
if TYPE_CHECKING:  # the names below, for type checkers; at run time they load on first use
    from typing import Any

    from .api import Consolidation, consolidate
    from .core.issues import Issue
    from .core.plan import Plan
    from .hookspecs import hookimpl, hookspec
    from .plans import load_plan
    from .plugins import get_registry
    from .reading import Reading
    from .results import FileResult
    from .template import Slot, Template
    from .workbook import Limits, Sheet, Workbook, WorkbookError, open_workbook

__all__ = [
    "Consolidation",
    "FileResult",
    "Issue",
    "Limits",
    "Plan",
    "Reading",
    "Sheet",
    "Slot",
    "Template",
    "Workbook",
    "WorkbookError",
    "consolidate",
    "get_registry",
    "hookimpl",
    "hookspec",
    "load_plan",
    "open_workbook",
]

_WHERE = {
    "Consolidation": "saisei.api",
    "consolidate": "saisei.api",
    "FileResult": "saisei.results",
    "Issue": "saisei.core.issues",
    "Plan": "saisei.core.plan",
    "Limits": "saisei.workbook",
    "Sheet": "saisei.workbook",
    "Workbook": "saisei.workbook",
    "WorkbookError": "saisei.workbook",
    "open_workbook": "saisei.workbook",
    "Reading": "saisei.reading",
    "Slot": "saisei.template",
    "Template": "saisei.template",
    "get_registry": "saisei.plugins",
    "hookimpl": "saisei.hookspecs",
    "hookspec": "saisei.hookspecs",
    "load_plan": "saisei.plans",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'saisei' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
