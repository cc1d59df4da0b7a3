"""The plan as data: KPIs with their yearly targets, fiscal years, bodies and committees.

A plan is parsed from a mapping (the TOML file's contents); reading the file is the
caller's business (:func:`saisei.load_plan`).  Parsing checks what a plan must satisfy
and raises :class:`PlanError` with every problem at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .codes import is_valid_code
from .values import normalize_text
from .verdict import VerdictScale

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
    verdict: VerdictScale = field(default_factory=VerdictScale)

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


#: Counts in a plan (baselines, targets) stay below this: what a cell may hold (values.MAX_COUNT)
#: and far inside Int64, so a total of them never overflows.
MAX_PLAN_COUNT = 10**12
_MISSING: Any = object()
#: An Excel drop-down list written in its validation: at most this many characters.
EXCEL_LIST_LIMIT = 255


class _Problems:
    """Problems of a plan file, each at its key (``bodies[2].verification_month``)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, where: str, message: str) -> None:
        self.items.append((where, message))

    def table(self, value: Any, where: str) -> Mapping[str, Any]:
        if isinstance(value, Mapping):
            return value
        self.add(where, f"表（テーブル）が必要です（{_shown(value)} と書かれています）")
        return {}

    def tables(self, value: Any, where: str) -> list[Mapping[str, Any]]:
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.add(where, f"[[{where}]] の並びが必要です（{_shown(value)} と書かれています）")
            return []
        return [self.table(v, f"{where}[{i}]") for i, v in enumerate(value)]

    def text(self, raw: Mapping[str, Any], key: str, where: str, default: Any = _MISSING) -> str | None:
        value = raw.get(key, default)
        if value is _MISSING:
            self.add(f"{where}.{key}", "必須の項目がありません")
            return None
        if value is None or isinstance(value, str):
            return value
        self.add(f"{where}.{key}", f'文字列が必要です（{_shown(value)} と書かれています。"…" で囲んでください）')
        return None

    def texts(self, raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...] | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        self.add(f"{where}.{key}", f"文字列の並びが必要です（{_shown(value)} と書かれています）")
        return None

    def count(
        self, value: Any, where: str, *, minimum: int = 0, maximum: int = MAX_PLAN_COUNT, what: str = "整数"
    ) -> int | None:
        if value is _MISSING:
            self.add(where, "必須の項目がありません")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(where, f"{what}が必要です（{_shown(value)} と書かれています）")
            return None
        if not minimum <= value <= maximum:
            self.add(where, f"{what} {value} は {minimum}〜{maximum:,} の範囲にありません")
            return None
        return value

    def rate(self, raw: Mapping[str, Any], key: str, where: str, default: float) -> float:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 10:
            self.add(f"{where}.{key}", f"0より大きく10以下の数が必要です（{_shown(value)} と書かれています）")
            return default
        return float(value)

    def date(self, raw: Mapping[str, Any], key: str, where: str) -> dt.date | None:
        value = raw.get(key)
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        self.add(f"{where}.{key}", f"日付（2024-04-01 の形、引用符なし）が必要です（{_shown(value)} と書かれています）")
        return None


def _shown(value: Any) -> str:
    """A value as the plan file's author wrote it, short."""
    if value is _MISSING:
        return "何も"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = f'"{value}"'
    elif isinstance(value, Mapping):
        text = "表"
    elif isinstance(value, list):
        text = "並び"
    else:
        text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def parse_plan(data: Mapping[str, Any], text: str | None = None) -> Plan:
    """Build a :class:`Plan` from a TOML document's contents, checking it whole.

    Every value must have its type as written in TOML: a count is an integer (not
    ``16.9``, ``true`` or ``"16"``), a name a string, a date a TOML date.  Raises
    :class:`PlanError` listing every problem, each at its key, and at its line when
    the document's ``text`` is given.
    """
    problems = _Problems()
    plan = _parse(data, problems)
    if problems.items or plan is None:
        lines = []
        for where, message in problems.items:
            line = locate(text, where) if text is not None else None
            at = f"{where}（{line}行目）" if line else where
            lines.append(f"- {at}: {message}")
        raise PlanError("計画ファイルに問題があります:\n" + "\n".join(lines))
    return plan


def _parse(data: Mapping[str, Any], problems: _Problems) -> Plan | None:
    meta = problems.table(data.get("plan", {}), "plan")
    raw_years = meta.get("fiscal_years", _MISSING)
    years: tuple[int, ...] = ()
    years_known = False  # when they are not, the targets' years are not checked against them
    if not isinstance(raw_years, list) or not raw_years:
        problems.add("plan.fiscal_years", f"年度の並びが必要です（{_shown(raw_years)} と書かれています）")
    else:
        bad = [y for y in raw_years if isinstance(y, bool) or not isinstance(y, int) or not 1900 <= y <= 2200]
        if bad:
            shown = "、".join(_shown(y) for y in bad)
            problems.add(
                "plan.fiscal_years", f"年度（2024 のように引用符なしの整数）が必要です（{shown} と書かれています）"
            )
        else:
            years, years_known = tuple(raw_years), True
            if list(years) != sorted(set(years)):
                problems.add("plan.fiscal_years", "昇順で重複のない年度の並びが必要です")

    kpis = [
        k
        for i, raw in enumerate(problems.tables(data.get("kpis", _MISSING), "kpis"))
        if (k := _kpi(raw, f"kpis[{i}]", years if years_known else None, problems))
    ]
    numbers = [k.number for k in kpis]
    if len(set(numbers)) != len(numbers):
        problems.add("kpis", f"KPIの番号が重複しています（{sorted(numbers)}）")
    if not data.get("kpis"):
        problems.add("kpis", "KPIがありません（[[kpis]] が必要です）")

    body_tables = problems.tables(data.get("bodies", _MISSING), "bodies")
    bodies = [b for i, raw in enumerate(body_tables) if (b := _body(raw, f"bodies[{i}]", problems))]
    codes = [b.code for b in bodies]
    # A body with a problem of its own (a month of 9.7) is still the body its code names:
    # the references to it are not problems too.
    named = [raw["code"] for raw in body_tables if isinstance(raw.get("code"), str)]
    if duplicated := sorted({c for c in codes if codes.count(c) > 1}):
        problems.add("bodies", f"団体コードが重複しています（{', '.join(duplicated)}）")
    if not data.get("bodies"):
        problems.add("bodies", "団体がありません（[[bodies]] が必要です）")
    lead = problems.text(meta, "lead_body", "plan", default=codes[0] if codes else "")
    if lead is not None and named and lead not in named:
        problems.add("plan.lead_body", f"{lead!r} は bodies にありません")
    for i, kpi in enumerate(kpis):
        for code in kpi.reported_by or ():
            if code not in named:
                problems.add(f"kpis[{i}].reported_by", f"{code!r} は bodies にありません")

    rating_raw = problems.table(data.get("rating", {}), "rating")
    rating = RatingScale(
        achieved=problems.rate(rating_raw, "achieved", "rating", 1.0),
        on_track=problems.rate(rating_raw, "on_track", "rating", 0.8),
    )
    if rating.on_track > rating.achieved:
        problems.add("rating.on_track", f"on_track（{rating.on_track}）が achieved（{rating.achieved}）を超えています")
    verdict = _verdict(problems.table(data.get("verdict", {}), "verdict"), problems)
    total_cost = meta.get("total_cost_thousand_yen")
    if total_cost is not None:
        total_cost = problems.count(total_cost, "plan.total_cost_thousand_yen")
    strings = {key: problems.text(meta, key, "plan", default="") for key in ("name", "area", "project", "project_type")}
    period = (problems.date(meta, "period_start", "plan"), problems.date(meta, "period_end", "plan"))
    if problems.items or lead is None:
        return None
    return Plan(
        name=strings["name"] or "",
        fiscal_years=years,
        kpis=tuple(sorted(kpis, key=lambda k: k.number)),
        bodies=tuple(sorted(bodies, key=lambda b: b.code)),
        lead_body=lead,
        area=strings["area"] or "",
        project=strings["project"] or "",
        project_type=strings["project_type"] or "",
        period_start=period[0],
        period_end=period[1],
        total_cost_thousand_yen=total_cost,
        rating=rating,
        verdict=verdict,
    )


def _verdict(raw: Mapping[str, Any], problems: _Problems) -> VerdictScale:
    """The ``[verdict]`` table: the 事業効果 wordings (four, best first), the 今後の方針
    options, the suggestion's thresholds and the meeting window (months either side)."""
    default = VerdictScale()
    wordings: dict[str, tuple[str, ...]] = {}
    for key, count in (("effects", 4), ("policies", 0)):
        value = raw.get(key)
        if value is None:
            wordings[key] = getattr(default, key)
            continue
        texts = problems.texts(raw, key, "verdict")
        if texts is None:
            wordings[key] = getattr(default, key)
        elif (count and len(texts) != count) or not texts:
            problems.add(f"verdict.{key}", f"{count or '1つ以上'}個の文字列が必要です（{len(texts)}個あります）")
            wordings[key] = getattr(default, key)
        elif len({normalize_text(t) for t in texts}) != len(texts) or any(not t.strip() for t in texts):
            problems.add(f"verdict.{key}", "空でなく重複のない文字列の並びが必要です")
            wordings[key] = getattr(default, key)
        elif any("," in t or '"' in t for t in texts) or len(",".join(texts)) > EXCEL_LIST_LIMIT:
            # the review sheet's drop-down list holds them as one comma-separated text
            problems.add(
                f"verdict.{key}",
                f'Excel のドロップダウンに入るよう、半角の , と " を使わず合わせて{EXCEL_LIST_LIMIT}文字以内にしてください',
            )
            wordings[key] = getattr(default, key)
        else:
            wordings[key] = texts
    achieved = problems.rate(raw, "achieved", "verdict", default.achieved)
    on_track = problems.rate(raw, "on_track", "verdict", default.on_track)
    if on_track > achieved:
        problems.add("verdict.on_track", f"on_track（{on_track}）が achieved（{achieved}）を超えています")
    window = problems.count(
        raw.get("window_months", default.window_months), "verdict.window_months", maximum=6, what="月数（0〜6の整数）"
    )
    unknown = sorted(set(raw) - {"effects", "policies", "achieved", "on_track", "window_months"})
    if unknown:
        problems.add("verdict", f"不明な項目 {unknown}（effects, policies, achieved, on_track, window_months）")
    return VerdictScale(
        effects=wordings["effects"],
        policies=wordings["policies"],
        achieved=achieved,
        on_track=on_track,
        window_months=default.window_months if window is None else window,
    )


def _kpi(raw: Mapping[str, Any], where: str, years: tuple[int, ...] | None, problems: _Problems) -> KPI | None:
    """A ``[[kpis]]`` table; its targets' years are checked against ``years`` unless the
    plan's years could not be read (``None``: that problem is said once, at them)."""
    before = len(problems.items)
    number = problems.count(raw.get("number", _MISSING), f"{where}.number", minimum=1, maximum=99)
    name = problems.text(raw, "name", where)
    short_name = problems.text(raw, "short_name", where, default=name)
    unit = problems.text(raw, "unit", where, default="")
    baseline = problems.count(raw.get("baseline", 0), f"{where}.baseline")
    targets: dict[int, int] = {}
    for key, value in problems.table(raw.get("targets", {}), f"{where}.targets").items():
        if not (key.isascii() and key.isdigit()) or (years is not None and int(key) not in years):
            problems.add(f"{where}.targets.{key}", "計画期間（plan.fiscal_years）の年度ではありません")
            continue
        if (target := problems.count(value, f"{where}.targets.{key}")) is not None:
            targets[int(key)] = target
    aliases = problems.texts(raw, "aliases", where)
    reported_by = problems.texts(raw, "reported_by", where)
    if len(problems.items) > before or number is None or name is None:
        return None
    return KPI(
        number=number,
        name=name,
        short_name=short_name or name,
        unit=unit or "",
        baseline=baseline or 0,
        targets=targets,
        aliases=aliases or (),
        reported_by=reported_by,
    )


def _body(raw: Mapping[str, Any], where: str, problems: _Problems) -> Body | None:
    before = len(problems.items)
    code = problems.text(raw, "code", where)
    name = problems.text(raw, "name", where)
    month = problems.count(
        raw.get("verification_month", _MISSING),
        f"{where}.verification_month",
        minimum=1,
        maximum=12,
        what="月（1〜12の整数）",
    )
    if code is not None and not is_valid_code(code):
        problems.add(f"{where}.code", f"団体コード {code!r} が正しくありません（6桁、検査数字つき）")
    committee_raw = dict(problems.table(raw.get("committee", {}), f"{where}.committee"))
    and_others = committee_raw.pop("and_others", False)
    if not isinstance(and_others, bool):
        problems.add(
            f"{where}.committee.and_others", f"true か false が必要です（{_shown(and_others)} と書かれています）"
        )
    if unknown := sorted(set(committee_raw) - set(SECTORS)):
        problems.add(f"{where}.committee", f"不明な区分 {unknown}（{', '.join(SECTORS)}）")
    members = {k: problems.texts(committee_raw, k, f"{where}.committee") or () for k in committee_raw if k in SECTORS}
    fields = {
        key: problems.text(raw, key, where, default="") for key in ("method", "publication", "publication_channel")
    }
    plugin = problems.text(raw, "plugin", where, default=None)
    district = problems.text(raw, "district", where, default=None)
    if len(problems.items) > before or code is None or name is None or month is None:
        return None
    return Body(
        code=code,
        name=name,
        verification_month=month,
        committee=Committee(members, bool(and_others)),
        method=fields["method"] or "",
        publication=fields["publication"] or "",
        publication_channel=fields["publication_channel"] or "",
        plugin=plugin,
        district=district,
    )


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")


def locate(text: str, where: str) -> int | None:
    """The line (1-based) of ``text`` that holds the key ``where`` (``bodies[2].verification_month``),
    or the nearest enclosing line (the key's table), or None."""
    counts: dict[str, int] = {}
    section = ""
    best: tuple[int, int] | None = None  # (length of the matched path, line)
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(line):
            brackets, name = header.groups()
            head, _, rest = name.partition(".")
            if brackets == "[[":
                counts[name] = counts.get(name, 0) + 1
                section = f"{name}[{counts[name] - 1}]"
            elif head in counts:
                section = f"{head}[{counts[head] - 1}].{rest}"
            else:
                section = name
            path = section
        elif key := _KEY.match(line):
            dotted = ".".join(part.strip() for part in key.group(1).split("."))
            path = f"{section}.{dotted}" if section else dotted
        else:
            continue
        if (where == path or where.startswith(path + ".") or where.startswith(path + "[")) and (
            best is None or len(path) > best[0]
        ):
            best = (len(path), number)
    return best[1] if best else None
