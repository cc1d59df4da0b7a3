"""One measurement, run in a fresh process: ``python -m benchmarks.measure KIND CASE_DIR``.

Prints one JSON object on stdout.  ``seconds`` is the wall time of the timed region
(after imports), ``cpu`` the CPU time of this process and its workers in that region,
``import_seconds`` what the imports cost before it, ``peak_rss_mib`` this process's peak
resident memory and ``workers_peak_rss_mib`` the largest worker's.

KIND is one of:

* ``saisei`` — ``saisei.consolidate`` then ``Consolidation.write`` (in-process, as a
  script would call it), checked against the case's ``expected.csv``;
* ``fastexcel`` — every sheet of every file loaded with fastexcel into a polars frame
  (the floor: the cells and nothing else);
* ``pandas`` — every sheet of every file with ``pandas.read_excel(engine="openpyxl")``
  (the naive way).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: Read once before timing, by every method: first calls are start-up, not work.
WARM_UP = Path(__file__).resolve().parent.parent / "examples" / "fy2024" / "酒田市_実績一覧.xlsx"


def _files(case: Path) -> list[Path]:
    return sorted((case / "forms").rglob("*.xlsx"))


def _rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _check(values: Any, case: Path) -> dict[str, Any]:
    """Compare the consolidated values with ``expected.csv`` (values with status)."""
    from .generate import read_expected

    expected = {
        (v["entity_code"], v["fiscal_year"], v["kpi"]): (v["value"], v["status"])
        for v in read_expected(case / "expected.csv")
    }
    got = {
        (r["entity_code"], r["fiscal_year"], r["kpi"]): (r["value"], r["status"])
        for r in values.select("entity_code", "fiscal_year", "kpi", "value", "status").iter_rows(named=True)
    }
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    wrong = sorted(k for k in set(expected) & set(got) if expected[k] != got[k])
    return {
        "ok": not (missing or extra or wrong),
        "expected": len(expected),
        "got": len(got),
        "missing": [list(k) for k in missing[:5]],
        "extra": [list(k) for k in extra[:5]],
        "wrong": [[*k, expected[k], got[k]] for k in wrong[:5]],
    }


def run_saisei(case: Path, workers: int | None, as_of: dt.date | None) -> dict[str, Any]:
    t0 = time.perf_counter()
    import polars  # noqa: F401  (start-up, as the CLI line shows: not the work timed here)
    import python_calamine  # noqa: F401

    import saisei
    import saisei.core.schema
    import saisei.pipeline
    import saisei.pool
    import saisei.report

    plan_file = case / "plan.toml"
    plan = saisei.load_plan(plan_file if plan_file.exists() else None)
    # Warm up on a sample workbook: first calls (pandera's backends, openpyxl's import) are
    # start-up, which the CLI line of the results shows.
    warm = saisei.consolidate([WARM_UP], workers=1)
    with tempfile.TemporaryDirectory() as out:
        warm.write(out)
    t1 = time.perf_counter()
    c0 = _cpu()
    if workers == 0:  # as the command line does: one process per CPU for many files
        workers = saisei.pool.default_workers(len(saisei.pipeline.collect_files([case / "forms"])[0]))
    result = saisei.consolidate([case / "forms"], plan=plan, as_of=as_of, workers=workers)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        result.write(out)
    t3 = time.perf_counter()
    cpu = _cpu() - c0
    rows = int(result.observations.height)
    errors = [i.message for i in result.errors]
    return {
        "import_seconds": t1 - t0,
        "seconds": t3 - t1,
        "consolidate_seconds": t2 - t1,
        "write_seconds": t3 - t2,
        "cpu": cpu,
        "workers": workers or 1,
        "files": len(result.files),
        "rows": rows,
        "errors": len(errors),
        "first_errors": errors[:3],
        "warnings": len(result.warnings),
        "check": _check(result.values, case),
    }


def run_fastexcel(case: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    import fastexcel

    files = _files(case)
    for name in (reader := fastexcel.read_excel(WARM_UP)).sheet_names:  # warm up, as for saisei
        reader.load_sheet(name, header_row=None).to_polars()
    t1 = time.perf_counter()
    c0 = _cpu()
    rows = cells = 0
    for path in files:
        reader = fastexcel.read_excel(path)
        for name in reader.sheet_names:
            frame = reader.load_sheet(name, header_row=None, schema_sample_rows=None).to_polars()
            rows += frame.height
            cells += frame.height * frame.width
    t2 = time.perf_counter()
    return {
        "import_seconds": t1 - t0,
        "seconds": t2 - t1,
        "cpu": _cpu() - c0,
        "files": len(files),
        "rows": rows,
        "cells": cells,
    }


def run_pandas(case: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    import pandas as pd

    files = _files(case)
    pd.read_excel(WARM_UP, sheet_name=None, header=None, engine="openpyxl")  # warm up, as for saisei
    t1 = time.perf_counter()
    c0 = _cpu()
    rows = cells = 0
    for path in files:
        for frame in pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl").values():
            rows += len(frame)
            cells += frame.size
    t2 = time.perf_counter()
    return {
        "import_seconds": t1 - t0,
        "seconds": t2 - t1,
        "cpu": _cpu() - c0,
        "files": len(files),
        "rows": rows,
        "cells": cells,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.measure")
    parser.add_argument("kind", choices=["saisei", "fastexcel", "pandas"])
    parser.add_argument("case", type=Path)
    parser.add_argument("--workers", type=int, default=None, help="0: one per CPU for many files (the CLI's default)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    if args.kind == "saisei":
        out = run_saisei(args.case, args.workers, args.as_of)
    elif args.kind == "fastexcel":
        out = run_fastexcel(args.case)
    else:
        out = run_pandas(args.case)
    out["kind"] = args.kind
    out["peak_rss_mib"] = _rss_mib(resource.RUSAGE_SELF)
    out["workers_peak_rss_mib"] = _rss_mib(resource.RUSAGE_CHILDREN)
    out["pid"] = os.getpid()
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
