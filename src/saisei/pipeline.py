"""The pipeline: files → open workbook → plugin reads → observations → validate →
reconcile → totals.  Writing the report is :mod:`saisei.report`'s business.

Every step records issues instead of stopping: a broken file is an error for that file and
the other files still consolidate.  A file with any error contributes no value at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core.cycle import fiscal_year_under_review
from .core.issues import Issue
from .core.plan import Plan
from .plugins import PluginCallError, Registry, get_registry
from .reading import Reading
from .workbook import Limits, WorkbookError, open_workbook

if TYPE_CHECKING:
    import polars as pl

__all__ = ["Consolidation", "FileResult", "collect_files", "consolidate", "read_file"]

logger = logging.getLogger(__name__)

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """The workbooks to read, in a stable order, and the other files found in folders.

    A folder gives every spreadsheet below it (recursively; Excel's ``~$`` lock files and
    hidden folders left out); a file named on its own is always read, whatever its
    extension.  The same file named twice is read once.
    """
    found: list[Path] = []
    ignored: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if not child.is_file() or any(p.startswith(".") for p in rel.parts):
                    continue
                if child.name.startswith("~$"):
                    continue
                if child.suffix.lower() in SPREADSHEET_SUFFIXES:
                    found.append(child)
                else:
                    ignored.append(child)
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values()), ignored


@dataclass
class FileResult:
    """What became of one file."""

    path: Path
    plugin: str | None = None
    entity_code: str | None = None
    as_of: dt.date | None = None
    sha256: str | None = None
    issues: list[Issue] = field(default_factory=list)
    frame: pl.DataFrame | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)


def read_file(path: Path, plan: Plan, registry: Registry, limits: Limits | None = None) -> FileResult:
    """Open one file, find the one plugin whose form it is, and read it.  Never raises.

    A bug in saisei itself while reading one file is an error for that file
    (``internal-error``, its traceback logged at debug level); the other files go on.
    """
    try:
        return _read_file(path, plan, registry, limits)
    except Exception as exc:
        logger.debug("internal error while reading %s", path, exc_info=True)
        result = FileResult(path)
        result.issues.append(
            Issue.at(
                "error",
                "internal-error",
                f"saisei の内部エラーでこのブックを読めませんでした（不具合です。--debug を付けて再実行し、"
                f"出力を開発者に送ってください）: {type(exc).__name__}: {exc}",
                file=path.name,
            )
        )
        return result


def _read_file(path: Path, plan: Plan, registry: Registry, limits: Limits | None) -> FileResult:
    result = FileResult(path)
    name = path.name
    try:
        workbook = open_workbook(path, limits)
    except WorkbookError as exc:
        result.issues.append(_workbook_issue(exc, name))
        return result
    result.sha256 = workbook.sha256
    try:
        claims, failures = registry.detect(workbook)
        for failure in failures:
            issue = _plugin_issue(failure, name)
            if issue not in result.issues:  # several plugins tripping over the same sheet
                result.issues.append(issue)
        if failures and not claims:
            return result
        if not claims:
            sheets = "、".join(workbook.sheet_names) or "なし"
            result.issues.append(
                Issue.at(
                    "error",
                    "unknown-form",
                    f"どの様式とも判定できません（シート: {sheets}）。様式を変えていないか確認してください"
                    f"（読める様式: {'、'.join(registry.names())}）",
                    file=name,
                )
            )
            return result
        if len(claims) > 1:
            result.issues.append(
                Issue.at(
                    "error",
                    "ambiguous-form",
                    f"複数のプラグインが自分の様式だと判定しました: {'、'.join(claims)}（どちらの様式か決められません）",
                    file=name,
                )
            )
            return result
        plugin = claims[0]
        result.plugin = plugin
        try:
            reading = registry.call(plugin, "saisei_read", workbook=workbook, plan=plan)
        except PluginCallError as exc:
            result.issues.append(_plugin_issue(exc, name))
            return result
        except WorkbookError as exc:
            result.issues.append(_workbook_issue(exc, name, plugin))
            return result
        if reading is None:
            result.issues.append(
                Issue.at(
                    "error",
                    "unknown-form",
                    f"プラグイン {plugin} が判定した様式を読めませんでした",
                    file=name,
                    plugin=plugin,
                )
            )
            return result
        if not isinstance(reading, Reading):
            result.issues.append(
                Issue.at(
                    "error",
                    "plugin-failed",
                    f"プラグイン {plugin} の saisei_read が Reading 以外（{type(reading).__name__}）を返しました",
                    file=name,
                    plugin=plugin,
                )
            )
            return result
        result.issues.extend(_with_plugin(i, plugin) for i in reading.issues)
        result.as_of = reading.as_of
        result.entity_code = reading.entity_code
        try:
            result.frame = reading.to_frame()
        except Exception as exc:  # a plugin's frame with columns of the wrong kind
            result.issues.append(
                Issue.at(
                    "error",
                    "plugin-failed",
                    f"プラグイン {plugin} の観測値を表にできません: {exc}",
                    file=name,
                    plugin=plugin,
                )
            )
        return result
    except WorkbookError as exc:  # a sheet refused while a plugin looked at it
        result.issues.append(_workbook_issue(exc, name, result.plugin))
        return result
    finally:
        workbook.close()


def _with_plugin(issue: Issue, plugin: str) -> Issue:
    if issue.plugin:
        return issue
    return Issue(issue.severity, issue.code, issue.message, issue.file, issue.sheet, issue.cell, plugin)


def _workbook_issue(exc: WorkbookError, file: str, plugin: str | None = None) -> Issue:
    return Issue.at("error", exc.code, exc.message, file=file, sheet=exc.sheet, cell=exc.cell, plugin=plugin)


def _plugin_issue(exc: PluginCallError, file: str) -> Issue:
    if isinstance(exc.__cause__, WorkbookError):
        # The plugin asked for a sheet the opener refused: the file is at fault, not the plugin.
        return _workbook_issue(exc.__cause__, file, exc.plugin)
    return Issue.at(
        "error",
        "plugin-failed",
        f"プラグイン {exc.plugin} が失敗しました: {exc.message}（このブックは集計に含めていません。プラグインの担当者に連絡してください）",
        file=file,
        plugin=exc.plugin,
    )


@dataclass
class Consolidation:
    """The outcome of a consolidation: values, totals, revisions and every issue.

    :ivar values: one row per body, fiscal year and KPI: ``entity_code``, ``entity``,
        ``fiscal_year``, ``kpi``, ``value``, ``status``, ``sources``
    :ivar totals: per fiscal year and KPI with any value: ``value``, ``target``,
        ``achievement``, ``bodies_reported``, ``provisional_bodies``
    :ivar revisions: provisional figures that final ones replaced
    :ivar observations: every accepted observation, with its cell
    """

    plan: Plan
    as_of: dt.date
    fiscal_year_under_review: int
    files: list[FileResult]
    observations: pl.DataFrame
    values: pl.DataFrame
    totals: pl.DataFrame
    revisions: pl.DataFrame
    issues: list[Issue]
    ignored_files: list[Path] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)

    def summary(self) -> pl.DataFrame:
        """Every fiscal year and KPI of the plan, with target, actual, level and rating."""
        from .core.aggregate import summary

        return summary(self.values, self.plan, rated_through=self.fiscal_year_under_review)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document ``saisei consolidate --json`` prints."""
        from .report.data import to_dict

        return to_dict(self)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``report.xlsx``, ``values.csv`` and ``values.parquet`` into ``out_dir``."""
        from .report import write_outputs

        return write_outputs(self, Path(out_dir))


def consolidate(
    paths: Sequence[str | Path],
    *,
    plan: Plan | None = None,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    limits: Limits | None = None,
    progress: Callable[[Path], None] | None = None,
) -> Consolidation:
    """Read every workbook under ``paths`` and consolidate them.

    :param paths: files and folders (folders are searched recursively)
    :param plan: the plan (default: the Yamagata plan shipped with saisei)
    :param as_of: the consolidation date that picks the fiscal year under review
        (default: the newest date the forms carry, else today)
    :param registry: the plugins (default: the built-ins and every installed plugin)
    :param limits: size limits for workbooks
    :param progress: called with each file's path as it is read
    """
    from .plans import load_plan

    plan = plan or load_plan()
    registry = registry or get_registry()
    files, ignored = collect_files(paths)
    results: list[FileResult] = []
    for path in files:
        results.append(read_file(path, plan, registry, limits))
        if progress is not None:
            progress(path)
    return assemble(results, plan, registry, as_of=as_of, ignored=ignored)


def assemble(
    results: list[FileResult],
    plan: Plan,
    registry: Registry,
    *,
    as_of: dt.date | None = None,
    ignored: list[Path] | None = None,
) -> Consolidation:
    """Validate, reconcile and total what the files gave."""
    import polars as pl

    from .core.aggregate import combine_within, reconcile, totals
    from .core.schema import OBSERVATION_COLUMNS
    from .validate import validate_observations

    issues: list[Issue] = list(registry.load_issues)
    frames = []
    for index, result in enumerate(results):
        if result.frame is not None and result.frame.height:
            frames.append(result.frame.with_columns(pl.lit(index, dtype=pl.Int64).alias("submission")))
    observations = (
        pl.concat(frames, how="vertical")
        if frames
        else pl.DataFrame(schema={**OBSERVATION_COLUMNS, "submission": pl.Int64})
    )
    observations = validate_observations(observations, results, plan, registry)
    for result in results:
        issues.extend(result.issues)
    bad = [i for i, r in enumerate(results) if r.has_errors]
    accepted = observations.filter(~pl.col("submission").is_in(bad)) if bad else observations

    figures = combine_within(accepted)
    rec = reconcile(figures)
    issues.extend(rec.issues)
    names = pl.DataFrame({"entity_code": [b.code for b in plan.bodies], "entity": [b.name for b in plan.bodies]})
    values = (
        rec.values.join(names, on="entity_code", how="left")
        .select("entity_code", "entity", "fiscal_year", "kpi", "value", "status", "sources")
        .sort("entity_code", "fiscal_year", "kpi")
    )
    dates = [r.as_of for r in results if r.as_of is not None and not r.has_errors]
    as_of = as_of or (max(dates) if dates else dt.date.today())
    review_year = fiscal_year_under_review(as_of, plan)
    issues.extend(_not_reported(values, plan, review_year, results))
    return Consolidation(
        plan=plan,
        as_of=as_of,
        fiscal_year_under_review=review_year,
        files=results,
        observations=accepted.drop("submission"),
        values=values,
        totals=totals(values, plan),
        revisions=rec.revisions,
        issues=issues,
        ignored_files=list(ignored or []),
    )


def _not_reported(values: pl.DataFrame, plan: Plan, fiscal_year: int, results: list[FileResult]) -> list[Issue]:
    """A warning (未報告) for every body with a KPI missing for the year under review."""
    import polars as pl

    have = set(values.filter(pl.col("fiscal_year") == fiscal_year).select("entity_code", "kpi").iter_rows())
    failed = {r.entity_code for r in results if r.has_errors and r.entity_code}
    out = []
    for body in plan.bodies:
        missing = [k for k in plan.kpis_for(body.code) if (body.code, k.number) not in have]
        if not missing:
            continue
        which = "すべてのKPI" if len(missing) == len(plan.kpis_for(body.code)) else "、".join(k.label for k in missing)
        why = "（エラーのあるブックは集計に含めていません）" if body.code in failed else ""
        out.append(
            Issue.at(
                "warning",
                "not-reported",
                f"{body.name}（{body.code}）の {fiscal_year}年度 {which} の値が届いていません（未報告）{why}",
            )
        )
    return out
