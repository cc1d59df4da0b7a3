"""Text from workbooks and file names made safe to show: in a terminal, in JSON, in a CSV.

A cell can hold anything: Excel's ``_x001B_`` escapes give real control characters
(``ESC ] 0 ; … BEL`` sets a terminal's title, ``ESC [ 2 J`` clears it), a file name
unzipped from a CP932 archive is not valid UTF-8 (Python keeps its bytes as lone
surrogates, which JSON and UTF-8 output cannot carry), and a text cell may be a
megabyte long.  Every message a person reads goes through :func:`safe_text`;
cell text quoted into a message goes through :func:`quote`.
"""

from __future__ import annotations

import re

__all__ = ["QUOTE_LIMIT", "cap_quotes", "quote", "safe_text"]

#: Quoted cell text longer than this is cut (with …) in messages.
QUOTE_LIMIT = 100

# C0 and C1 controls (tab and line breaks too: a message is one line), DEL, the
# bidirectional overrides and isolates (text that reads differently than it is
# stored), and lone surrogates (the undecodable bytes of a file name).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_QUOTED = re.compile(rf'"([^"]{{{QUOTE_LIMIT}}})[^"]+"|「([^」]{{{QUOTE_LIMIT}}})[^」]+」')


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """``text`` with every control character, bidi override and undecodable byte written
    as a visible escape (``\\x1b``, ``\\u202e``, ``\\x93``): safe for a terminal, JSON and CSV."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """Cell text as quoted in a message: ``"…"``, made safe and at most ``limit`` characters."""
    text = safe_text(str(value))
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'


def cap_quotes(message: str) -> str:
    """``message`` with every quoted run (``"…"`` or 「…」) longer than :data:`QUOTE_LIMIT` cut."""
    if len(message) <= QUOTE_LIMIT + 2:
        return message

    def cut(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return f'"{match.group(1)}…"'
        return f"「{match.group(2)}…」"

    return _QUOTED.sub(cut, message)
