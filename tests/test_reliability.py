"""Reliability for the clerk (issue 15): no silent shift of the year under review, no lost
input, no crash on the filesystem, library misuse said plainly.  Every workbook here is a
copy of the committed samples or built by the test."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import saisei
from saisei.cli import main
from saisei.core.cycle import review_year_problem
from saisei.plans import load_plan
from tests.builders import EXAMPLES

OBANAZAWA = "KPI進捗管理表（尾花沢市）.xlsx"


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    folder = tmp_path / "提出"
    shutil.copytree(EXAMPLES, folder)
    return folder


def _set_cell(path: Path, ref: str, value: object) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path)
    book.worksheets[0][ref] = value
    book.save(path)


# -- item 1: one future form date does not move the run -------------------------------------


def test_a_future_form_date_is_a_warning_at_its_cell_and_does_not_move_as_of(samples: Path) -> None:
    before = saisei.consolidate([samples])
    _set_cell(samples / OBANAZAWA, "H1", dt.datetime(2029, 2, 15))
    after = saisei.consolidate([samples])
    assert after.as_of == before.as_of < dt.date(2029, 1, 1)
    assert after.fiscal_year_under_review == before.fiscal_year_under_review == 2024
    odd = [i for i in after.issues if i.code == "odd-form-date"]
    assert len(odd) == 1
    assert (odd[0].file, odd[0].cell, odd[0].severity) == (OBANAZAWA, "H1", "warning")
    assert "2029-02-15" in odd[0].message and "基準日には使っていません" in odd[0].message
    assert after.as_of_source is not None and after.as_of_source.startswith(before.as_of_source.split("!")[0])


def test_a_form_date_far_after_the_others_is_not_believed() -> None:
    from saisei.pipeline import FileResult, form_dates

    results = [FileResult(Path(f"{n}.xlsx"), as_of=dt.date(2025, 8, n)) for n in range(1, 5)]
    results.append(FileResult(Path("slip.xlsx"), as_of=dt.date(2026, 9, 1), as_of_cell=("表紙", "B2")))
    kept, odd = form_dates(results, today=dt.date(2026, 11, 30))
    assert max(kept) == (dt.date(2025, 8, 4), "4.xlsx")
    assert [(i.file, i.sheet, i.cell) for i in odd] == [("slip.xlsx", "表紙", "B2")]
    kept, odd = form_dates(results[:1] + results[-1:], today=dt.date(2026, 11, 30))  # two: no middle
    assert not odd and max(kept)[0] == dt.date(2026, 9, 1)


def test_the_summary_says_which_form_set_as_of(samples: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["validate", str(samples)])
    assert out.exit_code == 0, out.output
    last = out.stderr.strip().splitlines()[-1]
    assert ".xlsx の日付）" in last or ".xlsx!" in last
    out = CliRunner().invoke(main, ["validate", str(samples), "--as-of", "2025-09-01"])
    assert "基準日 2025-09-01（指定）" in out.stderr


# -- item 16: years outside the plan ------------------------------------------------------------


def test_review_year_problem() -> None:
    plan = load_plan()
    assert review_year_problem(dt.date(2025, 9, 1), plan) is None
    assert review_year_problem(dt.date(2027, 3, 31), plan) is None  # FY2025
    assert review_year_problem(dt.date(2027, 4, 1), plan) is None  # FY2026, the last
    assert "2027年度" in (review_year_problem(dt.date(2028, 4, 1), plan) or "")
    assert "2018年度は計画期間（2024〜2026年度）の外です" in (review_year_problem(dt.date(2020, 1, 1), plan) or "")
    assert review_year_problem(dt.date(2025, 4, 1), plan) is None  # FY2024, the first
    assert review_year_problem(dt.date(2025, 3, 31), plan) is not None


@pytest.mark.parametrize("day", ["2028-01-01", "2020-01-01"])
def test_schedule_lists_no_review_outside_the_plan(day: str) -> None:
    out = CliRunner().invoke(main, ["schedule", "--as-of", day])
    assert out.exit_code == 2
    assert "計画期間（2024〜2026年度）の外です" in out.stderr
    assert "令和9年度" not in out.output and "令和6年度" not in out.output


def test_schedule_leaves_out_the_meetings_after_the_plan_and_says_so() -> None:
    out = CliRunner().invoke(main, ["schedule", "--as-of", "2027-06-01"])
    assert out.exit_code == 0
    assert "令和9年度" not in out.stdout and "令和8年度" in out.stdout
    assert "尾花沢市（令和9年度" in out.stderr


@pytest.mark.parametrize("command", ["consolidate", "validate", "publish"])
@pytest.mark.parametrize("day", ["2020-01-01", "2029-01-01"])
def test_consolidating_for_a_year_outside_the_plan_is_refused(
    samples: Path, tmp_path: Path, command: str, day: str
) -> None:
    extra = [] if command == "validate" else ["--out", str(tmp_path / "out")]
    out = CliRunner().invoke(main, [command, str(samples), "--as-of", day, *extra])
    assert out.exit_code == 2, out.output
    assert "計画期間（2024〜2026年度）の外です" in out.stderr
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="計画期間"):
        saisei.consolidate([samples], as_of=day)


def test_template_says_the_same() -> None:
    out = CliRunner().invoke(main, ["template", "山形県", "--fiscal-year", "2027", "-o", "x.xlsx"])
    assert out.exit_code == 2 and "2027年度は計画期間（2024〜2026年度）の外です" in out.stderr


def test_form_dates_outside_the_plan_are_a_warning(samples: Path) -> None:
    for name in (OBANAZAWA,):
        _set_cell(samples / name, "H1", dt.datetime(2024, 6, 1))
    result = saisei.consolidate([samples / OBANAZAWA])
    assert result.fiscal_year_under_review == 2024
    assert any(i.code == "outside-plan" and "最初" in i.message for i in result.issues)


# -- item 10: library misuse ----------------------------------------------------------------


def test_one_path_as_a_string_or_path_is_one_path(samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(samples.parent)
    by_list = saisei.consolidate([samples])
    for one in ("提出", samples, str(samples)):
        result = saisei.consolidate(one, as_of="2025-09-01")
        assert len(result.files) == len(by_list.files) == 7
        assert result.as_of == dt.date(2025, 9, 1)


def test_plan_as_a_path(samples: Path) -> None:
    plan_file = samples.parent / "plan.toml"
    shutil.copy(Path(saisei.__file__).parent / "core" / "data" / "yamagata.toml", plan_file)
    for plan in (plan_file, str(plan_file)):
        assert saisei.consolidate(samples / OBANAZAWA, plan=plan).plan.name == load_plan().name


@pytest.mark.parametrize(
    ("kwargs", "error", "says"),
    [
        ({"workers": "4"}, TypeError, "workers"),
        ({"workers": 0}, ValueError, "workers"),
        ({"workers": True}, TypeError, "workers"),
        ({"as_of": 20250901}, TypeError, "as_of"),
        ({"as_of": "9月ごろ"}, ValueError, "as_of"),
        ({"plan": {"name": "x"}}, TypeError, "plan"),
    ],
)
def test_wrong_arguments_say_what_is_expected(samples: Path, kwargs: dict[str, object], error: type, says: str) -> None:
    with pytest.raises(error, match=says):
        saisei.consolidate([samples], **kwargs)  # type: ignore[arg-type]


def test_no_paths_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="paths が空です"):
        saisei.consolidate([])
    with pytest.raises(TypeError, match="paths"):
        saisei.consolidate(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="paths の要素"):
        saisei.consolidate([None])  # type: ignore[list-item]


# -- items 2, 3: the output folder and saisei's own outputs -------------------------------------


def test_out_above_the_inputs_loses_none(samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(samples.parent)
    out = CliRunner().invoke(main, ["consolidate", "提出", "--out", "."])
    assert out.exit_code == 0, out.output
    assert "7 ファイル（うち集計に使用 7）" in out.stderr
    one = str(Path("提出") / "山形県_標準様式_R6.xlsx")
    out = CliRunner().invoke(main, ["consolidate", one, "提出", "--out", "."])
    assert out.exit_code == 0, out.output
    assert "7 ファイル（うち集計に使用 7）" in out.stderr and "未報告" not in out.stderr
    # the outputs now beside 提出/ are this run's own: left out without a word
    out = CliRunner().invoke(main, ["consolidate", ".", "--out", "."])
    assert "7 ファイル（うち集計に使用 7）" in out.stderr and "saisei が書き出した" not in out.stderr


def test_outputs_in_an_input_folder_are_left_out_with_one_line(samples: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["consolidate", str(samples), "--out", str(samples / "out")])
    assert out.exit_code == 0, out.output
    out = runner.invoke(main, ["schedule", "--as-of", "2025-08-29", "--ics", str(samples / "予定.ics")])
    assert out.exit_code == 0, out.output
    out = runner.invoke(main, ["publish", str(samples), "--out", str(samples / "pub")])
    assert out.exit_code == 0, out.output  # report.xlsx is no unknown form
    assert "暫定" not in (samples / "pub" / "index.html").read_text(encoding="utf-8")
    lines = [line for line in out.stderr.splitlines() if "saisei が書き出したファイル" in line]
    assert len(lines) == 1 and "5 件" in lines[0]  # report.xlsx, values.csv, two parquet, the calendar
    (samples / "out" / "values.csv").rename(samples / "out" / "別名.csv")  # a renamed csv is the clerk's
    out = runner.invoke(main, ["validate", str(samples)])
    assert out.exit_code == 0, out.output
    own = [line for line in out.stderr.splitlines() if "saisei が書き出したファイル" in line]
    assert len(own) == 1 and "19 件" in own[0]  # 3 (values.csv renamed) + 8 pages, their 7 CSVs + the calendar
    assert [line for line in out.stderr.splitlines() if "表計算ファイル" in line] == [
        line for line in out.stderr.splitlines() if "別名.csv" in line
    ]
    assert "別名.csv" in out.stderr


def test_a_report_is_recognized_by_its_content_not_its_name(samples: Path, tmp_path: Path) -> None:
    saisei.consolidate([samples], out=tmp_path / "out")
    (tmp_path / "out" / "report.xlsx").rename(samples / "県集計R6.xlsx")
    result = saisei.consolidate([samples])
    assert not result.has_errors and len(result.files) == 7
    assert [i.code for i in result.issues].count("own-output") == 1


# -- item 5: a folder that cannot be searched ------------------------------------------------


def test_a_folder_without_permission_is_an_error_for_it_alone(samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests run as root, for whom a folder without x is still searchable: the refusal
    # the kernel gives another user is simulated where the walk asks for it.
    import os

    locked = samples / "鍵付き"
    locked.mkdir()
    shutil.move(samples / OBANAZAWA, locked / OBANAZAWA)
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    result = saisei.consolidate([samples])
    errors = [i for i in result.errors if i.code == "folder-unreadable"]
    assert len(errors) == 1 and "鍵付き" in errors[0].message and "権限" in errors[0].message
    assert len(result.files) == 6 and result.has_errors
    out = CliRunner().invoke(main, ["validate", str(samples)])
    assert out.exit_code == 1 and "内部エラー" not in out.output and "鍵付き" in out.stderr


def _without_root_rights() -> list[str] | None:
    """A command prefix that runs as root but checked like any user (no CAP_DAC_OVERRIDE
    nor CAP_DAC_READ_SEARCH), where the tests run as root and setpriv can do it."""
    import os
    import subprocess

    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    try:
        done = subprocess.run([*prefix, "true"], capture_output=True, timeout=30)
    except OSError:
        return None
    return prefix if done.returncode == 0 else None


@pytest.mark.parametrize("mode", [0o644, 0o000], ids=["no-search", "no-read"])
def test_a_folder_the_kernel_refuses_is_an_error_for_it_alone(samples: Path, mode: int) -> None:
    """The real refusal, not a simulated one: a folder without x (its names can be listed
    but nothing in it opened: the issue's case) or without r."""
    import subprocess
    import sys

    prefix = _without_root_rights()
    if prefix is None:
        pytest.skip("needs root and setpriv to drop the rights that ignore permissions")
    locked = samples / "鍵付き"
    locked.mkdir()
    shutil.move(samples / OBANAZAWA, locked / OBANAZAWA)
    locked.chmod(mode)
    script = "import sys; from saisei.cli import main; sys.argv[0] = 'saisei'; main()"
    try:
        done = subprocess.run(
            [*prefix, sys.executable, "-c", script, "validate", str(samples)], capture_output=True, timeout=300
        )
    finally:
        locked.chmod(0o755)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 1, stderr
    lines = [line for line in stderr.splitlines() if "鍵付き" in line]
    assert len(lines) == 1 and lines[0].startswith("[エラー]") and "権限" in lines[0], stderr
    assert "Traceback" not in stderr and "内部エラー" not in stderr
    assert "6 ファイル" in stderr


# -- item 6: file names that are not UTF-8 ---------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_read_and_shown_escaped(tmp_path: Path) -> None:
    import json
    import os

    folder = tmp_path / "zip"
    folder.mkdir()
    name = os.fsdecode(b"\x8e\x52\x8c\x60_KPI.xlsx")  # 山形 in CP932, unzipped on Linux
    shutil.copy(EXAMPLES / "山形県_標準様式_R6.xlsx", folder / name)
    out = CliRunner().invoke(main, ["consolidate", str(folder), "--json", "--out", str(tmp_path / "out")])
    assert "plugin-failed" not in out.output
    doc = json.loads(out.stdout.encode("utf-8"))
    assert doc["files"][0]["file"] == "\\x8eR\\x8c`_KPI.xlsx"
    assert doc["values"] and doc["values"][0]["sources"][0].startswith("\\x8eR\\x8c`_KPI.xlsx!")
    assert "\udc8e" not in out.stderr


# -- item 4: two runs on one output folder ------------------------------------------------------


def test_two_writers_on_one_folder_leave_one_run_s_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import threading
    import time

    import saisei.report as report

    real_replace = os.replace

    def slow_replace(src: str | Path, dst: str | Path) -> None:
        # run A renames slowly (a loaded disk), run B quickly: without a lock B's set lands
        # in the middle of A's and A's last files win over B's
        if threading.current_thread().name == "A":
            time.sleep(0.1)
        real_replace(src, dst)

    monkeypatch.setattr(report.os, "replace", slow_replace)
    names = ("report.xlsx", "values.csv", "values.parquet", "observations.parquet")
    out = tmp_path / "out"

    def run(mark: bytes) -> None:
        report.write_set(out, dict.fromkeys(names, mark))

    a = threading.Thread(target=run, args=(b"A",), name="A")
    b = threading.Thread(target=run, args=(b"B",), name="B")
    a.start()
    time.sleep(0.05)
    b.start()
    a.join()
    b.join()
    contents = {(out / name).read_bytes() for name in names}
    assert len(contents) == 1, contents
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


# -- item 7: the disk and the file system -------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "says"),
    [(28, "ディスクの空きがありません"), (30, "読み取り専用の場所です"), (13, "権限がありません")],
)
def test_a_disk_full_or_read_only_is_its_own_failure(
    samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int, says: str
) -> None:
    import errno
    import os

    import saisei.report as report

    assert number in (errno.ENOSPC, errno.EROFS, errno.EACCES)
    out = tmp_path / "out"

    def failing(path: Path, data: bytes) -> Path:
        raise OSError(number, os.strerror(number), str(path))

    monkeypatch.setattr(report, "_write_temp", failing)
    done = CliRunner().invoke(main, ["consolidate", str(samples), "--out", str(out)])
    assert done.exit_code == 3, done.output
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("[エラー] ") and says in lines[-1] and str(out) in lines[-1]
    assert "出力は書いていません" in lines[-1]
    assert "内部エラー" not in done.stderr and "Traceback" not in done.stderr
    assert not list(out.iterdir())
    monkeypatch.setattr(report, "atomic_write", lambda path, data: failing(path, data))
    done = CliRunner().invoke(main, ["schedule", "--as-of", "2025-08-29", "--ics", str(tmp_path / "予定.ics")])
    assert done.exit_code == 3 and says in done.stderr and "Traceback" not in done.stderr


def test_a_full_disk_says_which_output(samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills while the report is written: the write names no file (as the real
    ENOSPC from write or fsync does), the message still says where."""
    import errno
    import os

    out = tmp_path / "out"

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    done = CliRunner().invoke(main, ["consolidate", str(samples), "--out", str(out)])
    assert done.exit_code == 3, done.output
    line = done.stderr.strip().splitlines()[-1]
    assert "ディスクの空きがありません" in line and str(out / "report.xlsx") in line and "出力先" not in line
    assert not list(out.iterdir())


def test_out_under_a_file_is_not_a_folder(samples: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    done = CliRunner().invoke(main, ["consolidate", str(samples), "--out", str(tmp_path / "file" / "sub")])
    assert done.exit_code == 3, done.output
    assert "フォルダーではなくファイルがあります" in done.stderr and "内部エラー" not in done.stderr


def test_a_bug_is_not_exit_1(samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import saisei.api

    def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("a bug")

    monkeypatch.setattr(saisei.api, "assemble", broken)
    done = CliRunner().invoke(main, ["validate", str(samples)])
    assert done.exit_code == 70 and "内部エラー" in done.stderr


# -- item 8: Ctrl-C ---------------------------------------------------------------------------

INTERRUPTED = "中断しました（Ctrl-C）。書きかけの出力は残していません（前回の出力があればそのままです）。"


def test_ctrl_c_in_a_command_is_one_line_and_130(samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import saisei.api

    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(saisei.api, "read_files", interrupted)
    done = CliRunner().invoke(main, ["consolidate", str(samples), "--out", str(samples.parent / "out")])
    assert done.exit_code == 130
    assert [line for line in done.stderr.splitlines() if line.strip()] == [INTERRUPTED]
    assert not (samples.parent / "out").exists()


def test_ctrl_c_while_renaming_waits_for_the_whole_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal

    import saisei.report as report

    real_replace = os.replace
    calls: list[str] = []

    def replace(src: str | Path, dst: str | Path) -> None:
        if not calls:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C after the first rename
        calls.append(str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(report.os, "replace", replace)
    names = ("report.xlsx", "values.csv", "values.parquet")
    with pytest.raises(KeyboardInterrupt):
        report.write_set(tmp_path, dict.fromkeys(names, b"new"))
    assert len(calls) == 3
    assert {(tmp_path / n).read_bytes() for n in names} == {b"new"}


@pytest.mark.parametrize("delay", [0.3, 1.2, 2.5])
def test_ctrl_c_at_any_moment_with_worker_processes(samples: Path, tmp_path: Path, delay: float) -> None:
    """The real thing: a process reading on two processes gets SIGINT (as from a terminal,
    the whole process group) while it starts its workers, reads, or writes."""
    import os
    import signal
    import subprocess
    import sys
    import time

    for n in range(6):  # 49 workbooks: the pool gets work
        for f in EXAMPLES.iterdir():
            shutil.copy(f, samples / f"{n}_{f.name}")
    out = tmp_path / "out"
    env = dict(os.environ, SAISEI_WORKERS="2")
    script = "import sys; from saisei.cli import main; sys.argv[0] = 'saisei'; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", script, "consolidate", str(samples), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    stderr = err.decode("utf-8", "replace")
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr[-3000:]
    assert "Aborted" not in stderr
    assert process.returncode in (0, 130), stderr[-3000:]
    if process.returncode == 130:
        assert [line for line in stderr.splitlines() if line.strip()][-1:] == [INTERRUPTED]
        assert stderr.count("中断しました") == 1
    written = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert [n for n in written if not n.startswith(".")] in (
        [],
        ["observations.parquet", "report.xlsx", "values.csv", "values.parquet"],
    ), written
    assert not [n for n in written if n.endswith(".tmp")]


def test_ctrl_c_at_every_line_of_share_leaves_no_worker_starting() -> None:
    """Ctrl-C at each line the main thread runs in saisei.pool while a pool starts: it is
    never lost, and share never returns or raises while its pool's thread still starts a
    worker (that worker would find the run's semaphores gone and print a traceback)."""
    import multiprocessing
    import os
    import signal
    import sys
    import threading
    from types import FrameType

    import saisei.pool as pool

    def run(at: int) -> tuple[bool, int]:
        seen = 0

        def trace(frame: FrameType, event: str, arg: object) -> object:
            nonlocal seen
            # Not in _start_fork_server: there Ctrl-C is ignored for the few milliseconds the
            # server takes to start (it and its workers inherit that), a documented limit.
            if frame.f_code.co_filename == pool.__file__ and frame.f_code.co_name != "_start_fork_server":
                if event == "line":
                    seen += 1
                    if seen == at:
                        os.kill(os.getpid(), signal.SIGINT)
                return trace
            return None

        interrupted = False
        sys.settrace(trace)
        try:
            got = pool.share(
                list(range(8)),
                local=lambda n: n,
                remote=list,
                initializer=int,
                initargs=(),
                preload=["saisei.pool"],
                workers=2,
            )
            assert got == list(range(8))
        except KeyboardInterrupt:
            interrupted = True
        finally:
            sys.settrace(None)
        assert not [t for t in threading.enumerate() if t.name == "saisei-pool-feeder"]
        assert not multiprocessing.active_children()
        return interrupted, seen

    at = 1
    while True:
        interrupted, seen = run(at)
        if seen < at:  # past the last line: no Ctrl-C sent
            break
        assert interrupted, f"Ctrl-C at line event {at} of {seen} was lost"
        at += 1
    assert at > 10


def _cli_with_ctrl_c(setup: str, *args: str) -> tuple[int, str]:
    """Run the saisei command as its console script does, after ``setup`` (Python that
    arranges a Ctrl-C at some moment); its exit status and stderr."""
    import subprocess
    import sys

    script = f"import os, signal, sys\n{setup}\nfrom saisei.cli import main\nsys.argv[0] = 'saisei'\nmain()\n"
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, timeout=120)
    return done.returncode, done.stderr.decode("utf-8", "replace")


def test_ctrl_c_while_the_commands_load_is_one_line_and_130() -> None:
    setup = """
class Hit:
    def find_spec(self, name, path=None, target=None):
        if name == "saisei.cli.consolidate":
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Hit())
"""
    code, stderr = _cli_with_ctrl_c(setup, "plugins")
    assert code == 130, stderr
    assert [line for line in stderr.splitlines() if line.strip()] == [INTERRUPTED]


def test_ctrl_c_while_the_arguments_are_read_is_one_line_and_130() -> None:
    setup = """
import click
parse = click.Group.parse_args
def parse_args(self, ctx, args):
    os.kill(os.getpid(), signal.SIGINT)
    return parse(self, ctx, args)
click.Group.parse_args = parse_args
"""
    code, stderr = _cli_with_ctrl_c(setup, "plugins")
    assert code == 130, stderr
    assert [line for line in stderr.splitlines() if line.strip()] == [INTERRUPTED]


def test_the_command_sets_its_ctrl_c_handler_soon() -> None:
    """The saisei command imports this package first and sets its Ctrl-C handler right
    after: importing it must stay light (typing alone took 10-25 ms, a window where Ctrl-C
    was Python's traceback)."""
    import os
    import subprocess
    import sys

    src = Path(saisei.__file__).parents[1]
    code = (
        "import sys, saisei; print(sorted(m for m in ('typing', 're', 'contextlib', 'threading') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(src)}
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_ctrl_c_once_the_command_is_done_changes_nothing() -> None:
    setup = "import atexit\natexit.register(lambda: os.kill(os.getpid(), signal.SIGINT))"
    code, stderr = _cli_with_ctrl_c(setup, "plugins")
    assert code == 0, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr and "中断" not in stderr


# -- a closed output (saisei schedule | head -1) ------------------------------------------------


@pytest.mark.parametrize(
    "args", [["schedule"], ["plugins"], ["schedule", "--json"], ["--help"], ["schedule", "--help"], ["--version"]]
)
def test_a_closed_output_ends_quietly_with_141(args: list[str]) -> None:
    """The reader of the output is gone before saisei writes (``| head -1`` that has its
    line): no traceback, no "Exception ignored", exit 141 as the README says."""
    import subprocess
    import sys

    script = "import sys; from saisei.cli import main; sys.argv[0] = 'saisei'; main()"
    process = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.close()  # before the interpreter has started: every write finds it closed
    _, err = process.communicate(timeout=120)
    assert err.decode("utf-8", "replace") == ""
    assert process.returncode == 141


def test_a_closed_error_output_ends_quietly_with_141() -> None:
    """``saisei nosuch 2>&1 | head -0``: click's own usage message finds stderr closed."""
    import subprocess
    import sys

    script = "import sys; from saisei.cli import main; sys.argv[0] = 'saisei'; main()"
    process = subprocess.Popen([sys.executable, "-c", script, "nosuch"], stderr=subprocess.PIPE)
    assert process.stderr is not None
    process.stderr.close()
    assert process.wait(timeout=120) == 141


def test_the_readme_and_the_help_list_every_exit_status() -> None:
    import re

    import saisei.cli._common as common

    codes = {value for name, value in vars(common).items() if name.startswith("EXIT_")}
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("**終了コード**") :].split("\n\n")[1]
    assert {int(code) for code in re.findall(r"^\| `(\d+)` \|", table, re.MULTILINE)} == codes
    for command in ("consolidate", "publish", "sendback"):
        text = CliRunner().invoke(main, [command, "--help"]).stdout
        said = text[text.index("終了コード") :].split("\n\n")[0]
        assert {int(code) for code in re.findall(r"(?<![\d.])(\d+) ", said)} == codes, said


# -- item 15: click's texts in Japanese, tables by display width -------------------------------


def test_click_speaks_japanese() -> None:
    out = CliRunner().invoke(main, ["--help"])
    assert out.exit_code == 0
    assert out.stdout.startswith("使い方: ") and "この説明を表示して終了します。" in out.stdout
    assert "Usage:" not in out.stdout and "Show this message" not in out.stdout and "Options:" not in out.stdout
    out = CliRunner().invoke(main, ["nosuch"])
    assert out.exit_code == 2 and "エラー: 'nosuch' というコマンドはありません。" in out.stderr
    assert "Error" not in out.stderr and "Try " not in out.stderr
    out = CliRunner().invoke(main, ["consolidate"])
    assert out.exit_code == 2 and "引数がありません" in out.stderr and "Missing" not in out.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["schedule", "--plan", "."],  # a folder where a file belongs
        ["schedule", "--plan", "nosuch.toml"],
        ["consolidate", "nosuch", "--out", "o"],
        ["history", "--kpi", "x"],
        ["template"],
        ["template", "鶴岡市", "--fiscal-year", "2025"],
        ["consolidate", "--bogus"],
    ],
)
def test_click_errors_have_no_english_words(args: list[str]) -> None:
    """Each usage error says what is wrong in Japanese: no English word is left but the
    user's own text (quoted) and the option names (click once said "File '.' is a
    directory", "'x' is not a valid integer", "Missing argument 'BODY'.")."""
    import re

    out = CliRunner().invoke(main, args)
    assert out.exit_code == 2
    error = [line for line in out.stderr.splitlines() if line.startswith("エラー: ")]
    assert len(error) == 1, out.stderr
    left = re.sub(r"'[^']*'|--?[a-z-]+", "", error[0])
    assert not re.findall(r"[A-Za-z]{3,}", left), error[0]


def test_help_keeps_japanese_lines_as_written() -> None:
    """click rewraps a paragraph and joins its lines with a space: 「あれば それも」.
    Every command's help has no space between two Japanese characters but as written."""
    import re

    from saisei.cli._texts import width

    def wide(ch: str) -> bool:
        return width(ch) == 2

    import click

    commands: list[tuple[list[str], click.Command]] = [([], main), *(([n], c) for n, c in main.commands.items())]
    group = main.commands["record"]
    assert isinstance(group, click.Group)
    commands += [(["record", n], c) for n, c in group.commands.items()]
    for args, command in commands:
        out = CliRunner().invoke(main, [*args, "--help"])
        assert out.exit_code == 0, (args, out.output)
        written = command.help or ""
        assert "[required]" not in out.stdout and "[default" not in out.stdout, (args, out.stdout)
        for match in re.finditer(r"(\S) (\S)", out.stdout):
            a, b = match.groups()
            if wide(a) and wide(b):
                assert f"{a} {b}" in written, (args, match.group(0), out.stdout)


def _column_starts(line: str, ambiguous: int) -> list[int]:
    """The display column where each cell of a table's line starts (cells are separated
    by two spaces or more), characters of ambiguous width taking ``ambiguous`` columns."""
    import re

    from saisei.cli._texts import width

    return [0] + [width(line[: m.end()], ambiguous=ambiguous) for m in re.finditer(r"\S {2,}(?=\S)", line)]


def _lines_up(lines: list[str]) -> bool:
    """Every line's cells start at the same columns, whether the terminal shows the
    characters of ambiguous width (—, …, ①) in one column or in two."""
    return all(len({tuple(_column_starts(line, ambiguous)) for line in lines}) == 1 for ambiguous in (1, 2))


def test_tables_line_up_by_display_width(samples: Path, tmp_path: Path) -> None:
    from saisei.cli._texts import table, width

    assert width("abc") == 3 and width("山形県") == 6 and width("ＡＢ") == 4
    assert width("—") == 1 and width("—", ambiguous=2) == 2 and width("－") == 2
    lines = table(
        [["名前", "団体", "月"], ["asahi", "朝日町", "9月"], ["standard", "標準様式（計画のどの団体も）", "－"]]
    )
    assert _lines_up(lines)
    assert not _lines_up(table([["名前", "団体"], ["x", "a"], ["—", "b"]]))  # the check can fail
    out = CliRunner().invoke(main, ["schedule", "--as-of", "2025-08-29"])
    assert _lines_up(out.stdout.splitlines()[1:])
    out = CliRunner().invoke(main, ["plugins"])
    rows = [r for r in out.stdout.splitlines() if r]
    assert len(rows) > 3 and "－" in out.stdout and _lines_up(rows)
    record = tmp_path / "r.saisei"
    done = CliRunner().invoke(
        main, ["consolidate", str(samples), "--record", str(record), "--out", str(tmp_path / "o")]
    )
    assert done.exit_code == 0, done.output
    out = CliRunner().invoke(main, ["status", "--record", str(record), "--fiscal-year", "2024"])
    rows = [r for r in out.stdout.splitlines()[1:] if not r.startswith(" ")]
    assert len(rows) == 8 and "見込み受理" in out.stdout and _lines_up(rows)
    out = CliRunner().invoke(main, ["history", "--record", str(record)])
    rows = [r for r in out.stdout.splitlines() if r.startswith(" ")]
    assert {"確定", "見込み"} <= {r.split()[1] for r in rows}
    assert len({width(r[: r.index("受付")]) for r in rows}) == 1  # 確定 and 見込み padded alike
