"""What a sheet scan finds, and how one cell is judged: calamine's reading of a cell, told
apart from what calamine hides (a formula without a cached value, an error value).  Both
scanning engines (:mod:`._plain`, :mod:`._exact`) judge cells here, so they agree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.values import CellError, NoCachedValue

SHARED = "（共有数式）"


@dataclass(frozen=True)
class SheetScan:
    """What a worksheet's XML says, read before calamine parses it.

    :ivar rows: the last row any cell sits in: calamine's grid is at most this tall
    :ivar columns: the last column any cell sits in (on the plain path, when the sheet is
        far below the limit, a bound from the width of the column letters: 26, 702 …)
    :ivar special: formula cells without a cached value and error cells, by A1 reference
    :ivar exact: whether the sheet needed the exact, streaming parse
    """

    rows: int
    columns: int
    special: dict[str, CellError | NoCachedValue]
    exact: bool = False


def judge(t: str | None, has_formula: bool, last: str | None, value: str | None, formula: str) -> Any:
    """calamine's reading of one cell, told apart from what it hides.

    ``last`` is the cell's last child element (``v``, ``f`` or ``is``): calamine takes the
    value from it, so ``<v>3</v><f>…</f>`` is blank to calamine.  ``value`` is the text of
    that ``<v>`` (``""`` for ``<v/>``).
    """
    if last == "v" and t not in ("inlineStr", "is"):
        cached: str | None = value
    elif last == "is":
        cached = "is"
    else:
        cached = None
    if t == "e":
        if cached:
            return CellError(cached)
        return NoCachedValue(formula) if has_formula else CellError("#N/A")
    if not has_formula or last == "is":
        return None
    if cached is None:
        return NoCachedValue(formula)
    if t == "str":
        return None  # a cached string; "" is a formula that shows a blank
    return NoCachedValue(formula) if not cached.strip() else None
