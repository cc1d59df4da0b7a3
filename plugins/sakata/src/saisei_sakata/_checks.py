"""Cross-checks: the form's own 合計 row and 集計 sheet against the ledger.

Both are Excel formulas (SUM, SUMIFS), and Excel's SUM and SUMIFS skip text: a 件数 typed
as ``１４０`` or ``2人``, or a 実施日 typed as ``R6.10.5``, is left out of them.  The ledger
is the truth; a formula that disagrees with it is a warning naming the formula's cell, both
values and the ledger rows the formula missed.  A formula without a cached value (a form
written by a program) or with an error value is not checked: it is not a figure saisei uses.
"""

from __future__ import annotations

from typing import Any

from saisei.plugin import (
    Reading,
    Sheet,
    cell_ref,
    display,
    find_header,
    label_key,
    parse_fiscal_year,
    wareki_year_label,
)

from ._form import KPI_BY_LABEL, LABEL_BY_KPI, SUMMARY_FIELDS
from ._ledger import Ledger, Missed

__all__ = ["check_summary", "check_totals", "rows_text"]

#: How many missed rows a warning names before ``ほかN行``.
SHOWN_ROWS = 5


def _number(value: Any) -> float | None:
    """A cached numeric result, or None (blank, text, error value, no cached value)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def rows_text(missed: Missed, *, dates: bool = True) -> str:
    """``7行目（実施日が文字）、11行目（件数が文字）ほか3行`` for the rows in ``missed``.

    :param dates: whether a 実施日 typed as text matters (to SUMIFS it does, to SUM not)
    """
    parts = []
    for row, text_date, text_count in missed.shown[:SHOWN_ROWS]:
        why = "・".join(w for w, flag in (("実施日", text_date and dates), ("件数", text_count)) if flag)
        parts.append(f"{row}行目（{why}が文字）")
    more = missed.how_many - SHOWN_ROWS
    return "、".join(parts) + (f"ほか{more}行" if more > 0 else "")


def check_totals(reading: Reading, sheet: Sheet, ledger: Ledger) -> None:
    """The 合計 row's cached SUM against the sum of the 件数 of the events above it (or below
    it, when it was moved to the top of the table)."""
    for row, raw in ledger.totals:
        cached = _number(raw)
        if cached is None:
            continue
        total, missed, below = ledger.summed(row, SHOWN_ROWS)
        if cached == total:
            continue
        why = (
            f"SUMは文字で入力された件数を数えません: {rows_text(missed, dates=False)}"
            if missed.how_many
            else "SUMの範囲に入っていない行がないか確かめてください"
        )
        reading.warning(
            "total-mismatch",
            f"合計 {display(raw)} が{'下' if below else '上'}の各行の件数の合計 {total} と合いません（{why}）。各行の件数を使います",
            sheet=sheet.name,
            cell=f"{ledger.count_column}{row}",
        )


def check_summary(reading: Reading, summary: Sheet, ledger_sheet: str, ledger: Ledger) -> None:
    """Each cached cell of the 集計 pivot (指標区分 × 年度) against the ledger's sum.

    The pivot is found by its labels wherever it was moved: the header row by 指標区分, a
    column per fiscal year right of it, a row per 指標区分 below it (in any order, up to a
    second pivot's header).  No 指標区分 header: nothing to compare.  A year or a 指標区分
    twice is compared twice: each cell is a cached figure of its own, never used.
    """
    header, _, _ = find_header(summary, SUMMARY_FIELDS, first_only=True)
    if header is None:
        return
    labels = header.columns["kpi"]
    years: dict[int, int] = {}
    for column in range(labels + 1, summary.max_column + 1):
        try:
            years[column] = parse_fiscal_year(summary.text(cell_ref(header.row, column)))
        except ValueError:
            continue  # not a year column (a 計 column, a note)
    if not years:
        return
    sums: dict[tuple[int, int], int] | None = None  # added up at the first cached figure
    for row in range(header.row + 1, summary.max_row + 1):
        key = label_key(summary.at(row, labels))
        if SUMMARY_FIELDS[0].matches(key):
            break  # a second pivot below: not this one's rows
        kpi = KPI_BY_LABEL.get(key)
        if kpi is None:
            continue
        for column, year in years.items():
            raw = summary.at(row, column)
            cached = _number(raw)
            if cached is None:
                continue
            if sums is None:
                sums = ledger.sums()
            expected = sums.get((kpi, year), 0)
            if cached == expected:
                continue
            missed = ledger.unseen(kpi, year, SHOWN_ROWS)
            why = (
                f"集計の数式（SUMIFS）は日付や件数が文字の行を数えません: {ledger_sheet}の{rows_text(missed)}"
                if missed.how_many
                else "集計の数式の範囲・条件を確かめてください"
            )
            reading.warning(
                "total-mismatch",
                f"{LABEL_BY_KPI[kpi]}・{wareki_year_label(year)}の集計 {display(raw)} が{ledger_sheet}の合計 {expected} と"
                f"合いません（{why}）。{ledger_sheet}の値を使います",
                sheet=summary.name,
                cell=cell_ref(row, column),
            )
