"""Writing the outputs: report.xlsx, values.csv, values.parquet — atomically, and the
same bytes for the same inputs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import glob
import io
import os
import re
import signal
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..workbook import BOOK, BOOK_RELS, Limits, sheet_parts
from .data import values_csv
from .sheetdata import UNPRINTABLE, TableRows, splice

if TYPE_CHECKING:
    from collections.abc import Mapping

    import polars as pl

    from ..results import Consolidation

__all__ = ["atomic_write", "deterministic_xlsx", "write_outputs", "write_set"]

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    A run that fails or is interrupted never leaves a half-written file, and never replaces
    a good one with a broken one.  A run that is killed can leave its hidden temporary
    file behind (``.report.xlsx.<pid>.….tmp``); the next write removes it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _write_temp(path: Path, data: bytes) -> Path:
    """``data`` in a new hidden file beside ``path``, flushed to disk; stale ones removed."""
    _remove_stale_temps(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        # mkstemp makes the file 0600; an output is shared like any file the user writes
        # (colleagues, the web server): the mode the umask gives a new file.
        if os.name == "posix":
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is None:  # a failed write or fsync names no file: it is this one
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _umask() -> int:
    """The process's umask (there is no call that reads it without setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_stale_temps(path: Path) -> None:
    """Remove the temporary files of runs that were killed while writing ``path``."""
    if os.name != "posix":  # os.kill(pid, 0) is no probe on Windows
        return
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = stale.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            stale.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


def _sync_folder(folder: Path) -> None:
    """Flush the folder entry of a rename to disk (POSIX; best effort)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_CORE = "docProps/core.xml"
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")
FIXED_PROPERTY_DAY = dt.date(2000, 1, 1)


def deterministic_xlsx(data: bytes, tables: Mapping[str, TableRows] | None = None, day: dt.date | None = None) -> bytes:
    """Re-pack an xlsx with fixed timestamps, so the same content gives the same bytes;
    write ``tables``' rows (by sheet name) into their sheets on the way.

    The zip entries get a fixed date; the workbook's created/modified properties get
    ``day`` (the run's as-of date; 2000-01-01 without one): openpyxl stamps ``modified``
    with the time of saving, whatever the workbook's properties say.
    """
    stamp = f"{(day or FIXED_PROPERTY_DAY).isoformat()}T00:00:00Z".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        parts: dict[str, TableRows] = {}
        if tables:
            # the parts as the opener maps them (saisei.workbook): one reading of workbook.xml
            book, rels = src.read(BOOK), src.read(BOOK_RELS)
            sheets = {name: part for name, part in sheet_parts(book, rels, Limits()) if part is not None}
            if missing := sorted(set(tables) - set(sheets)):
                raise ValueError(f"no such sheet in the workbook: {missing}")
            parts = {sheets[name]: rows for name, rows in tables.items()}
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            content = src.read(info.filename)
            if info.filename == _CORE:
                content = _CORE_DATES.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            elif info.filename in parts:
                content = splice(content, parts[info.filename])
            dst.writestr(fixed, content)
    return out.getvalue()


def report_bytes(result: Consolidation) -> bytes:
    from .xlsx import build_workbook  # openpyxl (0.1 s): only when a report is built

    book, tables = build_workbook(_printable(result))
    buffer = io.BytesIO()
    book.save(buffer)
    return deterministic_xlsx(buffer.getvalue(), tables, result.as_of)


def _printable(result: Consolidation) -> Consolidation:
    """A copy of ``result`` whose text can go into a worksheet (forbidden characters → U+FFFD)."""
    import polars as pl  # imported when writing: importing the report module stays quick

    pattern = re.compile(UNPRINTABLE)

    def text(value: str | None) -> str | None:
        return pattern.sub("\ufffd", value) if value else value

    def frame(df: pl.DataFrame) -> pl.DataFrame:
        fixes = []
        for name, dtype in df.schema.items():
            if dtype == pl.String:
                fixes.append(pl.col(name).str.replace_all(UNPRINTABLE, "\ufffd"))
            elif dtype == pl.List(pl.String):
                fixes.append(pl.col(name).list.eval(pl.element().str.replace_all(UNPRINTABLE, "\ufffd")))
        return df.with_columns(fixes) if fixes else df

    issues = [
        dataclasses.replace(
            i,
            message=text(i.message) or "",
            file=text(i.file),
            sheet=text(i.sheet),
            cell=text(i.cell),
            plugin=text(i.plugin),
        )
        for i in result.issues
    ]
    return dataclasses.replace(
        result,
        issues=issues,
        values=frame(result.values),
        revisions=frame(result.revisions),
        observations=frame(result.observations),
    )


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, statistics=False)
    return buffer.getvalue()


def observations_in_cell_order(observations: pl.DataFrame) -> pl.DataFrame:
    """File by file, sheet by sheet, row by row (E4 before E10), then column."""
    import polars as pl  # imported when writing: importing the report module stays quick

    return observations.sort(
        "file",
        "sheet",
        pl.col("cell").str.extract(r"([0-9]+)$", 1).cast(pl.Int64),
        pl.col("cell").str.len_chars(),
        "cell",
    )


def write_outputs(result: Consolidation, out_dir: Path) -> list[Path]:
    """Write every output into ``out_dir``; everything is built before anything is written."""
    outputs = {
        "report.xlsx": report_bytes(result),
        "values.csv": values_csv(result),
        "values.parquet": parquet_bytes(result.values),
        # every accepted observation with its own cell: the full trail behind each value
        "observations.parquet": parquet_bytes(observations_in_cell_order(result.observations)),
    }
    return write_set(out_dir, outputs)


def write_set(out_dir: Path, outputs: Mapping[str, bytes]) -> list[Path]:
    """Write ``outputs`` (file name → bytes) into ``out_dir`` as one set.

    Every file is written and flushed before any is renamed into place, so a failure
    while writing (disk full, a kill) leaves the previous outputs as they were.  Another
    run writing into the same folder waits (a lock on the folder), so the folder
    never holds one run's report beside another's CSV; Ctrl-C waits for the renames, so
    the set is never half replaced.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    temps: dict[Path, Path] = {}
    with _folder_lock(out_dir):
        try:
            for name, data in outputs.items():
                temps[out_dir / name] = _write_temp(out_dir / name, data)
            with _no_interrupt():
                for path, tmp in temps.items():
                    os.replace(tmp, path)
        except BaseException:
            for tmp in temps.values():
                tmp.unlink(missing_ok=True)
            raise
        _sync_folder(out_dir)
    return list(temps)


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Hold a lock on ``folder`` (POSIX ``flock`` on the folder: released when the process
    ends, even killed); wait while another run holds it.  Where there is no ``flock``
    (Windows), no lock."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)  # the folder itself: no lock file left beside the outputs
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextmanager
def _no_interrupt() -> Iterator[None]:
    """Ctrl-C held back until the block is done, then raised as usual.

    Python runs signal handlers in the main thread whichever thread the signal reached,
    so a handler that only notes the signal holds it back; elsewhere nothing is held.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[tuple[int, Any]] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append((number, frame)))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and callable(previous):
            previous(*caught[0])
