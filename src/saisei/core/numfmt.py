"""Number formats that make a cell show something else than the value it holds.

A clerk reads what Excel displays; saisei counts what the cell holds.  Where the two
differ, the clerk must be told at the cell: a format ``;;;`` hides the value, ``"5"`` shows
the text 5 whatever the value, ``#,##0,`` shows thousands, ``0%`` shows a hundred times the
value.  Everything here is pure: the styles part's bytes and a format code go in, words
come out.
"""

from __future__ import annotations

import re

__all__ = ["display_problem", "odd_styles"]

#: Built-in formats (ECMA-376 18.8.30) that show something else than a count: percentages.
_BUILTIN_ODD = {9: "0%", 10: "0.00%"}

_NUM_FMT = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*?\bnumFmtId="(\d+)"[^>]*?\bformatCode="([^"]*)"')
_NUM_FMT_REVERSED = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*?\bformatCode="([^"]*)"[^>]*?\bnumFmtId="(\d+)"')
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.DOTALL)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)>")
_XF_FORMAT = re.compile(rb'\bnumFmtId="(\d+)"')
_ENTITIES = {"&quot;": '"', "&apos;": "'", "&lt;": "<", "&gt;": ">", "&amp;": "&"}


def _unescape(text: str) -> str:
    return re.sub(r"&(?:quot|apos|lt|gt|amp);", lambda m: _ENTITIES[m.group(0)], text)


def odd_styles(styles_xml: bytes) -> dict[int, str]:
    """The cell styles (index into ``cellXfs``) whose number format may show something else
    than the value, with their format code.  Empty for most workbooks."""
    if not styles_xml:
        return {}
    custom: dict[int, str] = {}
    for m in _NUM_FMT.finditer(styles_xml):
        custom[int(m.group(1))] = _unescape(m.group(2).decode("utf-8", "replace"))
    for m in _NUM_FMT_REVERSED.finditer(styles_xml):
        custom.setdefault(int(m.group(2)), _unescape(m.group(1).decode("utf-8", "replace")))
    xfs = _CELL_XFS.search(styles_xml)
    if xfs is None:
        return {}
    odd: dict[int, str] = {}
    for index, xf in enumerate(_XF.finditer(xfs.group(1))):
        found = _XF_FORMAT.search(xf.group(1))
        if found is None:
            continue
        number = int(found.group(1))
        code = custom.get(number, _BUILTIN_ODD.get(number))
        if code is not None and _may_differ(code):
            odd[index] = code
    return odd


_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.')
_BRACKETED = re.compile(r"\[[^\]]*\]")


def _sections(code: str) -> list[str]:
    """A format code's sections (positive; negative; zero; text), split outside quotes."""
    parts, current, quoted, i = [], "", False, 0
    while i < len(code):
        ch = code[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "\\" and not quoted and i + 1 < len(code):
            current += code[i : i + 2]
            i += 2
            continue
        elif ch == ";" and not quoted:
            parts.append(current)
            current = ""
            i += 1
            continue
        current += ch
        i += 1
    parts.append(current)
    return parts


def _literal(section: str) -> str:
    """What a section without placeholders shows: its quoted and escaped text."""
    text = _BRACKETED.sub("", section)
    out = []
    for m in re.finditer(r'"([^"]*)"|\\(.)|_.|\*.|([^"\\_*])', text):
        out.append(m.group(1) or m.group(2) or m.group(3) or "")
    return "".join(out).strip()


def _may_differ(code: str) -> bool:
    return any(_section_problem(s, 1) is not None for s in _sections(code)) or len(_sections(code)) >= 3


def _section_problem(section: str, value: float) -> str | None:
    bare = _BRACKETED.sub("", _QUOTED.sub("", section))
    if not section.strip():
        return "何も表示されません"
    if bare.strip().lower() == "general" or bare.strip() == "@":
        return None
    if not re.search(r"[0#?]", bare):
        if re.search(r"[ymdhsegYMDHSEG]", bare):
            return None  # a date or time format: a date is shown, not a count (not this check's concern)
        return f"「{_literal(section)}」と表示されます" if _literal(section) else "何も表示されません"
    scaled = re.search(r"[0#?.](,+)(?![0#?])", bare)
    if scaled and not re.search(r"[0#?]", bare.split(",")[-1]):
        return "千で割った値（千単位）で表示されます" if len(scaled.group(1)) == 1 else "百万で割った値で表示されます"
    if "%" in bare:
        return "百倍の値（パーセント）で表示されます"
    return None


def display_problem(code: str, value: object) -> str | None:
    """Why a cell holding ``value`` with format ``code`` shows something else than the value
    (in words for a clerk), or None when it shows the value."""
    sections = _sections(code)
    if isinstance(value, str):
        if len(sections) < 4 or "@" in _QUOTED.sub("", sections[3]):
            return None
        literal = _literal(sections[3])
        return f"「{literal}」と表示されます" if literal else "何も表示されません"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value > 0 or (value == 0 and len(sections) < 3):
        section = sections[0]
    elif value < 0:
        section = sections[1] if len(sections) > 1 else sections[0]
    else:
        section = sections[2]
    return _section_problem(section, value)
