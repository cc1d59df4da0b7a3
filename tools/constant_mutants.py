"""Hand mutants of the core's module-level constants, which mutmut leaves alone.

``uv run python tools/constant_mutants.py [MODULE ...]``: for each change below (a weight,
a minus sign, a limit, an era, a pattern; and the aggregation rules issue 17 found
unguarded), a copy of ``src/`` and ``tests/`` in a temporary folder gets the change, and
that module's core tests run against the copy.  Each must fail (``killed``); a ``SURVIVED``
line names a change no test sees.  The working tree is never changed.  Add a line here when
a constant is added to the core.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

V, C, F, A = (
    "src/saisei/core/values.py",
    "src/saisei/core/codes.py",
    "src/saisei/core/fiscal.py",
    "src/saisei/core/aggregate.py",
)
TESTS = {
    V: "tests/test_core_values.py",
    C: "tests/test_core_codes.py",
    F: "tests/test_core_fiscal.py",
    A: "tests/test_core_aggregate.py",
}
MUTANTS = [
    (V, 'MINUS_SIGNS = ("△", "▲", "-", "−", "‐")', 'MINUS_SIGNS = ("▲", "-", "−", "‐")'),
    (V, 'MINUS_SIGNS = ("△", "▲", "-", "−", "‐")', 'MINUS_SIGNS = ("△", "-", "−", "‐")'),
    (V, 'MINUS_SIGNS = ("△", "▲", "-", "−", "‐")', 'MINUS_SIGNS = ("△", "▲", "−", "‐")'),
    (V, 'MINUS_SIGNS = ("△", "▲", "-", "−", "‐")', 'MINUS_SIGNS = ("△", "▲", "-", "‐")'),
    (V, 'MINUS_SIGNS = ("△", "▲", "-", "−", "‐")', 'MINUS_SIGNS = ("△", "▲", "-", "−")'),
    (V, "MAX_COUNT = 10**12", "MAX_COUNT = 10**12 + 1"),
    (V, "MAX_COUNT = 10**12", "MAX_COUNT = 10**12 - 1"),
    (V, "MAX_COUNT = 10**12", "MAX_COUNT = 10**13"),
    (V, '_PLAIN = re.compile(r"[0-9]+")', '_PLAIN = re.compile(r"[0-9]*")'),
    (V, '_PLAIN = re.compile(r"[0-9]+")', '_PLAIN = re.compile(r"[0-9,]+")'),
    (V, '_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")', '_GROUPED = re.compile(r"[0-9]{1,4}(?:,[0-9]{3})+")'),
    (V, '_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")', '_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{2,3})+")'),
    (V, '_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")', '_GROUPED = re.compile(r"[0-9]{0,3}(?:,[0-9]{3})+")'),
    (V, '_DECIMAL = re.compile(r"[0-9][0-9,]*\\.[0-9]+")', '_DECIMAL = re.compile(r"[0-9][0-9]*\\.[0-9]+")'),
    (V, '_DECIMAL = re.compile(r"[0-9][0-9,]*\\.[0-9]+")', '_DECIMAL = re.compile(r"[0-9,]*\\.[0-9]+")'),
    (V, '_DECIMAL = re.compile(r"[0-9][0-9,]*\\.[0-9]+")', '_DECIMAL = re.compile(r"[0-9][0-9,]*\\.[0-9]*")'),
    (V, 'trailing = re.fullmatch(r"[0-9][0-9,]*(\\D+)", text)', 'trailing = re.fullmatch(r"[0-9]*(\\D+)", text)'),
    (C, "_WEIGHTS = (6, 5, 4, 3, 2)", "_WEIGHTS = (7, 5, 4, 3, 2)"),
    (C, "_WEIGHTS = (6, 5, 4, 3, 2)", "_WEIGHTS = (6, 5, 4, 2, 3)"),
    (C, "_WEIGHTS = (6, 5, 4, 3, 2)", "_WEIGHTS = (6, 5, 4, 3, 1)"),
    (C, "_WEIGHTS = (6, 5, 4, 3, 2)", "_WEIGHTS = (5, 6, 4, 3, 2)"),
    (C, '_DIGITS = re.compile(r"[0-9]+")', '_DIGITS = re.compile(r"\\d+")'),
    (F, 'Era("令和", "R", 2019, dt.date(2019, 5, 1), None)', 'Era("令和", "R", 2019, dt.date(2019, 4, 1), None)'),
    (F, 'Era("平成", "H", 1989, dt.date(1989, 1, 8), 2019)', 'Era("平成", "H", 1989, dt.date(1989, 1, 8), 2020)'),
    (F, 'Era("昭和", "S", 1926, dt.date(1926, 12, 25), 1989)', 'Era("昭和", "S", 1925, dt.date(1926, 12, 25), 1989)'),
    (
        F,
        '_ERA_YEAR = re.compile(r"(令和|平成|昭和|[RHS])\\s*(元|\\d{1,2})\\s*(年度|年)?")',
        '_ERA_YEAR = re.compile(r"(令和|平成|昭和|[RHS])\\s*(元|\\d{1,3})\\s*(年度|年)?")',
    ),
    (
        F,
        '_ERA_YEAR = re.compile(r"(令和|平成|昭和|[RHS])\\s*(元|\\d{1,2})\\s*(年度|年)?")',
        '_ERA_YEAR = re.compile(r"(令和|平成|昭和|[RHS])\\s*(元|\\d{1,2})\\s*(年度|年)")',
    ),
    (
        F,
        '_ERA_YEAR = re.compile(r"(令和|平成|昭和|[RHS])\\s*(元|\\d{1,2})\\s*(年度|年)?")',
        '_ERA_YEAR = re.compile(r"(令和|平成|[RHS])\\s*(元|\\d{1,2})\\s*(年度|年)?")',
    ),
    (
        F,
        '_GREGORIAN_YEAR = re.compile(r"(\\d{4})\\s*(年度|年)?")',
        '_GREGORIAN_YEAR = re.compile(r"(\\d{2,4})\\s*(年度|年)?")',
    ),
    (
        F,
        '_GREGORIAN_YEAR = re.compile(r"(\\d{4})\\s*(年度|年)?")',
        '_GREGORIAN_YEAR = re.compile(r"(\\d{4})\\s*(年度)?")',
    ),
    (F, '_BOTH = re.compile(r"(.+?)\\s*\\((.+?)\\)")', '_BOTH = re.compile(r"(.+?)\\s*\\[(.+?)\\]")'),
    (
        F,
        're.compile(r"(?P<era>[RHS])\\s*(?P<y>元|\\d{1,2})[./-]',
        're.compile(r"(?P<era>[RHS])\\s*(?P<y>元|\\d{1,2})[.]',
    ),
    (F, 're.compile(r"(?P<y>\\d{4})[./-](?P<m>', 're.compile(r"(?P<y>\\d{4})[/](?P<m>'),
    (A, "MAX_RUNS = 20", "MAX_RUNS = 21"),
    (A, "MAX_RUNS = 20", "MAX_RUNS = 19"),
    (A, 'KEY = ["entity_code", "fiscal_year", "kpi"]', 'KEY = ["fiscal_year", "entity_code", "kpi"]'),
    (A, '_CELL = re.compile(r"([A-Z]+)([0-9]+)")', '_CELL = re.compile(r"([A-Z])([0-9]+)")'),
    (A, '(pl.col("status") == "provisional").sum()', '(pl.col("status") != "provisional").sum()'),
    (A, '.with_columns(pl.when(pl.col("_gap")).then(None).otherwise(pl.col("level")).alias("level"))', ""),
    (
        A,
        'kind = "確定値" if row["status"] == "final" else "見込み値"',
        'kind = "確定値" if row["status"] != "final" else "見込み値"',
    ),
    (A, "file=file or None, sheet", "file=None, sheet"),
    (A, 'first_source = figures[-1]["sources"][0]', 'first_source = figures[0]["sources"][0]'),
    (A, '.with_columns(\n        _sorted_sources(agreed.select("sources"))\n    )', ""),
    (A, '            pl.col("sources").alias("old_sources"),\n', ""),
    (V, 'DASHES = frozenset("-‐‑‒–—―−ー─━")', 'DASHES = frozenset("-‐‑‒–—―−ー─")'),
    (V, 'DASHES = frozenset("-‐‑‒–—―−ー─━")', 'DASHES = frozenset("‐‑‒–—―−ー─━")'),
    (V, 'DASHES = frozenset("-‐‑‒–—―−ー─━")', 'DASHES = frozenset("-‐‑‒–—―−─━")'),
    (V, 'DASHES = frozenset("-‐‑‒–—―−ー─━")', 'DASHES = frozenset("-‐‑‒–—―−ー─━~")'),
    (F, '_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}', '_KANJI_DIGITS = {"一": 1, "二": 2, "三": 4, "四": 3}'),
    (F, 're.compile(r"第?([1-4一二三四])四半期")', 're.compile(r"第([1-4一二三四])四半期")'),
    (F, 're.compile(r"第?([1-4一二三四])四半期")', 're.compile(r"第?([0-4一二三四])四半期")'),
    (F, 're.compile(r"([1-4])Q|Q([1-4])")', 're.compile(r"([1-5])Q|Q([1-4])")'),
    (
        F,
        "_QUARTER_MONTHS = {(4, 6): 1, (7, 9): 2, (10, 12): 3, (1, 3): 4}",
        "_QUARTER_MONTHS = {(4, 6): 1, (7, 9): 2, (10, 12): 3, (1, 3): 4, (4, 5): 1}",
    ),
    (
        F,
        "_QUARTER_MONTHS = {(4, 6): 1, (7, 9): 2, (10, 12): 3, (1, 3): 4}",
        "_QUARTER_MONTHS = {(4, 6): 1, (7, 9): 2, (10, 12): 3}",
    ),
    (
        F,
        r'_MONTH_RANGE = re.compile(r"(\d{1,2})月?[-~〜～―ー−‐]+(\d{1,2})月")',
        r'_MONTH_RANGE = re.compile(r"(\d{1,2})月?[-~〜～―ー−]+(\d{1,2})月")',
    ),
    (
        F,
        r'_MONTH_RANGE = re.compile(r"(\d{1,2})月?[-~〜～―ー−‐]+(\d{1,2})月")',
        r'_MONTH_RANGE = re.compile(r"(\d{1,2})月?[-~〜～―ー−‐]+(\d{1,2})月?")',
    ),
    (
        F,
        r'_MONTH_RANGE = re.compile(r"(\d{1,2})月?[-~〜～―ー−‐]+(\d{1,2})月")',
        r'_MONTH_RANGE = re.compile(r"(\d{1,2})[-~〜～―ー−‐]+(\d{1,2})月")',
    ),
]


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    survived = 0
    with tempfile.TemporaryDirectory(prefix="saisei-constants-") as tmp:
        copy = Path(tmp)
        for part in ("src", "tests", "pyproject.toml"):
            source = root / part
            if source.is_dir():
                shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(source, copy / part)
        env = {**os.environ, "PYTHONPATH": str(copy / "src")}  # the copy, not the installed tree

        def fails(test: str) -> bool:
            command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", test]
            return subprocess.run(command, cwd=copy, env=env, capture_output=True).returncode != 0

        if any(fails(test) for test in sorted(set(TESTS.values()))):
            print("the core tests fail without any change: fix them first")
            return 2
        for path, old, new in MUTANTS:
            if argv and Path(path).stem not in argv:
                continue
            target = copy / path
            text = target.read_text("utf-8")
            if text.count(old) != 1:
                print(f"MISSING  {path}: {old!r} (the constant changed: update this list)")
                survived += 1
                continue
            target.write_text(text.replace(old, new), "utf-8")
            try:
                killed = fails(TESTS[path])
            finally:
                target.write_text(text, "utf-8")
            survived += not killed
            change = f"{old.strip()[:60]!r} -> {new.strip()[:60]!r}"
            print(f"{'killed  ' if killed else 'SURVIVED'} {Path(path).name}: {change}", flush=True)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
