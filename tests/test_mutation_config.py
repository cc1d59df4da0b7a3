"""mutmut (``nox -s mutants``) runs every core test file: ``tests/test_core_*.py``, a new one too."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mutmut_runs_every_core_test_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    args = [*config["pytest_add_cli_args"], *config["pytest_add_cli_args_test_selection"]]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    collected = {line.split("::", 1)[0] for line in done.stdout.splitlines() if "::" in line}
    assert collected == {f"tests/{p.name}" for p in (ROOT / "tests").glob("test_core_*.py")}
