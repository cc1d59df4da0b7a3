"""The plan's record: one SQLite file that keeps every submitted workbook, every figure read
from it, every issue, and every run's accepted values, across the plan's years.

Pure storage: :mod:`saisei.record.opening` opens the file safely and migrates it;
:mod:`saisei.record.store` checks, appends and reads; :mod:`saisei.record.schema` holds the
tables and migrations; :mod:`saisei.record.read` is the small read API (polars frames) for
scripts and for the commands.
"""

from __future__ import annotations

from .opening import open_record
from .schema import APPLICATION_ID, SCHEMA_VERSION, TABLES
from .store import RECORD_ENV, Record, RecordError, StoredSubmission

__all__ = [
    "APPLICATION_ID",
    "RECORD_ENV",
    "SCHEMA_VERSION",
    "TABLES",
    "Record",
    "RecordError",
    "StoredSubmission",
    "open_record",
]
