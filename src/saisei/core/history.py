"""The aggregation rules across runs: every gathering of workbooks a record holds.

A *gathering* is the set of workbooks one run added to the record (the files of a run
without a record are one gathering).  Within a gathering the rules of
:mod:`saisei.core.aggregate` apply as they are.  Across gatherings, for one body, fiscal
year and KPI, in the order of the runs:

* a final figure replaces a provisional one, whichever gathering it came in (the
  replacement is a ``provisional-final`` revision); a provisional figure never replaces
  a final one;
* figures of the same status that agree are one figure, with every source;
* a newer final figure that differs from an earlier accepted final one is a
  ``revised-final`` revision: the newer figure is used, and the run that first sees it
  warns, naming both figures, both sources and when the earlier one was accepted;
* a newer provisional figure replaces an older provisional one (an updated estimate);
* figures of one gathering that disagree are an error until a newer gathering settles
  the figure.

Only the order of the gatherings decides which figure is newest: not file names, not the
dates the forms carry.  No I/O here: the record (:mod:`saisei.record`) gives the frames.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .aggregate import KEY, Reconciliation, reconcile
from .issues import Issue
from .verdict import Verdict

__all__ = ["REVISION_COLUMNS", "Earlier", "reconcile_history"]

REVISION_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "entity_code": pl.String,
    "fiscal_year": pl.Int64,
    "kpi": pl.Int64,
    "kind": pl.String,
    "old_value": pl.Int64,
    "old_status": pl.String,
    "old_file": pl.String,
    "old_sources": pl.List(pl.String),
    "new_value": pl.Int64,
    "new_files": pl.List(pl.String),
    "new_sources": pl.List(pl.String),
    "old_gathering": pl.Int64,
    "new_gathering": pl.Int64,
    "old_accepted": pl.String,
}

_VALUE_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "entity_code": pl.String,
    "fiscal_year": pl.Int64,
    "kpi": pl.Int64,
    "value": pl.Int64,
    "status": pl.String,
    "sources": pl.List(pl.String),
    "files": pl.List(pl.String),
    "submissions": pl.List(pl.Int64),
}


@dataclass(frozen=True)
class Earlier:
    """What earlier runs left in the record, for :func:`saisei.pipeline.assemble`.

    :ivar observations: the observations of accepted earlier submissions that this run
        was not given again: the observation columns, ``submission`` (0, 1, 2… one number
        per earlier submission, counted after the run's own files) and ``gathering`` (the
        run that added it)
    :ivar gathering_of: the gathering of each file given to this run that the record
        already had (by its SHA-256), by the file's index in the run
    :ivar accepted_on: each earlier gathering's as-of date (when its figures were accepted)
    :ivar current: this run's gathering (higher than every earlier one)
    :ivar reviewed: each earlier gathering's fiscal year under review (its revisions are
        warned about again by a run that reviews the same year)
    :ivar verdicts: the committees' verdicts of accepted earlier review sheets not given
        again, each with its gathering
    :ivar form_dates: the dates of those earlier workbooks' forms, each with its workbook
        (they may set the run's as-of date, as the run's own forms' dates do)
    """

    observations: pl.DataFrame
    gathering_of: Mapping[int, int] = field(default_factory=dict)
    accepted_on: Mapping[int, dt.date] = field(default_factory=dict)
    current: int = 1
    reviewed: Mapping[int, int] = field(default_factory=dict)
    verdicts: Sequence[tuple[Verdict, int]] = ()
    form_dates: Sequence[tuple[dt.date, str]] = ()


def _contributions(figures: pl.DataFrame, values: pl.DataFrame) -> pl.DataFrame:
    """Per value, the submissions whose figures agree with it (same status and value)."""
    return (
        figures.join(values.select(*KEY, pl.col("value").alias("_v"), pl.col("status").alias("_s")), on=KEY)
        .filter((pl.col("value") == pl.col("_v")) & (pl.col("status") == pl.col("_s")))
        .group_by(KEY)
        .agg(pl.col("submission").unique().sort().alias("submissions"))
    )


def reconcile_history(
    figures: pl.DataFrame,
    *,
    current: int = 0,
    accepted_on: Mapping[int, dt.date] | None = None,
    warn: Collection[int] = (),
    names: Mapping[str, str] | None = None,
) -> Reconciliation:
    """Rule 2 across gatherings.  ``figures`` is :func:`~saisei.core.aggregate.combine_within`'s
    frame plus ``gathering`` (Int64); ``current`` is this run's gathering.

    Returns values (with ``submissions``: the figures' ``submission`` numbers behind each
    value), revisions (:data:`REVISION_COLUMNS`, within and across gatherings) and issues:
    the conflicts of the current gathering, the conflicts of earlier gatherings that no
    newer figure settled, and a ``revised-final`` warning for each final figure that the
    current gathering, or one in ``warn`` (the earlier runs of the same review), changed:
    running a review again warns again, the next year's review does not.
    """
    accepted_on = accepted_on or {}
    warned = {current, *warn}
    body = _namer(names or {})
    if figures.is_empty():
        return Reconciliation(pl.DataFrame(schema=_VALUE_COLUMNS), pl.DataFrame(schema=REVISION_COLUMNS), ())
    gatherings = sorted(figures["gathering"].unique().to_list())
    rows: list[pl.DataFrame] = []
    revisions: list[pl.DataFrame] = []
    issues: list[Issue] = []
    for g in gatherings:
        part = figures.filter(pl.col("gathering") == g).drop("gathering")
        rec = reconcile(part)
        if g == current or len(gatherings) == 1:
            issues.extend(rec.issues)
        values = rec.values.join(_contributions(part, rec.values), on=KEY, how="left")
        conflicts = (
            part.join(rec.values.select(KEY), on=KEY, how="anti")
            .group_by(KEY)
            .agg(
                pl.when((pl.col("status") == "final").any())
                .then(pl.lit("final"))
                .otherwise(pl.lit("provisional"))
                .alias("status"),
                pl.col("sources").explode().unique().sort(),
            )
        )
        rows.append(
            pl.concat(
                [
                    values.select(*_VALUE_COLUMNS, pl.lit(False).alias("conflict")),
                    conflicts.select(
                        *KEY,
                        pl.lit(None, pl.Int64).alias("value"),
                        "status",
                        "sources",
                        pl.lit([], pl.List(pl.String)).alias("files"),
                        pl.lit([], pl.List(pl.Int64)).alias("submissions"),
                        pl.lit(True).alias("conflict"),
                    ),
                ],
                how="vertical",
            ).with_columns(pl.lit(g, pl.Int64).alias("gathering"))
        )
        if rec.revisions.height:  # the estimate never was accepted: no date
            revisions.append(
                rec.revisions.select(
                    *KEY,
                    pl.lit("provisional-final").alias("kind"),
                    "old_value",
                    pl.lit("provisional").alias("old_status"),
                    "old_file",
                    "old_sources",
                    "new_value",
                    "new_files",
                    "new_sources",
                    pl.lit(g, pl.Int64).alias("old_gathering"),
                    pl.lit(g, pl.Int64).alias("new_gathering"),
                    pl.lit(None, pl.String).alias("old_accepted"),
                )
            )
    every = pl.concat(rows, how="vertical")
    counts = every.group_by(KEY).agg(pl.len().alias("_n"))
    single = every.join(counts.filter(pl.col("_n") == 1).select(KEY), on=KEY, how="semi")
    multi = every.join(counts.filter(pl.col("_n") > 1).select(KEY), on=KEY, how="semi")
    settled = single.filter(~pl.col("conflict")).select(list(_VALUE_COLUMNS))
    walked: list[dict[str, Any]] = []
    crossed: list[dict[str, Any]] = []
    for _key, group in multi.sort([*KEY, "gathering"]).group_by(KEY, maintain_order=True):
        value, changes, unsettled = _walk(group.to_dicts(), current, accepted_on, body)
        if value is not None:
            walked.append(value)
        crossed.extend(changes)
        if unsettled is not None:
            issues.append(unsettled)
    for row in single.filter(pl.col("conflict") & (pl.col("gathering") != current)).to_dicts():
        if len(gatherings) > 1:
            issues.append(_unsettled_issue(row, accepted_on, body))
    if walked:
        settled = pl.concat([settled, pl.DataFrame(walked, schema=_VALUE_COLUMNS)], how="vertical")
    if crossed:
        revisions.append(pl.DataFrame(crossed, schema=REVISION_COLUMNS))
    issues.extend(
        _revised_final_issue(r, body)
        for r in sorted(crossed, key=lambda r: (r["entity_code"], r["fiscal_year"], r["kpi"]))
        if r["kind"] == "revised-final" and r["new_gathering"] in warned
    )
    revised = (
        pl.concat(revisions, how="vertical").sort([*KEY, "new_gathering", "old_gathering", "old_file"])
        if revisions
        else pl.DataFrame(schema=REVISION_COLUMNS)
    )
    return Reconciliation(settled.sort(KEY), revised, tuple(issues))


def _walk(
    rows: list[dict[str, Any]], current: int, accepted_on: Mapping[int, dt.date], body: Callable[[str], str]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], Issue | None]:
    """One body, year and KPI through its gatherings in order: its value, its revisions
    across gatherings, and an error when the newest word on it is an unsettled conflict."""
    segment: list[dict[str, Any]] = []  # the figures that agree with the current one
    changes: list[dict[str, Any]] = []
    for row in rows:
        if not segment:
            segment = [row]
            continue
        now = segment[-1]
        if row["status"] == "provisional" and now["status"] == "final":
            continue  # a provisional figure never replaces a final one
        if row["conflict"] or now["conflict"]:
            segment = [row]
        elif row["status"] == now["status"] and row["value"] == now["value"]:
            segment.append(row)
        else:
            if row["status"] == "final":
                kind = "revised-final" if now["status"] == "final" else "provisional-final"
                changes.append(_revision(kind, segment, row, accepted_on))
            segment = [row]
    head = segment[-1]
    if head["conflict"]:
        return None, changes, (None if head["gathering"] == current else _unsettled_issue(head, accepted_on, body))
    value = {
        **{k: head[k] for k in KEY},
        "value": head["value"],
        "status": head["status"],
        "sources": sorted({s for r in segment for s in r["sources"]}),
        "files": sorted({f for r in segment for f in r["files"]}),
        "submissions": sorted({s for r in segment for s in r["submissions"]}),
    }
    if len(segment) > 1:
        from .aggregate import source_key

        value["sources"] = sorted(value["sources"], key=source_key)
    return value, changes, None


def _revision(
    kind: str, old: list[dict[str, Any]], new: dict[str, Any], accepted_on: Mapping[int, dt.date]
) -> dict[str, Any]:
    first = old[0]
    day = accepted_on.get(first["gathering"])
    files = sorted({f for r in old for f in r["files"]})
    return {
        **{k: new[k] for k in KEY},
        "kind": kind,
        "old_value": first["value"],
        "old_status": first["status"],
        "old_file": files[0] if files else "",
        "old_sources": sorted({s for r in old for s in r["sources"]}),
        "new_value": new["value"],
        "new_files": new["files"],
        "new_sources": new["sources"],
        "old_gathering": first["gathering"],
        "new_gathering": new["gathering"],
        "old_accepted": day.isoformat() if day else None,
    }


def _where(sources: list[str]) -> tuple[str | None, str | None, str | None]:
    first = sources[0] if sources else ""
    file, sheet, cell = ([*first.split("!"), "", "", ""])[:3]
    return file or None, sheet or None, cell.split(":")[0] or None


def _namer(names: Mapping[str, str]) -> Callable[[str], str]:
    """``山形県（060003）`` when the plan names the body, else ``団体 060003 ``."""
    return lambda code: f"{names[code]}（{code}）" if code in names else f"団体 {code} "


def _revised_final_issue(r: dict[str, Any], body: Callable[[str], str]) -> Issue:
    old = "、".join(r["old_sources"]) or r["old_file"]
    new = "、".join(r["new_sources"]) or "、".join(r["new_files"])
    when = f"{r['old_accepted']} の集計で受理" if r["old_accepted"] else "以前の集計で受理"
    file, sheet, cell = _where(r["new_sources"])
    return Issue.at(
        "warning",
        "revised-final",
        f"{body(r['entity_code'])}の {r['fiscal_year']}年度 KPI{r['kpi']} の確定値が改訂されました: "
        f"{r['old_value']:,}（{old}、{when}）→ {r['new_value']:,}（{new}）。新しい値で集計しています"
        "（審議会に報告済みの値が変わります。改訂の理由を団体に確認してください）",
        file=file,
        sheet=sheet,
        cell=cell,
    )


def _unsettled_issue(row: dict[str, Any], accepted_on: Mapping[int, dt.date], body: Callable[[str], str]) -> Issue:
    kind = "確定値" if row["status"] == "final" else "見込み値"
    day = accepted_on.get(row["gathering"])
    when = f"{day.isoformat()} の集計" if day else "以前の集計"
    file, sheet, cell = _where(row["sources"])
    return Issue.at(
        "error",
        "conflicting-figures",
        f"{body(row['entity_code'])}の {row['fiscal_year']}年度 KPI{row['kpi']} の{kind}は、{when}で"
        f"ブックによって食い違ったまま、その後の提出で解決していません（{'、'.join(row['sources'])}。"
        "正しい値のブックを提出してもらってください。この値は集計に含めていません）",
        file=file,
        sheet=sheet,
        cell=cell,
    )
