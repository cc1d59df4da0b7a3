"""report.xlsx, written with openpyxl: values only, never a formula, the same bytes for
the same inputs.

Sheets, in order: 総括 (summary, chart), 団体別, 検証体制, 改訂履歴, 要確認, 出典, and the
machine-readable data sheets 実績データ and KPI集計 (one header row, no merged cells, one
value per cell).  Every sheet is print-ready: A4 landscape, fit to the page width, header
row repeated on each page, frozen header, thousands separators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from copy import copy
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.drawing.text import Font as TextFont
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.pagebreak import Break

from ..collect import REPORT_SHEETS
from ..core.fiscal import fiscal_year_label
from .data import KPI_HEADER, VALUE_HEADER, kpi_rows, value_rows
from .sheetdata import TableRows, clean_text, row_height, wrapped_lines
from .verdict_views import VERDICT_HEADER, verdict_revision_rows, verdict_rows, verdict_statuses
from .views import (
    BODY_HEADER,
    REVISION_HEADER,
    SOURCE_HEADER,
    VERIFICATION_HEADER,
    SummaryRow,
    body_rows,
    reporting_status,
    revision_rows,
    source_rows,
    summary_rows,
    verification_rows,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from ..results import Consolidation

__all__ = ["SHEETS", "SUMMARY_HEADER", "build_workbook", "put"]

#: One Japanese UI font for the whole workbook, digits and Latin text included: 游ゴシック
#: where Office has it (Windows 10 and later, Office for Mac); other programs substitute
#: their own Japanese sans (Meiryo, Noto Sans CJK, IPAexGothic), never a serif.
FONT_NAME = "游ゴシック"
FONT_SIZE = 11
ISSUE_HEADER = ("区分", "コード", "ファイル", "シート", "セル", "内容", "プラグイン")
SEVERITY_JA = {"error": "エラー", "warning": "警告"}
SHEETS = REPORT_SHEETS

COUNT = "#,##0"
RATE = "0.0%"
DAY = 'yyyy"年"m"月"d"日"'
MONTH = 'yyyy"年"m"月"'
HEADER_FILL = "DDEBF7"
DRAFT_RED = "C00000"
DEFAULT_WIDTH = 8.43


def font(**options: Any) -> Font:
    """A font of the report's one family (``bold=True``, ``size=14``, ``color=…``)."""
    # family 3: a modern (sans) face; charset 128: Japanese (SHIFTJIS_CHARSET), so Excel
    # picks a Japanese face for every character, not a Latin one beside a Japanese one.
    return Font(name=FONT_NAME, family=3, charset=128, **{"size": FONT_SIZE, **options})


def use_report_font(book: Workbook) -> None:
    """Make :func:`font` the font of every cell that has none of its own (the Normal style)."""
    base = font()
    # openpyxl keeps the default font (Calibri) as the first of the workbook's fonts and in
    # the Normal style; it has no public setter for either.
    book._fonts = IndexedList([base])
    book._named_styles["Normal"].font = base


def put(ws: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> Cell:
    """Write one cell; text is always text (``=1+1`` from a workbook never becomes a formula)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        value = clean_text(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


class StyleCache:
    """Give cells a style by copying a finished one: setting a named style or a border on
    each of 500,000 cells costs openpyxl seconds, copying its style array does not.

    openpyxl keeps a cell's whole style as one small array (``_style``); copying it is how
    openpyxl itself copies styles between cells.
    """

    def __init__(self) -> None:
        self._done: dict[object, Any] = {}

    def named(self, cell: Cell, name: str) -> None:
        done = self._done.get(name)
        if done is None:
            cell.style = name
            self._done[name] = copy(cell._style)
        else:
            cell._style = copy(done)

    def border(self, cell: Cell, border: Any) -> None:
        base = getattr(cell, "_style", None)
        if base is None:  # a merged cell's hidden part: no style array of its own
            cell.border = border
            return
        key = ("border", id(border), tuple(base))
        done = self._done.get(key)
        if done is None:
            cell.border = border
            self._done[key] = copy(cell._style)
        else:
            cell._style = copy(done)


def _fit_height(ws: Worksheet, row: int, lines: int) -> None:
    height = row_height(lines)
    if height is not None:
        ws.row_dimensions[row].height = height


def _print_setup(ws: Worksheet, *, draft: bool, title_rows: str | None = "1:1") -> None:
    """A4 landscape, the whole width on one page, page numbers; 暫定 on every page of a draft."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&A　&P / &N"
    ws.oddFooter.center.size = 9
    ws.oddFooter.center.font = f"{FONT_NAME},Regular"
    if draft:
        ws.oddHeader.right.text = "暫定"
        ws.oddHeader.right.font = f"{FONT_NAME},Bold"
        ws.oddHeader.right.size = 14
        ws.oddHeader.right.color = DRAFT_RED


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _grid(ws: Worksheet, first_row: int, last_row: int, columns: int) -> None:
    """Thin rules around every cell of a table, so a printed table reads across."""
    thin = Side(style="thin", color="A6A6A6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    styles = StyleCache()
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=columns):
        for cell in row:
            styles.border(cell, border)


def _header_row(ws: Worksheet, row: int, header: Sequence[str]) -> None:
    for c, name in enumerate(header, start=1):
        put(ws, row, c, name).style = STYLE_HEADER


#: Named cell styles of the tables: a cell takes a whole style at once, which is much
#: faster in openpyxl than setting font, border and alignment one by one.
STYLE_HEADER = "saisei 見出し"
STYLE_TEXT = "saisei 文字"
STYLE_WRAP = "saisei 折り返し"
STYLE_CENTRE = "saisei 中央"
STYLE_FOR_FORMAT = {COUNT: "saisei 数値", RATE: "saisei 率", MONTH: "saisei 年月", DAY: "saisei 日付"}


def register_styles(book: Workbook) -> None:
    """Add the tables' named styles to ``book`` (thin rules, top-aligned, number formats)."""
    thin = Side(style="thin", color="A6A6A6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    top = Alignment(vertical="top")
    styles = [
        NamedStyle(
            STYLE_HEADER,
            font=font(bold=True),
            fill=PatternFill("solid", fgColor=HEADER_FILL),
            border=border,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle(STYLE_TEXT, font=font(), border=border, alignment=top),
        NamedStyle(STYLE_WRAP, font=font(), border=border, alignment=Alignment(vertical="top", wrap_text=True)),
        NamedStyle(STYLE_CENTRE, font=font(), border=border, alignment=Alignment(horizontal="center", vertical="top")),
        *(
            NamedStyle(name, font=font(), border=border, alignment=top, number_format=fmt)
            for fmt, name in STYLE_FOR_FORMAT.items()
        ),
    ]
    for style in styles:
        book.add_named_style(style)


def _style_index(ws: Worksheet, name: str) -> int:
    """The cell-format index (``s`` in the sheet XML) of the named style ``name``."""
    probe = Cell(ws)  # never placed in the sheet: it only registers the format
    probe.style = name
    return int(probe.style_id)


def write_table(
    ws: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[float] = (),
    formats: dict[int, str] | None = None,
    wrap: Iterable[int] = (),
    centre: Iterable[int] = (),
    draft: bool = False,
    empty: str | None = None,
) -> TableRows:
    """A machine-readable table from A1: one header row, one value per cell, frozen header.

    openpyxl writes the header row and everything around the rows; the rows themselves
    are returned, to be written into the sheet's XML when the workbook is packed
    (:mod:`.sheetdata`).  The workbook must have the named styles (:func:`register_styles`).

    :param formats: number formats by 1-based column (one of ``STYLE_FOR_FORMAT``)
    :param wrap: columns whose text wraps (text with line breaks always wraps)
    :param centre: columns centred (marks such as ○)
    :param empty: what the first cell says when there are no rows (``なし``), else nothing
    """
    _header_row(ws, 1, header)
    column_widths = [widths[c] if c < len(widths) else DEFAULT_WIDTH for c in range(len(header))]
    _fit_height(ws, 1, max(wrapped_lines(h, column_widths[c]) for c, h in enumerate(header)))
    column_style = {c: STYLE_FOR_FORMAT[fmt] for c, fmt in (formats or {}).items()}
    column_style.update({c: STYLE_CENTRE for c in centre})
    column_style.update({c: STYLE_WRAP for c in wrap})
    names = [column_style.get(c, STYLE_TEXT) for c in range(1, len(header) + 1)]
    # in a fixed order: the indices are part of the file's bytes
    index = {name: _style_index(ws, name) for name in dict.fromkeys([*names, STYLE_WRAP])}
    table_rows = [tuple(row) for row in rows]
    if not table_rows and empty is not None:
        table_rows = [(empty, *([None] * (len(header) - 1)))]
    table = TableRows(
        rows=table_rows,
        styles=[index[name] for name in names],
        break_styles=[index[STYLE_WRAP] if name == STYLE_TEXT else None for name in names],
        wraps=[name == STYLE_WRAP for name in names],
        widths=column_widths,
    )
    ws.freeze_panes = "A2"
    _widths(ws, widths)
    if table.rows:
        ws.auto_filter.ref = table.dimension()
    _print_setup(ws, draft=draft)
    return table


# ---------------------------------------------------------------------------
# 総括


SUMMARY_HEADER = (
    "KPI",
    "指標名",
    "単位",
    "基準値",
    "年度",
    "目標（増加分）",
    "実績（増加分）",
    "達成率",
    "到達水準（基準値＋累計）",
    "目標水準",
    "評価",
    "報告団体数",
    "うち見込み",
)
SUMMARY_WIDTHS = (15, 44, 12, 9, 22, 14, 14, 9, 14, 11, 22, 10, 10)
#: Columns of the summary table that the chart draws on (1-based): 年度, 目標, 実績.
CATEGORY_COLUMN, TARGET_COLUMN, ACTUAL_COLUMN = 5, 6, 7
#: The charts sit two to a row: the second of each row from this column.
CHART_SECOND_COLUMN = 6


def _summary_sheet(ws: Worksheet, result: Consolidation) -> None:
    plan = result.plan
    draft = result.has_errors
    _widths(ws, SUMMARY_WIDTHS)
    put(ws, 1, 1, "地域再生計画 KPI実績 総括表")
    ws.cell(1, 1).font = font(bold=True, size=16)
    row = 2
    if draft:
        put(
            ws,
            row,
            1,
            f"【暫定】エラーが {len(result.errors)} 件あります。エラーのあるブックの値は集計に含めていません"
            "（要確認シートを参照）。数値は確定していません。",
        )
        ws.cell(row, 1).font = font(bold=True, size=14, color=DRAFT_RED)
        for c in range(1, len(SUMMARY_HEADER) + 1):
            ws.cell(row, c).fill = PatternFill("solid", fgColor="FCE4E4")
        row += 1
    used = sum(1 for f in result.files if not f.has_errors)
    state = (
        f"暫定（エラー {len(result.errors)} 件、警告 {len(result.warnings)} 件）"
        if draft
        else f"エラーなし（警告 {len(result.warnings)} 件）"
    )
    meta: list[tuple[str, Any, str | None]] = [
        ("計画の名称", plan.name, None),
        ("計画期間", plan.years_text, None),
        ("審査対象年度", fiscal_year_label(result.fiscal_year_under_review), None),
        ("基準日", result.as_of, DAY),
        ("状態", state, None),
        ("読み込んだブック", f"{len(result.files)} ファイル（うち集計に使用 {used}）", None),
        ("効果検証", _verified(result), None),
    ]
    bold = font(bold=True)
    for label, value, fmt in meta:
        put(ws, row, 1, label)
        ws.cell(row, 1).font = bold
        put(ws, row, 2, value, fmt)
        ws.cell(row, 2).alignment = Alignment(horizontal="left")
        if value is state and draft:
            ws.cell(row, 2).font = font(bold=True, color=DRAFT_RED)
        row += 1

    row += 1
    put(ws, row, 1, "KPIの達成状況（目標・実績は各年度の増加分。到達水準＝基準値＋実績の累計。評価は審査対象年度まで）")
    ws.cell(row, 1).font = font(bold=True, size=12)
    row += 1
    header_row = row
    _header_row(ws, header_row, SUMMARY_HEADER)
    ws.row_dimensions[header_row].height = 30
    rows = summary_rows(result)
    wrap = Alignment(wrap_text=True, vertical="center")
    middle = Alignment(vertical="center")
    centred = Alignment(horizontal="center", vertical="center")
    first_data = header_row + 1
    for i, s in enumerate(rows):
        r = first_data + i
        values: tuple[tuple[Any, str | None], ...] = (
            (s.label, None),
            (s.name, None),
            (s.unit, None),
            (s.baseline, COUNT),
            (fiscal_year_label(s.fiscal_year), None),
            (s.target, COUNT),
            (s.value, COUNT),
            (None if s.achievement is None else round(s.achievement, 6), RATE),
            (s.level, COUNT),
            (s.target_level, COUNT),
            (s.rating_shown(result.fiscal_year_under_review), None),
            (s.bodies_reported, COUNT),
            (s.provisional_bodies, COUNT),
        )
        for c, (value, fmt) in enumerate(values, start=1):
            put(ws, r, c, value, fmt)
            ws.cell(r, c).alignment = wrap if c == 2 else centred if c == CATEGORY_COLUMN else middle
        _fit_height(ws, r, wrapped_lines(s.name, SUMMARY_WIDTHS[1]))
    last_data = first_data + len(rows) - 1
    _grid(ws, header_row, last_data, len(SUMMARY_HEADER))

    row = last_data + 2
    row = _reporting_block(ws, result, row)

    # The charts start a new printed page: they are never cut by a page break.
    ws.row_breaks.append(Break(id=row))
    row += 1
    put(ws, row, 1, "目標と実績（各年度の増加分）")
    ws.cell(row, 1).font = font(bold=True, size=12)
    _charts(ws, rows, first_data, row + 1)
    _print_setup(ws, draft=draft, title_rows=None)


def _verified(result: Consolidation) -> str:
    """How many bodies have verified the year under review (検証結果シート)."""
    year = result.fiscal_year_under_review
    statuses = [s for s in verdict_statuses(result) if s.fiscal_year == year]
    done = [s.body.name for s in statuses if s.done]
    names = f"（{'、'.join(done)}）" if done else ""
    return (
        f"{fiscal_year_label(year)}: {len(statuses)}団体のうち {len(done)}団体が検証済み{names}（検証結果シート参照）"
    )


def _reporting_block(ws: Worksheet, result: Consolidation, row: int) -> int:
    """Which bodies have not reported, or reported estimates, for the year under review."""
    plan = result.plan
    year = result.fiscal_year_under_review
    statuses = reporting_status(result, year)
    put(ws, row, 1, f"{fiscal_year_label(year)}の報告状況")
    ws.cell(row, 1).font = font(bold=True, size=12)
    row += 1
    missing = [s for s in statuses if s.missing]
    provisional = [s for s in statuses if s.provisional]

    def names(items: list[Any], which: str) -> str:
        if not items:
            return "なし"
        return "、".join(
            f"{s.body.name}（{'・'.join(plan.kpi(k).label for k in getattr(s, which))}）"  # type: ignore[union-attr]
            for s in items
        )

    for label, text in (("未報告", names(missing, "missing")), ("見込み", names(provisional, "provisional"))):
        put(ws, row, 1, label)
        ws.cell(row, 1).font = font(bold=True)
        put(ws, row, 2, text)
        row += 1
    header = ("団体コード", "団体名", *(k.label for k in plan.kpis), "状況")
    _header_row(ws, row, header)
    row += 1
    styles = StyleCache()  # one named style per cell, copied: a national plan lists 1,741 bodies
    for s in statuses:
        cells: list[tuple[Any, str]] = [(s.body.code, STYLE_TEXT), (s.body.name, STYLE_TEXT)]
        for kpi in plan.kpis:
            if kpi.number in s.statuses:
                mark = {"final": "確定", "provisional": "見込み", None: "未報告"}[s.statuses[kpi.number]]
            else:
                mark = "対象外"
            cells.append((mark, STYLE_CENTRE))
        if s.missing:
            state = "未報告あり"
        elif s.provisional:
            state = "見込みを含む"
        else:
            state = "確定"
        cells.append((state, STYLE_TEXT))
        for c, (value, style) in enumerate(cells, start=1):
            styles.named(put(ws, row, c, value), style)
        row += 1
    return row + 1


def _charts(ws: Worksheet, rows: list[SummaryRow], first_data: int, anchor_row: int) -> None:
    """One clustered bar chart per KPI, 目標 against 実績 per fiscal year, two to a row.

    The series reference the summary table's cells (values, not formulas).
    """
    kpis: dict[int, list[int]] = {}
    for i, s in enumerate(rows):
        kpis.setdefault(s.kpi, []).append(first_data + i)
    for n, table_rows in enumerate(kpis.values()):
        lo, hi = table_rows[0], table_rows[-1]
        first = rows[table_rows[0] - first_data]
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.title = f"{first.label} {first.short_name}（{first.unit}）"
        chart.style = 10
        chart.y_axis.title = first.unit
        chart.y_axis.numFmt = COUNT
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend.position = "b"
        chart.txPr = _chart_text()
        for column, title in ((TARGET_COLUMN, "目標"), (ACTUAL_COLUMN, "実績")):
            data = Reference(ws, min_col=column, min_row=lo, max_row=hi)
            chart.series.append(Series(data, title=title))
        chart.set_categories(Reference(ws, min_col=CATEGORY_COLUMN, min_row=lo, max_row=hi))
        chart.width = 17
        chart.height = 8.5
        column_letter = get_column_letter(1 if n % 2 == 0 else CHART_SECOND_COLUMN)
        ws.add_chart(chart, f"{column_letter}{anchor_row + (n // 2) * 18}")


def _chart_text() -> Any:
    """The charts' text (axes, legend) in the report's font; charts otherwise take the
    theme's Latin font, which other programs replace with a serif."""
    face = TextFont(typeface=FONT_NAME)
    props = CharacterProperties(latin=face, ea=face, sz=900)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


# ---------------------------------------------------------------------------
# the workbook


def build_workbook(result: Consolidation) -> tuple[Workbook, dict[str, TableRows]]:
    """The report workbook: the summary, the detail sheets and the data sheets; and the
    rows of its tables by sheet name, which :func:`saisei.report.report_bytes` writes into
    the saved workbook."""
    draft = result.has_errors
    book = Workbook()
    use_report_font(book)
    register_styles(book)
    tables: dict[str, TableRows] = {}

    def add_table(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], **options: Any) -> None:
        tables[name] = write_table(book.create_sheet(name), header, rows, **options)

    summary = book.active
    summary.title = SHEETS[0]
    _summary_sheet(summary, result)
    add_table(
        "団体別",
        BODY_HEADER,
        body_rows(result),
        widths=(11, 11, 8, 6, 50, 11, 9, 13, 9),
        formats={6: COUNT, 8: COUNT, 9: RATE},
        draft=draft,
    )
    add_table(
        "検証体制",
        VERIFICATION_HEADER,
        verification_rows(result.plan, result.as_of),
        widths=(10, 9, 8, 11, 21, 15, *([4.5] * 8), 38, 30, 16),
        formats={4: MONTH},
        wrap=(6, 15, 16, 17),
        centre=range(7, 15),
        draft=draft,
    )
    add_table(
        "検証結果",
        VERDICT_HEADER,
        verdict_rows(result),
        widths=(10, 9, 21, 24, 14, 30, 13, 40, 30, 22, 20, 40),
        formats={5: DAY},
        wrap=(8, 12),
        draft=draft,
    )
    add_table(
        "改訂履歴",
        REVISION_HEADER,
        [*revision_rows(result), *verdict_revision_rows(result)],
        widths=(11, 10, 8, 6, 13, 13, 9, 42, 42, 16, 20),
        formats={5: COUNT, 6: COUNT, 7: COUNT},
        draft=draft,
        empty="なし",
    )
    add_table(
        "要確認",
        ISSUE_HEADER,
        ((SEVERITY_JA[i.severity], i.code, i.file, i.sheet, i.cell, i.message, i.plugin) for i in result.issues),
        widths=(8, 20, 26, 14, 8, 72, 11),
        wrap=(6,),
        draft=draft,
        empty="なし",
    )
    add_table(
        "出典",
        SOURCE_HEADER,
        source_rows(result),
        widths=(11, 10, 8, 6, 11, 8, 30, 14, 12, 45),
        formats={5: COUNT},
        draft=draft,
    )
    add_table(
        "実績データ",
        VALUE_HEADER,
        value_rows(result),
        widths=(12, 12, 8, 6, 12, 8, 60),
        formats={5: COUNT},
        draft=draft,
    )
    add_table(
        "KPI集計",
        KPI_HEADER,
        kpi_rows(result),
        widths=(8, 6, 50, 10, 10, 10, 12, 10, 10, 10, 10, 22),
        formats={4: COUNT, 5: COUNT, 6: RATE, 8: COUNT, 9: COUNT, 10: COUNT, 11: COUNT},
        draft=draft,
    )
    book.properties.creator = "saisei"
    book.properties.title = f"{result.plan.name} KPI集計"
    # The run's own date, not the clock's: the same inputs give the same bytes.
    stamp = dt.datetime.combine(result.as_of, dt.time())
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.lastModifiedBy = "saisei"
    return book, tables
