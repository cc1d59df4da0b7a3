"""saisei plugin for 酒田市 (062049): the 実績一覧, a ledger of events.

Sheet ``実績一覧``: A1 title, A2 the as-of date (``令和7年8月20日現在``), header on row 3
``番号 | 実施日 | 事業名 | 指標区分 | 件数 | 備考``, one event per row, a ``合計`` row.
Each event is one observation (its fiscal year from its 実施日, its KPI from its 指標区分,
its value from its 件数 cell); saisei adds up the events of a year and KPI.  Sheet ``集計``
(the city's SUMIFS pivot) and the 合計 row are only cross-checked.  See README.md.

The cells above are the form as issued; the ledger is found by its labels
(:mod:`saisei.core.tables`): the header row by its six labels in any order in the first rows
and columns, the as-of date as the dated cell above it, the 集計 pivot by 指標区分.  Rows and
columns inserted above, left or inside, blank rows, columns the form does not know, and
columns reordered with their headers read the same figures, cited where they now are.  Two
columns with one label, two header rows, two as-of dates that disagree are errors at the cells.
"""

from __future__ import annotations

import datetime as dt

from saisei.plugin import Detection, Plan, Reading, Template, Workbook, hookimpl

from . import _read, _template
from ._form import CODE

__all__ = ["saisei_body_code", "saisei_detect", "saisei_read", "saisei_template"]


@hookimpl
def saisei_body_code() -> str:
    """酒田市, by its code; its name, month, committee and publication are the plan's."""
    return CODE


@hookimpl
def saisei_detect(workbook: Workbook, explain: bool = False) -> Detection:
    return _read.detect(workbook, explain)


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    return _read.read(workbook, plan)


@hookimpl
def saisei_template(fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Template:
    return _template.make_template(fiscal_year, plan, as_of)
