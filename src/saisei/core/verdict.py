"""The council's verdict (効果検証): the answers a body's committee gives for a fiscal year,
the standard wordings they are chosen from, and saisei's suggestion from the figures.

Pure: no I/O.  The wordings, the options and the thresholds are the plan's (its
``[verdict]`` table, :class:`VerdictScale`), so a prefecture can change them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "ANSWER_LABELS",
    "DEFAULT_EFFECTS",
    "DEFAULT_POLICIES",
    "REVIEW_PLUGIN",
    "KPIProgress",
    "SheetFigure",
    "Verdict",
    "VerdictScale",
]

#: 事業効果, best first: the four wordings published 検証結果 pages across Japan use.
DEFAULT_EFFECTS = (
    "地方創生に非常に効果的であった",
    "地方創生に相当程度効果があった",
    "地方創生に効果があった",
    "地方創生に対して効果がなかった",
)
#: 今後の方針.
DEFAULT_POLICIES = ("事業拡大", "改善し継続", "現状通り継続", "中止・廃止", "期間終了")


@dataclass(frozen=True)
class KPIProgress:
    """One KPI of the plan total in the reviewed year: achievement (actual ÷ target
    increase, None when not known), the level reached and the baseline."""

    achievement: float | None
    level: int | None
    baseline: int


@dataclass(frozen=True)
class VerdictScale:
    """The answers a committee chooses from, and the thresholds of the suggestion.

    :ivar effects: the four 事業効果 wordings, best first
    :ivar policies: the 今後の方針 options
    :ivar achieved: every KPI at or above this achievement → the first wording
    :ivar on_track: every KPI at or above this → the second
    :ivar window_months: the meeting date may fall this many months before or after
        the body's verification month
    """

    effects: tuple[str, ...] = DEFAULT_EFFECTS
    policies: tuple[str, ...] = DEFAULT_POLICIES
    achieved: float = 1.0
    on_track: float = 0.8
    window_months: int = 1

    def suggest(self, progress: Iterable[KPIProgress]) -> str | None:
        """saisei's suggested 事業効果 from the plan totals of the reviewed year.

        Every KPI achieved → ``effects[0]``; every KPI at or above ``on_track`` →
        ``effects[1]``; every KPI's level above its baseline → ``effects[2]``; else
        ``effects[3]``.  None when there is no KPI or a KPI's achievement is not known
        (no figure, no target): the figures cannot suggest anything then.
        """
        items = list(progress)
        if not items or any(p.achievement is None for p in items):
            return None
        rates = [p.achievement for p in items if p.achievement is not None]
        if all(r >= self.achieved for r in rates):
            return self.effects[0]
        if all(r >= self.on_track for r in rates):
            return self.effects[1]
        if all(p.level is not None and p.level > p.baseline for p in items):
            return self.effects[2]
        return self.effects[3]


@dataclass(frozen=True)
class SheetFigure:
    """A body's own figure as printed on a review sheet, with its cell (to compare with
    the figures consolidated since)."""

    kpi: int
    value: int | None
    cell: str


@dataclass(frozen=True)
class Verdict:
    """A committee's answers for one body and fiscal year, read from a review sheet.

    ``sources`` are ``file!sheet!cell`` of 検証日, 事業効果, 今後の方針 and 外部有識者からの意見.
    """

    entity_code: str
    fiscal_year: int
    reviewed_on: dt.date
    effect: str
    policy: str
    opinion: str | None
    file: str
    sheet: str
    cells: tuple[str, str, str, str]
    figures: tuple[SheetFigure, ...] = ()

    @property
    def sources(self) -> list[str]:
        return [f"{self.file}!{self.sheet}!{cell}" for cell in self.cells]

    def same_answers(self, other: Verdict) -> bool:
        return (self.reviewed_on, self.effect, self.policy, self.opinion) == (
            other.reviewed_on,
            other.effect,
            other.policy,
            other.opinion,
        )


#: The built-in plugin that reads review sheets (its submissions give verdicts, no figures).
REVIEW_PLUGIN = "review"

#: The review sheet (効果検証シート): its one sheet, and the labels its writer puts and its
#: reader looks for (each answer in the cell right of its label, in the same row).
SHEET = "効果検証"
TITLE = "効果検証シート"
LABEL_PLAN = "計画"
LABEL_CODE = "団体コード"
LABEL_BODY = "団体名"
LABEL_YEAR = "対象年度"
LABEL_METHOD = "検証の方法"
LABEL_COMMITTEE = "委員（分野別）"
LABEL_AS_OF = "集計の基準日"
LABEL_DATE = "検証日"
LABEL_EFFECT = "事業効果"
LABEL_POLICY = "今後の方針"
LABEL_OPINION = "外部有識者からの意見"
LABEL_SUGGESTION = "saisei の提案（事業効果）"
ANSWER_LABELS = (LABEL_DATE, LABEL_EFFECT, LABEL_POLICY, LABEL_OPINION)
KPI_HEADER = (
    "指標",
    "単位",
    "基準値",
    "目標値（増加分）",
    "実績値（団体）",
    "実績値（計画全体）",
    "達成率",
    "到達水準",
    "評価",
)
