"""Finding the workbooks to read: folders walked, saisei's own outputs recognized.

A folder gives every spreadsheet below it.  Nothing found is dropped silently: another
file is "not a workbook" (a warning), a folder that cannot be searched is an error for
that folder (the rest is read), and a file saisei wrote itself (a report, its CSV and
Parquet files, published pages, a calendar) is recognized by its content and left out
— only that file, never the folder it is in, so ``--out .`` above the inputs loses none.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "OWN_OUTPUT_NAMES",
    "PAGE_CSV_HEADER",
    "REPORT_SHEETS",
    "SPREADSHEET_SUFFIXES",
    "VALUE_HEADER",
    "Collected",
    "collect_files",
    "is_own_output",
    "is_report",
]

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

#: The sheets of report.xlsx, in order (saisei.report.xlsx writes them).
REPORT_SHEETS = ("総括", "団体別", "検証体制", "検証結果", "改訂履歴", "要確認", "出典", "実績データ", "KPI集計")
#: Sheets added to the report later: a report of an earlier saisei lacks them.
LATER_SHEETS = ("検証結果",)
#: The header of values.csv (saisei.report.data writes it).
VALUE_HEADER = ("団体コード", "団体名", "年度", "KPI", "実績値", "区分", "出典")
#: The header of the CSV beside each published page (saisei.report.publish writes it).
PAGE_CSV_HEADER = ("団体コード", "団体名", "年度", "KPI", "指標名", "単位", "項目", "値", "区分")
#: What saisei writes into an output folder besides the HTML pages.
OWN_OUTPUT_NAMES = ("report.xlsx", "values.csv", "values.parquet", "observations.parquet")
#: The mark in every page ``saisei publish`` writes, and in the calendar ``schedule --ics`` writes.
PAGE_MARK = b'<meta name="generator" content="saisei" />'
CALENDAR_MARK = b"PRODID:-//saisei//"


class Collected(NamedTuple):
    """What a search found: the workbooks to read, the other files (not workbooks),
    saisei's own outputs (left out) and the folders or entries it could not read."""

    files: list[Path]
    ignored: list[Path]
    own: list[Path]
    unreadable: list[tuple[Path, OSError]]


def is_report(sheet_names: Iterable[str]) -> bool:
    """True for a workbook with every sheet of saisei's report."""
    return set(REPORT_SHEETS) - set(LATER_SHEETS) <= set(sheet_names)


def is_own_output(path: Path) -> bool:
    """True for a file saisei wrote, by its name and its first bytes (not report.xlsx:
    that one is recognized once opened, by :func:`is_report`)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".html", ".ics"):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    if suffix == ".csv":
        if path.name == "values.csv":
            return head.startswith(("\ufeff" + ",".join(VALUE_HEADER)).encode())
        return head.startswith(("\ufeff" + ",".join(PAGE_CSV_HEADER)).encode())  # a published page's figures
    if suffix == ".parquet":
        return path.name in OWN_OUTPUT_NAMES and head.startswith(b"PAR1")
    if suffix == ".html":
        return PAGE_MARK in head
    return head.startswith(b"BEGIN:VCALENDAR") and CALENDAR_MARK in head


def collect_files(paths: Iterable[str | Path], *, exclude: Iterable[str | Path] = ()) -> Collected:
    """The workbooks to read, in a stable order, and what else the folders held.

    A folder gives every spreadsheet below it (recursively; Excel's ``~$`` lock files
    and hidden files and folders left out; a link to a folder is not followed).  A file
    named on its own is always read, whatever its extension.  The same file named twice
    is read once.  ``exclude``: the files and output folders of this run; those files,
    and saisei's own outputs in those folders, are left out without a word (they are
    this run's); saisei's outputs found elsewhere are listed in ``own``.  Other files in
    those folders are read like any other.
    """
    found: list[Path] = []
    ignored: list[Path] = []
    own: list[Path] = []
    unreadable: list[tuple[Path, OSError]] = []
    outputs = [Path(e).resolve() for e in exclude]
    folders: dict[Path, Path] = {}

    def real(child: Path) -> Path:
        """``child.resolve()``, resolving each folder once (a national run has thousands
        of files in a few folders; a link is resolved on its own)."""
        if child.is_symlink():
            return child.resolve()
        parent = folders.get(child.parent)
        if parent is None:
            parent = folders[child.parent] = child.parent.resolve()
        return parent / child.name

    def walk(folder: Path) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:  # no permission to list or search it: an error for it alone
            unreadable.append((folder, exc))
            return
        try:  # listed, but is what it holds reachable? (read but no search permission: x)
            if entries:
                entries[0].stat(follow_symlinks=False)
        except PermissionError as exc:
            unreadable.append((folder, exc))
            return
        except OSError:  # gone since it was listed: the entry's own checks below say so
            pass
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = folder / entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    walk(child)
                    continue
                if entry.is_symlink() and child.is_dir():
                    continue
                is_file = entry.is_file()
            except OSError as exc:
                unreadable.append((child, exc))
                continue
            if outputs and real(child) in outputs:  # a file this run writes (its record)
                continue
            if not is_file:  # a broken link, a device: said, not silently skipped
                ignored.append(child)
            elif entry.name.startswith("~$"):
                continue
            elif child.suffix.lower() in SPREADSHEET_SUFFIXES:
                found.append(child)
            elif is_own_output(child):
                if not any(real(child).parent == o for o in outputs):
                    own.append(child)
            else:
                ignored.append(child)

    for raw in paths:
        path = Path(raw)
        try:
            is_folder = path.is_dir()
        except OSError as exc:
            unreadable.append((path, exc))
            continue
        if is_folder:
            walk(path)
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(real(path), path)
    return Collected(list(unique.values()), ignored, own, unreadable)
