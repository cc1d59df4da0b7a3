"""Send-back: every body gets its own workbook back, with each problem marked at its cell.

:func:`sendback` writes, for every workbook of a consolidation with a problem at a cell,
``<stem>_要確認.xlsx`` — the clerk's own workbook with a 確認事項 sheet first, the
flagged cells filled and commented, every other part as it was (:mod:`.package`) — and
``<stem>_要確認.txt``, the cover letter (:mod:`.letter`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.issues import Issue
from .listing import Cover, Placed
from .package import annotate, annotate_listed
from .problems import Problem, problems_of

if TYPE_CHECKING:
    from ..results import Consolidation, FileResult

__all__ = ["Cover", "Problem", "SendBack", "annotate", "sendback", "sendback_files"]

SUFFIX = "_要確認"


@dataclass
class SendBack:
    """What was written for one workbook."""

    source: Path
    body: str
    problems: list[Problem]
    letter: Path
    workbook: Path | None = None  # None: the file could not be annotated (see ``reason``)
    reason: str | None = None
    written: list[Path] = field(default_factory=list)


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
            jobs.append((file.path, file.sha256, body.name if body else "", problems))
    return sendback_files(jobs, out_dir, plan=result.plan, due=due, checked=checked)


def sendback_files(
    jobs: Sequence[tuple[Path, str | None, str, list[Problem]]],
    out_dir: str | Path,
    *,
    plan: object,
    due: dt.date | None = None,
    checked: dt.date | None = None,
) -> list[SendBack]:
    """Write each ``(path, sha256 as read, body name, problems)``: the annotated copy and
    its letter.  A file that changed since it was read, or that cannot be opened, gets
    the letter alone, which says so."""
    from ..report import atomic_write
    from ..workbook import WorkbookError
    from .letter import cover_letter

    out = Path(out_dir)
    checked = checked or dt.date.today()
    lead = plan.body(plan.lead_body)  # type: ignore[attr-defined]
    sender = lead.name if lead is not None else "県"
    plan_name = plan.name  # type: ignore[attr-defined]
    done: list[SendBack] = []
    stems: dict[str, int] = {}
    for path, sha256, body, problems in jobs:
        stem = path.stem + SUFFIX
        stems[stem] = stems.get(stem, 0) + 1
        if stems[stem] > 1:
            stem = f"{stem}_{stems[stem]}"
        cover = Cover(body, path.name, checked, due)
        entry = SendBack(path, body, problems, out / f"{stem}.txt")
        copy_name: str | None = f"{stem}.xlsx"
        items = [Placed(p, p.sheet, None) for p in problems]
        try:
            data = path.read_bytes()
            if sha256 is None:
                raise WorkbookError("unreadable-workbook", "saisei で開けないブックです")
            if hashlib.sha256(data).hexdigest() != sha256:
                raise WorkbookError(
                    "unreadable-workbook", "読み取ったあとでファイルが変わっています（もう一度実行してください）"
                )
            annotated, items = annotate_listed(data, problems, cover)
        except (OSError, WorkbookError) as exc:
            copy_name = None
            entry.reason = getattr(exc, "message", None) or str(exc)
        else:
            entry.workbook = out / f"{stem}.xlsx"
            atomic_write(entry.workbook, annotated)
            entry.written.append(entry.workbook)
        letter = cover_letter(cover, items, sender=sender, plan_name=plan_name, copy_name=copy_name)
        atomic_write(entry.letter, ("\ufeff" + letter).encode("utf-8"))
        entry.written.append(entry.letter)
        done.append(entry)
    return done
