"""Send-back: every body gets its own workbook back, with each problem marked at its cell.

:func:`sendback` writes, for every workbook of a consolidation with a problem at a cell,
``<stem>_要確認.xlsx`` — the clerk's own workbook with a 確認事項 sheet first, the
flagged cells filled and commented, every other part as it was (:mod:`.package`) — and
``<stem>_要確認.txt``, the cover letter (:mod:`.letter`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.issues import Issue
from ..core.plan import Plan
from .listing import Cover, Placed
from .package import annotate, annotate_listed
from .problems import Problem, problems_of

if TYPE_CHECKING:
    from ..results import Consolidation, FileResult

__all__ = ["Cover", "Job", "Problem", "SendBack", "annotate", "sendback", "sendback_record", "write_sendbacks"]

SUFFIX = "_要確認"


@dataclass
class SendBack:
    """What was written for one workbook."""

    name: str  # the workbook's name as received
    body: str
    problems: list[Problem]
    letter: Path
    workbook: Path | None = None  # None: the file could not be annotated (see ``reason``)
    reason: str | None = None
    written: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    """One workbook to send back: ``load`` gives its bytes as received, or raises
    :class:`~saisei.workbook.WorkbookError` saying why there are none to annotate."""

    name: str
    body: str
    problems: list[Problem]
    load: Callable[[], bytes]


def _issues_of(result: Consolidation, file: FileResult, unique: bool) -> list[Issue]:
    """A file's own issues, and those of the consolidation that name it (conflicts)."""
    own = list(file.issues)
    if unique:
        seen = set(own)
        own += [i for i in result.issues if i.file == file.name and i not in seen]
    return own


def _body_code(file: FileResult) -> str | None:
    """The body whose workbook it is: the form's own, else the one body its rows are for."""
    if file.entity_code:
        return file.entity_code
    if file.frame is not None and "entity_code" in file.frame.columns:
        codes = {c for c in file.frame["entity_code"].to_list() if c}
        if len(codes) == 1:
            return str(codes.pop())
    return None


def sendback(
    result: Consolidation,
    out_dir: str | Path,
    *,
    due: dt.date | None = None,
    errors_only: bool = False,
    checked: dt.date | None = None,
) -> list[SendBack]:
    """Write the send-back of every file of ``result`` with a problem into ``out_dir``."""
    names = [f.name for f in result.files]
    jobs = []
    for file in result.files:
        problems = problems_of(_issues_of(result, file, names.count(file.name) == 1), errors_only=errors_only)
        if problems:
            code = _body_code(file)
            body = result.plan.body(code) if code else None
            jobs.append(Job(file.name, body.name if body else "", problems, partial(_read, file.path, file.sha256)))
    return write_sendbacks(jobs, out_dir, plan=result.plan, due=due, checked=checked)


def _read(path: Path, sha256: str | None) -> bytes:
    """The file's bytes, if they are still those saisei read and could open."""
    from ..workbook import WorkbookError

    if sha256 is None:
        raise WorkbookError("unreadable-workbook", "saisei で開けないブックです")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WorkbookError("unreadable-workbook", f"ファイルを読めません（{exc.strerror or exc}）") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise WorkbookError(
            "unreadable-workbook", "読み取ったあとでファイルが変わっています（もう一度実行してください）"
        )
    return data


def sendback_record(
    record: str | Path,
    out_dir: str | Path,
    *,
    plan: Plan,
    due: dt.date | None = None,
    errors_only: bool = False,
    checked: dt.date | None = None,
) -> list[SendBack]:
    """Write the send-back of every body whose latest submission in ``record`` has a
    problem (and of every workbook of the latest run that named no body), from the bytes
    the record holds: the whole round again after each gathering."""
    from ..record import open_record
    from ..record.tracker import body_statuses, unattributed_submissions

    jobs = []
    with open_record(record) as rec:
        _, statuses = body_statuses(rec, plan)
        wanted = [(s.submission, s.entity) for s in statuses if s.submission is not None]
        wanted += [(sub, "") for sub, _ in unattributed_submissions(rec)]
        stored = {s.submission: s for s in rec.submissions().values()}
        issues = rec.issues_of(sub for sub, _ in wanted)
        for sub, body in sorted(set(wanted)):
            problems = problems_of(issues.get(sub, []), errors_only=errors_only)
            if problems:
                data = rec.content(stored[sub].sha256)
                jobs.append(Job(stored[sub].name, body, problems, partial(bytes, data)))
    return write_sendbacks(jobs, out_dir, plan=plan, due=due, checked=checked)


def write_sendbacks(
    jobs: Sequence[Job],
    out_dir: str | Path,
    *,
    plan: Plan,
    due: dt.date | None = None,
    checked: dt.date | None = None,
) -> list[SendBack]:
    """Write each job's annotated copy and letter.  A workbook that cannot be annotated
    (it changed since it was read, or cannot be opened) gets the letter alone, which says so."""
    from ..report import atomic_write
    from ..workbook import WorkbookError
    from .letter import cover_letter

    out = Path(out_dir)
    checked = checked or dt.date.today()
    lead = plan.body(plan.lead_body)
    sender = lead.name if lead is not None else "県"
    done: list[SendBack] = []
    stems: dict[str, int] = {}
    for job in jobs:
        stem = Path(job.name).stem + SUFFIX
        stems[stem] = stems.get(stem, 0) + 1
        if stems[stem] > 1:
            stem = f"{stem}_{stems[stem]}"
        cover = Cover(job.body, job.name, checked, due)
        entry = SendBack(job.name, job.body, job.problems, out / f"{stem}.txt")
        copy_name: str | None = f"{stem}.xlsx"
        items = [Placed(p, p.sheet, None) for p in job.problems]
        try:
            annotated, items = annotate_listed(job.load(), job.problems, cover)
        except WorkbookError as exc:
            copy_name = None
            entry.reason = exc.message
        else:
            entry.workbook = out / f"{stem}.xlsx"
            atomic_write(entry.workbook, annotated)
            entry.written.append(entry.workbook)
        letter = cover_letter(cover, items, sender=sender, plan_name=plan.name, copy_name=copy_name)
        atomic_write(entry.letter, ("\ufeff" + letter).encode("utf-8"))
        entry.written.append(entry.letter)
        done.append(entry)
    return done
