"""The record file: append-only tables, the bytes of every workbook, one run one
transaction, a foreign or damaged file refused, backup and verify, the lock."""

from __future__ import annotations

import hashlib
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from builders import review_sheet, standard_form

import saisei
from saisei.record import APPLICATION_ID, SCHEMA_VERSION, TABLES, RecordError, open_record, read, store
from saisei.record.schema import KEYS, MIGRATIONS, SAME_ROW_SKIPPED

PREF = ("060003", "山形県")


def rows(*figures: tuple[int, int, int, str]) -> bytes:
    return standard_form([(*PREF, fy, kpi, value, status) for fy, kpi, value, status in figures])


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A record with two runs: a provisional figure, then its final and an error file."""
    rec = tmp_path / "記録.sqlite"
    first = tmp_path / "r1"
    first.mkdir()
    (first / "a.xlsx").write_bytes(rows((2024, 1, 4, "見込み"), (2024, 2, 30, "確定")))
    saisei.consolidate([first], record=rec, out=tmp_path / "out1")
    second = tmp_path / "r2"
    second.mkdir()
    (second / "b.xlsx").write_bytes(rows((2024, 1, 5, "確定")))
    (second / "bad.xlsx").write_bytes(rows((2024, 3, "△3", "確定")))
    (second / "検証.xlsx").write_bytes(review_sheet())
    saisei.consolidate([second], record=rec, out=tmp_path / "out2")
    return rec


def test_a_fresh_record_is_marked_and_versioned(filled: Path) -> None:
    head = filled.read_bytes()[:100]
    assert int.from_bytes(head[68:72], "big") == APPLICATION_ID
    assert int.from_bytes(head[60:64], "big") == SCHEMA_VERSION
    with open_record(filled) as rec:
        assert rec.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        counts = rec.counts()
    assert all(counts[t] > 0 for t in TABLES), counts


@pytest.mark.parametrize("table", TABLES)
def test_every_table_refuses_update_and_delete(filled: Path, table: str) -> None:
    conn = sqlite3.connect(filled)
    column = conn.execute(f"SELECT * FROM {table} LIMIT 1").description[0][0]
    before = conn.execute(f"SELECT * FROM {table}").fetchall()
    with pytest.raises(sqlite3.IntegrityError, match="記録は追記のみです"):
        conn.execute(f"UPDATE {table} SET {column} = {column}")
    with pytest.raises(sqlite3.IntegrityError, match="記録は追記のみです"):
        conn.execute(f"DELETE FROM {table}")
    assert conn.execute(f"SELECT * FROM {table}").fetchall() == before
    conn.close()


@pytest.mark.parametrize("table", TABLES)
def test_every_table_refuses_insert_or_replace_from_any_connection(filled: Path, table: str) -> None:
    # A plain connection, as the sqlite3 shell or a script opens one: recursive_triggers is
    # off there, so REPLACE's implicit delete fires no DELETE trigger.
    conn = sqlite3.connect(filled)
    assert conn.execute("PRAGMA recursive_triggers").fetchone()[0] == 0
    before = conn.execute(f"SELECT rowid, * FROM {table}").fetchall()
    row = before[0]
    marks = ",".join("?" * len(row))
    with pytest.raises(sqlite3.IntegrityError, match=f"記録は追記のみです: {table} の行は置き換えられません"):
        conn.execute(f"INSERT OR REPLACE INTO {table} (rowid, {_columns(conn, table)}) VALUES ({marks})", row)
    if table in KEYS or table in SAME_ROW_SKIPPED:  # the same key again (a receipt: skipped)
        replace = f"REPLACE INTO {table} SELECT * FROM {table}"
        if table in KEYS:
            with pytest.raises(sqlite3.IntegrityError, match="記録は追記のみです"):
                conn.execute(replace)
        else:
            conn.execute(replace)
    assert conn.execute(f"SELECT rowid, * FROM {table}").fetchall() == before
    conn.close()


def test_a_replace_on_a_tables_key_is_refused_too(filled: Path) -> None:
    conn = sqlite3.connect(filled)
    row = conn.execute("SELECT * FROM run_values LIMIT 1").fetchone()
    changed = (*row[:4], row[4] + 1000, *row[5:])
    with pytest.raises(sqlite3.IntegrityError, match="run_values の行は置き換えられません"):
        conn.execute(f"INSERT OR REPLACE INTO run_values VALUES ({','.join('?' * len(row))})", changed)
    sha, content = conn.execute("SELECT sha256, content FROM submissions LIMIT 1").fetchone()
    with pytest.raises(sqlite3.IntegrityError, match="submissions の行は置き換えられません"):
        conn.execute(
            "INSERT OR REPLACE INTO submissions (sha256, name, size, content, run, added_at, accepted)"
            " VALUES (?, 'x.xlsx', 1, x'00', 1, '2000-01-01', 1)",
            (sha,),
        )
    assert conn.execute("SELECT * FROM run_values LIMIT 1").fetchone() == row
    assert conn.execute("SELECT content FROM submissions WHERE sha256 = ?", (sha,)).fetchone()[0] == content
    conn.close()


def test_a_record_of_schema_2_is_migrated_and_then_refuses_replace(tmp_path: Path) -> None:
    rec = tmp_path / "記録.sqlite"
    conn = sqlite3.connect(rec, isolation_level=None)
    for number in (1, 2):
        for statement in MIGRATIONS[number][1]:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations VALUES (?, '2026-01-01', '0', ?)", (number, MIGRATIONS[number][0]))
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    with pytest.raises(RecordError, match="形式が古い版"):
        open_record(rec)
    folder = tmp_path / "r1"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(rows((2024, 1, 4, "確定")))
    saisei.consolidate([folder], record=rec, out=tmp_path / "out")
    with open_record(rec) as opened:
        assert opened.verify() == []
    conn = sqlite3.connect(rec)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    assert [v for (v,) in conn.execute("SELECT version FROM schema_migrations")] == [1, 2, 3]
    with pytest.raises(sqlite3.IntegrityError, match="runs の行は置き換えられません"):
        conn.execute("REPLACE INTO runs SELECT * FROM runs")
    conn.close()


def _columns(conn: sqlite3.Connection, table: str) -> str:
    return ", ".join(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))


def test_every_workbook_is_stored_once_and_hashes_to_its_sha256(filled: Path, tmp_path: Path) -> None:
    sent = {p.name: p.read_bytes() for p in [*(tmp_path / "r1").iterdir(), *(tmp_path / "r2").iterdir()]}
    subs = read.submissions(filled)
    assert sorted(subs["name"]) == sorted(sent)
    with open_record(filled) as rec:
        for name, sha in subs.select("name", "sha256").iter_rows():
            data = rec.content(sha)
            assert data == sent[name]
            assert hashlib.sha256(data).hexdigest() == sha
        assert rec.verify() == []
    # the error file is kept, marked not accepted
    assert dict(subs.select("name", "accepted").iter_rows()) == {
        "a.xlsx": True,
        "b.xlsx": True,
        "bad.xlsx": False,
        "検証.xlsx": True,
    }


def test_the_same_bytes_under_another_name_are_one_submission(filled: Path, tmp_path: Path) -> None:
    again = tmp_path / "r3"
    again.mkdir()
    (again / "別名.xlsx").write_bytes((tmp_path / "r1" / "a.xlsx").read_bytes())
    result = saisei.consolidate([again], record=filled)
    assert read.submissions(filled).height == 4  # a, b, bad and the review sheet
    with open_record(filled) as rec:
        assert rec.conn.execute("SELECT name FROM receipts WHERE run = 3").fetchall() == [("別名.xlsx",)]
    # its figures keep the name they were first read under, and the final still wins
    got = {(v["kpi"], v["value"], v["status"]) for v in result.values.iter_rows(named=True)}
    assert got == {(1, 5, "final"), (2, 30, "final")}


def _raise(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("killed")


def test_a_run_that_fails_midway_leaves_the_record_byte_for_byte(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = filled.read_bytes()
    latest = read.values(filled)
    third = tmp_path / "r3"
    third.mkdir()
    (third / "c.xlsx").write_bytes(rows((2025, 1, 9, "確定")))
    monkeypatch.setattr(store.Record, "add_totals", _raise)  # after submissions, observations and values
    with pytest.raises(RuntimeError, match="killed"):
        saisei.consolidate([third], record=filled)
    assert filled.read_bytes() == before
    assert not filled.with_name(filled.name + "-journal").exists()
    assert read.values(filled).equals(latest)
    assert read.runs(filled)["run"].to_list() == [1, 2]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"KPI,value\n1,2\n", "SQLite のデータベースではありません"),
        (b"PK\x03\x04" + b"\x00" * 200, "SQLite のデータベースではありません"),
    ],
)
def test_a_foreign_file_is_refused_and_left_alone(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "record.sqlite"
    path.write_bytes(content)
    with pytest.raises(RecordError, match=expected):
        open_record(path, write=True)
    assert path.read_bytes() == content


def test_another_applications_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(RecordError, match="別のアプリケーションの SQLite"):
        open_record(path, write=True)
    assert path.read_bytes() == before


def test_a_record_of_a_newer_saisei_is_refused(filled: Path) -> None:
    conn = sqlite3.connect(filled)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(RecordError, match="新しい版の saisei"):
        open_record(filled, write=True)


def test_a_damaged_record_is_refused_never_written(filled: Path) -> None:
    data = bytearray(filled.read_bytes())
    page = 4096
    for offset in range(page * 2, min(len(data), page * 6)):
        data[offset] = 0xA5
    filled.write_bytes(bytes(data))
    with pytest.raises(RecordError, match=r"壊れて|読めません"):
        open_record(filled, write=True)
    assert filled.read_bytes() == bytes(data)


def test_reading_a_missing_record_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="記録ファイルがありません"):
        open_record(tmp_path / "none.sqlite")
    assert not (tmp_path / "none.sqlite").exists()


def test_backup_is_a_checked_copy_and_never_overwrites(filled: Path, tmp_path: Path) -> None:
    target = tmp_path / "控え.sqlite"
    with open_record(filled) as rec:
        rec.backup(target)
        counts = rec.counts()
        with pytest.raises(RecordError, match="上書きはしません"):
            rec.backup(target)
    with open_record(target) as copy:
        assert copy.counts() == counts
        assert copy.verify() == []


def test_verify_finds_a_tampered_workbook(filled: Path) -> None:
    conn = sqlite3.connect(filled)
    conn.execute("DROP TRIGGER submissions_no_update")
    conn.execute("UPDATE submissions SET content = X'00' WHERE name = 'a.xlsx'")
    conn.commit()
    conn.close()
    with open_record(filled) as rec:
        problems = rec.verify()
    assert any("a.xlsx" in p and "一致しません" in p for p in problems)
    assert any("submissions_no_update" in p for p in problems)


def test_a_second_writer_waits_then_gives_up_clearly(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAISEI_RECORD_WAIT", "0.2")
    holder = sqlite3.connect(filled, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    told: list[str] = []
    before = read.runs(filled).height
    try:
        with pytest.raises(RecordError, match="ほかの集計がこの記録を使い続けている"):
            saisei.consolidate([tmp_path / "r1"], record=filled, waiting=told.append)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(told) == 1 and "使用中" in told[0]
    assert read.runs(filled).height == before


@pytest.mark.parametrize("write", [False, True])
def test_a_record_held_by_another_program_is_said_to_be_in_use_not_damaged(
    filled: Path, monkeypatch: pytest.MonkeyPatch, write: bool
) -> None:
    # An SQLite tool writing (an EXCLUSIVE lock) keeps even readers out until it is done.
    monkeypatch.setenv("SAISEI_RECORD_WAIT", "0.2")
    holder = sqlite3.connect(filled, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(RecordError) as caught:
            open_record(filled, write=write)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "書き込み中" in str(caught.value) and "記録は変わっていません" in str(caught.value)
    assert "壊れて" not in str(caught.value)
    with open_record(filled) as rec:
        assert rec.verify() == []


def test_validate_with_a_record_reads_it_and_adds_nothing(filled: Path, tmp_path: Path) -> None:
    before = filled.read_bytes()
    third = tmp_path / "r3"
    third.mkdir()
    (third / "c.xlsx").write_bytes(rows((2024, 2, 31, "確定")))
    result = saisei.consolidate([third], record=filled, read_only=True)
    assert [i.code for i in result.warnings if i.code == "revised-final"] == ["revised-final"]
    assert result.run is None
    assert filled.read_bytes() == before


def test_a_record_kept_among_the_submissions_is_not_one_of_them(tmp_path: Path) -> None:
    folder = tmp_path / "提出"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(rows((2024, 1, 4, "確定")))
    record = folder / "記録.sqlite"
    saisei.consolidate([folder], record=record)
    (folder / "記録.sqlite-journal").write_bytes(b"")  # as a run in progress leaves it
    result = saisei.consolidate([folder], record=record)
    assert [f.name for f in result.files] == ["a.xlsx"]
    assert not [i for i in result.issues if i.code == "not-a-workbook"]


KILLED = """
import os, sys
import saisei
from saisei.record import store

add_run, add_values = store.Record.add_run, store.Record.add_values


def small_cache(self, **kwargs):
    self.conn.execute("PRAGMA cache_size = 2")  # changed pages go into the file before the commit
    return add_run(self, **kwargs)


def killed(self, *args, **kwargs):
    add_values(self, *args, **kwargs)
    os.kill(os.getpid(), 9)


store.Record.add_run, store.Record.add_values = small_cache, killed
saisei.consolidate([sys.argv[1]], record=sys.argv[2])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kill -9 is POSIX")
def test_a_run_killed_by_the_system_is_rolled_back_by_the_next_reader(filled: Path, tmp_path: Path) -> None:
    before = filled.read_bytes()
    latest = read.values(filled)
    third = tmp_path / "r3"
    third.mkdir()
    (third / "c.xlsx").write_bytes(
        standard_form([(*PREF, 2025, k, 9, "確定", "長い備考" * 3000) for k in (1, 2, 3, 4)])
    )
    done = subprocess.run([sys.executable, "-c", KILLED, str(third), str(filled)], capture_output=True, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode(errors="replace")
    journal = filled.with_name(filled.name + "-journal")
    assert journal.exists() and filled.read_bytes() != before  # half-written: what the journal undoes
    assert read.values(filled).equals(latest)  # a read-only command puts it back
    assert filled.read_bytes() == before
    assert not journal.exists() or journal.stat().st_size == 0
    with open_record(filled) as rec:
        assert rec.verify() == []


def test_a_second_writer_waits_for_the_first_and_then_runs(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    monkeypatch.setenv("SAISEI_RECORD_WAIT", "60")
    holder = sqlite3.connect(filled, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO outputs VALUES (2, 'ほかの集計.xlsx', 'x', 1)")  # the other run's work
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    told: list[str] = []
    release.start()
    try:
        result = saisei.consolidate([tmp_path / "r1"], record=filled, waiting=told.append)
    finally:
        release.join()
        holder.close()
    assert len(told) == 1
    assert result.run == 3
    with open_record(filled) as rec:
        names = [r[0] for r in rec.conn.execute("SELECT name FROM outputs WHERE run = 2 ORDER BY name")]
    assert "ほかの集計.xlsx" in names  # nothing of the first run lost
