"""Writing the outputs: report.xlsx, values.csv, values.parquet — atomically, and the
same bytes for the same inputs.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    from ..pipeline import Consolidation

__all__ = ["atomic_write", "deterministic_xlsx", "write_outputs"]

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    A run that fails or is interrupted never leaves a half-written file, and never replaces
    a good one with a broken one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_CORE = "docProps/core.xml"
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")
FIXED_PROPERTY_TIME = b"2000-01-01T00:00:00Z"


def deterministic_xlsx(data: bytes) -> bytes:
    """Re-pack an xlsx with fixed timestamps, so the same content gives the same bytes.

    The zip entries get a fixed date, and so do the workbook's created/modified
    properties: openpyxl stamps ``modified`` with the time of saving, whatever the
    workbook's properties say.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            content = src.read(info.filename)
            if info.filename == _CORE:
                content = _CORE_DATES.sub(rb"\g<1>" + FIXED_PROPERTY_TIME + rb"\g<2>", content)
            dst.writestr(fixed, content)
    return out.getvalue()


def report_bytes(result: Consolidation) -> bytes:
    from .xlsx import build_workbook

    buffer = io.BytesIO()
    build_workbook(result).save(buffer)
    return deterministic_xlsx(buffer.getvalue())


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, statistics=False)
    return buffer.getvalue()


def observations_in_cell_order(observations: pl.DataFrame) -> pl.DataFrame:
    """File by file, sheet by sheet, row by row (E4 before E10), then column."""
    import polars as pl

    return observations.sort(
        "file",
        "sheet",
        pl.col("cell").str.extract(r"([0-9]+)$", 1).cast(pl.Int64),
        pl.col("cell").str.len_chars(),
        "cell",
    )


def write_outputs(result: Consolidation, out_dir: Path) -> list[Path]:
    """Write every output into ``out_dir``; everything is built before anything is written."""
    from .data import values_csv

    outputs = {
        "report.xlsx": report_bytes(result),
        "values.csv": values_csv(result),
        "values.parquet": parquet_bytes(result.values),
        # every accepted observation with its own cell: the full trail behind each value
        "observations.parquet": parquet_bytes(observations_in_cell_order(result.observations)),
    }
    written = []
    for name, data in outputs.items():
        path = out_dir / name
        atomic_write(path, data)
        written.append(path)
    return written
