"""An open record: one writer at a time, appending, reading back, checking.

:mod:`saisei.record.opening` opens the file and gives a :class:`Record`.

* **Writing.** One run is one transaction (``BEGIN IMMEDIATE``): a run that fails or is
  killed leaves the record as it was (SQLite's rollback journal, ``journal_mode=DELETE``;
  never WAL, which does not work on a network share).  A second writer waits for the
  lock, saying so, and gives up with a clear message after :func:`wait_seconds`.
* **Reading** gives polars frames; the stored workbooks' bytes come back by SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.issues import Issue
from ..core.verdict import SheetFigure, Verdict
from .schema import TABLES

if TYPE_CHECKING:
    import polars as pl

__all__ = ["RECORD_ENV", "Record", "RecordError", "StoredSubmission", "wait_seconds"]

#: ``SAISEI_RECORD=FILE``: the record ``consolidate``, ``validate``, ``status`` and ``history`` use.
RECORD_ENV = "SAISEI_RECORD"


def wait_seconds() -> float:
    """How long a run waits for another run's lock on the record before giving up
    (``SAISEI_RECORD_WAIT`` seconds; 10 minutes by default), read when it is needed."""
    text = os.environ.get("SAISEI_RECORD_WAIT", "").strip()
    try:
        return max(0.0, float(text)) if text else 600.0
    except ValueError:  # "10分": the default, rather than a crash of every command
        return 600.0


class RecordError(Exception):
    """The record cannot be used: the message says why, in one line, and what to do."""


@dataclass(frozen=True)
class StoredSubmission:
    """A workbook the record holds (its bytes stay in the record)."""

    submission: int
    sha256: str
    name: str
    size: int
    run: int
    added_at: str
    plugin: str | None
    plugin_version: str | None
    entity_code: str | None
    form_date: dt.date | None
    accepted: bool


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _saisei_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("saisei")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "0"


class Record:
    """An open record.  Use :func:`open_record`; close it (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, writable: bool) -> None:
        self.path = path
        self.conn = conn
        self.writable = writable

    def __enter__(self) -> Record:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # -- transactions ----------------------------------------------------------------

    @contextmanager
    def transaction(self, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
        """One run: ``BEGIN IMMEDIATE`` … ``COMMIT``; any exception rolls everything back.

        When another run holds the record, ``waiting`` is told (once) and this one waits
        up to :func:`wait_seconds` for it.
        """
        if not self.writable:
            raise RecordError(f"{self.path}: 記録は読み取り専用で開いています（書き込めません）")
        self._begin(waiting)
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self.conn.execute("ROLLBACK")
            raise RecordError(f"{self.path}: 記録に書き込めませんでした（何も追加していません）: {exc}") from None

    def _begin(self, waiting: Callable[[str], None] | None) -> None:
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise RecordError(f"{self.path}: 記録に書き込めません: {exc}") from None
        wait = wait_seconds()
        if waiting is not None:
            waiting(
                f"{self.path}: ほかの集計がこの記録を使用中です。終わるまで待ちます"
                f"（最長 {wait:.0f} 秒。Ctrl+C で中止しても記録は変わりません）"
            )
        self.conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise RecordError(
                f"{self.path}: ほかの集計がこの記録を使い続けているため書き込めません（{exc}）。"
                "その集計が終わってから、もう一度実行してください（記録は変わっていません）"
            ) from None

    # -- writing ----------------------------------------------------------------------

    def add_run(
        self,
        *,
        as_of: dt.date,
        fiscal_year_under_review: int,
        plan_name: str,
        plan_sha256: str,
        files: int,
        new_submissions: int,
        errors: int,
        warnings: int,
        started_at: str | None = None,
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO runs (started_at, as_of, fiscal_year_under_review, plan_name, plan_sha256, saisei_version,"
            " files, new_submissions, errors, warnings) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                started_at or _now(),
                as_of.isoformat(),
                fiscal_year_under_review,
                plan_name,
                plan_sha256,
                _saisei_version(),
                files,
                new_submissions,
                errors,
                warnings,
            ),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def next_run(self) -> int:
        """The number the next run will get (runs are numbered 1, 2, 3… and never removed)."""
        row = self.conn.execute("SELECT COALESCE(MAX(run), 0) + 1 FROM runs").fetchone()
        return int(row[0])

    def add_submission(
        self,
        *,
        run: int,
        content: bytes,
        name: str,
        plugin: str | None,
        plugin_version: str | None,
        entity_code: str | None,
        form_date: dt.date | None,
        accepted: bool,
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO submissions (sha256, name, size, content, run, added_at, plugin, plugin_version,"
            " entity_code, form_date, accepted) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                hashlib.sha256(content).hexdigest(),
                name,
                len(content),
                content,
                run,
                _now(),
                plugin,
                plugin_version,
                entity_code,
                form_date.isoformat() if form_date else None,
                int(accepted),
            ),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def add_receipts(self, run: int, receipts: Iterable[tuple[int, str]]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO receipts (run, submission, name) VALUES (?,?,?)",
            [(run, s, n) for s, n in receipts],
        )

    def add_observations(self, submission: int, frame: pl.DataFrame) -> None:
        columns = ("entity_code", "fiscal_year", "kpi", "value", "status", "file", "sheet", "cell", "period")
        self.conn.executemany(
            f"INSERT INTO observations (submission, {', '.join(columns)}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            ((submission, *row) for row in frame.select(columns).iter_rows()),
        )

    def add_verdicts(self, submission: int, verdicts: Iterable[Verdict]) -> None:
        """A review sheet's verdicts, with their cells and the figures the sheet showed."""
        self.conn.executemany(
            "INSERT INTO verdicts (submission, entity_code, fiscal_year, reviewed_on, effect, policy, opinion,"
            " file, sheet, date_cell, effect_cell, policy_cell, opinion_cell, figures)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    submission,
                    v.entity_code,
                    v.fiscal_year,
                    v.reviewed_on.isoformat(),
                    v.effect,
                    v.policy,
                    v.opinion,
                    v.file,
                    v.sheet,
                    *v.cells,
                    json.dumps([[f.kpi, f.value, f.cell] for f in v.figures]),
                )
                for v in verdicts
            ],
        )

    def verdicts(self, submissions: Iterable[int]) -> dict[int, list[Verdict]]:
        """The verdicts read from each of these submissions, by submission."""
        out: dict[int, list[Verdict]] = {}
        rows = self._rows_of(
            "SELECT submission, entity_code, fiscal_year, reviewed_on, effect, policy, opinion, file, sheet,"
            " date_cell, effect_cell, policy_cell, opinion_cell, figures FROM verdicts"
            " WHERE submission IN ({wanted}) ORDER BY rowid",
            sorted(set(submissions)),
        )
        for r in rows:
            figures = tuple(SheetFigure(int(k), value, str(cell)) for k, value, cell in json.loads(r[13]))
            cells = (r[9], r[10], r[11], r[12])
            verdict = Verdict(
                r[1], int(r[2]), dt.date.fromisoformat(r[3]), r[4], r[5], r[6], r[7], r[8], cells, figures
            )
            out.setdefault(int(r[0]), []).append(verdict)
        return out

    def _rows_of(self, sql: str, wanted: Sequence[Any]) -> list[Any]:
        """The rows of ``sql`` for ``wanted``, asked 500 at a time (SQLite's limit on
        parameters): ``{wanted}`` in ``sql`` becomes each chunk's placeholders."""
        rows: list[Any] = []
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            rows += self.conn.execute(sql.format(wanted=",".join("?" * len(chunk))), chunk).fetchall()
        return rows

    def add_issues(self, run: int, submission: int | None, issues: Iterable[Issue]) -> None:
        self.conn.executemany(
            "INSERT INTO issues (run, submission, severity, code, message, file, sheet, cell, plugin)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            [(run, submission, i.severity, i.code, i.message, i.file, i.sheet, i.cell, i.plugin) for i in issues],
        )

    def add_values(self, run: int, values: pl.DataFrame) -> None:
        """``values``: entity_code, fiscal_year, kpi, value, status, sources, and
        ``record_submissions`` (the record's numbers of the submissions behind each)."""
        self.conn.executemany(
            "INSERT INTO run_values (run, entity_code, fiscal_year, kpi, value, status, sources, submissions)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (
                (run, c, fy, k, v, s, json.dumps(src, ensure_ascii=False), json.dumps(subs))
                for c, fy, k, v, s, src, subs in values.select(
                    "entity_code", "fiscal_year", "kpi", "value", "status", "sources", "record_submissions"
                ).iter_rows()
            ),
        )

    def add_totals(self, run: int, totals: pl.DataFrame) -> None:
        columns = ("fiscal_year", "kpi", "value", "target", "achievement", "bodies_reported", "provisional_bodies")
        self.conn.executemany(
            f"INSERT INTO run_totals (run, {', '.join(columns)}) VALUES (?,?,?,?,?,?,?,?)",
            ((run, *row) for row in totals.select(columns).iter_rows()),
        )

    def add_revisions(self, run: int, revisions: Iterable[dict[str, Any]]) -> None:
        self.conn.executemany(
            "INSERT INTO revisions (run, entity_code, fiscal_year, kpi, kind, old_value, new_value, old_sources,"
            " new_sources, old_run) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    run,
                    r["entity_code"],
                    r["fiscal_year"],
                    r["kpi"],
                    r["kind"],
                    r["old_value"],
                    r["new_value"],
                    json.dumps(r["old_sources"] or [r["old_file"]], ensure_ascii=False),
                    json.dumps(r["new_sources"] or r["new_files"], ensure_ascii=False),
                    r["old_gathering"],
                )
                for r in revisions
            ],
        )

    def add_outputs(self, run: int, outputs: Iterable[Path]) -> None:
        rows = []
        for path in outputs:
            data = path.read_bytes()
            rows.append((run, path.name, hashlib.sha256(data).hexdigest(), len(data)))
        self.conn.executemany("INSERT INTO outputs (run, name, sha256, size) VALUES (?,?,?,?)", rows)

    # -- reading ----------------------------------------------------------------------

    def frame(self, sql: str, params: Sequence[Any] = (), schema: dict[str, Any] | None = None) -> pl.DataFrame:
        """The rows of ``sql`` as a polars frame (``schema``: the columns' dtypes)."""
        import polars as pl

        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        if schema is None:
            return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
        return pl.DataFrame(rows, schema={n: schema[n] for n in names}, orient="row")

    def submissions(self, sha256s: Iterable[str] | None = None) -> dict[str, StoredSubmission]:
        """The stored submissions (all, or those with these hashes), by SHA-256."""
        sql = (
            "SELECT submission, sha256, name, size, run, added_at, plugin, plugin_version, entity_code,"
            " form_date, accepted FROM submissions"
        )
        if sha256s is None:
            rows = self.conn.execute(sql + " ORDER BY submission").fetchall()
        else:
            wanted = sorted(set(sha256s))
            rows = []
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                rows += self.conn.execute(sql + f" WHERE sha256 IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        out = {}
        for r in rows:
            out[r[1]] = StoredSubmission(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                dt.date.fromisoformat(r[9]) if r[9] else None,
                bool(r[10]),
            )
        return out

    def content(self, sha256: str) -> bytes:
        """The bytes of a stored workbook (as it was received)."""
        row = self.conn.execute("SELECT content FROM submissions WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise RecordError(f"{self.path}: SHA-256 {sha256} のブックは記録にありません")
        return bytes(row[0])

    def observations(self, submissions: Iterable[int] | None = None) -> pl.DataFrame:
        """Stored observations with their ``submission`` number (all, or of these submissions)."""
        import polars as pl

        from ..core.columns import OBSERVATION_COLUMNS

        schema = {"submission": pl.Int64, **OBSERVATION_COLUMNS}
        sql = "SELECT submission, " + ", ".join(OBSERVATION_COLUMNS) + " FROM observations"
        if submissions is None:
            return self.frame(sql + " ORDER BY rowid", schema=schema)
        wanted = sorted(set(submissions))
        if not wanted:
            return pl.DataFrame(schema=schema)
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS _wanted (submission INTEGER PRIMARY KEY)")
        self.conn.execute("DELETE FROM temp._wanted")
        self.conn.executemany("INSERT INTO temp._wanted VALUES (?)", [(s,) for s in wanted])
        return self.frame(
            sql + " WHERE submission IN (SELECT submission FROM temp._wanted) ORDER BY rowid", schema=schema
        )

    def issues_of(self, submissions: Iterable[int]) -> dict[int, list[Issue]]:
        """The issues found in each submission when it was read (in the run that added it)."""
        out: dict[int, list[Issue]] = {}
        rows = self._rows_of(
            "SELECT i.submission, i.severity, i.code, i.message, i.file, i.sheet, i.cell, i.plugin FROM issues i"
            " JOIN submissions s ON s.submission = i.submission AND s.run = i.run"
            " WHERE i.submission IN ({wanted}) ORDER BY i.rowid",
            sorted(set(submissions)),
        )
        for sub, *fields in rows:
            out.setdefault(sub, []).append(Issue(*fields))
        return out

    def runs(self) -> pl.DataFrame:
        return self.frame("SELECT * FROM runs ORDER BY run")

    def accepted_on(self) -> dict[int, dt.date]:
        """Each run's as-of date: when the figures it added were accepted."""
        return {r: dt.date.fromisoformat(d) for r, d in self.conn.execute("SELECT run, as_of FROM runs")}

    # -- checks -----------------------------------------------------------------------

    def quick_check(self) -> None:
        rows = [r[0] for r in self.conn.execute("PRAGMA quick_check").fetchall()]
        if rows != ["ok"]:
            raise RecordError(
                f"{self.path}: 記録ファイルが壊れています（{'; '.join(rows[:3])}）。"
                "書き込みはしません。saisei record backup で作った控えから戻してください"
            )

    def verify(self) -> list[str]:
        """Every problem found: SQLite's full integrity check, foreign keys, the schema,
        and every stored workbook against its SHA-256 and size.  Empty when all is well."""
        problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check").fetchall() if r[0] != "ok"]
        for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check").fetchall():
            problems.append(f"{table} の行 {rowid} が {parent} にない行を指しています")
        have = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        for table in TABLES:
            for verb in ("update", "delete", "replace"):
                if f"{table}_no_{verb}" not in have:
                    problems.append(f"表 {table} の追記専用トリガー {table}_no_{verb} がありません")
        for sha, name, size, content in self.conn.execute("SELECT sha256, name, size, content FROM submissions"):
            data = bytes(content)
            if hashlib.sha256(data).hexdigest() != sha or len(data) != size:
                problems.append(f"保存されたブック {name}（SHA-256 {sha[:12]}…）の中身がハッシュと一致しません")
        return problems

    def counts(self) -> dict[str, int]:
        return {t: int(self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES}

    def backup(self, target: Path) -> None:
        """SQLite's online backup into ``target`` (a new file), then checked."""
        if target.exists():
            raise RecordError(
                f"{target}: 控えの書き出し先にファイルがあります（上書きはしません。別の名前を指定してください）"
            )
        tmp = target.with_name(f".{target.name}.tmp")
        dst = sqlite3.connect(tmp)
        try:
            self.conn.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
            rows = [r[0] for r in dst.execute("PRAGMA integrity_check").fetchall()]
        finally:
            dst.close()
        if rows != ["ok"]:
            tmp.unlink(missing_ok=True)
            raise RecordError(f"{target}: 控えの検査に失敗しました（{'; '.join(rows[:3])}）")
        os.replace(tmp, target)
