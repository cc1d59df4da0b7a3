"""One sheet's XML, read once before calamine parses it.

:func:`scan_sheet`

* bounds the area calamine's dense grid will span (cells at A1 and XFD1048576 would ask
  for 17 billion cells) and refuses a sheet past ``Limits.max_cells``;
* finds formula cells without a cached value and Excel error cells: calamine shows both
  as blank, and neither may pass as "not reported" or as zero;
* refuses the few constructs calamine misreads (an entity or comment inside a numeric
  value, which calamine cuts short: ``1&#50;`` would read as 1).

It tries the plain path (:mod:`._plain`, a few regex passes) and falls back to the exact
path (:mod:`._exact`, a streaming parse that follows calamine's own rules for positions).
"""

from __future__ import annotations

from ..core.cells import cell_ref
from ..core.values import CellError
from ._base import Limits, WorkbookError
from ._exact import scan_exact
from ._judge import SheetScan
from ._plain import scan_plain

#: The error values calamine knows; any other (#SPILL!, #CALC! ...) makes it refuse the sheet.
_CALAMINE_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


def scan_sheet(xml: bytes, *, name: str = "", max_cells: int = Limits.max_cells) -> SheetScan:
    """Scan one worksheet part.  Raises :class:`WorkbookError` for a sheet to refuse.

    :param xml: the worksheet part, as checked by the opener (UTF-8, no DOCTYPE)
    :param name: the sheet's name, for messages
    :param max_cells: refuse when rows x columns of the used area pass this
    """
    scan = scan_plain(xml, max_cells)
    if scan is None:
        scan = scan_exact(xml, name, max_cells)
    if scan.rows * scan.columns > max_cells:
        raise WorkbookError(
            "workbook-too-large",
            f"使用範囲が大きすぎます（{cell_ref(scan.rows, scan.columns)} まで、約{scan.rows:,}行×{scan.columns:,}列、"
            f"上限 {max_cells:,}セル）。離れたセルに値や書式が残っていないか確認してください",
            sheet=name,
        )
    for ref, marker in scan.special.items():
        if isinstance(marker, CellError) and marker.code not in _CALAMINE_ERRORS:
            raise WorkbookError(
                "error-value",
                f'エラー値 "{marker.code}" のセルがあります（数式を直すか値に置き換えて保存し直してください）',
                sheet=name,
                cell=ref,
            )
    return scan
