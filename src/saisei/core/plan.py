"""The plan as data: KPIs with their yearly targets, fiscal years, bodies and committees.

A plan is parsed from a mapping (the TOML file's contents); reading the file is the
caller's business (:func:`saisei.load_plan`).  Parsing checks what a plan must satisfy
and raises :class:`PlanError` with every problem at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .codes import is_valid_code
from .values import normalize_text

__all__ = [
    "KPI",
    "SECTORS",
    "Body",
    "Committee",
    "Plan",
    "PlanError",
    "RatingScale",
    "parse_plan",
]

#: Committee sectors in the order the plan names them (産学官金労言士), then others.
SECTORS: dict[str, str] = {
    "industry": "産",
    "academia": "学",
    "government": "官",
    "finance": "金",
    "labour": "労",
    "press": "言",
    "professional": "士",
    "other": "その他",
}

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


class PlanError(ValueError):
    """A plan file that does not describe a usable plan."""


@dataclass(frozen=True)
class KPI:
    number: int
    name: str
    short_name: str
    unit: str
    baseline: int
    targets: Mapping[int, int]  # fiscal year → target increase (増加分)
    aliases: tuple[str, ...] = ()
    reported_by: tuple[str, ...] | None = None  # None: every body

    @property
    def label(self) -> str:
        """``KPI①``."""
        return f"KPI{CIRCLED[self.number - 1]}" if self.number <= len(CIRCLED) else f"KPI{self.number}"

    def target(self, fiscal_year: int) -> int | None:
        return self.targets.get(fiscal_year)

    @property
    def cumulative_target(self) -> int:
        """The plan's 累計 column: the sum of the yearly increases."""
        return sum(self.targets.values())

    def is_reported_by(self, code: str) -> bool:
        return self.reported_by is None or code in self.reported_by

    def matches(self, text: str) -> bool:
        """True when ``text`` is this KPI's name or one of its aliases (after NFKC)."""
        wanted = normalize_text(text)
        return any(normalize_text(n) == wanted for n in (self.name, self.short_name, *self.aliases))


@dataclass(frozen=True)
class Committee:
    """The external verification committee (産学官金労言士), members by sector."""

    members: Mapping[str, tuple[str, ...]]
    and_others: bool = False  # the plan's list ends with ほか

    def sectors(self) -> tuple[str, ...]:
        return tuple(s for s in SECTORS if self.members.get(s))

    def covers(self, sector: str) -> bool:
        return bool(self.members.get(sector))


@dataclass(frozen=True)
class Body:
    """A body (団体) of the plan."""

    code: str
    name: str
    verification_month: int
    committee: Committee
    method: str = ""
    publication: str = ""
    publication_channel: str = ""
    plugin: str | None = None  # None: sends the standard form
    district: str | None = None

    @property
    def display_name(self) -> str:
        return self.name


@dataclass(frozen=True)
class RatingScale:
    """山形県's rating of a KPI's progress, by achievement rate.

    ``achieved`` and ``on_track`` are thresholds on actual ÷ target increase.
    """

    achieved: float = 1.0
    on_track: float = 0.8

    LABELS = ("指標値を達成", "おおむね順調", "さらなる取り組みが必要", "策定時を下回る")

    def rate(self, achievement: float | None, level: float | None, baseline: float) -> str | None:
        if achievement is None:
            return None
        if level is not None and level < baseline:
            return self.LABELS[3]
        if achievement >= self.achieved:
            return self.LABELS[0]
        if achievement >= self.on_track:
            return self.LABELS[1]
        return self.LABELS[2]


@dataclass(frozen=True)
class Plan:
    name: str
    fiscal_years: tuple[int, ...]
    kpis: tuple[KPI, ...]
    bodies: tuple[Body, ...]
    lead_body: str
    area: str = ""
    project: str = ""
    project_type: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    total_cost_thousand_yen: int | None = None
    rating: RatingScale = field(default_factory=RatingScale)

    def body(self, code: str) -> Body | None:
        return self._bodies_by_code.get(code)

    @cached_property
    def _bodies_by_code(self) -> dict[str, Body]:
        # A national plan has 1,741 bodies and every row of every form asks: a dict, not a scan.
        return {b.code: b for b in self.bodies}

    def body_named(self, name: str) -> Body | None:
        wanted = normalize_text(name)
        return next((b for b in self.bodies if normalize_text(b.name) == wanted), None)

    def kpi(self, number: int) -> KPI | None:
        return next((k for k in self.kpis if k.number == number), None)

    def kpi_named(self, text: str) -> KPI | None:
        return next((k for k in self.kpis if k.matches(text)), None)

    def kpis_for(self, code: str) -> tuple[KPI, ...]:
        return tuple(k for k in self.kpis if k.is_reported_by(code))

    def has_year(self, fiscal_year: int) -> bool:
        return fiscal_year in self.fiscal_years

    def year_problem(self, fiscal_year: int, *, what: str = "年度", shown: str | None = None) -> str | None:
        """Why ``fiscal_year`` cannot be used (outside the plan's years), or None.

        :param what: the field's name in the message (``年度``, ``実施日``)
        :param shown: the value as the clerk typed it, when it differs from the year
        """
        if self.has_year(fiscal_year):
            return None
        typed = f'"{shown}"（{fiscal_year}年度）' if shown is not None else f"{fiscal_year}年度"
        return f"{what} {typed}は計画期間（{self.years_text}）の外です"

    @property
    def years_text(self) -> str:
        return f"{self.fiscal_years[0]}〜{self.fiscal_years[-1]}年度"


def _tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value or ())


def parse_plan(data: Mapping[str, Any]) -> Plan:
    """Build a :class:`Plan` from a TOML document's contents, checking it whole."""
    problems: list[str] = []
    meta = data.get("plan", {})
    years = tuple(int(y) for y in meta.get("fiscal_years", ()))
    if not years or list(years) != sorted(set(years)):
        problems.append("plan.fiscal_years: 昇順の年度の並びが必要です")

    kpis: list[KPI] = []
    for i, raw in enumerate(data.get("kpis", ())):
        where = f"kpis[{i}]"
        try:
            targets = {int(k): int(v) for k, v in dict(raw.get("targets", {})).items()}
            kpi = KPI(
                number=int(raw["number"]),
                name=str(raw["name"]),
                short_name=str(raw.get("short_name", raw["name"])),
                unit=str(raw.get("unit", "")),
                baseline=int(raw.get("baseline", 0)),
                targets=targets,
                aliases=_tuple(raw.get("aliases")),
                reported_by=_tuple(raw["reported_by"]) if "reported_by" in raw else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{where}: {exc!r}")
            continue
        if set(targets) - set(years):
            problems.append(f"{where}: 計画期間外の年度の目標 {sorted(set(targets) - set(years))}")
        kpis.append(kpi)
    numbers = [k.number for k in kpis]
    if len(set(numbers)) != len(numbers) or not kpis:
        problems.append("kpis: KPIの番号が重複しているか、KPIがありません")

    bodies: list[Body] = []
    sector_names = set(SECTORS)
    for i, raw in enumerate(data.get("bodies", ())):
        where = f"bodies[{i}]"
        try:
            committee_raw = dict(raw.get("committee", {}))
            and_others = bool(committee_raw.pop("and_others", False))
            unknown = set(committee_raw) - sector_names
            if unknown:
                problems.append(f"{where}.committee: 不明な区分 {sorted(unknown)}（{', '.join(SECTORS)}）")
            body = Body(
                code=str(raw["code"]),
                name=str(raw["name"]),
                verification_month=int(raw["verification_month"]),
                committee=Committee(
                    {k: _tuple(v) for k, v in committee_raw.items() if k in sector_names},
                    and_others,
                ),
                method=str(raw.get("method", "")),
                publication=str(raw.get("publication", "")),
                publication_channel=str(raw.get("publication_channel", "")),
                plugin=raw.get("plugin"),
                district=raw.get("district"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{where}: {exc!r}")
            continue
        if not is_valid_code(body.code):
            problems.append(f"{where}: 団体コード {body.code!r} が正しくありません（6桁、検査数字つき）")
        if not 1 <= body.verification_month <= 12:
            problems.append(f"{where}: 検証時期 {body.verification_month} は1〜12の月ではありません")
        bodies.append(body)
    codes = [b.code for b in bodies]
    if len(set(codes)) != len(codes) or not bodies:
        problems.append("bodies: 団体コードが重複しているか、団体がありません")
    lead = str(meta.get("lead_body", codes[0] if codes else ""))
    if lead not in codes:
        problems.append(f"plan.lead_body: {lead!r} は bodies にありません")
    for kpi in kpis:
        for code in kpi.reported_by or ():
            if code not in codes:
                problems.append(f"KPI{kpi.number}.reported_by: {code!r} は bodies にありません")

    rating_raw = data.get("rating", {})
    rating = RatingScale(
        achieved=float(rating_raw.get("achieved", 1.0)),
        on_track=float(rating_raw.get("on_track", 0.8)),
    )
    if problems:
        raise PlanError("計画ファイルに問題があります:\n" + "\n".join(f"- {p}" for p in problems))
    return Plan(
        name=str(meta.get("name", "")),
        fiscal_years=years,
        kpis=tuple(sorted(kpis, key=lambda k: k.number)),
        bodies=tuple(sorted(bodies, key=lambda b: b.code)),
        lead_body=lead,
        area=str(meta.get("area", "")),
        project=str(meta.get("project", "")),
        project_type=str(meta.get("project_type", "")),
        period_start=meta.get("period_start"),
        period_end=meta.get("period_end"),
        total_cost_thousand_yen=meta.get("total_cost_thousand_yen"),
        rating=rating,
    )
