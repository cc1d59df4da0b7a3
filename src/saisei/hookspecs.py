"""The plugin contract: every hook a saisei plugin may implement.

A plugin is a module (or any object) with functions marked ``@hookimpl`` (from
:mod:`saisei.plugin`, the stable API for plugins) whose names are the hooks below,
registered in the ``saisei`` entry-point group under the name that identifies it
(``tsuruoka = "saisei_tsuruoka"``).  The standard form (標準様式) is a built-in plugin
using these same hooks.  A plugin implements only the hooks it needs; an implementation
may take fewer arguments than the hook offers (pluggy passes only those it names).

The plan is the single source of a body's profile: the plan data names the plugin that
reads each body's form (``plugin = "tsuruoka"``), with its committee, verification month
and publication.  A plugin says only which body it serves (:func:`saisei_body_code`).

saisei registers each plugin with pluggy and checks it: a function named like a hook that
saisei does not know (``saisei_detekt``), or a hook implementation taking an argument the
hook does not offer, is an error ``plugin-load-failed`` naming the plugin and the hook,
and that plugin is not used.  saisei then calls each plugin's hooks through pluggy on
their own, one plugin at a time, and isolates them: a plugin that raises, or returns
something that is not what its hook promises, becomes an error for the file at hand
(``plugin-failed``), never a crash of the run.  Values passed in are read-only; hooks
return new objects.  ``SAISEI_TRACE_PLUGINS=1`` prints every hook call and its result to
stderr.

The data flow is: open workbook → :func:`saisei_detect` for every plugin → the one plugin
that claims it → :func:`saisei_read` → observations → validate → reconcile → totals →
report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .core.plan import Plan
    from .reading import Reading
    from .template import Template
    from .workbook import Workbook

__all__ = ["Detection", "hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("saisei")
hookimpl = pluggy.HookimplMarker("saisei")


# -------------------------------------------------------------------------
# the body served
# -------------------------------------------------------------------------


@hookspec
def saisei_body_code() -> str | None:
    """Return the 団体コード of the body whose form this plugin reads.

    Everything else about the body — name, verification month (検証時期), committee
    (産学官金労言士), publication — is in the plan, which also names this plugin as the
    reader of that body's form (``plugin = "tsuruoka"``); ``saisei plugins`` shows it from
    there.  A body code that the plan in use does not have makes each workbook this plugin
    claims one error (``body-not-in-plan``) suggesting ``--plan``.

    :return: the body's code (``"062031"``, 6 digits with the check digit); ``None`` for a
        reader that serves no single body (the standard form serves any body of the plan).
    """


# -------------------------------------------------------------------------
# reading
# -------------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """What :func:`saisei_detect` may return instead of a bool: the answer, and when the
    workbook is not the form, how close it came and what was missing.

    When no plugin claims a workbook, the error names the closest form and what it
    lacked: 「鶴岡市の様式に近いですが、シート『実績報告』に見出し『No.』が見つかりません
    （5〜6行目を探しました）」.

    :ivar claimed: the workbook is this plugin's form (the same as returning ``True``)
    :ivar score: how close a workbook that is not the form came, from 0 (nothing of the
        form: no sheet of its name) to 1; say 0.5 or more only when a clerk would see the
        form in it (its sheet, and most of its header)
    :ivar missing: what was missing, and where, in a clerk's words:
        ``シート『実績報告』に見出し『No.』が見つかりません（5〜6行目を探しました）``
    :ivar sheet: the sheet where it was looked for, when there is one
    :ivar cell: the cell, when one cell says it (the header row's first cell …)
    """

    claimed: bool
    score: float = 0.0
    missing: str = ""
    sheet: str | None = None
    cell: str | None = None

    def __bool__(self) -> bool:
        return self.claimed


@hookspec
def saisei_detect(workbook: Workbook, explain: bool) -> bool | Detection | None:
    """Tell whether ``workbook`` is this plugin's form.

    Decide by content — sheet names, title cells, header rows — never by the file's name:
    staff rename files.  Look at as little as needed (sheet names first); sheets are parsed
    on first use and shared with the other plugins asked about the same workbook.  Find
    the header by its labels, not by its cells: clerks insert rows and columns
    (:mod:`saisei.core.tables`).

    A workbook that no plugin claims, or that two claim, is an error naming the file.
    When none claims it, the error names the closest form by the :class:`Detection` s
    returned, and what that form missed.

    :param workbook: the opened workbook (read-only)
    :param explain: ``False`` when saisei asks which plugin's form the workbook is (answer
        fast); ``True`` when no plugin claimed it and saisei asks again how close it came:
        then a plugin may look further (its header in a sheet of another name …) to say
        what was missing.  A plugin that does not name this argument is not given it.
    :return: ``True`` (or a claimed :class:`Detection`) when the workbook is this
        plugin's form; ``False``, ``None`` or an unclaimed :class:`Detection` (with how
        close it came and what was missing) when it is not.
    """


@hookspec
def saisei_read(workbook: Workbook, plan: Plan) -> Reading | None:
    """Read the figures of a workbook this plugin claimed.

    Build a :class:`~saisei.reading.Reading`: one observation per value read, each with
    its sheet and cell, the status (``final`` 確定 / ``provisional`` 見込み) by the form's
    rule, and an issue for every problem, at its cell.  A blank value cell is "not
    reported": no observation, never a zero.  Rows of one workbook for the same body, year
    and KPI (events, quarters, months) are added up by saisei.

    Any error in the reading makes the whole workbook contribute nothing, so record every
    problem instead of stopping at the first.

    :param workbook: the workbook, already claimed by :func:`saisei_detect`
    :param plan: the plan: fiscal years, KPIs (names and aliases), bodies
    :return: the reading; ``None`` only when the workbook turns out not to be this
        plugin's form after all (an error ``unknown-form`` follows).
    """


# -------------------------------------------------------------------------
# writing
# -------------------------------------------------------------------------


@hookspec
def saisei_template(fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Template | None:
    """Make a blank copy of this plugin's form for ``fiscal_year``.

    The template has the same layout as the form the body sends, so that a template filled
    with values reads back, through :func:`saisei_read`, to exactly those values, from the
    cells its slots name.  ``saisei template BODY --fiscal-year 2025 -o FILE`` writes it.

    :param fiscal_year: the fiscal year the form is for
    :param plan: the plan (KPI names, years)
    :param as_of: the date to write as the form's date (報告日, 作成日); ``None`` leaves
        the date blank for the clerk to fill
    :return: the :class:`~saisei.template.Template`; ``None`` when this plugin writes no
        template.
    """
