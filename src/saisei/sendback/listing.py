"""The 確認事項 sheet: who, which file, when, then one row per problem with a link to its cell."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from ..core.annotation import MARKER
from ..core.cells import cell_ref, column_letter
from ..report.sheetdata import cell_xml, clean_text, row_height, wrapped_lines
from .problems import Problem, expected_of
from .styles import StyleBook

__all__ = ["Cover", "Placed", "listing_xml", "reiwa"]

#: (heading, width) of the list's columns.
COLUMNS = (
    ("番号", 6),
    ("区分", 8),
    ("シート", 18),
    ("セル", 10),
    ("見つかったもの", 52),
    ("正しい形", 34),
    ("お願い", 34),
)
HEADER_ROW = 8


@dataclass(frozen=True)
class Cover:
    """What the list's head says."""

    body: str  # 「鶴岡市」; "" when saisei could not tell whose file it is
    file: str  # the file's name as received
    checked: dt.date
    due: dt.date | None = None


@dataclass(frozen=True)
class Placed:
    """A problem and where the list links to: ``cell`` is the cell marked (a merged
    range's top-left), ``None`` for a problem of the whole file."""

    problem: Problem
    sheet: str | None
    cell: str | None
    hidden: bool = False
    merged: str | None = None


def reiwa(day: dt.date) -> str:
    """``2025年9月1日（令和7年9月1日）``."""
    era = f"令和{day.year - 2018}年" if day >= dt.date(2019, 5, 1) else f"{day.year}年"
    return f"{day.year}年{day.month}月{day.day}日（{era}{day.month}月{day.day}日）"


def _what_to_do(item: Placed) -> str:
    if item.cell is None:
        return "ブック全体の問題です。内容を確かめ、直したブックを送り直してください"
    where = f"シート「{item.sheet}」は非表示です（シート見出しを右クリック→「再表示」）。" if item.hidden else ""
    if item.problem.is_error:
        return f"{where}このセルを直して、送り直してください"
    return f"{where}このセルを確かめてください（正しければ直さなくてかまいません）"


def _link(sheet: str, cell: str) -> str:
    """``'Sheet'!$C$8``: the form every spreadsheet program follows."""
    from ..core.cells import parse_ref

    row, column = parse_ref(cell)
    return f"'{sheet.replace(chr(39), chr(39) * 2)}'!${column_letter(column)}${row}"


def listing_xml(cover: Cover, items: Sequence[Placed], styles: StyleBook) -> bytes:
    """The worksheet XML of the 確認事項 sheet (text as inline strings: the workbook's
    shared strings stay as they are)."""
    errors = sum(1 for i in items if i.problem.is_error)
    warnings = len(items) - errors
    head: list[tuple[str, str]] = [
        ("団体", cover.body or "（団体を判定できませんでした）"),
        ("受け取ったファイル", cover.file),
        ("確認日", reiwa(cover.checked)),
        ("送り直しの期限", reiwa(cover.due) if cover.due else "（県の担当者からの連絡のとおり）"),
        ("件数", f"エラー {errors}件、警告 {warnings}件（エラーは直してください。警告は確かめてください）"),
    ]
    rows: list[str] = []
    title = (
        f"{MARKER} が書き加えたシートです。集計では読みません（直したあと、このシートは消さずに送り返してかまいません）"
    )
    rows.append(f'<row r="1">{cell_xml("A1", styles.listing("title"), clean_text(title))}</row>')
    for offset, (label, value) in enumerate(head):
        r = 2 + offset
        rows.append(
            f'<row r="{r}">{cell_xml(f"A{r}", styles.listing("label"), label)}'
            f"{cell_xml(f'D{r}', 0, clean_text(value))}</row>"
        )
    header = "".join(
        cell_xml(cell_ref(HEADER_ROW, c + 1), styles.listing("header"), name) for c, (name, _) in enumerate(COLUMNS)
    )
    rows.append(f'<row r="{HEADER_ROW}">{header}</row>')
    links: list[str] = []
    text, link = styles.listing("text"), styles.listing("link")
    for number, item in enumerate(items, start=1):
        r = HEADER_ROW + number
        found, expected = expected_of(item.problem)
        if item.sheet is None:
            sheet_text = "（ファイル全体）"
        else:
            sheet_text = item.sheet + ("（非表示シート）" if item.hidden else "")
        cell_text = "—" if item.cell is None else item.cell + (f"（結合セル {item.merged}）" if item.merged else "")
        values = [
            number,
            "エラー" if item.problem.is_error else "警告",
            clean_text(sheet_text),
            cell_text,
            clean_text(found),
            clean_text(expected),
            _what_to_do(item),
        ]
        kinds = [text, styles.listing("error" if item.problem.is_error else "warning"), text, text, text, text, text]
        linked = item.cell is not None and item.sheet is not None and not item.hidden
        if linked:
            kinds[3] = link
            assert item.sheet is not None and item.cell is not None
            links.append(
                f'<hyperlink ref="D{r}" location={quoteattr(_link(item.sheet, item.cell))} '
                f"display={quoteattr(item.cell)}/>"
            )
        lines = max(wrapped_lines(v, w) for v, (_, w) in zip(values, COLUMNS, strict=True))
        height = row_height(lines)
        attrs = f' ht="{height}" customHeight="1"' if height else ""
        cells = "".join(cell_xml(cell_ref(r, c + 1), k, v) for c, (v, k) in enumerate(zip(values, kinds, strict=True)))
        rows.append(f'<row r="{r}"{attrs}>{cells}</row>')
    last = HEADER_ROW + len(items)
    cols = "".join(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>' for c, (_, w) in enumerate(COLUMNS, 1))
    hyperlinks = f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheetPr><tabColor rgb="FFC00000"/></sheetPr>'
        f'<dimension ref="A1:G{last}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        f'<pane ySplit="{HEADER_ROW}" topLeftCell="A{HEADER_ROW + 1}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="D{HEADER_ROW + 1}" sqref="D{HEADER_ROW + 1}"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="18"/>'
        f"<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>{hyperlinks}"
        '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" orientation="landscape"/>'
        "</worksheet>"
    ).encode()
