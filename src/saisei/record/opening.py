"""Opening the record file safely.

The first bytes say whether a file is a SQLite database and whether it is a saisei record
(``application_id``) before SQLite touches it: a foreign or damaged file is a
:class:`~saisei.record.store.RecordError`, never overwritten.  A run killed mid-write is
rolled back before a read; ``PRAGMA quick_check`` runs on every open; a record of an older
schema is migrated (when opened for writing), in one transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from .store import Record, RecordError, _now, _saisei_version, wait_seconds

__all__ = ["open_record"]

_HEADER = b"SQLite format 3\x00"


def _check_header(path: Path) -> bool:
    """True when ``path`` is an existing saisei record, False when there is nothing yet
    (no file, or an empty one); a :class:`RecordError` for anything else."""
    try:
        with path.open("rb") as f:
            head = f.read(100)
    except FileNotFoundError:
        return False
    except IsADirectoryError:
        raise RecordError(f"{path}: 記録ファイルの場所にフォルダーがあります（ファイル名を指定してください）") from None
    except OSError as exc:
        raise RecordError(f"{path}: 記録ファイルを開けません: {exc.strerror or exc}") from None
    if not head:
        return False
    if not head.startswith(_HEADER) or len(head) < 100:
        raise RecordError(
            f"{path}: saisei の記録ファイルではありません（SQLite のデータベースではありません）。"
            "別のファイルを上書きしないよう、このファイルは使いません。記録ファイルの名前を確認してください"
        )
    app_id = int.from_bytes(head[68:72], "big")
    if app_id != APPLICATION_ID:
        raise RecordError(
            f"{path}: saisei の記録ファイルではありません（別のアプリケーションの SQLite データベースです）。"
            "このファイルは使いません。記録ファイルの名前を確認してください"
        )
    version = int.from_bytes(head[60:64], "big")
    if version > SCHEMA_VERSION:
        raise RecordError(
            f"{path}: この記録は新しい版の saisei（記録形式 {version}）で作られています。"
            f"この saisei は形式 {SCHEMA_VERSION} までしか読めません。saisei を更新してください"
        )
    return True


def _connect(path: Path, *, writable: bool) -> sqlite3.Connection:
    if writable:
        conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    else:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=0)
    conn.execute(f"PRAGMA busy_timeout = {int(wait_seconds() * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA recursive_triggers = ON")  # REPLACE's implicit deletes fire the triggers too
    return conn


def _migrate(record: Record, version: int) -> None:
    """Bring the record from ``version`` to :data:`SCHEMA_VERSION`, in one transaction."""
    conn = record.conn
    with record.transaction():
        # Read again under the lock: another run may have migrated meanwhile.
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for number in range(version + 1, SCHEMA_VERSION + 1):
            description, statements = MIGRATIONS[number]
            for statement in statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, applied_at, saisei_version, description) VALUES (?,?,?,?)",
                (number, _now(), _saisei_version(), description),
            )
            conn.execute(f"PRAGMA user_version = {number}")
        if version == 0:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _roll_back_a_killed_run(path: Path) -> None:
    """A run killed mid-transaction (a power cut, ``kill -9``) leaves ``FILE-journal``
    behind, and the record's pages it had changed.  SQLite puts them back on the next
    read, which a read-only connection cannot do: a read-write one does it here first."""
    journal = path.with_name(path.name + "-journal")
    try:
        if journal.stat().st_size == 0:
            return
    except OSError:
        return
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=wait_seconds())
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise RecordError(
            f"{path}: 前回の集計が途中で止まった跡（{journal.name}）があり、元に戻すには書き込みが必要です（{exc}）。"
            "記録に書き込める人が saisei record verify を実行すると元の状態に戻ります"
        ) from None


def open_record(path: str | Path, *, write: bool = False) -> Record:
    """Open the record at ``path``: for reading, or for writing (created when missing).

    Raises :class:`RecordError` when there is no record to read, or when the file is not
    a saisei record, is damaged, or is of a newer schema.
    """
    path = Path(path)
    exists = _check_header(path)
    if not exists and not write:
        raise RecordError(
            f"{path}: 記録ファイルがありません（saisei consolidate … --record {path} で最初の記録を作ります）"
        )
    if exists and not write:
        _roll_back_a_killed_run(path)
    try:
        conn = _connect(path, writable=write)
    except sqlite3.Error as exc:
        raise RecordError(f"{path}: 記録ファイルを開けません: {exc}") from None
    record = Record(path, conn, writable=write)
    try:
        if exists:
            record.quick_check()
        if write:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "delete":
                conn.execute("PRAGMA journal_mode = DELETE")  # a rollback journal: works on a network share
            conn.execute("PRAGMA synchronous = FULL")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version < SCHEMA_VERSION:
            if not write:
                raise RecordError(
                    f"{path}: 記録の形式が古い版（{version}）です。saisei consolidate --record で一度実行すると更新されます"
                )
            _migrate(record, version)
    except sqlite3.OperationalError as exc:
        record.close()
        if "locked" in str(exc) or "busy" in str(exc):
            # Another program (an SQLite tool, a run committing) holds the whole file.
            raise RecordError(
                f"{path}: ほかのプログラムがこの記録に書き込み中のため、{wait_seconds():.0f} 秒待っても開けませんでした"
                f"（{exc}）。記録を開いているツールを閉じてから、もう一度実行してください（記録は変わっていません）"
            ) from None
        raise RecordError(f"{path}: 記録ファイルを読めません（壊れているか、別の形式です）: {exc}") from None
    except sqlite3.DatabaseError as exc:
        record.close()
        raise RecordError(f"{path}: 記録ファイルを読めません（壊れているか、別の形式です）: {exc}") from None
    except BaseException:
        record.close()
        raise
    return record
