"""Tables found by their labels, not by their coordinates.

Clerks start from last year's workbook and edit it: a note row above the header, a column
inserted at the left, a blank row inside, an extra or hidden column, rows or columns
reordered together with their labels, a line break inside a header.  A reader that asks
for "the header whose labels are 年度, 区分 …" instead of "row 3" reads all of these the
same, and cites the cells where the figures now are.

Everything here is pure: it works on a grid of cell values with 1-based coordinates (any
object with ``at(row, column)``, ``max_row`` and ``max_column``, such as
:class:`saisei.workbook.Sheet`) and returns positions and :class:`Problem` s — the caller
knows the file and sheet and records them.  What makes a table ambiguous (a label found
twice, two header rows that disagree, a label that names another KPI than its position)
is a problem at the cells, never a choice.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from .cells import cell_ref
from .plan import KPI, Plan

__all__ = [
    "TOTAL_LABELS",
    "Field",
    "Grid",
    "Header",
    "KpiLabel",
    "Miss",
    "Problem",
    "Rows",
    "find_header",
    "find_label",
    "is_note",
    "kpi_columns",
    "kpi_text",
    "label_key",
    "parse_kpi_label",
    "scan_labels",
    "searched_rows",
    "table_rows",
    "value_beside",
]

#: How far from A1 a header is looked for: clerks add a few rows and columns, not pages.
SEARCH_ROWS = 30
SEARCH_COLUMNS = 30

#: Row labels that end a table (after :func:`label_key`).
TOTAL_LABELS = frozenset({"合計", "計", "総計", "総合計", "小計", "年間計", "年計", "年度計", "累計"})

_T = TypeVar("_T")


class Grid(Protocol):
    """Cell values by 1-based (row, column); ``None`` for a blank cell."""

    @property
    def max_row(self) -> int: ...

    @property
    def max_column(self) -> int: ...

    def at(self, row: int, column: int) -> Any: ...


@dataclass(frozen=True)
class Problem:
    """Something wrong with a table, at one cell: ``code`` and a message for the clerk."""

    code: str
    message: str
    cell: str


# -- labels --------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")", "〈": "(", "〉": ")"})
_BRACKETED = re.compile(r"\([^()]*\)")


def label_key(value: object) -> str:
    """A label as compared: NFKC (width), no white space or line break, one kind of bracket.

    ``関係人口\\n（人）``, ``関係人口 (人)`` and ``関係人口【人】`` all give ``関係人口(人)``.
    Numbers give their digits (``2.0`` → ``2``); a blank gives ``""``.
    """
    if type(value) is str:
        return _text_key(value)
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if not isinstance(value, str | int | float):
        return ""
    return _text_key(str(value))


@lru_cache(maxsize=8192)  # the same labels come in every workbook
def _text_key(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).translate(_BRACKETS)


def _unbracketed(key: str) -> str:
    """A label key without its bracketed parts (units, notes): ``関係人口(人)`` → ``関係人口``."""
    return _BRACKETED.sub("", key)


@dataclass(frozen=True)
class Field:
    """A column of a table, known by any of its ``labels`` (compared by :func:`label_key`).

    ``loose``: the label may carry a bracketed unit or note (``実績値（人）`` is ``実績値``).
    """

    key: str
    labels: tuple[str, ...]
    required: bool = True
    loose: bool = True
    _keys: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_keys", frozenset(label_key(x) for x in self.labels))

    @property
    def shown(self) -> str:
        """The label as the form prints it (for messages)."""
        return self.labels[0]

    def matches(self, key: str) -> bool:
        return key in self._keys or (self.loose and "(" in key and _unbracketed(key) in self._keys)


@dataclass(frozen=True)
class Header:
    """A header row found: its row and the column of each field found in it."""

    row: int
    columns: dict[str, int]

    def ref(self, key: str, row: int) -> str:
        return cell_ref(row, self.columns[key])

    @property
    def first_column(self) -> int:
        return min(self.columns.values())

    @property
    def last_column(self) -> int:
        return max(self.columns.values())


def searched_rows(first: int, last: int) -> str:
    """``（5〜6行目を探しました）``."""
    return f"（{first}行目を探しました）" if first == last else f"（{first}〜{last}行目を探しました）"


@dataclass(frozen=True)
class Miss:
    """How close a grid came to holding a header: what was found, what was missing, where.

    ``score`` is the share of the required labels found on the best row (0 to 1).
    """

    found: tuple[str, ...]
    missing: tuple[str, ...]
    row: int | None
    first_row: int
    last_row: int

    @property
    def score(self) -> float:
        total = len(self.found) + len(self.missing)
        return len(self.found) / total if total else 0.0

    def describe(self) -> str:
        """``見出し『No.』が見つかりません（5行目に『指標名』はあります。1〜11行目を探しました）``."""
        missing = "』『".join(self.missing)
        searched = searched_rows(self.first_row, self.last_row)[1:-1]
        if self.row is None:
            return f"見出し『{missing}』が見つかりません（{searched}）"
        found = "』『".join(self.found)
        return f"見出し『{missing}』が見つかりません（{self.row}行目に『{found}』はあります。{searched}）"


def _row_values(grid: Grid, row: int, last_column: int) -> Sequence[Any]:
    """``grid.at(row, 1 … last_column)`` (fewer when the row ends before: blanks), in one
    call when the grid offers ``row_values`` (a :class:`saisei.workbook.Sheet` does)."""
    values = getattr(grid, "row_values", None)
    if values is not None:
        return values(row, last_column)  # type: ignore[no-any-return]
    return [grid.at(row, column) for column in range(1, last_column + 1)]


def _row_matches(
    grid: Grid, row: int, fields: Sequence[Field], last_column: int, keys: frozenset[str], loose: bool
) -> dict[str, list[int]]:
    """Each field's columns in ``row``.  A cell whose key is none of ``keys`` (the fields'
    label keys) matches no field unless it has a bracket and a field is ``loose``."""
    found: dict[str, list[int]] = {}
    for column, value in enumerate(_row_values(grid, row, last_column), 1):
        if type(value) is not str:
            continue
        key = _text_key(value)
        if not key or (key not in keys and not (loose and "(" in key)):
            continue
        for f in fields:
            if f.matches(key):
                found.setdefault(f.key, []).append(column)
                break
    return found


def find_header(
    grid: Grid,
    fields: Sequence[Field],
    *,
    first_row: int = 1,
    rows: int = SEARCH_ROWS,
    columns: int = SEARCH_COLUMNS,
    first_only: bool = False,
) -> tuple[Header | None, Miss | None, list[Problem]]:
    """The row, among the first ``rows`` from ``first_row``, that holds every required field.

    Labels may be in any column of the first ``columns`` and in any order.  Returns the
    header (or ``None``), how close the best row came when there is none, and the
    problems that make the header ambiguous: a field's label in two columns of the row
    (which one holds the figures?), or a second row holding the whole header (two
    tables, or a header copied twice).  With a problem, the header is still returned so
    that the caller can go on checking, but its figures must not count.

    ``first_only``: stop at the first row holding the header (to detect a form, where
    what makes it ambiguous does not matter yet).
    """
    last_row = min(grid.max_row, first_row + rows - 1)
    last_column = min(grid.max_column, columns)
    required = [f for f in fields if f.required]
    problems: list[Problem] = []
    header: Header | None = None
    best: tuple[int, int] | None = None  # (found, row)
    best_found: dict[str, list[int]] = {}
    keys = frozenset().union(*(f._keys for f in fields))
    loose = any(f.loose for f in fields)
    for row in range(first_row, last_row + 1):
        found = _row_matches(grid, row, fields, last_column, keys, loose)
        if not found:
            continue
        n = sum(1 for f in required if f.key in found)
        if n == len(required):
            if header is not None:
                problems.append(
                    Problem(
                        "ambiguous-header",
                        f"見出しの行が {header.row}行目と{row}行目の2つあります（どちらの表を読むか決められません。"
                        "使わない方を削除してください）",
                        cell_ref(row, found[required[0].key][0] if required else 1),
                    )
                )
                continue
            for f in fields:
                places = found.get(f.key, [])
                if len(places) > 1:
                    cells = "と".join(cell_ref(row, c) for c in places)
                    problems.append(
                        Problem(
                            "ambiguous-header",
                            f"見出し『{f.shown}』が {cells} の{len(places)}か所にあります"
                            "（どの列を読むか決められません。1列にしてください）",
                            cell_ref(row, places[1]),
                        )
                    )
            header = Header(row, {k: v[0] for k, v in found.items()})
            if first_only:
                break
        elif best is None or n > best[0]:
            best, best_found = (n, row), found
    if header is not None:
        return header, None, problems
    if best is None or best[0] == 0:
        miss = Miss((), tuple(f.shown for f in required), None, first_row, max(first_row, last_row))
    else:
        miss = Miss(
            tuple(f.shown for f in required if f.key in best_found),
            tuple(f.shown for f in required if f.key not in best_found),
            best[1],
            first_row,
            max(first_row, last_row),
        )
    return None, miss, problems


# -- rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rows:
    """The data rows of a table: ``rows`` (blank rows left out), the total row if any, and
    the rows below the total row that hold something in the table's columns (``after``:
    a reader must not skip them silently)."""

    rows: tuple[int, ...]
    total_row: int | None = None
    after: tuple[int, ...] = ()


def table_rows(
    grid: Grid,
    columns: Iterable[int],
    first_row: int,
    *,
    total_columns: Iterable[int] = (),
    last_row: int | None = None,
) -> Rows:
    """The rows from ``first_row`` with anything in ``columns``, up to a total row.

    A row whose cells in ``columns`` are all blank is skipped (a blank row inside the
    table, or a note written beside it), and so is a note row: one whose only text in
    ``columns`` is notes (``※速報値``, ``注：…``).  A row whose cell in one of
    ``total_columns`` is a total label (合計, 計 …) ends the table and is not data.
    """
    columns = tuple(columns)
    totals = tuple(total_columns)
    end = grid.max_row if last_row is None else min(last_row, grid.max_row)
    rows: list[int] = []
    for row in range(first_row, end + 1):
        if any(label_key(grid.at(row, c)) in TOTAL_LABELS for c in totals):
            after = tuple(r for r in range(row + 1, end + 1) if _holds_data(grid, r, columns))
            return Rows(tuple(rows), row, after)
        if _holds_data(grid, row, columns):
            rows.append(row)
    return Rows(tuple(rows))


def _holds_data(grid: Grid, row: int, columns: tuple[int, ...]) -> bool:
    """Anything but blanks and notes in ``columns`` of ``row``."""
    for c in columns:
        value = grid.at(row, c)
        if not _blank(value) and not is_note(value):
            return True
    return False


#: What a note written into a table starts with: ``※速報値``, ``注：…``, ``（注）…``.
_NOTE_MARKS = ("※", "注", "(注)", "（注）", "＊", "*")


def is_note(value: object) -> bool:
    """A cell that is a note, not a figure or a label: text starting with ``※``, ``注`` …"""
    return isinstance(value, str) and value.lstrip().startswith(_NOTE_MARKS)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def scan_labels(
    grid: Grid,
    cells: Iterable[tuple[int, int]],
    classify: Callable[[Any], _T | None],
    *,
    what: Callable[[_T], str],
) -> tuple[dict[_T, tuple[int, int]], list[Problem]]:
    """Classify the labels at ``cells`` (row, column): where each label is, once.

    ``classify`` turns a cell value into what it labels (a fiscal year, a KPI …) or None.
    A label found in two cells is a problem at the second, naming the first
    (``what(label)`` names it in the message); the first place is kept so the caller can
    go on checking, but the figures must not count.
    """
    places: dict[_T, tuple[int, int]] = {}
    problems: list[Problem] = []
    for row, column in cells:
        label = classify(grid.at(row, column))
        if label is None:
            continue
        if label in places:
            first = cell_ref(*places[label])
            problems.append(
                Problem(
                    "duplicate-label",
                    f"{what(label)}が {first} と {cell_ref(row, column)} の2か所にあります"
                    "（どちらを読むか決められません。1つにしてください）",
                    cell_ref(row, column),
                )
            )
            continue
        places[label] = (row, column)
    return places, problems


# -- KPI labels ----------------------------------------------------------------------------

_MARK = re.compile(r"(?:KPI|指標)?([0-9]{1,2})(?![0-9,])[.:、)]?(.*)", re.IGNORECASE)


@dataclass(frozen=True)
class KpiLabel:
    """What a KPI label says: the number it is marked with (``KPI②``, ``②``) and the KPI
    its name is (``関係人口数``).  Either may be missing; when both are there they must agree."""

    mark: int | None
    name: int | None

    @property
    def number(self) -> int | None:
        return self.mark if self.mark is not None else self.name

    @property
    def conflict(self) -> bool:
        return self.mark is not None and self.name is not None and self.mark != self.name


def _name_keys(kpi: KPI) -> set[str]:
    """Its names and aliases as label keys, without brackets, with and without a final 数."""
    keys = set()
    for name in (kpi.name, kpi.short_name, *kpi.aliases):
        key = _unbracketed(label_key(name))
        keys.add(key)
        keys.add(key.removesuffix("数"))
    keys.discard("")
    return keys


def _name_index(kpis: Sequence[KPI]) -> dict[str, int]:
    """Each name key (:func:`_name_keys`) with the number of the first KPI that has it."""
    index: dict[str, int] = {}
    for kpi in kpis:
        for key in _name_keys(kpi):
            index.setdefault(key, kpi.number)
    return index


#: Each plan's name index, by the plan's id; the weak reference tells a later plan at the same address.
_NAME_INDEXES: dict[int, tuple[weakref.ref[Plan], dict[str, int]]] = {}


def _plan_names(plan: Plan) -> dict[str, int]:
    cached = _NAME_INDEXES.get(id(plan))
    if cached is not None and cached[0]() is plan:
        return cached[1]
    index, key = _name_index(plan.kpis), id(plan)
    _NAME_INDEXES[key] = (weakref.ref(plan, lambda _: _NAME_INDEXES.pop(key, None)), index)  # gone with the plan
    return index


def _kpi_by_name(plan: Plan, text: str) -> int | None:
    """The plan's first KPI with ``text`` (no brackets; else no final 数) among its name keys."""
    key = _unbracketed(text)
    if not key:
        return None
    names = _plan_names(plan)
    for candidate in (key, key.removesuffix("数")):
        number = names.get(candidate)
        if number is not None:
            return number
    return None


def parse_kpi_label(value: object, plan: Plan) -> KpiLabel | None:
    """The KPI a header or row label names, or None when it names none.

    Understands ``KPI①``, ``KPI1``, ``①``, the full name, the short name, the plan's
    aliases, a unit in brackets (``関係人口（人）``), and a mark before a name
    (``①事業により創出した関係人口数``, ``KPI② 関係人口数``).
    """
    key = label_key(value)
    if not key or not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    name = _kpi_by_name(plan, key)
    if name is not None:
        return KpiLabel(None, name)
    m = _MARK.fullmatch(key)
    if m is None:
        return None
    mark = int(m.group(1))
    if plan.kpi(mark) is None:
        return None
    rest = m.group(2)
    if not rest:
        return KpiLabel(mark, None)
    named = _kpi_by_name(plan, rest)
    if named is None:
        return None  # "1事業…" that names no KPI: not a KPI label
    return KpiLabel(mark, named)


def kpi_text(plan: Plan, number: int) -> str:
    """``KPI②「事業により創出した関係人口数」`` for messages."""
    kpi = plan.kpi(number)
    return f"KPI{number}" if kpi is None else f"{kpi.label}「{kpi.name}」"


def kpi_columns(
    grid: Grid, rows: Sequence[int], columns: Iterable[int], plan: Plan
) -> tuple[dict[int, int], list[Problem]]:
    """The column of each KPI named in the header ``rows`` (one or two rows), by its labels.

    A column is a KPI's when its label in any of ``rows`` names the KPI (``KPI②``,
    ``関係人口数``, ``関係人口（人）``); columns naming no KPI are not the table's (うち町外,
    a memo).  Problems, each at its cell: labels of one column naming two KPIs (``KPI①``
    over ``関係人口数``; ``①事業により創出した関係人口数``), and a KPI named over two
    columns (which holds its figures?).
    """
    found: dict[int, int] = {}
    problems: list[Problem] = []
    for column in columns:
        named: list[tuple[int, int]] = []  # (KPI, row)
        for row in rows:
            label = parse_kpi_label(grid.at(row, column), plan)
            if label is None:
                continue
            if label.conflict:
                assert label.mark is not None and label.name is not None
                problems.append(
                    Problem(
                        "conflicting-label",
                        f"見出し「{grid.at(row, column)}」は KPI{label.mark} の番号と"
                        f"{kpi_text(plan, label.name)}の名前を併せ持っています（どちらのKPIか決められません）",
                        cell_ref(row, column),
                    )
                )
                named.append((-1, row))
                continue
            assert label.number is not None
            named.append((label.number, row))
        numbers = {n for n, _ in named}
        if not numbers or -1 in numbers:
            continue
        if len(numbers) > 1:
            (first, r1), (second, r2) = named[0], next(x for x in named if x[0] != named[0][0])
            problems.append(
                Problem(
                    "conflicting-label",
                    f"{cell_ref(r1, column)} の見出しは{kpi_text(plan, first)}、{cell_ref(r2, column)} の見出しは"
                    f"{kpi_text(plan, second)}を指しています（2つの見出しが合いません。どちらのKPIの列か直してください）",
                    cell_ref(r2, column),
                )
            )
            continue
        number = named[0][0]
        if number in found:
            problems.append(
                Problem(
                    "duplicate-label",
                    f"{kpi_text(plan, number)}の列が {cell_ref(named[0][1], found[number])} と "
                    f"{cell_ref(named[0][1], column)} の2つあります（どちらを読むか決められません。1列にしてください）",
                    cell_ref(named[0][1], column),
                )
            )
            continue
        found[number] = column
    return found, problems


def find_label(
    grid: Grid,
    labels: Iterable[str],
    *,
    rows: int = SEARCH_ROWS,
    columns: int = SEARCH_COLUMNS,
    contains: bool = False,
) -> tuple[int, int] | None:
    """The first cell (row by row) among the first ``rows`` and ``columns`` whose label is
    one of ``labels`` or starts with one (``作成日``, ``報告日：令和7年8月29日``); with
    ``contains``, holds one anywhere (a title: ``令和6年度 尾花沢市KPI進捗管理表``)."""
    keys = tuple(label_key(x) for x in labels)
    last_column = min(grid.max_column, columns)
    for row in range(1, min(grid.max_row, rows) + 1):
        for column, value in enumerate(_row_values(grid, row, last_column), 1):
            if type(value) is not str:
                continue
            key = _text_key(value)
            if key.startswith(keys) or (contains and any(k in key for k in keys)):
                return row, column
    return None


def value_beside(
    grid: Grid, row: int, column: int, *, reach: int = 4, labels: Iterable[str] = ()
) -> tuple[int, int] | None:
    """The first non-blank cell right of (row, column), within ``reach`` columns (up to
    three columns inserted between a label and its value move the value right) — unless
    that cell is another label (one of ``labels``): then the value is blank."""
    keys = tuple(label_key(x) for x in labels)
    for c in range(column + 1, column + reach + 1):
        value = grid.at(row, c)
        if not _blank(value):
            return None if keys and label_key(value).startswith(keys) else (row, c)
    return None
