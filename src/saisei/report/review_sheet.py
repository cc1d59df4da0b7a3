"""The 効果検証シート: one sheet for a body's committee to record its verdict on a fiscal year.

The sheet shows the plan, the body, the year and the committee (from the plan), a table
of the KPIs (the body's own figure beside the plan total, with the total's achievement,
level and rating), and four answers, each in the cell right of its label: 検証日,
事業効果, 今後の方針 and 外部有識者からの意見.  事業効果 and 今後の方針 offer the plan's
wordings as drop-down lists; saisei's suggested 事業効果 stands beside the answer.
Values only, A4 portrait, the same bytes for the same figures.  A filled sheet is read
back by the built-in reader :mod:`saisei.default_plugins.review`.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from ..core import verdict as v
from ..core.fiscal import fiscal_year_label
from . import deterministic_xlsx
from .views import committee_text, summary_rows

if TYPE_CHECKING:
    from ..core.plan import Body
    from ..results import Consolidation

__all__ = ["review_sheet_bytes", "suggested_effect"]

FIXED_TIME = dt.datetime(2000, 1, 1)
WIDTHS = (30, 7, 8, 10, 10, 10, 8, 9, 14)
ANSWER_FILL = PatternFill("solid", fgColor="FFF2CC")  # the cells the committee fills
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
#: The answer cells span B:F (the suggestion G:I); the opinion B:I over OPINION_ROWS rows.
LAST_ANSWER_COLUMN = 6
OPINION_ROWS = 8


def suggested_effect(result: Consolidation, fiscal_year: int) -> str | None:
    """saisei's suggested 事業効果 for ``fiscal_year``, from the plan totals."""
    rows = [r for r in summary_rows(result) if r.fiscal_year == fiscal_year]
    return result.plan.verdict.suggest(v.KPIProgress(r.achievement, r.level, r.baseline) for r in rows)


def review_sheet_bytes(result: Consolidation, body: Body, fiscal_year: int) -> bytes:
    """The review sheet of ``body`` for ``fiscal_year``, as xlsx bytes."""
    plan = result.plan
    book = Workbook()
    ws = book.active
    ws.title = v.SHEET
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws["A1"] = f"{v.TITLE}（{body.name}・{fiscal_year_label(fiscal_year)}）"
    ws["A1"].font = Font(bold=True, size=14)
    meta: list[tuple[str, Any]] = [
        (v.LABEL_PLAN, plan.name),
        (v.LABEL_CODE, body.code),
        (v.LABEL_BODY, body.name),
        (v.LABEL_YEAR, fiscal_year_label(fiscal_year)),
        (v.LABEL_METHOD, body.method or "—"),
        (v.LABEL_COMMITTEE, committee_text(body).replace("\n", "／") or "—"),
        (v.LABEL_AS_OF, result.as_of),
    ]
    row = 3
    for label, value in meta:
        ws.cell(row, 1, label).font = bold
        cell = ws.cell(row, 2, value)
        cell.alignment = wrap
        if isinstance(value, dt.date):
            cell.number_format = 'yyyy"年"m"月"d"日"'
            cell.alignment = Alignment(horizontal="left")
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=len(WIDTHS))
        if len(str(value)) > 60:
            ws.row_dimensions[row].height = 15 * (len(str(value)) // 60 + 1)
        row += 1
    row += 1
    ws.cell(row, 1, f"KPIの実績（{fiscal_year_label(fiscal_year)}、目標・実績は各年度の増加分）").font = bold
    row += 1
    for c, name in enumerate(v.KPI_HEADER, start=1):
        cell = ws.cell(row, c, name)
        cell.font = bold
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[row].height = 30
    row += 1
    own = {
        r["kpi"]: (r["value"], r["status"])
        for r in result.values.filter(
            (result.values["entity_code"] == body.code) & (result.values["fiscal_year"] == fiscal_year)
        ).iter_rows(named=True)
    }
    for s in (r for r in summary_rows(result) if r.fiscal_year == fiscal_year):
        kpi = plan.kpi(s.kpi)
        assert kpi is not None
        if not kpi.is_reported_by(body.code):
            mine: Any = "対象外"
        elif s.kpi in own:
            value, status = own[s.kpi]
            mine = value if status == "final" else f"{value:,}（見込み）"
        else:
            mine = "未報告"
        cells = (
            f"{kpi.label} {kpi.name}",
            kpi.unit,
            kpi.baseline,
            s.target,
            mine,
            s.value,
            s.achievement,
            s.level,
            s.rating_shown(result.fiscal_year_under_review) or "—",
        )
        for c, value in enumerate(cells, start=1):
            cell = ws.cell(row, c, value)
            cell.border = BOX
            cell.alignment = wrap if c in (1, 9) else Alignment(vertical="top")
            if c == 7 and value is not None:
                cell.number_format = "0.0%"
            elif isinstance(value, int):
                cell.number_format = "#,##0"
        ws.row_dimensions[row].height = 30
        row += 1
    ws.cell(row, 1, "未報告＝値が届いていない。対象外＝この団体が報告しないKPI。（見込み）＝年度末前の見込み値。")
    ws.cell(row, 1).font = Font(size=9)
    row += 2
    ws.cell(row, 1, "検証結果（委員会で記入してください。黄色のセルに入力）").font = Font(bold=True, size=12)
    row += 1
    suggestion = suggested_effect(result, fiscal_year)
    effect_list = DataValidation(type="list", formula1=_list_formula(plan.verdict.effects), allow_blank=True)
    policy_list = DataValidation(type="list", formula1=_list_formula(plan.verdict.policies), allow_blank=True)
    for validation, what in ((effect_list, v.LABEL_EFFECT), (policy_list, v.LABEL_POLICY)):
        validation.error = f"{what}は一覧から選んでください"
        validation.errorTitle = what
        validation.prompt = f"{what}を一覧から選んでください"
        validation.promptTitle = what
        validation.showErrorMessage = True  # a wording not in the list is refused as it is typed
        validation.showInputMessage = True
        ws.add_data_validation(validation)
    for label in v.ANSWER_LABELS:
        label_cell = ws.cell(row, 1, label)
        label_cell.font = bold
        label_cell.fill = HEADER_FILL
        label_cell.border = BOX
        label_cell.alignment = Alignment(vertical="top")
        answer = ws.cell(row, 2)
        answer.fill = ANSWER_FILL
        answer.border = BOX
        answer.alignment = wrap
        last_row = row + (OPINION_ROWS - 1 if label == v.LABEL_OPINION else 0)
        last_column = len(WIDTHS) if label == v.LABEL_OPINION else LAST_ANSWER_COLUMN
        ws.merge_cells(start_row=row, start_column=2, end_row=last_row, end_column=last_column)
        if label == v.LABEL_DATE:
            answer.number_format = 'yyyy"年"m"月"d"日"'
            answer.alignment = Alignment(horizontal="left")
        elif label == v.LABEL_EFFECT:
            effect_list.add(answer.coordinate)
            ws.cell(row, LAST_ANSWER_COLUMN + 1, v.LABEL_SUGGESTION).font = Font(size=9)
            ws.cell(row, LAST_ANSWER_COLUMN + 1).alignment = Alignment(wrap_text=True, vertical="top")
            shown = ws.cell(row, LAST_ANSWER_COLUMN + 2, suggestion or "（数値が揃わず提案できません）")
            shown.alignment = Alignment(wrap_text=True, vertical="top")
            ws.merge_cells(start_row=row, start_column=LAST_ANSWER_COLUMN + 2, end_row=row, end_column=len(WIDTHS))
            ws.row_dimensions[row].height = 30
        elif label == v.LABEL_POLICY:
            policy_list.add(answer.coordinate)
        row = last_row + 1
    ws.cell(
        row + 1,
        1,
        "事業効果・今後の方針は一覧から選びます。saisei の提案は数値からの目安で、委員会の判断が優先します。",
    )
    ws.cell(row + 1, 1).font = Font(size=9)
    ws.print_area = f"A1:I{row + 1}"
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "&A　&P / &N"
    book.properties.creator = "saisei"
    book.properties.title = f"{v.TITLE} {body.name} {fiscal_year}年度"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    book.properties.lastModifiedBy = "saisei"
    buffer = io.BytesIO()
    book.save(buffer)
    return deterministic_xlsx(buffer.getvalue())


def _list_formula(options: tuple[str, ...]) -> str:
    """A drop-down list written out in the validation itself (the plan keeps the wordings
    free of commas and within Excel's 255 characters)."""
    return '"' + ",".join(options) + '"'
