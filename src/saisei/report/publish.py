"""Per-body publication pages: one self-contained HTML page per body of the plan.

Each page shows the body's committee's verification result (its four answers, the date,
the committee) or 「検証前（令和N年M月予定）」, the body's own figures (by fiscal year and
KPI, with 確定/見込み), the plan's totals against the targets, and how the body verifies
them, ready for the web page the plan names as its publication channel; beside it, a CSV
of the page's figures (``<団体コード>.csv``).  The pages are in Japanese, carry their CSS
inline, load nothing from elsewhere, escape every text, and are the same bytes for the
same consolidation (no clock, stable order).  They are also well-formed XML, so any
XHTML tool reads them.

On any screen, for everyone (JIS X 8341-3 / WCAG 2.1 AA basics): ``lang="ja"``, a skip
link, headings in order, table headers with ``scope``, text contrast of at least 4.5:1,
見込み said in words; at 400 CSS pixels a wide table scrolls inside its own box and the
page itself never scrolls sideways.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..collect import PAGE_CSV_HEADER
from ..core.cycle import next_meeting
from ..core.fiscal import fiscal_year_label, wareki_year_label
from ..core.plan import SECTORS, Body
from ..schedule import ScheduledMeeting
from . import write_set
from .data import csv_safe
from .verdict_views import VerdictStatus, verdict_statuses
from .views import body_rows, committee_text, summary_rows

if TYPE_CHECKING:
    from ..results import Consolidation

__all__ = ["INDEX", "csv_name", "page_csv", "page_name", "pages", "write_pages"]

INDEX = "index.html"

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1a1a1a; overflow-wrap: anywhere;
  font-family: "Hiragino Kaku Gothic ProN", "Hiragino Sans", "Yu Gothic", "Meiryo", "Noto Sans CJK JP", sans-serif;
  line-height: 1.6; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 2rem; }
.skip { position: absolute; left: 0.5rem; top: -3rem; background: #fff; color: #1a1a1a; padding: 0.4rem 0.8rem;
  border: 2px solid #2f5597; z-index: 10; }
.skip:focus { top: 0.5rem; }
a { color: #1a4f9c; }
h3 { font-size: 1rem; margin: 1rem 0 0.3rem; }
h1 { font-size: 1.5rem; margin: 0.2rem 0 0.4rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 0.5rem; padding-left: 0.5rem; border-left: 0.3rem solid #2f5597; }
.kicker { margin: 0; color: #555; font-size: 0.9em; }
.plan { margin: 0 0 0.8rem; }
.draft { border: 2px solid #c00000; background: #fce4e4; color: #c00000; font-weight: bold;
  padding: 0.5rem 0.8rem; margin: 0 0 1rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.5rem 0 1rem; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
.scroll { overflow-x: auto; max-width: 100%; margin: 0.3rem 0; }
.scroll:focus { outline: 2px solid #2f5597; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
caption { text-align: left; font-weight: bold; padding: 0.2rem 0; }
th, td { border: 1px solid #999; padding: 0.25rem 0.45rem; vertical-align: top; }
thead th { background: #ddebf7; text-align: center; white-space: nowrap; overflow-wrap: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.blank { text-align: center; color: #595959; }
th[scope="row"] { white-space: nowrap; }
th.kpi { text-align: left; font-weight: normal; background: #f6f9fc; min-width: 9em; }
td.year, td.status, td.provisional, td.missing { white-space: nowrap; }
.provisional { color: #9c5700; font-weight: bold; }
.missing { color: #c00000; }
.note { font-size: 0.85em; color: #444; }
.verdict { border: 1px solid #999; padding: 0.3rem 0.8rem; margin: 0.5rem 0; }
.pending { font-weight: bold; }
@media (max-width: 30rem) {
  main { padding: 1rem 0.6rem 1.5rem; }
  dl.meta { grid-template-columns: 1fr; }
  dl.meta dd { margin: 0 0 0.4rem; }
}
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
        '<a class="skip" href="#content">本文へ移動</a>',
        '<main id="content">',
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


def _scroll_box(label: str) -> list[str]:
    """A box a wide table scrolls in on a narrow screen (the page itself does not): a
    named region, reachable by keyboard so it can be scrolled without a mouse."""
    return [f'<div class="scroll" role="region" aria-label="{_e(label)}" tabindex="0">']


def _kpi_cell(label_html: str, rows: int) -> str:
    """The KPI's name (already escaped), once for its years: a row group."""
    span = f' rowspan="{rows}"' if rows > 1 else ""
    return f'<th scope="rowgroup"{span} class="kpi">{label_html}</th>'


def _body_table(result: Consolidation, body: Body) -> list[str]:
    rows = sorted((r for r in body_rows(result) if r[0] == body.code), key=lambda r: (r[3], r[2]))
    out = [
        *_scroll_box(f"{body.name}の実績"),
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
    out += ["</tbody>", "</table>", "</div>"]
    return out


def _totals_table(result: Consolidation) -> list[str]:
    out = [
        *_scroll_box("計画全体の目標と実績"),
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
    out += ["</tbody>", "</table>", "</div>"]
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
    lines += _verdicts(result, body)
    lines.append(f"<h2>{_e(body.name)}の実績</h2>")
    lines += _body_table(result, body)
    lines.append(f'<p><a href="{_e(csv_name(body))}">この団体の実績と計画全体の数値（CSV、UTF-8）</a></p>')
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


def _verdicts(result: Consolidation, body: Body) -> list[str]:
    """The committee's verification result per fiscal year (the year under review first),
    or 「検証前（令和N年M月予定）」."""
    statuses = sorted(verdict_statuses(result, body), key=lambda s: -s.fiscal_year)
    if not statuses:
        return []
    out = ["<h2>効果検証の結果</h2>"]
    for status in statuses:
        out.append(f"<h3>{_e(fiscal_year_label(status.fiscal_year))}の検証</h3>")
        out += _verdict(status)
    return out


def _verdict(status: VerdictStatus) -> list[str]:
    v = status.verdict
    if v is None:
        estimates = "（年度末前のため見込み値で検証します）" if status.on_estimates else ""
        return [f'<p class="pending">検証前（{_e(status.due)}予定）{_e(estimates)}</p>']
    opinion = "<br />".join(_e(line) for line in (v["opinion"] or "").splitlines()) or "（なし）"
    out = [
        '<div class="verdict">',
        '<dl class="meta">',
        f"<dt>検証日</dt><dd>{_e(_date(v['reviewed_on']))}</dd>",
        f"<dt>事業効果</dt><dd>{_e(v['effect'])}</dd>",
        f"<dt>今後の方針</dt><dd>{_e(v['policy'])}</dd>",
        f"<dt>外部有識者からの意見</dt><dd>{opinion}</dd>",
    ]
    committee = committee_text(status.body).replace("\n", "／")
    if committee:
        out.append(f"<dt>検証した委員会（分野別の委員）</dt><dd>{_e(committee)}</dd>")
    out.append("</dl>")
    if v["suggested_effect"]:
        same = "と同じです" if not status.differs else "と異なります（判断は委員会によります）"
        out.append(
            f'<p class="note">数値からの目安（saisei の提案）は「{_e(v["suggested_effect"])}」で、委員会の判断はこれ{same}。</p>'
        )
    out.append("</div>")
    return out


def csv_name(body: Body) -> str:
    """The file name of a body's CSV: its 団体コード (``062031.csv``)."""
    return f"{body.code}.csv"


CSV_HEADER = PAGE_CSV_HEADER


def page_csv(result: Consolidation, body: Body) -> bytes:
    """The figures of a body's page, one value a row: the body's own figure (確定, 見込み or
    未報告 with an empty value), and the plan total's target, actual, achievement and level.
    UTF-8 with a BOM (Excel opens it), a header row, 団体コード as six-digit text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    own = {(r[3], r[2]): r for r in body_rows(result) if r[0] == body.code}
    for s in summary_rows(result):
        kpi = result.plan.kpi(s.kpi)
        assert kpi is not None
        base = (body.code, body.name, s.fiscal_year, s.kpi, kpi.name)
        if (s.kpi, s.fiscal_year) in own:
            r = own[(s.kpi, s.fiscal_year)]
            writer.writerow([csv_safe(c) for c in (*base, kpi.unit, "団体の実績", "" if r[5] is None else r[5], r[6])])
        for item, value, unit in (
            ("計画全体の目標（増加分）", s.target, kpi.unit),
            ("計画全体の実績（増加分）", s.value, kpi.unit),
            ("計画全体の達成率", None if s.achievement is None else round(s.achievement, 6), "割合"),
            ("計画全体の到達水準", s.level, kpi.unit),
        ):
            writer.writerow([csv_safe(c) for c in (*base, unit, item, "" if value is None else value, "")])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def index_page(result: Consolidation) -> bytes:
    """A list of the body pages with each body's verification status, for the one who
    uploads them."""
    plan = result.plan
    year = result.fiscal_year_under_review
    status = {s.body.code: s for s in verdict_statuses(result) if s.fiscal_year == year}
    done = sum(1 for s in status.values() if s.done)
    lines = _head(f"地域再生計画 KPIの実績 団体別ページ（{wareki_year_label(year)}）")
    lines += _draft(result)
    lines += [
        '<p class="kicker">地域再生計画 効果検証</p>',
        "<h1>団体別ページ</h1>",
        f'<p class="plan">{_e(plan.name)}（{_e(plan.years_text)}）</p>',
        f"<p>{_e(fiscal_year_label(year))}の効果検証: {len(plan.bodies)}団体のうち {done}団体が検証済みです。</p>",
        *_scroll_box("団体の一覧"),
        "<table>",
        "<caption>団体ごとのページと効果検証の状況</caption>",
        '<thead><tr><th scope="col">団体名</th><th scope="col">団体コード</th>'
        f'<th scope="col">{_e(wareki_year_label(year))}の効果検証</th><th scope="col">データ</th>'
        '<th scope="col">公表先</th></tr></thead>',
        "<tbody>",
    ]
    for body in plan.bodies:
        shown = status[body.code].status if body.code in status else "—"
        lines.append(
            f'<tr><th scope="row"><a href="{_e(page_name(body))}">{_e(body.name)}</a></th>'
            f"<td>{_e(body.code)}</td><td>{_e(shown)}</td>"
            f'<td><a href="{_e(csv_name(body))}">{_e(body.name)}のCSV</a></td>'
            f"<td>{_e(body.publication_channel)}</td></tr>"
        )
    lines += ["</tbody>", "</table>", "</div>"]
    lines += _footer(result)
    return ("\n".join(lines) + "\n").encode("utf-8")


def pages(result: Consolidation) -> dict[str, bytes]:
    """Every body's page and CSV by file name, and ``index.html``; nothing is written."""
    out: dict[str, bytes] = {}
    for body in result.plan.bodies:
        out[page_name(body)] = body_page(result, body)
        out[csv_name(body)] = page_csv(result, body)
    out[INDEX] = index_page(result)
    return out


def write_pages(result: Consolidation, out_dir: Path) -> list[Path]:
    """Write every page into ``out_dir``, as one set (:func:`saisei.report.write_set`);
    all are built before any is written."""
    return write_set(out_dir, pages(result))
