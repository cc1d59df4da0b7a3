"""What the commands share: exit codes, the common options, running a consolidation,
the one-line summary and the guard that turns a bug into one line.

Heavy modules are imported inside the functions that need them, so that importing the
commands (for ``saisei --help``) stays quick.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._interrupts import EXIT_INTERRUPTED

if TYPE_CHECKING:
    from ..api import Consolidation
    from ..core.plan import Plan

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_ENVIRONMENT",
    "EXIT_ERRORS",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "EnvironmentFailure",
    "as_of_option",
    "debug_option",
    "environment_message",
    "guard",
    "load_plan_or_fail",
    "parse_date_option",
    "plan_option",
    "print_summary",
    "record_failure",
    "record_option",
    "run_consolidation",
]

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
#: The files could not be read or written (disk full, read-only, no permission, not a folder).
EXIT_ENVIRONMENT = 3
#: The program reading the output went away (``saisei schedule | head``).
EXIT_BROKEN_PIPE = 141
#: saisei itself failed (a bug).
EXIT_INTERNAL = 70

_NOT_WRITTEN = "出力は書いていません（前回の出力があればそのままです）"


def parse_date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """A click callback: ``2025-09-01``, ``令和7年9月1日`` and the like, as a date."""
    if value is None:
        return None
    from ..core.fiscal import parse_date  # here, as every saisei import below: --help stays quick

    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r}: {exc}") from None


def load_plan_or_fail(path: Path | None) -> Plan:
    """The plan at ``path`` (default: Yamagata's); a broken plan is a usage error."""
    from ..core.plan import PlanError
    from ..plans import load_plan

    try:
        return load_plan(path)
    except PlanError as exc:
        raise PlanFailure(str(exc)) from None


class PlanFailure(click.ClickException):
    """The plan file is broken: its problems, each at its key and line, and exit 2 (as a
    usage error, but without the command's usage: the file is at fault, not the command)."""

    exit_code = EXIT_USAGE

    def show(self, file: Any = None) -> None:
        click.echo(f"エラー: {self.message}", err=True)


plan_option = click.option(
    "--plan",
    "plan_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="計画ファイル（TOML）。省略時は山形県の計画。",
)
as_of_option = click.option(
    "--as-of",
    callback=parse_date_option,
    metavar="DATE",
    help="基準日（例: 2025-09-01）。審査対象年度を決める。省略時は様式の最新の作成日、なければ今日。",
)
debug_option = click.option("--debug", is_flag=True, help="内部エラーのトレースバックを表示する。")
record_option = click.option(
    "--record",
    "record_path",
    envvar="SAISEI_RECORD",
    type=click.Path(dir_okay=False, path_type=Path),
    help="記録ファイル（全年度の提出ブックと集計の記録、SQLite）。環境変数 SAISEI_RECORD でも指定できます。",
)


class EnvironmentFailure(click.ClickException):
    """A file or folder could not be read or written: one line, :data:`EXIT_ENVIRONMENT`."""

    exit_code = EXIT_ENVIRONMENT

    def show(self, file: Any = None) -> None:
        click.echo(f"[エラー] {self.message}", err=True)


def environment_message(exc: OSError) -> str:
    """What failed, where and what to do, for a failure of the disk or the file system."""
    from ..core.text import safe_text

    where = safe_text(str(exc.filename)) if exc.filename is not None else "出力先"
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        what = f"{where} に書き込めません: ディスクの空きがありません。空きを作るか、別の場所を指定して、もう一度実行してください"
    elif code == errno.EROFS:
        what = f"{where} に書き込めません: 読み取り専用の場所です。書き込める場所（--out など）を指定してください"
    elif code == errno.ENOTDIR:
        what = (
            f"{where} を作れません: 途中にフォルダーではなくファイルがあります。出力先にはフォルダーを指定してください"
        )
    elif code in (errno.EACCES, errno.EPERM):
        what = f"{where} を開けません: 権限がありません。権限のある場所を指定するか、管理者に権限を頼んでください"
    elif code == errno.EISDIR:
        what = f"{where} はフォルダーです。ファイル名を指定してください"
    elif code == errno.ENOENT:
        what = f"{where} が見つかりません。場所を確かめてください"
    else:
        what = f"{where} を読み書きできません: {safe_text(exc.strerror or str(exc))}。場所と空き容量を確かめてください"
    return f"{what}。{_NOT_WRITTEN}"


class RecordFailure(click.ClickException):
    """The record cannot be used (foreign, damaged, locked, missing): one line, exit 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"[エラー] {self.message}", err=True)


@contextmanager
def record_failure() -> Iterator[None]:
    """A :class:`saisei.record.RecordError` inside becomes :class:`RecordFailure`."""
    from ..record import RecordError

    try:
        yield
    except RecordError as exc:
        raise RecordFailure(str(exc)) from None


def run_consolidation(
    paths: tuple[Path, ...],
    plan_path: Path | None,
    as_of: dt.date | None,
    quiet: bool,
    out_dir: Path | None = None,
    *,
    record: Path | None = None,
    write: bool = False,
) -> Consolidation:
    """Consolidate ``paths`` as the commands do: several processes for many files, a
    progress bar on a terminal, the output folder never read back.

    With ``record``, the record's earlier runs count too; the run is added to it when
    ``write`` (the report is then written into ``out_dir`` inside the run's transaction),
    and the record is only read otherwise.  Without a record, ``write`` writes the report.
    """
    from ..api import consolidate  # polars, the plugins: only when a command runs
    from ..core.cycle import review_year_problem

    plan = load_plan_or_fail(plan_path)
    if as_of is not None and (outside := review_year_problem(as_of, plan)) is not None:
        raise click.UsageError(f"{outside}（--as-of）")
    bar: Any = None

    def found(files: list[Path]) -> None:
        nonlocal bar
        if not files and record is None:  # with a record: its earlier runs alone
            raise click.UsageError("読み込むブックがありません（.xlsx のファイルかフォルダーを指定してください）")
        if not quiet and len(files) >= 20 and sys.stderr.isatty():
            bar = click.progressbar(length=len(files), label="読み込み中", file=sys.stderr)
            bar.__enter__()

    try:
        with record_failure():
            result = consolidate(
                paths,
                record=record,
                out=out_dir if write else None,
                read_only=not write,
                waiting=lambda message: click.echo(f"[待機] {message}", err=True),
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


def print_summary(result: Consolidation) -> None:
    """Every issue, then one line of counts, on stderr."""
    from ..core.fiscal import fiscal_year_label

    for issue in result.issues:
        mark = "エラー" if issue.is_error else "警告"
        click.echo(f"[{mark}] {issue.message}", err=True)
    ok = sum(1 for f in result.files if not f.has_errors)
    click.echo(
        f"{len(result.files)} ファイル（うち集計に使用 {ok}）、値 {result.values.height} 件、"
        f"エラー {len(result.errors)} 件、警告 {len(result.warnings)} 件。"
        f"基準日 {result.as_of.isoformat()}（{as_of_origin(result)}）、"
        f"審査対象 {fiscal_year_label(result.fiscal_year_under_review)}",
        err=True,
    )


def as_of_origin(result: Consolidation) -> str:
    """Where the run's as-of date came from, for the summary."""
    if result.as_of_source is None:
        return "指定"
    if result.as_of_source == "today":
        return "使える日付のある様式がないため今日"
    return f"{result.as_of_source} の日付"


def guard(debug: bool, func: Callable[[], int]) -> int:
    """Run ``func``; an unexpected exception is a bug: one line (a traceback with --debug)."""
    log = logging.getLogger("saisei")
    handler = logging.StreamHandler(sys.stderr)  # with --debug, also the tracebacks logged for files
    if debug:
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)
    try:
        return func()
    except (click.ClickException, click.exceptions.Exit, KeyboardInterrupt, BrokenPipeError):
        raise
    except OSError as exc:  # the disk or the file system, not saisei
        if debug:
            raise
        raise EnvironmentFailure(environment_message(exc)) from None
    except Exception as exc:
        if debug:
            raise
        click.echo(
            f"saisei の内部エラーです（不具合です。--debug を付けて再実行し、出力を開発者に送ってください）: "
            f"{type(exc).__name__}: {exc}",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    finally:
        log.removeHandler(handler)
