"""Synthetic inputs at scale, each with the values a correct reading must give.

* :func:`make_national` — a plan of 1,741 bodies on the standard form (標準様式), one
  workbook per body with three fiscal years, every spelling the form allows;
* :func:`make_copies` — renamed copies of the sample workbooks (``examples/fy2024``);
* :func:`make_ledger` — a 酒田市 実績一覧 with many events, dates and counts in every
  spelling the form allows, a 合計 row and the city's own 集計 sheet (cached SUMIFS values
  that skip text rows, as Excel's do).

Generation is deterministic for a seed.  The expected values are written beside the
inputs (``expected.csv``: entity_code, fiscal_year, kpi, value, status) so the runner can
check that what it timed was also right.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from saisei.core.codes import check_digit
from saisei.core.fiscal import fiscal_year_of

from .xlsx import Formula, Sheet, write_workbook

__all__ = [
    "EXAMPLES",
    "PREFECTURES",
    "Expected",
    "make_copies",
    "make_ledger",
    "make_national",
    "national_codes",
    "read_expected",
]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "fy2024"
SAMPLE_EXPECTED = ROOT / "tests" / "data" / "expected_fy2024.json"

PREFECTURES = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
]

KPI_NAMES = (
    ("事業により関係人口を受け入れる体制が整った地域・団体等数", "受入体制整備数", "地域・団体等", 0),
    ("事業により創出した関係人口数", "関係人口数", "人", 0),
    ("事業により創出した交流人口数", "交流人口数", "人", 0),
    ("UIJターン者数（移住相談窓口を通じて移住した人数）", "UIJターン者数", "人", 100),
)
YEARS = (2024, 2025, 2026)
SECTOR_SAMPLES = (("academia", "地元大学"), ("industry", "商工会"), ("finance", "地元金融機関"), ("other", "住民代表"))


@dataclass(frozen=True)
class Expected:
    """What a correct reading of a case gives."""

    values: list[dict[str, Any]]  # entity_code, fiscal_year, kpi, value, status
    fiscal_year_under_review: int | None = None

    def write(self, path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["entity_code", "fiscal_year", "kpi", "value", "status"])
            for v in self.values:
                writer.writerow([v["entity_code"], v["fiscal_year"], v["kpi"], v["value"], v["status"]])


def read_expected(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [
            {
                "entity_code": r["entity_code"],
                "fiscal_year": int(r["fiscal_year"]),
                "kpi": int(r["kpi"]),
                "value": int(r["value"]),
                "status": r["status"],
            }
            for r in csv.DictReader(f)
        ]


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# -- (a) the national case -------------------------------------------------------------


def national_codes(count: int = 1741) -> list[tuple[str, str]]:
    """``count`` distinct (code, name) pairs: valid 6-digit 団体コード, spread over the 47
    prefectures as municipalities are (a prefecture ``pp``'s bodies are ``pp201``…)."""
    out: list[tuple[str, str]] = []
    per, extra = divmod(count, len(PREFECTURES))
    for p, prefecture in enumerate(PREFECTURES, start=1):
        for k in range(per + (1 if p <= extra else 0)):
            five = f"{p:02d}{201 + k:03d}"
            out.append((five + check_digit(five), f"{prefecture}合成{k + 1:02d}市"))
    return out


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def national_plan_toml(bodies: list[tuple[str, str]], months: list[int], targets: dict[int, dict[int, int]]) -> str:
    lines = [
        "# A synthetic national plan: every body sends the standard form (標準様式).",
        "[plan]",
        'name = "全国合成計画（ベンチマーク用）"',
        'area = "全国"',
        f"fiscal_years = [{', '.join(map(str, YEARS))}]",
        f"lead_body = {_toml(bodies[0][0])}",
        "",
    ]
    for number, (name, short, unit, baseline) in enumerate(KPI_NAMES, start=1):
        years = ", ".join(f"{y} = {targets[number][y]}" for y in YEARS)
        lines += [
            "[[kpis]]",
            f"number = {number}",
            f"name = {_toml(name)}",
            f"short_name = {_toml(short)}",
            f"unit = {_toml(unit)}",
            f"baseline = {baseline}",
            f"targets = {{ {years} }}",
            "",
        ]
    for (code, name), month in zip(bodies, months, strict=True):
        sector, member = SECTOR_SAMPLES[int(code[:5]) % len(SECTOR_SAMPLES)]
        lines += [
            "[[bodies]]",
            f"code = {_toml(code)}",
            f"name = {_toml(name)}",
            f"verification_month = {month}",
            f'publication_channel = "{name}ホームページ"',
            "[bodies.committee]",
            f"{sector} = [{_toml(name + member)}]",
            "",
        ]
    return "\n".join(lines)


_VALUE_RANGE = {1: (0, 6), 2: (0, 60), 3: (0, 4000), 4: (0, 40)}


def _spell_year(rng: random.Random, year: int) -> Any:
    r = year - 2018
    return rng.choice([float(year), f"{year}年度", f"令和{r}年度", f"R{r}", _fullwidth(f"R{r}"), str(year)])


def _spell_kpi(rng: random.Random, kpi: int) -> Any:
    circled = "①②③④"[kpi - 1]
    return rng.choice([f"KPI{circled}", f"KPI{kpi}", circled, float(kpi), _fullwidth(f"KPI{kpi}")])


def _spell_count(rng: random.Random, value: int) -> Any:
    roll = rng.random()
    if roll < 0.6:
        return float(value)
    if roll < 0.75 and value >= 1000:
        return f"{value:,}"
    if roll < 0.9:
        return _fullwidth(str(value))
    return str(value)


def _spell_code(rng: random.Random, code: str) -> Any:
    roll = rng.random()
    if roll < 0.7:
        return code
    if roll < 0.9:
        return float(int(code))  # Excel dropped the leading zero
    return _fullwidth(code)


def national_workbook(code: str, name: str, rng: random.Random) -> tuple[list[Sheet], list[dict[str, Any]]]:
    """One body's standard form with three fiscal years, and the values it holds."""
    rows: list[list[Any]] = [["団体コード", "団体名", "年度", "KPI", "実績値", "区分", "備考"]]
    expected = []
    for year in YEARS:
        final = year < YEARS[-1]
        for kpi in (1, 2, 3, 4):
            low, high = _VALUE_RANGE[kpi]
            value = rng.randint(low, high)
            blank = not final and rng.random() < 0.02  # not reported yet: blank, never zero
            status = "確定" if final else rng.choice(["見込み", "見込"])
            note = rng.choice([None, None, None, None, "=1+1", "前年度比増", "  "])
            rows.append(
                [
                    _spell_code(rng, code),
                    name if rng.random() < 0.9 else None,
                    _spell_year(rng, year),
                    _spell_kpi(rng, kpi),
                    None if blank else _spell_count(rng, value),
                    status,
                    note,
                ]
            )
            if not blank:
                expected.append(
                    {
                        "entity_code": code,
                        "fiscal_year": year,
                        "kpi": kpi,
                        "value": value,
                        "status": "final" if final else "provisional",
                    }
                )
    sheets = [
        Sheet("KPI実績", rows, widths={"A": 12, "B": 18, "G": 24}),
        Sheet("記入方法", [["1行に1件。年度は西暦または令和、区分は「確定」か「見込み」。"]]),
    ]
    return sheets, expected


def make_national(out: Path, *, bodies: int = 1741, seed: int = 2024) -> Expected:
    """Write ``out/plan.toml``, ``out/forms/*.xlsx`` (one per body) and ``out/expected.csv``."""
    rng = random.Random(seed)
    pairs = national_codes(bodies)
    months = [rng.choice([9, 9, 9, 6, 7, 8, 10, 11, 12, 2, 3]) for _ in pairs]
    forms = out / "forms"
    if forms.exists():
        shutil.rmtree(forms)
    forms.mkdir(parents=True)
    expected: list[dict[str, Any]] = []
    for code, name in pairs:
        sheets, values = national_workbook(code, name, rng)
        # Staff name files as they like: nothing in the name is relied on.
        write_workbook(forms / f"{code[:2]}_{name}_KPI実績.xlsx", sheets)
        expected += values
    sums: dict[int, dict[int, int]] = {k: dict.fromkeys(YEARS, 0) for k in (1, 2, 3, 4)}
    for v in expected:
        sums[v["kpi"]][v["fiscal_year"]] += v["value"]
    targets = {k: {y: max(1, round(s * 0.95)) for y, s in by_year.items()} for k, by_year in sums.items()}
    (out / "plan.toml").write_text(national_plan_toml(pairs, months, targets), encoding="utf-8")
    result = Expected(expected)
    result.write(out / "expected.csv")
    return result


# -- (b) the many-copies case ----------------------------------------------------------


def make_copies(out: Path, *, copies: int = 100, source: Path = EXAMPLES) -> Expected:
    """``copies`` renamed copies of every sample workbook, all in ``out/forms``.

    Identical figures from many files are one figure, so the consolidation must give
    exactly the samples' values (``tests/data/expected_fy2024.json``).
    """
    samples = sorted(p for p in source.glob("*.xlsx") if not p.name.startswith("~$"))
    if not samples:
        raise FileNotFoundError(f"no sample workbooks in {source}")
    forms = out / "forms"
    if forms.exists():
        shutil.rmtree(forms)
    forms.mkdir(parents=True)
    for k in range(copies):
        for i, sample in enumerate(samples):
            tag = hashlib.sha1(f"{k}/{sample.name}".encode()).hexdigest()[:8]
            # Renamed as staff rename files: the name says nothing about the form.
            shutil.copyfile(sample, forms / f"提出{k:03d}_{i}_{tag}.xlsx")
    data = json.loads(SAMPLE_EXPECTED.read_text(encoding="utf-8"))
    values = [{k: v[k] for k in ("entity_code", "fiscal_year", "kpi", "value", "status")} for v in data["values"]]
    result = Expected(values, data.get("fiscal_year_under_review"))
    result.write(out / "expected.csv")
    return result


# -- (c) the 酒田市 ledger -------------------------------------------------------------

SAKATA = "062049"
KUBUN = {"受入体制": 1, "関係人口": 2, "交流人口": 3}
UNIT = {1: "団体", 2: "人", 3: "人"}
EVENTS = (
    "首都圏企業マッチング説明会",
    "地域課題ワークショップ",
    "酒田港まつり交流ツアー",
    "副業人材受入（DX支援）",
    "学会誘致（東北地区大会）",
    "地域運営組織設立支援",
    "子育て世帯お試し滞在",
    "関係人口交流会",
    "地域おこし体験ツアー",
    "集落支援団体登録",
)
_COUNT_RANGE = {1: (0, 3), 2: (1, 25), 3: (10, 2500)}


def _reiwa(day: dt.date) -> int:
    return day.year - 2018


def _spell_date(rng: random.Random, day: dt.date) -> tuple[Any, bool]:
    """A spelling of ``day`` the form allows, and whether it is text."""
    roll = rng.random()
    if roll < 0.7:
        return day, False
    r = _reiwa(day)
    choices = [
        f"R{r}.{day.month}.{day.day}",
        f"令和{r}年{day.month}月{day.day}日",
        f"{day.year}/{day.month:02d}/{day.day:02d}",
        f"{day.year}/{day.month}/{day.day}",
        _fullwidth(f"R{r}.{day.month}.{day.day}"),
        f"令和{_fullwidth(str(r))}年{_fullwidth(str(day.month))}月{_fullwidth(str(day.day))}日",
    ]
    weights = [30, 30, 20, 10, 5, 5]
    return rng.choices(choices, weights)[0], True


def _spell_ledger_count(rng: random.Random, value: int, kpi: int) -> tuple[Any, bool]:
    roll = rng.random()
    if roll < 0.7:
        return float(value), False
    unit = UNIT[kpi]
    choices = [str(value), _fullwidth(str(value)), f"{value}{unit}", f"{_fullwidth(str(value))}{unit}"]
    if value >= 1000:
        choices += [f"{value:,}", f"{value:,}{unit}", _fullwidth(f"{value:,}")]
    return rng.choice(choices), True


def ledger_rows(rows: int, *, seed: int, as_of: dt.date) -> Iterator[tuple[Any, ...]]:
    """(番号, 実施日, 事業名, 指標区分, 件数, 備考, day, kpi, value, text_date, text_count)."""
    rng = random.Random(seed)
    first = dt.date(2024, 4, 1)
    span = (as_of - first).days
    for n in range(1, rows + 1):
        day = first + dt.timedelta(days=rng.randrange(span + 1))
        kubun = rng.choice(("受入体制", "関係人口", "関係人口", "交流人口", "交流人口", "交流人口"))
        kpi = KUBUN[kubun]
        low, high = _COUNT_RANGE[kpi]
        spelled_day, text_day = _spell_date(rng, day)
        if rng.random() < 0.02:  # a cancelled event: blank count, 中止 in 備考, counts 0
            yield n, spelled_day, rng.choice(EVENTS), kubun, None, "中止（荒天のため）", day, kpi, 0, text_day, True
            continue
        value = rng.randint(low, high)
        count, text_count = _spell_ledger_count(rng, value, kpi)
        note = rng.choice((None, None, None, None, "オンライン併用", "共催"))
        yield n, spelled_day, rng.choice(EVENTS), kubun, count, note, day, kpi, value, text_day, text_count


def make_ledger(
    out: Path, *, rows: int = 100_000, seed: int = 62049, as_of: dt.date = dt.date(2026, 8, 20)
) -> Expected:
    """Write ``out/forms/酒田市_実績一覧.xlsx`` with ``rows`` events and ``out/expected.csv``."""
    header_rows: list[list[Any]] = [
        ["地域再生計画関連事業 実績一覧（酒田市）"],
        [f"令和{_reiwa(as_of)}年{as_of.month}月{as_of.day}日現在"],
        ["番号", "実施日", "事業名", "指標区分", "件数", "備考"],
    ]
    body: list[list[Any]] = []
    totals: dict[tuple[int, int], int] = {}
    pivot: dict[tuple[int, int], int] = {}  # what Excel's SUMIFS caches: numbers with real dates only
    numeric_sum = 0
    for n, spelled_day, event, kubun, count, note, day, kpi, value, text_day, text_count in ledger_rows(
        rows, seed=seed, as_of=as_of
    ):
        body.append([float(n), spelled_day, event, kubun, count, note])
        year = fiscal_year_of(day)
        totals[(year, kpi)] = totals.get((year, kpi), 0) + value
        if not text_count and count is not None:
            numeric_sum += value
            if not text_day:
                pivot[(year, kpi)] = pivot.get((year, kpi), 0) + value
    last = 3 + len(body)
    body.append([None, None, "合計", None, Formula(f"SUM(E4:E{last})", numeric_sum), None])
    years = sorted({y for y, _ in totals})
    pivot_rows: list[list[Any]] = [["指標区分", *(f"令和{y - 2018}年度" for y in years)]]
    for kubun, kpi in KUBUN.items():
        line: list[Any] = [kubun]
        for y in years:
            formula = (
                f"SUMIFS(実績一覧!$E$4:$E${last},実績一覧!$D$4:$D${last},$A{len(pivot_rows) + 1},"
                f'実績一覧!$B$4:$B${last},">="&DATE({y},4,1),実績一覧!$B$4:$B${last},"<="&DATE({y + 1},3,31))'
            )
            line.append(Formula(formula, pivot.get((y, kpi), 0)))
        pivot_rows.append(line)
    forms = out / "forms"
    if forms.exists():
        shutil.rmtree(forms)
    forms.mkdir(parents=True)
    write_workbook(
        forms / "酒田市_実績一覧.xlsx",
        [
            Sheet("実績一覧", header_rows + body, widths={"B": 12, "C": 28, "F": 20}),
            Sheet("集計", pivot_rows),
        ],
    )
    ended = fiscal_year_of(as_of)
    values = [
        {
            "entity_code": SAKATA,
            "fiscal_year": y,
            "kpi": k,
            "value": v,
            "status": "final" if y < ended else "provisional",
        }
        for (y, k), v in sorted(totals.items())
    ]
    result = Expected(values)
    result.write(out / "expected.csv")
    return result
