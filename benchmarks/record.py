"""(d) the national case with the plan's record: ``saisei consolidate --record`` into a
fresh record, then again after one body's workbook changed (the other 1,740 are in the
record already: their SHA-256 says so and they are not read again).

Run with the rest by ``python -m benchmarks`` (``--cases record`` for this case alone: the
other sections of RESULTS.md are then left as they are and only this one is replaced).
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from . import generate
from .xlsx import write_workbook

TITLE = "(d) national with the record: a fresh record, then one body's workbook changed"


def change_one(forms: Path) -> Path:
    """Write one body's workbook again with other figures (as a corrected form would be)."""
    files = sorted(forms.glob("*.xlsx"))
    by_file = {f"{code[:2]}_{name}_KPI実績.xlsx": (code, name) for code, name in generate.national_codes(len(files))}
    first = files[0]
    code, name = by_file[first.name]
    sheets, _ = generate.national_workbook(code, name, random.Random(1))
    write_workbook(first, sheets)
    return first


def run(folder: Path, as_of: str | None, spawn: Any, script: str) -> dict[str, Any]:
    """Both runs, each in a fresh process (the whole command: start-up, read, record, report)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        forms = root / "forms"
        shutil.copytree(folder / "forms", forms)
        record = root / "record.sqlite"
        runs = []
        for step in ("fresh", "changed"):
            if step == "changed":
                changed = change_one(forms)
            args = [script, "consolidate", str(forms), "--out", str(root / f"out-{step}"), "--record", str(record)]
            args += ["--plan", str(folder / "plan.toml")] + (["--as-of", as_of] if as_of else [])
            done = spawn(args)
            if done.returncode not in (0, 1):
                raise RuntimeError(f"saisei consolidate --record exited {done.returncode}")
            runs.append((step, done, record.stat().st_size))
        conn = sqlite3.connect(f"{record.resolve().as_uri()}?mode=ro", uri=True)
        rows = conn.execute("SELECT run, files, new_submissions, errors, warnings FROM runs ORDER BY run").fetchall()
        revised = conn.execute("SELECT COUNT(*) FROM revisions WHERE run = 2").fetchone()[0]
        conn.close()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {"runs": runs, "rows": rows, "revised": revised, "changed": changed.name, "load": load}


def section(result: dict[str, Any]) -> list[str]:
    lines = [
        f"## {TITLE}",
        "",
        "`saisei consolidate forms --record record.sqlite` (the whole command, start-up included, one run each; "
        f"load average at the end {result['load']} on {os.cpu_count()} CPUs: with a load above the CPUs, wall time "
        "includes waiting for one, and CPU s — this process and its workers — is the work itself).",
        "",
        "| run | wall s | CPU s | peak RSS MiB | files | workbooks read and added | record on disk | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for (step, done, size), (_, files, new, errors, warnings) in zip(result["runs"], result["rows"], strict=True):
        note = f"{errors} errors, {warnings} warnings"
        if step == "changed":
            note += f"; {result['changed']} changed: {result['revised']} revisions recorded"
        lines.append(
            f"| {step} | {done.wall:.2f} | {done.own_cpu + done.children_cpu:.2f} | {done.tree_peak_mib:.0f} | "
            f"{files} | {new} | {size / 2**20:.1f} MiB | {note} |"
        )
    return lines


def targets(result: dict[str, Any]) -> list[tuple[str, str, bool]]:
    (_, fresh, _), (_, changed, _) = result["runs"]
    new = result["rows"][1][2]
    return [
        ("record: national into a fresh record < 10 s", f"{fresh.wall:.2f} s", fresh.wall < 10),
        ("record: again with one workbook changed < 10 s", f"{changed.wall:.2f} s", changed.wall < 10),
        ("record: the unchanged workbooks are not read again", f"{new} workbook read and added", new == 1),
    ]


def patch(path: Path, lines: list[str], met: list[tuple[str, str, bool]]) -> None:
    """Replace this section (and its targets' rows) in an existing RESULTS.md."""
    text = path.read_text(encoding="utf-8").split("\n")
    start = next((i for i, line in enumerate(text) if line == f"## {TITLE}"), None)
    if start is not None:
        end = next(i for i in range(start + 1, len(text)) if text[i].startswith("## "))
        del text[start:end]
    at = next(i for i, line in enumerate(text) if line == "## Start-up")
    text[at:at] = [*lines, ""]
    text = [line for line in text if not line.startswith("| record: ")]
    head = next(i for i, line in enumerate(text) if line == "## Targets")
    table_end = next(i for i in range(head + 4, len(text)) if not text[i].startswith("|"))
    text[table_end:table_end] = [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in met]
    path.write_text("\n".join(text), encoding="utf-8")
