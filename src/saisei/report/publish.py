"""Per-body publication pages: one self-contained HTML page per body of the plan.

Each page shows the body's own figures (by fiscal year and KPI, with 確定/見込み), the
plan's totals against the targets, and how the body verifies them, ready for the web page
the plan names as its publication channel.  The pages are in Japanese, carry their CSS
inline, load nothing from elsewhere, escape every text, and are the same bytes for the
same consolidation (no clock, stable order).  They are also well-formed XML, so any
XHTML tool reads them.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.cycle import next_meeting
from ..core.fiscal import fiscal_year_label, wareki_year_label
from ..core.plan import SECTORS, Body
from ..schedule import ScheduledMeeting
from . import atomic_write
from .views import body_rows, summary_rows

if TYPE_CHECKING:
    from ..results import Consolidation

__all__ = ["INDEX", "page_name", "pages", "write_pages"]

INDEX = "index.html"

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1a1a1a;
  font-family: "Hiragino Kaku Gothic ProN", "Hiragino Sans", "Yu Gothic", "Meiryo", "Noto Sans CJK JP", sans-serif;
  line-height: 1.6; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 2rem; }
h1 { font-size: 1.5rem; margin: 0.2rem 0 0.4rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 0.5rem; padding-left: 0.5rem; border-left: 0.3rem solid #2f5597; }
.kicker { margin: 0; color: #555; font-size: 0.9em; }
.plan { margin: 0 0 0.8rem; }
.draft { border: 2px solid #c00000; background: #fce4e4; color: #c00000; font-weight: bold;
  padding: 0.5rem 0.8rem; margin: 0 0 1rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.5rem 0 1rem; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.3rem 0; font-size: 0.92em; }
caption { text-align: left; font-weight: bold; padding: 0.2rem 0; }
th, td { border: 1px solid #999; padding: 0.25rem 0.45rem; vertical-align: top; }
thead th { background: #ddebf7; text-align: center; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.blank { text-align: center; color: #777; }
th[scope="row"] { white-space: nowrap; }
th.kpi { text-align: left; font-weight: normal; background: #f6f9fc; }
td.year, td.status, td.provisional, td.missing { white-space: nowrap; }
.provisional { color: #9c5700; font-weight: bold; }
.missing { color: #c00000; }
.note { font-size: 0.85em; color: #444; }
footer { margin-top: 2rem; border-top: 1px solid #bbb; padding-top: 0.5rem; font-size: 0.85em; color: #444; }
@media print {
  @page { size: A4; margin: 10mm 12mm; }
  body { font-size: 8.5pt; line-height: 1.35; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 14pt; } h2 { font-size: 11pt; margin: 0.8rem 0 0.3rem; }
  table { font-size: 8pt; margin: 0.2rem 0; } th, td { padding: 0.05rem 0.35rem; }
  footer { margin-top: 0.8rem; }
}
""".strip()


def _e(value: Any) -> str:
    """Escape any text for HTML (and XML): ``& < > " '``."""
    return escape(str(value), quote=True)


def _num(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _rate(value: float | None) -> str:
    """A percentage to one decimal, rounded half up as a spreadsheet shows it (106.25 → 106.3%)."""
    if value is None:
        return "—"
    percent = Decimal(repr(value)) * 100
    return f"{percent.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def page_name(body: Body) -> str:
    """The file name of a body's page: its 団体コード (``062031.html``)."""
    return f"{body.code}.html"


def _head(title: str) -> list[str]:
    return [
        "<!DOCTYPE html>",
        '<html lang="ja">',
        "<head>",
        '<meta charset="utf-8" />',
        '<meta name="viewport" content="width=device-width, initial-scale=1" />',
        '<meta name="generator" content="saisei" />',
        f"<title>{_e(title)}</title>",
        f"<style>\n{CSS}\n</style>",
        "</head>",
        "<body>",
        "<main>",
    ]


def _draft(result: Consolidation) -> list[str]:
    if not result.has_errors:
        return []
    return [
        '<p class="draft" role="alert">暫定版: 集計に確認中の事項があります'
        f"（エラー {len(result.errors)} 件）。数値は今後変わることがあります。</p>"
    ]


def _footer(result: Consolidation) -> list[str]:
    return [
        "<footer>",
        f"<p>この資料は、計画の各団体が提出した実績の様式を集計したものです（集計の基準日: {_e(_date(result.as_of))}）。"
        "目標・実績は各年度の増加分です。見込み＝年度が終わる前の見込み値で、確定値が届くと置き換わります。</p>",
        "</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]


def _kpi_cell(label_html: str, rows: int) -> str:
    """The KPI's name (already escaped), once for its years: a row group."""
    span = f' rowspan="{rows}"' if rows > 1 else ""
    return f'<th scope="rowgroup"{span} class="kpi">{label_html}</th>'


def _body_table(result: Consolidation, body: Body) -> list[str]:
    rows = sorted((r for r in body_rows(result) if r[0] == body.code), key=lambda r: (r[3], r[2]))
    out = [
        "<table>",
        f"<caption>{_e(body.name)}の実績（各年度の増加分）</caption>",
        "<thead><tr>"
        '<th scope="col">指標</th><th scope="col">年度</th><th scope="col">実績</th><th scope="col">区分</th>'
        '<th scope="col">計画全体の実績</th><th scope="col">構成比</th>'
        "</tr></thead>",
        "<tbody>",
    ]
    previous = None
    for _code, _name, year, kpi_number, _kpi_name, value, status, total, share in rows:
        kpi = result.plan.kpi(kpi_number)
        assert kpi is not None
        css = {"見込み": "provisional", "未報告": "missing"}.get(status, "status")
        first = ""
        if kpi_number != previous:
            count = sum(1 for r in rows if r[3] == kpi_number)
            first = _kpi_cell(f"{_e(kpi.label)} {_e(kpi.name)}（{_e(kpi.unit)}）", count)
            previous = kpi_number
        out.append(
            f"<tr>{first}"
            f'<td class="year">{_e(fiscal_year_label(year))}</td>'
            f'<td class="num">{_e(_num(value))}</td>'
            f'<td class="{css}">{_e(status)}</td>'
            f'<td class="num">{_e(_num(total))}</td>'
            f'<td class="num">{_e(_rate(share))}</td>'
            "</tr>"
        )
    if not rows:
        out.append('<tr><td colspan="6" class="blank">この団体が報告するKPIはありません</td></tr>')
    out += ["</tbody>", "</table>"]
    return out


def _totals_table(result: Consolidation) -> list[str]:
    out = [
        "<table>",
        f"<caption>計画全体（{len(result.plan.bodies)}団体の合計）の目標と実績</caption>",
        "<thead><tr>"
        '<th scope="col">指標</th><th scope="col">年度</th><th scope="col">目標（増加分）</th>'
        '<th scope="col">実績（増加分）</th><th scope="col">達成率</th>'
        '<th scope="col">到達水準（基準値＋累計）</th><th scope="col">評価</th>'
        "</tr></thead>",
        "<tbody>",
    ]
    rows = summary_rows(result)
    previous = None
    for s in rows:
        rating = s.rating_shown(result.fiscal_year_under_review) or "—"
        first = ""
        if s.kpi != previous:
            count = sum(1 for r in rows if r.kpi == s.kpi)
            first = _kpi_cell(f"{_e(s.label)} {_e(s.short_name)}（{_e(s.unit)}）", count)
            previous = s.kpi
        out.append(
            f"<tr>{first}"
            f'<td class="year">{_e(fiscal_year_label(s.fiscal_year))}</td>'
            f'<td class="num">{_e(_num(s.target))}</td>'
            f'<td class="num">{_e(_num(s.value))}</td>'
            f'<td class="num">{_e(_rate(s.achievement))}</td>'
            f'<td class="num">{_e(_num(s.level))}</td>'
            f'<td class="status">{_e(rating)}</td>'
            "</tr>"
        )
    out += ["</tbody>", "</table>"]
    return out


def _committee(body: Body) -> list[str]:
    sectors = body.committee.sectors()
    if not sectors:
        return []
    out = ["<table>", "<caption>委員（分野別）</caption>", "<tbody>"]
    for sector in sectors:
        members = "、".join(body.committee.members[sector])
        out.append(f'<tr><th scope="row">{_e(SECTORS[sector])}</th><td>{_e(members)}</td></tr>')
    if body.committee.and_others:
        out.append('<tr><th scope="row">ほか</th><td></td></tr>')
    out += ["</tbody>", "</table>"]
    return out


def body_page(result: Consolidation, body: Body) -> bytes:
    """The page of one body of the plan."""
    plan = result.plan
    year = result.fiscal_year_under_review
    item = ScheduledMeeting(body, next_meeting(body, result.as_of))
    title = f"{body.name} 地域再生計画 KPIの実績（{wareki_year_label(year)}）"
    lines = _head(title)
    lines += _draft(result)
    lines += [
        '<p class="kicker">地域再生計画 効果検証</p>',
        f"<h1>{_e(body.name)}の KPI の実績</h1>",
        f'<p class="plan">{_e(plan.name)}（{_e(plan.years_text)}）</p>',
        '<dl class="meta">',
        f"<dt>審査対象年度</dt><dd>{_e(fiscal_year_label(year))}</dd>",
        f"<dt>集計の基準日</dt><dd>{_e(_date(result.as_of))}</dd>",
        f"<dt>次回の効果検証</dt><dd>{_e(item.meeting.label)}"
        f"（{_e(wareki_year_label(item.reviews_fiscal_year))}分・{'見込み値' if item.on_estimates else '確定値'}）</dd>",
    ]
    if body.publication_channel:
        lines.append(f"<dt>公表先</dt><dd>{_e(body.publication_channel)}</dd>")
    lines.append("</dl>")
    lines.append(f"<h2>{_e(body.name)}の実績</h2>")
    lines += _body_table(result, body)
    lines.append(
        '<p class="note">未報告＝審査対象年度までの値が届いていないもの。構成比＝計画全体の実績に占める割合。</p>'
    )
    lines.append("<h2>計画全体の目標と実績</h2>")
    lines += _totals_table(result)
    lines.append("<h2>効果検証の体制</h2>")
    if body.method:
        lines.append(f"<p>{_e(body.method)}</p>")
    lines += _committee(body)
    if body.publication:
        lines.append(f"<p>公表: {_e(body.publication)}</p>")
    lines += _footer(result)
    return ("\n".join(lines) + "\n").encode("utf-8")


def index_page(result: Consolidation) -> bytes:
    """A list of the body pages, for the one who uploads them."""
    plan = result.plan
    lines = _head(f"地域再生計画 KPIの実績 団体別ページ（{wareki_year_label(result.fiscal_year_under_review)}）")
    lines += _draft(result)
    lines += [
        '<p class="kicker">地域再生計画 効果検証</p>',
        "<h1>団体別ページ</h1>",
        f'<p class="plan">{_e(plan.name)}（{_e(plan.years_text)}）</p>',
        "<table>",
        '<thead><tr><th scope="col">団体コード</th><th scope="col">団体名</th>'
        '<th scope="col">ページ</th><th scope="col">公表先</th></tr></thead>',
        "<tbody>",
    ]
    for body in plan.bodies:
        name = page_name(body)
        lines.append(
            f"<tr><td>{_e(body.code)}</td><td>{_e(body.name)}</td>"
            f'<td><a href="{_e(name)}">{_e(name)}</a></td><td>{_e(body.publication_channel)}</td></tr>'
        )
    lines += ["</tbody>", "</table>"]
    lines += _footer(result)
    return ("\n".join(lines) + "\n").encode("utf-8")


def pages(result: Consolidation) -> dict[str, bytes]:
    """Every body's page by file name, and ``index.html``; nothing is written."""
    out = {page_name(body): body_page(result, body) for body in result.plan.bodies}
    out[INDEX] = index_page(result)
    return out


def write_pages(result: Consolidation, out_dir: Path) -> list[Path]:
    """Write every page into ``out_dir`` (each atomically); all are built before any is written."""
    built = pages(result)
    written = []
    for name, data in built.items():
        path = out_dir / name
        atomic_write(path, data)
        written.append(path)
    return written
