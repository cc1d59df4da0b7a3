"""The submission tracker: where each body of the plan stands for a fiscal year.

For each body, from the record: its latest submission for the year (a workbook that gave
figures of the year for the body, or whose form names the body and gave no figure at all)
and what the latest run accepted for the year:

* ``missing`` (未提出): nothing accepted for the year;
* ``errors`` (要修正): its latest submission has errors (which, at which cells);
* ``provisional`` (見込み受理): accepted, with an estimate among its figures;
* ``final`` (確定受理): accepted, every figure final.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.issues import Issue
from ..core.plan import Plan
from ..core.verdict import REVIEW_PLUGIN
from .store import Record, RecordError

__all__ = ["STATUS_LABEL", "BodyStatus", "body_statuses", "unattributed", "unattributed_submissions"]

STATUS_LABEL = {"missing": "未提出", "errors": "要修正", "provisional": "見込み受理", "final": "確定受理"}


@dataclass(frozen=True)
class BodyStatus:
    entity_code: str
    entity: str
    status: str
    file: str | None
    received: str | None
    issues: tuple[Issue, ...]
    expected: str
    missing_kpis: tuple[int, ...]
    submission: int | None = None  # the latest submission's number in the record

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_code": self.entity_code,
            "entity": self.entity,
            "status": self.status,
            "file": self.file,
            "received": self.received,
            "issues": [i.to_dict() for i in self.issues],
            "expected": self.expected,
            "missing_kpis": list(self.missing_kpis),
        }


def latest_run(rec: Record) -> tuple[int, str, int] | None:
    """(run, as-of date, fiscal year under review) of the latest run, or None."""
    row = rec.conn.execute("SELECT run, as_of, fiscal_year_under_review FROM runs ORDER BY run DESC LIMIT 1").fetchone()
    return None if row is None else (int(row[0]), str(row[1]), int(row[2]))


def body_statuses(rec: Record, plan: Plan, fiscal_year: int | None = None) -> tuple[int, list[BodyStatus]]:
    """The fiscal year (default: the latest run's year under review) and every body's status."""
    latest = latest_run(rec)
    if latest is None:
        raise RecordError(f"{rec.path}: 記録にまだ集計の実行がありません（saisei consolidate --record で記録します）")
    run, _, review = latest
    year = review if fiscal_year is None else fiscal_year
    accepted: dict[str, dict[int, str]] = {}
    for code, kpi, status in rec.conn.execute(
        "SELECT entity_code, kpi, status FROM run_values WHERE run = ? AND fiscal_year = ?", (run, year)
    ):
        accepted.setdefault(code, {})[kpi] = status
    # The latest submission of each body for the year: giving figures of the year for it, or
    # named by its form and giving no figure (of which year it is cannot be told: its errors
    # are shown for every year).  A workbook of another year only is not this year's; a
    # committee's review sheet gives no figure: it is not the body's workbook.
    latest_sub: dict[str, tuple[int, str, str, bool]] = {}
    rows = rec.conn.execute(
        "SELECT s.submission, s.name, substr(s.added_at, 1, 10), s.accepted, s.entity_code AS code FROM submissions s"
        " WHERE s.entity_code IS NOT NULL AND s.plugin IS NOT ?"
        " AND NOT EXISTS (SELECT 1 FROM observations o WHERE o.submission = s.submission)"
        " UNION SELECT DISTINCT s.submission, s.name, substr(s.added_at, 1, 10), s.accepted, o.entity_code"
        " FROM submissions s JOIN observations o USING (submission) WHERE o.fiscal_year = ?"
        " ORDER BY 1",
        (REVIEW_PLUGIN, year),
    ).fetchall()
    for sub, name, received, ok, code in rows:
        latest_sub[code] = (sub, name, received, bool(ok))
    out = []
    for body in plan.bodies:
        kpis = [k.number for k in plan.kpis_for(body.code)]
        got = accepted.get(body.code, {})
        missing = tuple(k for k in kpis if k not in got)
        sub = latest_sub.get(body.code)
        issues: tuple[Issue, ...] = ()
        month = body.verification_month
        if sub is not None and not sub[3]:
            status = "errors"
            issues = tuple(
                Issue(*r)
                for r in rec.conn.execute(
                    "SELECT severity, code, message, file, sheet, cell, plugin FROM issues"
                    " WHERE submission = ? AND severity = 'error' ORDER BY rowid",
                    (sub[0],),
                )
            )
            expected = "エラーを直したブック"
        elif not got:
            status = "missing"
            expected = f"{year}年度の実績（{month}月の検証会議の前に）"
        elif any(s == "provisional" for s in got.values()):
            status = "provisional"
            expected = (
                f"{year}年度の確定値（{month}月の検証会議は年度末の前で見込み値。年度が明けて確定したら確定値のブックを）"
                if month <= 3
                else f"{year}年度の確定値（{month}月の検証会議の前に確定値のブックを）"
            )
        else:
            status = "final"
            expected = "—"
        if missing and status in ("provisional", "final"):
            expected = f"KPI{'、KPI'.join(map(str, missing))} の値" + ("" if expected == "—" else f"、{expected}")
        out.append(
            BodyStatus(
                body.code,
                body.name,
                status,
                sub[1] if sub else None,
                sub[2] if sub else None,
                issues,
                expected,
                missing,
                sub[0] if sub else None,
            )
        )
    return year, out


def unattributed_submissions(rec: Record) -> list[tuple[int, str]]:
    """The submissions (number, name) of the latest run with errors that name no body."""
    latest = latest_run(rec)
    if latest is None:
        return []
    rows = rec.conn.execute(
        "SELECT s.submission, s.name FROM submissions s WHERE s.run = ? AND s.accepted = 0"
        " AND s.entity_code IS NULL AND NOT EXISTS (SELECT 1 FROM observations o WHERE o.submission = s.submission)"
        " ORDER BY s.submission",
        (latest[0],),
    ).fetchall()
    return [(int(sub), str(name)) for sub, name in rows]


def unattributed(rec: Record) -> list[tuple[str, list[Issue]]]:
    """Workbooks of the latest run with errors that name no body (an unknown form, a file
    that would not open): their names and errors, so that none is silently left out."""
    rows = unattributed_submissions(rec)
    issues = rec.issues_of(sub for sub, _ in rows)
    return [(name, [i for i in issues.get(sub, []) if i.is_error]) for sub, name in rows]
