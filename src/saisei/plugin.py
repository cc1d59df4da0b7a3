"""The plugin surface: everything a saisei plugin may use, and nothing else.

A plugin imports from here (and, in its tests, from :mod:`saisei` and
:mod:`saisei.testing`)::

    from saisei.plugin import Plan, Reading, Template, Workbook, hookimpl

These names are the stable API for plugin authors: they keep their meaning and signature
across saisei's minor versions, whatever the modules behind them become.  Everything else
in saisei is internal and may move.  The hooks a plugin implements are documented in
:mod:`saisei.hookspecs`.

* hooks: :data:`hookimpl` (the marker for a hook implementation)
* what a plugin gets and builds: :class:`Workbook` and :class:`Sheet` (the opened workbook,
  read-only), :class:`Plan`, :class:`Body` and :class:`KPI` (the plan), :class:`Reading`
  (observations and issues, each at its cell), :class:`Template` and :class:`Slot` (a blank
  form and where its values go), :class:`Issue` and :data:`Severity`
* cells: :func:`cell_ref`, :func:`range_ref`, :func:`column_letter`, :func:`column_number`,
  :func:`parse_ref`
* values as clerks type them: :func:`parse_count`, :func:`is_blank`, :func:`normalize_text`,
  :func:`display`, and the cell errors :class:`CellValueError`, :class:`CellError`,
  :class:`NoCachedValue`
* fiscal years and 和暦: :func:`parse_fiscal_year`, :func:`parse_date`,
  :func:`fiscal_year_of`, :func:`fiscal_year_start`, :func:`fiscal_year_end`,
  :func:`wareki_year_label` (令和6年度), :func:`wareki_date` (令和7年8月20日),
  :func:`fiscal_year_label`, :data:`ERAS`
* the evaluation cycle: :func:`status_for` (確定 or 見込み for a year, as of a date)
* :data:`CIRCLED` (①②③, as forms number KPIs)
* tables found by their labels, not their cells (:mod:`saisei.core.tables`): :class:`Field`
  (a column by its labels), :func:`find_header`, :class:`Header`, :func:`table_rows` and
  :class:`Rows`, :func:`scan_labels`, :func:`label_key`, :func:`parse_kpi_label` and
  :class:`KpiLabel`, :func:`kpi_columns`, :func:`find_label` and :func:`value_beside`
  (a label and the value beside it: 作成日 | 2025/2/14), :class:`Problem`; on a workbook: :func:`detect_table` (for
  ``saisei_detect``, a :class:`Detection` saying how close a workbook came),
  :func:`read_header`, :func:`record`, :func:`rows_after_total`
* spellings: :func:`is_dash` (a dash alone: no figure), :func:`is_note` (※速報値: a note, not a
  figure), :data:`TOTAL_LABELS` (合計, 計 …: a row that ends a table), :func:`parse_quarter` (第一四半期, 1Q, 4-6月),
  :func:`parse_month` (R6.4, 令和6年4月, 2024/04)
* a form described in TOML instead of programmed (:mod:`saisei.declarative`):
  :class:`DeclarativeForm` (``plugin = DeclarativeForm.load(path)``) and :class:`FormError`
"""

from __future__ import annotations

from .core.cells import cell_ref, column_letter, column_number, parse_ref, range_ref
from .core.cycle import status_for
from .core.fiscal import (
    ERAS,
    fiscal_year_end,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_start,
    parse_date,
    parse_fiscal_year,
    parse_month,
    parse_quarter,
    wareki_date,
    wareki_year_label,
)
from .core.issues import Issue, Severity
from .core.plan import CIRCLED, KPI, Body, Plan
from .core.tables import (
    TOTAL_LABELS,
    Field,
    Header,
    KpiLabel,
    Problem,
    Rows,
    find_header,
    find_label,
    is_note,
    kpi_columns,
    label_key,
    parse_kpi_label,
    scan_labels,
    table_rows,
    value_beside,
)
from .core.values import (
    CellError,
    CellValueError,
    NoCachedValue,
    display,
    is_blank,
    is_dash,
    normalize_text,
    parse_count,
)
from .declarative import DeclarativeForm, FormError
from .forms import detect_table, read_header, record, rows_after_total
from .hookspecs import Detection, hookimpl
from .reading import Reading
from .template import Slot, Template
from .workbook import Sheet, Workbook

__all__ = [
    "CIRCLED",
    "ERAS",
    "KPI",
    "TOTAL_LABELS",
    "Body",
    "CellError",
    "CellValueError",
    "DeclarativeForm",
    "Detection",
    "Field",
    "FormError",
    "Header",
    "Issue",
    "KpiLabel",
    "NoCachedValue",
    "Plan",
    "Problem",
    "Reading",
    "Rows",
    "Severity",
    "Sheet",
    "Slot",
    "Template",
    "Workbook",
    "cell_ref",
    "column_letter",
    "column_number",
    "detect_table",
    "display",
    "find_header",
    "find_label",
    "fiscal_year_end",
    "fiscal_year_label",
    "fiscal_year_of",
    "fiscal_year_start",
    "hookimpl",
    "is_blank",
    "is_dash",
    "is_note",
    "kpi_columns",
    "label_key",
    "normalize_text",
    "parse_count",
    "parse_date",
    "parse_fiscal_year",
    "parse_kpi_label",
    "parse_month",
    "parse_quarter",
    "parse_ref",
    "range_ref",
    "read_header",
    "record",
    "rows_after_total",
    "scan_labels",
    "status_for",
    "table_rows",
    "value_beside",
    "wareki_date",
    "wareki_year_label",
]
