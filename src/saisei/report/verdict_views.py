"""What the report and the published pages show of the committees' verdicts: per body and
fiscal year, the verdict or 検証前 with the month it is due (from the cycle).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.cycle import meeting_in
from ..core.fiscal import fiscal_year_label, wareki_date
from ..core.plan import Body

if TYPE_CHECKING:
    from ..results import Consolidation

__all__ = [
    "VERDICT_HEADER",
    "VerdictStatus",
    "verdict_revision_rows",
    "verdict_rows",
    "verdict_statuses",
    "wareki_month",
]


def wareki_month(year: int, month: int) -> str:
    """``令和7年9月``, in the era of that month's first day (2019年4月 is 平成31年4月)."""
    return wareki_date(dt.date(year, month, 1)).removesuffix("1日")


@dataclass(frozen=True)
class VerdictStatus:
    """A body's verification of one fiscal year: the verdict once there is one."""

    body: Body
    fiscal_year: int
    due_year: int
    due_month: int
    on_estimates: bool
    verdict: dict[str, Any] | None

    @property
    def due(self) -> str:
        return wareki_month(self.due_year, self.due_month)

    @property
    def done(self) -> bool:
        return self.verdict is not None

    @property
    def status(self) -> str:
        """``検証済み（令和7年9月18日）`` or ``検証前（令和7年9月予定）``."""
        if self.verdict is None:
            return f"検証前（{self.due}予定）"
        day: dt.date = self.verdict["reviewed_on"]
        return f"検証済み（{wareki_month(day.year, day.month)}{day.day}日）"

    @property
    def differs(self) -> bool:
        """The committee chose another 事業効果 than saisei suggested (its right)."""
        v = self.verdict
        return v is not None and v["suggested_effect"] is not None and v["suggested_effect"] != v["effect"]


def verdict_statuses(result: Consolidation, body: Body | None = None) -> list[VerdictStatus]:
    """Every body (or ``body``) and every plan year up to the year under review, in code
    and year order."""
    found: dict[tuple[str, int], dict[str, Any]] = {}
    if result.verdicts is not None:
        for row in result.verdicts.iter_rows(named=True):
            found[(row["entity_code"], row["fiscal_year"])] = row
    years = [y for y in result.plan.fiscal_years if y <= result.fiscal_year_under_review]
    out = []
    for b in (body,) if body is not None else result.plan.bodies:
        for year in years:
            meeting = meeting_in(b, year + 1)
            out.append(
                VerdictStatus(b, year, meeting.year, meeting.month, meeting.on_estimates, found.get((b.code, year)))
            )
    return out


VERDICT_HEADER = (
    "団体コード",
    "団体名",
    "年度",
    "状況",
    "検証日",
    "事業効果",
    "今後の方針",
    "外部有識者からの意見",
    "saisei の提案（事業効果）",
    "提案との違い",
    "検証時期",
    "出典",
)


def verdict_rows(result: Consolidation) -> list[tuple[Any, ...]]:
    """検証結果: per body and fiscal year, the verdict or 検証前 with its month."""
    rows = []
    for s in verdict_statuses(result):
        v = s.verdict or {}
        rows.append(
            (
                s.body.code,
                s.body.name,
                fiscal_year_label(s.fiscal_year),
                "検証済み" if s.done else f"検証前（{s.due}予定）",
                v.get("reviewed_on"),
                v.get("effect"),
                v.get("policy"),
                v.get("opinion"),
                v.get("suggested_effect"),
                ("委員会の判断が提案と異なる" if s.differs else "提案どおり") if s.done else None,
                f"{s.due}{'（見込み値で検証）' if s.on_estimates else ''}",
                "\n".join(v.get("sources") or []) or None,
            )
        )
    return rows


def verdict_revision_rows(result: Consolidation) -> list[tuple[Any, ...]]:
    """改訂履歴's rows for review sheets a newer one superseded (in its columns: 団体コード,
    団体名, 年度, KPI, 旧の値, 新の値, 差, 旧の出典, 新の出典, 改訂の種別, 受理)."""
    if result.superseded_verdicts is None:
        return []
    return [
        (
            r["entity_code"],
            r["entity"],
            r["fiscal_year"],
            "検証結果",
            f"{r['old_effect']}／{r['old_policy']}（{r['old_reviewed_on']:%Y-%m-%d}）",
            f"{r['new_effect']}／{r['new_policy']}（{r['new_reviewed_on']:%Y-%m-%d}）",
            None,
            "\n".join(r["old_sources"]),
            "\n".join(r["new_sources"]),
            "検証結果の差し替え（新しい効果検証シート）",
            None,
        )
        for r in result.superseded_verdicts.iter_rows(named=True)
    ]
