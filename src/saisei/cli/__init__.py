"""The ``saisei`` command: the click group, and one module per command.

A command lives in its own module (``saisei/cli/<name>.py``) as a plain ``@click.command()``
and is registered below in one line.  Shared options and helpers are in
:mod:`saisei.cli._common`; a command module imports from there (never from this package,
which imports the commands).  Heavy imports (polars, pandera, openpyxl, the plugins) wait
until a command runs, so ``saisei --help`` and ``saisei plugins`` stay quick.
"""

from __future__ import annotations

from ._interrupts import while_loading  # first: Ctrl-C while the commands load is one line too

with while_loading():
    import os
    import sys
    from typing import Any, NoReturn

    import click

    from ._texts import install

    # click's own texts in Japanese, before the commands are defined: some are looked up
    # when a command's options are made (the "file" in --plan's messages), most when shown
    install()

    from . import consolidate, new_plugin, plugins, publish, record, review_sheet, schedule, sendback, template
    from ._common import EXIT_BROKEN_PIPE, EnvironmentFailure, environment_message
    from ._interrupts import EXIT_INTERRUPTED, INTERRUPTED, for_command, leave_on_interrupt

__all__ = ["main"]


def _output_closed() -> NoReturn:
    """The program reading our output went away (``saisei schedule | head -1``): stop
    quietly with 141 (128 + SIGPIPE, what the shell shows for any command stopped so).

    The stream whose reader is gone cannot be flushed: its descriptor is pointed at the
    null device, so Python's flush at exit has nowhere to fail (no "Exception ignored");
    a stream that still works (stdout to a file) keeps what it holds.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, stream.fileno())
                os.close(devnull)
            except (OSError, ValueError):  # no descriptor (a test's runner): nothing to flush at exit
                pass
    sys.exit(EXIT_BROKEN_PIPE)


class SaiseiGroup(click.Group):
    """The group: Ctrl-C is one line and exit 130 (click says "Aborted!" and exits 1, the
    status of a report with errors); a failure of the disk or the file system in any
    command is one line and exit 3 (commands under ``guard`` get the same there); a
    closed output (``| head``) is quiet and 141, in every command and in ``--help``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The console script (``saisei ...``): Ctrl-C while click reads the arguments is
        the line and 130 too (see :mod:`saisei.cli._interrupts`); a closed output while
        click writes its own messages (a usage error) is quiet and 141 too."""
        leave_on_interrupt()
        try:
            return self.main(*args, **kwargs)
        except BrokenPipeError:
            _output_closed()

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        """Reading the arguments prints ``--help`` and ``--version`` (click would exit 1)."""
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            _output_closed()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with for_command():
                done = super().invoke(ctx)
                sys.stdout.flush()  # a closed output fails here, not in Python's flush at exit
                return done
        except BrokenPipeError:  # the reader of our output went away (| head): nothing to say
            _output_closed()
        except KeyboardInterrupt:
            click.echo(f"\n{INTERRUPTED}", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            raise EnvironmentFailure(environment_message(exc)) from None


@click.group(cls=SaiseiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="saisei")
def main() -> None:
    """地域再生計画のKPI様式を読み取り、検証し、県の集計レポートにまとめます。"""


main.add_command(consolidate.consolidate)
main.add_command(consolidate.validate)
main.add_command(new_plugin.new_plugin)
main.add_command(plugins.plugins)
main.add_command(publish.publish)
main.add_command(record.status)
main.add_command(record.history)
main.add_command(record.record)
main.add_command(review_sheet.review_sheet)
main.add_command(schedule.schedule)
main.add_command(sendback.sendback)
main.add_command(template.template)
