"""What every step of the opener shares: the limits, the error, and the advice it gives."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024

RESAVE = "Excelで開き「ファイルの種類: Excelブック（*.xlsx）」で保存し直して送ってください"
RESEND = "元のブックをExcelで開いて保存し直し、送り直してください"


@dataclass(frozen=True)
class Limits:
    """How big a workbook may be.  Lower them in tests to trip them cheaply.

    The defaults leave room for a ledger of a few million cells and keep one workbook's
    reading well under 1 GiB of memory.
    """

    max_file_bytes: int = 100 * MiB
    max_part_bytes: int = 128 * MiB  # one part, inflated
    max_total_bytes: int = 256 * MiB  # all parts, inflated
    max_parts: int = 10_000
    max_sheets: int = 1_000
    max_cells: int = 5_000_000  # rows x columns of one sheet's used area, from A1 (~250 MB in calamine and Python)
    max_merged: int = 100_000  # merged ranges in all sheets


class WorkbookError(Exception):
    """A file (or one of its sheets) that cannot be read; ``code`` is an issue code.

    ``sheet`` and ``cell`` say where, when the trouble is at one place in the workbook.
    """

    def __init__(self, code: str, message: str, *, sheet: str | None = None, cell: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.sheet = sheet
        self.cell = cell


def too_large(message: str) -> WorkbookError:
    return WorkbookError("workbook-too-large", message)


def broken(message: str) -> WorkbookError:
    return WorkbookError("unreadable-workbook", message)


class Refuse(Exception):
    """Carries a :class:`WorkbookError` out of expat's callbacks."""

    def __init__(self, error: WorkbookError) -> None:
        super().__init__(error.message)
        self.error = error
