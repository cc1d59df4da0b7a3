"""The record's tables, as SQL, and the migrations that build them.

A record is a SQLite file whose ``application_id`` is :data:`APPLICATION_ID` and whose
``user_version`` is its schema version.  A fresh record is built by applying every
migration in order; a record of an older version is brought up to date the same way,
inside the run's transaction.  A later version (the council's verdicts, other kinds of
submission) adds a migration at the end of :data:`MIGRATIONS`, never edits one: its
statements create the new tables with :func:`append_only_triggers` and
:func:`no_replace_triggers` for each (its keys in :data:`KEYS`), and the new
tables are appended to :data:`TABLES` (``saisei record verify`` checks every table there
has its triggers).  A new kind of submission can be a new table keyed by
``submissions.submission`` (the bytes stay in ``submissions``).

Every table refuses UPDATE and DELETE (a trigger per table and statement), and an INSERT
that would take the place of a row (``INSERT OR REPLACE``, ``REPLACE``: SQLite's implicit
delete fires no DELETE trigger unless the connection turned ``recursive_triggers`` on, which
the sqlite3 shell and Python do not): the record is append-only.  A correction is a new submission that supersedes an older one.
"""

from __future__ import annotations

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "TABLES", "append_only_triggers", "no_replace_triggers"]

#: ``PRAGMA application_id`` of a saisei record: the bytes "SAIS".
APPLICATION_ID = 0x53414953

#: The tables of schema version 1, in the order they are created.
_V1_TABLES = (
    "schema_migrations",
    "runs",
    "submissions",
    "receipts",
    "observations",
    "issues",
    "run_values",
    "run_totals",
    "revisions",
    "outputs",
)
#: Every table of the current schema, in the order they are created.
TABLES = (*_V1_TABLES, "verdicts")


def append_only_triggers(table: str) -> list[str]:
    """Two triggers that make ``table`` refuse UPDATE and DELETE, with a message in Japanese."""
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN "
        f"SELECT RAISE(ABORT, '記録は追記のみです: {table} の行は{what}できません'); END"
        for verb, what in (("UPDATE", "変更"), ("DELETE", "削除"))
    ]


#: The unique keys of each table besides its rowid (which every table has): an INSERT
#: that meets an existing row on one of them is refused.
KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "submissions": (("sha256",),),
    "run_values": (("run", "entity_code", "fiscal_year", "kpi"),),
    "run_totals": (("run", "fiscal_year", "kpi"),),
    "outputs": (("run", "name"),),
}
#: Tables that are all key: the same row again is skipped, never put in the old one's place
#: (saisei adds a receipt OR IGNORE; a REPLACE of one leaves it as it was).
SAME_ROW_SKIPPED: dict[str, tuple[str, ...]] = {"receipts": ("run", "submission", "name")}


def _exists(table: str, key: tuple[str, ...]) -> str:
    return f"EXISTS (SELECT 1 FROM {table} WHERE {' AND '.join(f'{c} = NEW.{c}' for c in key)})"


def no_replace_triggers(table: str) -> list[str]:
    """Triggers that make ``table`` refuse an INSERT meeting an existing row's rowid or key
    (what ``INSERT OR REPLACE`` would delete, without a DELETE trigger firing)."""
    clash = " OR ".join(_exists(table, key) for key in (("rowid",), *KEYS.get(table, ())))
    triggers = [
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {clash} BEGIN "
        f"SELECT RAISE(ABORT, '記録は追記のみです: {table} の行は置き換えられません'); END"
    ]
    if table in SAME_ROW_SKIPPED:
        triggers.append(
            f"CREATE TRIGGER {table}_same_row BEFORE INSERT ON {table} "
            f"WHEN {_exists(table, SAME_ROW_SKIPPED[table])} AND NOT {_exists(table, ('rowid',))} "
            "BEGIN SELECT RAISE(IGNORE); END"
        )
    return triggers


_V1 = [
    """CREATE TABLE schema_migrations (
        version INTEGER PRIMARY KEY,
        applied_at TEXT NOT NULL,
        saisei_version TEXT NOT NULL,
        description TEXT NOT NULL
    )""",
    """CREATE TABLE runs (
        run INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        as_of TEXT NOT NULL,
        fiscal_year_under_review INTEGER NOT NULL,
        plan_name TEXT NOT NULL,
        plan_sha256 TEXT NOT NULL,
        saisei_version TEXT NOT NULL,
        files INTEGER NOT NULL,
        new_submissions INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        warnings INTEGER NOT NULL
    )""",
    """CREATE TABLE submissions (
        submission INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        content BLOB NOT NULL,
        run INTEGER NOT NULL REFERENCES runs(run),
        added_at TEXT NOT NULL,
        plugin TEXT,
        plugin_version TEXT,
        entity_code TEXT,
        form_date TEXT,
        accepted INTEGER NOT NULL CHECK (accepted IN (0, 1))
    )""",
    """CREATE TABLE receipts (
        run INTEGER NOT NULL REFERENCES runs(run),
        submission INTEGER NOT NULL REFERENCES submissions(submission),
        name TEXT NOT NULL,
        PRIMARY KEY (run, submission, name)
    )""",
    """CREATE TABLE observations (
        submission INTEGER NOT NULL REFERENCES submissions(submission),
        entity_code TEXT NOT NULL,
        fiscal_year INTEGER NOT NULL,
        kpi INTEGER NOT NULL,
        value INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('final', 'provisional')),
        file TEXT NOT NULL,
        sheet TEXT NOT NULL,
        cell TEXT NOT NULL,
        period TEXT
    )""",
    "CREATE INDEX observations_by_submission ON observations(submission)",
    "CREATE INDEX observations_by_figure ON observations(entity_code, fiscal_year, kpi)",
    """CREATE TABLE issues (
        run INTEGER NOT NULL REFERENCES runs(run),
        submission INTEGER REFERENCES submissions(submission),
        severity TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        file TEXT,
        sheet TEXT,
        cell TEXT,
        plugin TEXT
    )""",
    "CREATE INDEX issues_by_submission ON issues(submission)",
    """CREATE TABLE run_values (
        run INTEGER NOT NULL REFERENCES runs(run),
        entity_code TEXT NOT NULL,
        fiscal_year INTEGER NOT NULL,
        kpi INTEGER NOT NULL,
        value INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('final', 'provisional')),
        sources TEXT NOT NULL,
        submissions TEXT NOT NULL,
        PRIMARY KEY (run, entity_code, fiscal_year, kpi)
    )""",
    """CREATE TABLE run_totals (
        run INTEGER NOT NULL REFERENCES runs(run),
        fiscal_year INTEGER NOT NULL,
        kpi INTEGER NOT NULL,
        value INTEGER NOT NULL,
        target INTEGER,
        achievement REAL,
        bodies_reported INTEGER NOT NULL,
        provisional_bodies INTEGER NOT NULL,
        PRIMARY KEY (run, fiscal_year, kpi)
    )""",
    """CREATE TABLE revisions (
        run INTEGER NOT NULL REFERENCES runs(run),
        entity_code TEXT NOT NULL,
        fiscal_year INTEGER NOT NULL,
        kpi INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('provisional-final', 'revised-final')),
        old_value INTEGER NOT NULL,
        new_value INTEGER NOT NULL,
        old_sources TEXT NOT NULL,
        new_sources TEXT NOT NULL,
        old_run INTEGER NOT NULL REFERENCES runs(run)
    )""",
    """CREATE TABLE outputs (
        run INTEGER NOT NULL REFERENCES runs(run),
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (run, name)
    )""",
    *[trigger for table in _V1_TABLES for trigger in append_only_triggers(table)],
]

_V2 = [
    # A committee's verdict read from a review sheet (効果検証シート): the four answers with
    # their cells, and the figures the sheet showed (JSON: [[kpi, value or null, cell], …]).
    """CREATE TABLE verdicts (
        submission INTEGER NOT NULL REFERENCES submissions(submission),
        entity_code TEXT NOT NULL,
        fiscal_year INTEGER NOT NULL,
        reviewed_on TEXT NOT NULL,
        effect TEXT NOT NULL,
        policy TEXT NOT NULL,
        opinion TEXT,
        file TEXT NOT NULL,
        sheet TEXT NOT NULL,
        date_cell TEXT NOT NULL,
        effect_cell TEXT NOT NULL,
        policy_cell TEXT NOT NULL,
        opinion_cell TEXT NOT NULL,
        figures TEXT NOT NULL
    )""",
    "CREATE INDEX verdicts_by_submission ON verdicts(submission)",
    *append_only_triggers("verdicts"),
]

_V3 = [trigger for table in TABLES for trigger in no_replace_triggers(table)]

#: ``version -> (description, statements)``; version N brings a record from N-1 to N.
MIGRATIONS: dict[int, tuple[str, list[str]]] = {
    1: ("提出ブック、観測値、問題、集計の実行と受理した値・合計・改訂", _V1),
    2: ("効果検証シートの検証結果（検証日・事業効果・今後の方針・外部有識者からの意見）", _V2),
    3: ("行の置き換え（INSERT OR REPLACE）も拒否するトリガー", _V3),
}

SCHEMA_VERSION = max(MIGRATIONS)
