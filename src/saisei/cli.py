"""The ``saisei`` command.  Heavy imports (polars, pandera) wait until a command needs them,
so ``saisei --help`` and ``saisei plugins`` stay quick.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    from .core.fiscal import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r}: {exc}") from None


def _plan(path: Path | None) -> Any:
    from .core.plan import PlanError
    from .plans import load_plan

    try:
        return load_plan(path)
    except PlanError as exc:
        raise click.UsageError(str(exc)) from None


plan_option = click.option(
    "--plan",
    "plan_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="計画ファイル（TOML）。省略時は山形県の計画。",
)
as_of_option = click.option(
    "--as-of",
    callback=_date,
    metavar="DATE",
    help="基準日（例: 2025-09-01）。審査対象年度を決める。省略時は様式の最新の作成日、なければ今日。",
)
debug_option = click.option("--debug", is_flag=True, help="内部エラーのトレースバックを表示する。")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="saisei")
def main() -> None:
    """地域再生計画のKPI様式を読み取り、検証し、県の集計レポートにまとめます。"""


def _run(
    paths: tuple[Path, ...], plan_path: Path | None, as_of: dt.date | None, quiet: bool, out_dir: Path | None = None
) -> Any:
    from .pipeline import consolidate

    plan = _plan(plan_path)
    bar: Any = None

    def found(files: list[Path]) -> None:
        nonlocal bar
        if not files:
            raise click.UsageError("読み込むブックがありません（.xlsx のファイルかフォルダーを指定してください）")
        if not quiet and len(files) >= 20 and sys.stderr.isatty():
            bar = click.progressbar(length=len(files), label="読み込み中", file=sys.stderr)
            bar.__enter__()

    try:
        result = consolidate(
            paths,
            plan=plan,
            as_of=as_of,
            found=found,
            progress=lambda _p: bar.update(1) if bar is not None else None,
            workers="auto",  # several processes for many files, as CPUs are idle
            exclude=(out_dir,) if out_dir is not None else (),
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    return result


def _summary(result: Any) -> None:
    from .core.fiscal import fiscal_year_label

    for issue in result.issues:
        mark = "エラー" if issue.is_error else "警告"
        click.echo(f"[{mark}] {issue.message}", err=True)
    ok = sum(1 for f in result.files if not f.has_errors)
    click.echo(
        f"{len(result.files)} ファイル（うち集計に使用 {ok}）、値 {result.values.height} 件、"
        f"エラー {len(result.errors)} 件、警告 {len(result.warnings)} 件。"
        f"基準日 {result.as_of.isoformat()}、審査対象 {fiscal_year_label(result.fiscal_year_under_review)}",
        err=True,
    )


def _guard(debug: bool, func: Any) -> Any:
    """Run ``func``; an unexpected exception is a bug: one line (a traceback with --debug)."""
    import logging

    log = logging.getLogger("saisei")
    handler = logging.StreamHandler(sys.stderr)  # with --debug, also the tracebacks logged for files
    if debug:
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)
    try:
        return func()
    except (click.ClickException, click.exceptions.Exit, KeyboardInterrupt):
        raise
    except Exception as exc:
        if debug:
            raise
        click.echo(
            f"saisei の内部エラーです（不具合です。--debug を付けて再実行し、出力を開発者に送ってください）: "
            f"{type(exc).__name__}: {exc}",
            err=True,
        )
        sys.exit(EXIT_ERRORS)
    finally:
        log.removeHandler(handler)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="出力フォルダー。"
)
@click.option("--json", "as_json", is_flag=True, help="結果のJSONを標準出力に出す。")
@plan_option
@as_of_option
@debug_option
def consolidate(
    paths: tuple[Path, ...], out_dir: Path, as_json: bool, plan_path: Path | None, as_of: dt.date | None, debug: bool
) -> None:
    """PATH のブック（フォルダーは中の .xlsx すべて）を集計し、レポートを書き出します。

    書き出すもの: OUT/report.xlsx（集計レポート）、OUT/values.csv、OUT/values.parquet、
    OUT/observations.parquet（読み取ったすべての値とそのセル）。
    終了コード: 0 エラーなし（警告は可）、1 エラーあり（レポートは「暫定」として出力）、2 使い方の誤り。
    """

    def work() -> int:
        result = _run(paths, plan_path, as_of, as_json, out_dir)
        written = result.write(out_dir)
        _summary(result)
        for path in written:
            click.echo(f"出力: {path}", err=True)
        if as_json:
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return EXIT_ERRORS if result.has_errors else EXIT_OK

    sys.exit(_guard(debug, work))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="結果のJSONを標準出力に出す。")
@plan_option
@as_of_option
@debug_option
def validate(
    paths: tuple[Path, ...], as_json: bool, plan_path: Path | None, as_of: dt.date | None, debug: bool
) -> None:
    """PATH のブックを読み取り、検査だけします（レポートは書きません）。"""

    def work() -> int:
        result = _run(paths, plan_path, as_of, as_json)
        _summary(result)
        if as_json:
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return EXIT_ERRORS if result.has_errors else EXIT_OK

    sys.exit(_guard(debug, work))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="出力フォルダー。"
)
@plan_option
@as_of_option
@debug_option
def publish(paths: tuple[Path, ...], out_dir: Path, plan_path: Path | None, as_of: dt.date | None, debug: bool) -> None:
    """団体ごとの公表用ページ（HTML、1団体1ページ）を書き出します。

    PATH のブックを集計し、OUT/<団体コード>.html（その団体の実績と計画全体の合計）と
    OUT/index.html を書き出します。外部のファイルを読み込まない単独のHTMLです。
    終了コード: 0 エラーなし、1 エラーあり（ページは「暫定版」として出力）、2 使い方の誤り。
    """

    def work() -> int:
        from .report.publish import write_pages

        result = _run(paths, plan_path, as_of, False, out_dir)
        written = write_pages(result, out_dir)
        _summary(result)
        click.echo(f"出力: {out_dir}（{len(written)} ページ）", err=True)
        return EXIT_ERRORS if result.has_errors else EXIT_OK

    sys.exit(_guard(debug, work))


@main.command()
@click.option(
    "--as-of",
    callback=_date,
    metavar="DATE",
    help="基準日（例: 2025-09-01）。この日より後（同じ月を含む）の検証会議を出す。省略時は今日。",
)
@click.option(
    "--ics",
    "ics_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="iCalendar（.ics）ファイルにも書き出す（カレンダーに取り込めます）。",
)
@click.option("--json", "as_json", is_flag=True, help="JSONで出す。")
@plan_option
def schedule(as_of: dt.date | None, ics_path: Path | None, as_json: bool, plan_path: Path | None) -> None:
    """各団体の次回の効果検証（検証時期、審査する年度、確定値か見込み値か）。"""
    from .core.fiscal import fiscal_year_label
    from .schedule import to_ics, upcoming

    plan = _plan(plan_path)
    day = as_of or dt.date.today()
    meetings = upcoming(plan, day)
    if ics_path is not None:
        from .report import atomic_write

        atomic_write(ics_path, to_ics(plan, meetings, day))
        click.echo(f"出力: {ics_path}（{len(meetings)} 件）", err=True)
    if as_json:
        doc = {"as_of": day.isoformat(), "plan": plan.name, "meetings": [m.to_dict() for m in meetings]}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=1))
        return
    click.echo(f"{day.isoformat()} 以降の効果検証（検証時期は月単位）")
    for m in meetings:
        kind = "見込み値（年度末前）" if m.on_estimates else "確定値"
        click.echo(
            f"{m.meeting.label:<10}{m.body.name:<8}{fiscal_year_label(m.reviews_fiscal_year)}分  {kind:<12}"
            f"{m.body.publication_channel}"
        )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="JSONで出す。")
def plugins(as_json: bool) -> None:
    """読み取りプラグイン（様式）の一覧: 名前、版、団体、検証時期。"""
    from .plugins import get_registry

    registry = get_registry()
    rows = []
    for name in registry.names():
        info = registry.plugins[name]
        body = info.profile
        rows.append(
            {
                "name": name,
                "version": info.version,
                "entity_code": body.code if body else None,
                "entity": body.name
                if body
                else ("標準様式（計画のどの団体も）" if info.builtin else "（団体の指定なし）"),
                "verification_month": body.verification_month if body else None,
                "builtin": info.builtin,
            }
        )
    if as_json:
        click.echo(
            json.dumps(
                {"plugins": rows, "issues": [i.to_dict() for i in registry.load_issues]}, ensure_ascii=False, indent=1
            )
        )
    else:
        click.echo(f"{'名前':<12}{'版':<10}{'団体コード':<10}{'団体':<24}検証時期")
        for r in rows:
            month = f"{r['verification_month']}月" if r["verification_month"] else "—"
            click.echo(f"{r['name']:<12}{r['version']:<10}{r['entity_code'] or '—':<10}{r['entity']:<24}{month}")
        for issue in registry.load_issues:
            click.echo(f"[エラー] {issue.message}", err=True)
    sys.exit(EXIT_ERRORS if registry.load_issues else EXIT_OK)


@main.command()
@click.argument("body")
@click.option("--fiscal-year", "fiscal_year_text", required=True, help="年度（2025、令和7年度、R7）。")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="書き出すファイル（.xlsx）。"
)
@click.option("--date", "as_of", callback=_date, metavar="DATE", help="様式に記入する作成日・報告日（省略時は空欄）。")
@plan_option
def template(body: str, fiscal_year_text: str, output: Path, as_of: dt.date | None, plan_path: Path | None) -> None:
    """BODY（プラグイン名・団体コード・団体名）の空の様式を書き出します。"""
    from .core.fiscal import parse_fiscal_year
    from .plugins import get_registry
    from .report import atomic_write, deterministic_xlsx

    plan = _plan(plan_path)
    try:
        fiscal_year = parse_fiscal_year(fiscal_year_text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fiscal-year") from None
    if not plan.has_year(fiscal_year):
        raise click.BadParameter(
            f"{fiscal_year}年度は計画期間（{plan.years_text}）の外です", param_hint="--fiscal-year"
        )
    registry = get_registry()
    name = registry.find(body, plan)
    if name is None:
        raise click.UsageError(f"{body!r} の様式が見つかりません（saisei plugins で一覧を確認してください）")
    made = registry.template(name, fiscal_year, plan, as_of)
    if made is None:
        raise click.UsageError(f"プラグイン {name} は様式のひな形を書き出しません")
    import io

    buffer = io.BytesIO()
    made.workbook.save(buffer)
    atomic_write(output, deterministic_xlsx(buffer.getvalue()))
    click.echo(f"出力: {output}（{name}、{fiscal_year}年度）", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
