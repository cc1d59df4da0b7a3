"""Ctrl-C in the ``saisei`` command: one line and exit 130 at any moment.

A command's work stops with ``KeyboardInterrupt`` (the group turns it into the line and
130, after the outputs' ``finally`` blocks have cleaned up).  Around it, Python would
print a traceback: while the commands load (click, the command modules) and while click
reads the arguments.  There nothing is written yet, so Ctrl-C just says the line and
leaves (:func:`while_loading`, and the console script's call for the argument reading);
once the command is done, the process only ends, so Ctrl-C is ignored (:func:`for_command`).

Only the standard library here: this module is imported before click.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["EXIT_INTERRUPTED", "INTERRUPTED", "for_command", "leave_on_interrupt", "while_loading"]

#: Stopped with Ctrl-C (128 + SIGINT, as shells say it).
EXIT_INTERRUPTED = 130
INTERRUPTED = "中断しました（Ctrl-C）。書きかけの出力は残していません（前回の出力があればそのままです）。"


def _leave(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C before a command's work began: the line, and exit 130 (no traceback)."""
    try:
        sys.stderr.write(f"\n{INTERRUPTED}\n")
        sys.stderr.flush()
    except (OSError, ValueError, RuntimeError):  # stderr closed, or in the middle of a write
        pass
    raise SystemExit(EXIT_INTERRUPTED)


def _can_set() -> bool:
    """Only the main thread may set a handler; one someone else set is left alone."""
    return (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )


def leave_on_interrupt() -> None:
    """From now on (the console script: reading the arguments), Ctrl-C is the line and 130."""
    if _can_set():
        signal.signal(signal.SIGINT, _leave)


@contextmanager
def while_loading() -> Iterator[None]:
    """Ctrl-C while the block runs (importing the commands) is the line and 130."""
    installed = _can_set()
    if installed:
        signal.signal(signal.SIGINT, _leave)
    try:
        yield
    finally:
        if installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)


@contextmanager
def for_command() -> Iterator[None]:
    """A command's work: Ctrl-C raises ``KeyboardInterrupt`` (cleaned up, then the line and
    130).  After it, when the console script set :func:`leave_on_interrupt`, the process
    only ends: Ctrl-C is ignored; otherwise (a test's runner) the handler is as before."""
    main = threading.current_thread() is threading.main_thread()
    before = signal.getsignal(signal.SIGINT) if main else None
    if before is _leave:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if before is _leave:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
