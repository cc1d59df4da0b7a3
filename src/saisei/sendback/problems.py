"""What is marked in a body's workbook: its problems, each at a cell or at the whole file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..core.issues import Issue, Severity, location

__all__ = ["Problem", "expected_of", "problems_of", "split_detail"]


@dataclass(frozen=True)
class Problem:
    """One problem to mark: ``detail`` is the issue's message without its location."""

    severity: Severity
    code: str
    detail: str
    sheet: str | None = None
    cell: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @classmethod
    def from_issue(cls, issue: Issue) -> Problem:
        where = location(issue.file, issue.sheet, issue.cell)
        detail = issue.message
        if where and detail.startswith(where + ": "):
            detail = detail[len(where) + 2 :]
        cell = issue.cell.split(":")[0].replace("$", "").upper() if issue.cell else None
        return cls(issue.severity, issue.code, detail, issue.sheet, cell)


def problems_of(issues: Iterable[Issue], *, errors_only: bool = False) -> list[Problem]:
    """The problems of one file's issues, each once, errors first, then by sheet and cell."""
    seen: dict[Problem, None] = {}
    for issue in issues:
        if errors_only and not issue.is_error:
            continue
        seen.setdefault(Problem.from_issue(issue), None)
    return sorted(seen, key=lambda p: (not p.is_error, p.sheet is not None, p.sheet or "", _cell_key(p.cell)))


def _cell_key(cell: str | None) -> tuple[int, int]:
    from ..core.cells import parse_ref

    if not cell:
        return (0, 0)
    try:
        return parse_ref(cell)
    except ValueError:
        return (0, 0)


#: What a cell should hold, for the codes whose messages do not say it in a closing （…）.
_EXPECTED: dict[str, str] = {
    "missing-value": "値を入力する",
    "negative-count": "0以上の整数",
    "fractional-count": "整数",
    "too-large-count": "正しい件数",
    "not-a-number": "数字だけ（単位や文字を入れない）",
    "unexpected-unit": "数字だけ、またはその欄で使える単位",
    "bad-code": "6桁の団体コード（検査数字つき）",
    "unknown-body": "この計画の団体の団体コード・団体名",
    "bad-fiscal-year": "計画期間内の年度（例: 2024、令和6年度）",
    "bad-date": "日付（例: 2025/4/1、令和7年4月1日）",
    "unknown-kpi": "計画にあるKPI",
    "bad-status": "確定 または 見込み",
    "duplicate-row": "1件につき1行",
    "formula-without-value": "計算結果が保存された数式（Excelで開いて保存し直す）",
    "error-value": "エラーにならない値・数式",
    "total-mismatch": "明細の合計と同じ値",
    "conflicting-figures": "正しい一つの値",
    "missing-sheet": "様式どおりのシート",
    "bad-header": "様式どおりの見出し",
    "unknown-form": "配布した様式のまま",
}


def split_detail(detail: str) -> tuple[str, str]:
    """``(found, expected)``: a message's closing full-width parenthesis is what is expected."""
    text = detail.rstrip("。 ")
    if not text.endswith("）"):
        return detail, ""
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char == "）":
            depth += 1
        elif char == "（":
            depth -= 1
            if depth == 0:
                found, expected = text[:index].rstrip(), text[index + 1 : -1].strip()
                return (found, expected) if found else (detail, "")
    return detail, ""


def expected_of(problem: Problem) -> tuple[str, str]:
    """``(found, expected)`` for the list: the message's own words first, else the code's."""
    found, expected = split_detail(problem.detail)
    return found, expected or _EXPECTED.get(problem.code, "")
