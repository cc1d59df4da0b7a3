"""click's own texts in Japanese, and tables aligned by display width.

click wraps its messages in ``gettext`` (bound as ``_`` when each of its modules is
imported) but installs no catalogue, so ``Usage:`` and ``Show this message and exit.``
stay English.  :func:`install` rebinds ``_`` and ``ngettext`` in click's modules to look
the message up here first (placeholders kept), falling back to gettext for the rest.

:func:`table` pads columns by display width (East Asian Width: a full-width character
takes two columns), so Japanese columns line up in a terminal.

Characters of ambiguous width (East Asian Width "A": —, …, ①, ※, ○, →) take one column
in most terminals (Windows Terminal, macOS Terminal, GNOME Terminal by default) and two in
others (a CJK setting, some fonts).  No padding lines them up in both, so the tables'
own texts use none: an empty cell is :data:`NOTHING` (full-width, two columns in every
terminal), not "—".
"""

from __future__ import annotations

import gettext
import importlib
import unicodedata
from collections.abc import Sequence

import click

__all__ = ["JA", "NOTHING", "JapaneseHelpFormatter", "install", "pad", "table", "width"]

#: An empty cell in a table: full-width, so it takes two columns in every terminal.
NOTHING = "－"

JA: dict[str, str] = {
    "Usage:": "使い方:",
    "Options": "オプション",
    "Commands": "コマンド",
    "Positional arguments": "引数",
    "Show this message and exit.": "この説明を表示して終了します。",
    "Show the version and exit.": "版を表示して終了します。",
    "%(prog)s, version %(version)s": "%(prog)s 版 %(version)s",
    "Error: {message}": "エラー: {message}",
    "Try '{command} {option}' for help.": "説明は '{command} {option}' で表示されます。",
    "No such command {name!r}.": "{name!r} というコマンドはありません。",
    "No such option {name!r}.": "{name!r} というオプションはありません。",
    "Did you mean {possibility}?": "{possibility} のことですか？",
    "(Did you mean one of: {possibilities}?)": "（{possibilities} のどれかのことですか？）",
    "Missing command.": "コマンドを指定してください。",
    "Missing argument": "次の引数がありません:",
    "Missing option": "次のオプションがありません:",
    "Missing parameter": "次の指定がありません:",
    "Missing parameter: {param_name}": "指定がありません: {param_name}",
    "Missing {param_type}": "{param_type} がありません",
    "Missing {param_type} {param_hint}.": "{param_type} {param_hint} がありません。",
    "Invalid value for {param_hint}: {message}": "{param_hint} の値が正しくありません: {message}",
    "Invalid value: {message}": "値が正しくありません: {message}",
    "Option {name!r} does not take a value.": "オプション {name!r} は値をとりません。",
    "Option {name!r} requires an argument.": "オプション {name!r} には値が必要です。",
    "Option {name!r} requires {nargs} arguments.": "オプション {name!r} には値が {nargs} 個必要です。",
    "Got unexpected extra argument ({args})": "余分な引数があります（{args}）",
    "Got unexpected extra arguments ({args})": "余分な引数があります（{args}）",
    "Argument {name!r} takes {nargs} values.": "引数 {name!r} は値を {nargs} 個とります。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} が見つかりません。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} はフォルダーです。",
    "{name} {filename!r} is a file.": "{name} {filename!r} はファイルです（フォルダーを指定してください）。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} を読む権限がありません。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} に書き込む権限がありません。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} は実行できません。",
    "file": "ファイル",
    "directory": "フォルダー",
    "path": "パス",
    "{value!r} is not a valid {number_type}.": "{value!r} は正しい{number_type}ではありません。",
    "{value!r} is not one of {choices}.": "{value!r} は {choices} のどれでもありません。",
    "{value!r} is not {choice}.": "{value!r} は {choice} ではありません。",
    "{value} is not in the range {range}.": "{value} は範囲 {range} の外です。",
    "default: {default}": "既定値: {default}",
    "required": "必須",
    "env var: {var}": "環境変数: {var}",
    "Aborted!": "中断しました。",
    "Do you want to continue?": "続けますか？",
}


def _gettext(message: str) -> str:
    return JA.get(message) or gettext.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    chosen = singular if n == 1 else plural
    return JA.get(chosen) or gettext.ngettext(singular, plural, n)


#: The names click puts in "'x' is not a valid integer." (and in a metavar without one).
_TYPE_NAMES = {"IntParamType": "整数", "IntRange": "整数", "FloatParamType": "数", "FloatRange": "数"}


class JapaneseHelpFormatter(click.HelpFormatter):
    """click's help, but a paragraph with Japanese in it keeps the lines it was written in.

    click rewraps each paragraph, joining its lines with a space: Japanese, which has no
    spaces between words, then reads 「…提出と値があれば それも…」.  Such a paragraph is
    shown as written (as click's ``\\b`` marker does), indented like the others.
    """

    def write_text(self, text: str) -> None:
        paragraphs = text.split("\n\n")
        kept = [f"\b\n{p}" if any(width(ch) == 2 for ch in p) and not p.startswith("\b") else p for p in paragraphs]
        super().write_text("\n\n".join(kept))


def install() -> None:
    """Rebind click's ``_`` and ``ngettext`` to the Japanese texts, and name click's number
    types in Japanese (idempotent).  Call it before the commands are defined: click looks
    some texts up when an option is made (the "file" of ``click.Path``)."""
    import click.types

    for cls, name in _TYPE_NAMES.items():
        getattr(click.types, cls).name = name
    click.Context.formatter_class = JapaneseHelpFormatter
    for name in ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui"):
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]


def width(text: str, *, ambiguous: int = 1) -> int:
    """Columns ``text`` takes in a terminal: two for wide and full-width characters,
    ``ambiguous`` for those of ambiguous width (one in most terminals)."""
    sizes = {"W": 2, "F": 2, "A": ambiguous}
    return sum(sizes.get(unicodedata.east_asian_width(ch), 1) for ch in text)


def pad(text: str, columns: int) -> str:
    """``text`` and spaces up to ``columns`` display columns."""
    return text + " " * max(0, columns - width(text))


def table(rows: Sequence[Sequence[str]], *, gap: int = 2) -> list[str]:
    """``rows`` as lines, each column padded to its widest cell by display width (the
    last column is not padded)."""
    if not rows:
        return []
    columns = max(len(r) for r in rows)
    widths = [max((width(r[i]) for r in rows if i < len(r)), default=0) for i in range(columns)]
    lines = []
    for row in rows:
        cells = [
            cell if i == len(row) - 1 else cell + " " * (widths[i] - width(cell) + gap) for i, cell in enumerate(row)
        ]
        lines.append("".join(cells))
    return lines
