"""Ctrl-C in the ``saisei`` command: one line and exit 130 at any moment.

A command's work stops with ``KeyboardInterrupt`` (the group turns it into the line and
130, after the outputs' ``finally`` blocks have cleaned up).  Around it, Python would
print a traceback: while the commands load (click, the command modules) and while click
reads the arguments.  There nothing is written yet, so Ctrl-C just says the line and
leaves (:func:`while_loading`, and the console script's call for the argument reading);
once the command is done, the process only ends, so Ctrl-C is ignored (:func:`for_command`).

Only ``signal`` and ``sys`` here (no contextlib, threading or typing: each costs
milliseconds): this module is imported first, and until it has set the handler a Ctrl-C
is Python's traceback.  What is left before it (the interpreter starting, ``site``,
``saisei/__init__``) takes a few tens of milliseconds.
"""

from __future__ import annotations

import signal
import sys

__all__ = ["EXIT_INTERRUPTED", "INTERRUPTED", "for_command", "leave_on_interrupt", "while_loading"]

#: Stopped with Ctrl-C (128 + SIGINT, as shells say it).
EXIT_INTERRUPTED = 130
INTERRUPTED = "中断しました（Ctrl-C）。書きかけの出力は残していません（前回の出力があればそのままです）。"


def _leave(signum: int, frame: object) -> None:
    """Ctrl-C before a command's work began: the line, and exit 130 (no traceback)."""
    try:
        sys.stderr.write(f"\n{INTERRUPTED}\n")
        sys.stderr.flush()
    except (OSError, ValueError, RuntimeError):  # stderr closed, or in the middle of a write
        pass
    raise SystemExit(EXIT_INTERRUPTED)


def _set(handler: object) -> bool:
    """Set the SIGINT handler where the default one is set: not over one someone else set,
    not outside the main thread (where Python refuses, ValueError)."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return False
    try:
        signal.signal(signal.SIGINT, handler)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True


def leave_on_interrupt() -> None:
    """From now on (the console script: reading the arguments), Ctrl-C is the line and 130."""
    _set(_leave)


class while_loading:  # used as a function: ``with while_loading():``
    """Ctrl-C while the block runs (importing the commands) is the line and 130."""

    def __enter__(self) -> None:
        self.installed = _set(_leave)

    def __exit__(self, *exc: object) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)


class for_command:  # used as a function: ``with for_command():``
    """A command's work: Ctrl-C raises ``KeyboardInterrupt`` (cleaned up, then the line and
    130).  After it, when the console script set :func:`leave_on_interrupt`, the process
    only ends: Ctrl-C is ignored; otherwise (a test's runner) the handler is as before."""

    def __enter__(self) -> None:
        self.console = signal.getsignal(signal.SIGINT) is _leave
        if self.console:
            signal.signal(signal.SIGINT, signal.default_int_handler)

    def __exit__(self, *exc: object) -> None:
        if self.console:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
