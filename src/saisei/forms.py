"""What every form reader shares: a sheet by its name, a table by its labels, problems at cells.

The pure work (finding a header by its labels, the rows of a table, KPI labels) is in
:mod:`saisei.core.tables`; this module applies it to a :class:`~saisei.workbook.Workbook`
and records what it finds in a :class:`~saisei.reading.Reading`, at the sheet and cell:

* :func:`detect_table` — a plugin's ``saisei_detect``: is the header there, and if not,
  how close did the workbook come and what was missing (a :class:`Detection`);
* :func:`read_header` — the header for ``saisei_read``, its problems recorded as errors;
* :func:`check_reading` — after any reader: a figure read from a hidden sheet, or from a
  sheet whose name another sheet shares after normalisation (``ＫＰＩ実績`` and
  ``KPI実績``), or from a cell whose number format shows something else (``;;;``,
  ``"5"``, ``0,``), is said so at the sheet or cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .core.cells import cell_ref
from .core.numfmt import display_problem
from .core.tables import SEARCH_ROWS, Field, Header, Miss, Problem, Rows, find_header, label_key
from .core.values import display
from .hookspecs import Detection

if TYPE_CHECKING:
    from .reading import Reading
    from .workbook import Sheet, Workbook

__all__ = ["check_reading", "detect_table", "read_header", "record", "rows_after_total"]


def record(reading: Reading, sheet: str, problems: Iterable[Problem]) -> None:
    """Record each problem as an error at its cell of ``sheet``."""
    for p in problems:
        reading.error(p.code, p.message, sheet=sheet, cell=p.cell)


def detect_table(
    workbook: Workbook,
    wanted: str,
    fields: Sequence[Field],
    *,
    first_row: int = 1,
    rows: int = SEARCH_ROWS,
    explain: bool = False,
) -> Detection:
    """Whether sheet ``wanted`` holds a header with every required field, found by labels.

    When it does not, the :class:`Detection` says how close the workbook came: the sheet
    is missing (score 0; with ``explain``, the other visible sheets are searched too: one
    holding the header scores 0.8, the sheet was renamed; one holding half of its labels or
    more scores 0.4 to 0.6 and names the labels it lacks), or the sheet is there and
    the header lacks labels (0.3 to 0.9 by the share of labels found).
    """
    names = workbook.find_sheets(wanted)
    if not names:
        near: tuple[str, Miss] | None = None  # the other sheet holding most of the header
        for other in workbook.visible_sheet_names if explain else ():
            header, miss, _ = find_header(
                workbook.sheet(other), fields, first_row=first_row, rows=rows, first_only=True
            )
            if header is not None:
                return Detection(
                    False,
                    0.8,
                    f"シート『{wanted}』がありません（シート『{other}』の{header.row}行目に見出しがあります。"
                    f"シート名を『{wanted}』にしてください）",
                    sheet=other,
                    cell=cell_ref(header.row, header.first_column),
                )
            if miss is not None and miss.row is not None and (near is None or miss.score > near[1].score):
                near = (other, miss)
        if near is not None and near[1].score >= 0.5:  # renamed, and a label changed too
            other, miss = near
            return Detection(
                False,
                0.2 + 0.4 * miss.score,
                f"シート『{wanted}』がありません。シート『{other}』に{miss.describe()}",
                sheet=other,
                cell=cell_ref(miss.row or first_row, 1),
            )
        return Detection(False, 0.0, f"シート『{wanted}』がありません")
    name = names[0]
    header, miss, _ = find_header(workbook.sheet(name), fields, first_row=first_row, rows=rows, first_only=True)
    if header is not None:
        return Detection(True)
    assert miss is not None
    return Detection(
        False,
        0.3 + 0.6 * miss.score,
        f"シート『{name}』に{miss.describe()}",
        sheet=name,
        cell=None if miss.row is None else cell_ref(miss.row, 1),
    )


def read_header(
    reading: Reading, sheet: Sheet, fields: Sequence[Field], *, first_row: int = 1, rows: int = SEARCH_ROWS
) -> Header | None:
    """The header of ``sheet``'s table, found by its labels; its problems recorded as errors.

    ``None`` (with an error ``bad-header``) when no row holds every required label.
    """
    header, miss, problems = find_header(sheet, fields, first_row=first_row, rows=rows)
    record(reading, sheet.name, problems)
    if header is None:
        assert miss is not None
        reading.error(
            "bad-header",
            f"{miss.describe()}。見出しの文字を様式どおりにしてください",
            sheet=sheet.name,
            cell=cell_ref(miss.row or first_row, 1),
        )
    return header


def rows_after_total(reading: Reading, sheet: Sheet, rows: Rows, first_column: int) -> None:
    """An error at each row below a table's total row that holds something in its columns.

    What lies below a total is not part of the table; a figure there would be silently
    left out, so the clerk is asked to move it above the total or delete it.
    """
    for row in rows.after:
        reading.error(
            "bad-row",
            f"合計の行（{rows.total_row}行目）の下に値があります（表の中に入れるか、不要なら削除してください）",
            sheet=sheet.name,
            cell=cell_ref(row, first_column),
        )


def check_reading(workbook: Workbook, reading: Reading) -> None:
    """Warn (or refuse) where a reading's figures come from a sheet a clerk may not see.

    A figure read from a hidden sheet is a warning at that sheet.  A sheet whose name
    another sheet shares after normalisation (width, spaces) is ambiguous: when the
    figures came from the only visible one, a warning names the hidden twin; when two
    visible sheets share the name, an error — which one holds the figures?
    """
    for name in sorted(reading.sheets_read()):
        if not workbook.has_sheet(name):
            continue
        twins = [n for n in workbook.find_sheets(name) if n != name]
        hidden = workbook.is_hidden(name)
        if twins and (hidden or any(not workbook.is_hidden(t) for t in twins)):
            shown = "』『".join(twins)
            reading.error(
                "ambiguous-sheet",
                f"シート『{name}』と名前が同じに見えるシート『{shown}』があり、どちらを読むか決められません"
                "（使わないシートを削除するか、名前を変えてください）",
                sheet=name,
            )
            continue
        if twins:
            reading.warning(
                "ambiguous-sheet",
                f"表示されているシート『{name}』を読みました。名前が同じに見える非表示のシート『{'』『'.join(twins)}』は"
                "読んでいません（不要なら削除してください）",
                sheet=name,
            )
        copies = _copies(workbook, name, twins)
        if copies:
            reading.warning(
                "ambiguous-sheet",
                f"シート『{name}』を読みました。名前が『{name}』で始まるシート『{'』『'.join(copies)}』は読んでいません"
                "（シートをコピーして直したのなら、直した方の名前を『" + name + "』にしてください）",
                sheet=name,
            )
        if hidden:
            reading.warning(
                "hidden-sheet",
                f"シート『{name}』は非表示ですが、値を読みました（表示して内容を確かめてください）",
                sheet=name,
            )
        _check_formats(workbook, reading, name)


def _copies(workbook: Workbook, name: str, twins: list[str]) -> list[str]:
    """Visible sheets named like a copy of sheet ``name``: ``KPI実績 (2)`` (Excel's name for a
    copied sheet), ``KPI実績（修正）``, ``KPI実績_R6`` — the clerk may have edited the copy."""
    key = label_key(name)
    return [
        other
        for other in workbook.visible_sheet_names
        if other != name and other not in twins and label_key(other).startswith(key)
    ]


def _check_formats(workbook: Workbook, reading: Reading, name: str) -> None:
    """A warning at each cell read whose number format shows something else than its value."""
    odd = workbook.odd_formats(name)
    if not odd:
        return
    sheet = workbook.sheet(name)
    for cell in dict.fromkeys(reading.cells_read(name)):
        code = odd.get(cell)
        if code is None:
            continue
        raw = sheet.value(cell)
        why = display_problem(code, raw)
        if why is not None:
            reading.warning(
                "hidden-value",
                f"表示形式「{code}」のため、このセルは{why}が、値 {display(raw)} を読みました"
                "（画面の表示と集計に使う値が違います。表示形式を「標準」にして確かめてください）",
                sheet=name,
                cell=cell,
            )
