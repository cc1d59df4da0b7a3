"""The domain of saisei, with no I/O of its own.

* :mod:`~saisei.core.plan` — the plan as data (KPIs, targets, bodies, committees)
* :mod:`~saisei.core.codes` — 全国地方公共団体コード and their check digits
* :mod:`~saisei.core.fiscal` — fiscal years and 和暦
* :mod:`~saisei.core.values` — cell values turned into counts
* :mod:`~saisei.core.issues` — problems, each with file, sheet and cell
* :mod:`~saisei.core.cycle` — verification months, reviewed years, final vs provisional
* :mod:`~saisei.core.schema` — the pandera models (imported lazily: pandera is heavy)
* :mod:`~saisei.core.aggregate` — the aggregation rules (imported lazily: polars)
"""

from .codes import CodeError, check_digit, is_valid_code, normalize_code
from .cycle import Meeting, fiscal_year_under_review, next_meeting, reviewed_fiscal_year, status_for
from .fiscal import (
    fiscal_year_label,
    fiscal_year_of,
    parse_date,
    parse_fiscal_year,
    wareki_year_label,
)
from .issues import CODES, Issue, location
from .plan import KPI, SECTORS, Body, Committee, Plan, PlanError, RatingScale, parse_plan
from .values import CellError, CellValueError, NoCachedValue, is_blank, normalize_text, parse_count

__all__ = [
    "CODES",
    "KPI",
    "SECTORS",
    "Body",
    "CellError",
    "CellValueError",
    "CodeError",
    "Committee",
    "Issue",
    "Meeting",
    "NoCachedValue",
    "Plan",
    "PlanError",
    "RatingScale",
    "check_digit",
    "fiscal_year_label",
    "fiscal_year_of",
    "fiscal_year_under_review",
    "is_blank",
    "is_valid_code",
    "location",
    "next_meeting",
    "normalize_code",
    "normalize_text",
    "parse_count",
    "parse_date",
    "parse_fiscal_year",
    "parse_plan",
    "reviewed_fiscal_year",
    "status_for",
    "wareki_year_label",
]
