"""効果検証シート — a committee's verdict, read back (the sheet ``saisei review-sheet`` writes).

Recognized by its content: a sheet ``効果検証`` with the labels 団体コード, 対象年度,
検証日, 事業効果, 今後の方針 and 外部有識者からの意見, each found anywhere in the first
rows and columns; each answer is the cell right of its label, in the same row (a merged
cell gives its first cell).  The answers are checked: the wordings are the plan's
(``[verdict]``), the date is given and falls in the body's verification window, and the
body and year are the plan's.  The sheet gives no figure: its KPI table is what the
committee saw, kept to compare with the figures consolidated since.
"""

from __future__ import annotations

from typing import Any

from ..core import verdict as v
from ..core.cycle import verification_window
from ..plugin import (
    CellError,
    Detection,
    NoCachedValue,
    Plan,
    Reading,
    Sheet,
    Workbook,
    cell_ref,
    display,
    hookimpl,
    is_blank,
    label_key,
    normalize_text,
    record,
    scan_labels,
    wareki_date,
)

#: Labels are looked for in this many rows and columns from A1.
SEARCH_ROWS, SEARCH_COLUMNS = 80, 20
REQUIRED = (v.LABEL_CODE, v.LABEL_YEAR, *v.ANSWER_LABELS)
_KEYS = {label_key(label): label for label in (*REQUIRED, v.LABEL_BODY, v.KPI_HEADER[0], v.KPI_HEADER[4])}


@hookimpl
def saisei_body_code() -> str | None:
    return None  # any body's committee


def _labels(sheet: Sheet) -> tuple[dict[str, tuple[int, int]], list[Any]]:
    cells = ((r, c) for r in range(1, min(sheet.max_row, SEARCH_ROWS) + 1) for c in range(1, SEARCH_COLUMNS + 1))
    return scan_labels(sheet, cells, lambda value: _KEYS.get(label_key(value)), what=lambda label: f"「{label}」")


@hookimpl
def saisei_detect(workbook: Workbook, explain: bool = False) -> Detection:
    name = workbook.find_sheet(v.SHEET)
    if name is None:
        return Detection(False)
    places, _ = _labels(workbook.sheet(name))
    missing = [label for label in REQUIRED if label not in places]
    if not missing:
        return Detection(True)
    found = len(REQUIRED) - len(missing)
    return Detection(
        False,
        score=0.5 + 0.4 * found / len(REQUIRED) if found >= 3 else 0.2,
        missing=f"シート『{name}』に見出し{'・'.join(f'『{m}』' for m in missing)}が見つかりません"
        f"（{SEARCH_ROWS}行目・{SEARCH_COLUMNS}列目までを探しました）",
        sheet=name,
    )


def _right(place: tuple[int, int]) -> str:
    return cell_ref(place[0], place[1] + 1)


def _choice(reading: Reading, sheet: Sheet, ref: str, what: str, options: tuple[str, ...]) -> str | None:
    """One of ``options`` at ``ref`` (compared after NFKC, without spaces or a closing 。)."""
    raw = sheet.value(ref)
    listed = "、".join(f"「{o}」" for o in options)
    if is_blank(raw):
        reading.error("missing-value", f"{what}が空欄です（{listed}から選んでください）", sheet=sheet.name, cell=ref)
        return None
    key = label_key(raw).rstrip("。.") if isinstance(raw, str) else None
    chosen = next((o for o in options if label_key(o).rstrip("。.") == key), None)
    if chosen is None:
        reading.error(
            "unknown-wording",
            f"{what} 「{display(raw)}」は選択肢にありません（{listed}のどれかを選んでください）",
            sheet=sheet.name,
            cell=ref,
        )
    return chosen


@hookimpl
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    name = workbook.find_sheet(v.SHEET)
    if name is None:
        return None
    sheet = workbook.sheet(name)
    places, problems = _labels(sheet)
    reading = Reading(workbook, plan)
    record(reading, name, problems)
    if any(label not in places for label in REQUIRED):
        return None
    code_ref = _right(places[v.LABEL_CODE])
    code = reading.body_code(sheet, code_ref)
    body = plan.body(code) if code else None
    if body is not None:
        reading.entity_code = body.code
        if v.LABEL_BODY in places:
            ref = _right(places[v.LABEL_BODY])
            typed = sheet.value(ref)
            if not is_blank(typed) and normalize_text(display(typed)) != normalize_text(body.name):
                reading.error(
                    "body-mismatch",
                    f"団体名「{display(typed)}」が団体コード {body.code}（{body.name}、{code_ref}）と合いません"
                    "（別の団体のシートではありませんか）",
                    sheet=name,
                    cell=ref,
                )
    year = reading.fiscal_year(sheet, _right(places[v.LABEL_YEAR]), what=v.LABEL_YEAR)
    date_ref, effect_ref, policy_ref, opinion_ref = refs = (
        _right(places[v.LABEL_DATE]),
        _right(places[v.LABEL_EFFECT]),
        _right(places[v.LABEL_POLICY]),
        _right(places[v.LABEL_OPINION]),
    )
    reviewed_on = reading.date(sheet, date_ref, what=v.LABEL_DATE)
    if reviewed_on is not None and body is not None and year is not None:
        first, last = verification_window(body, year, plan.verdict.window_months)
        if not first <= reviewed_on <= last:
            estimates = "（年度末前のため見込み値での検証）" if body.verification_month <= 3 else ""
            reading.error(
                "outside-window",
                f"検証日 {wareki_date(reviewed_on)} は {body.name} の {year}年度分の検証時期"
                f"（{year + 1}年{body.verification_month}月{estimates}、{wareki_date(first)}〜{wareki_date(last)}）"
                "の外です（日付か対象年度を確かめてください）",
                sheet=name,
                cell=date_ref,
            )
            reviewed_on = None
    effect = _choice(reading, sheet, effect_ref, v.LABEL_EFFECT, plan.verdict.effects)
    policy = _choice(reading, sheet, policy_ref, v.LABEL_POLICY, plan.verdict.policies)
    opinion = _opinion(reading, sheet, opinion_ref)
    figures = _figures(reading, sheet, places, plan) if body is not None else ()
    if reading.has_errors or None in (body, year, reviewed_on, effect, policy):
        return reading
    assert body is not None and year is not None and reviewed_on is not None
    assert effect is not None and policy is not None
    reading.verdicts.append(
        v.Verdict(body.code, year, reviewed_on, effect, policy, opinion, workbook.name, name, refs, figures)
    )
    return reading


def _opinion(reading: Reading, sheet: Sheet, ref: str) -> str | None:
    """The experts' opinion: free text, or blank (none given)."""
    raw = sheet.value(ref)
    if is_blank(raw):
        return None
    if isinstance(raw, CellError | NoCachedValue) or not isinstance(raw, str):
        reading.error(
            "bad-text",
            f"{v.LABEL_OPINION}「{display(raw)}」は文章ではありません（意見を文章で入力するか、空欄にしてください）",
            sheet=sheet.name,
            cell=ref,
        )
        return None
    return raw.strip()


def _figures(
    reading: Reading, sheet: Sheet, places: dict[str, tuple[int, int]], plan: Plan
) -> tuple[v.SheetFigure, ...]:
    """The body's own figures of the KPI table, as the committee saw them."""
    head, own = places.get(v.KPI_HEADER[0]), places.get(v.KPI_HEADER[4])
    if head is None or own is None or head[0] != own[0]:
        return ()
    out = []
    row = head[0] + 1
    while not is_blank(label := sheet.at(row, head[1])) and row <= SEARCH_ROWS:
        text = normalize_text(display(label))
        kpi = next((k for k in plan.kpis if text.startswith(normalize_text(k.label))), None)
        value = sheet.at(row, own[1])
        if kpi is not None:
            whole = isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer()
            figure = int(value) if whole else None
            out.append(v.SheetFigure(kpi.number, figure, cell_ref(row, own[1])))
        row += 1
    return tuple(out)
