"""The benchmark runner: generate the cases, time every way of reading them side by side in
one run, check the targets, write ``benchmarks/RESULTS.md``.

Every measurement runs in a fresh process (``python -m benchmarks.measure``), so one
does not warm the next, and its memory is its own.  Each is repeated and the fastest run
kept (this machine is shared: the load average is recorded with the results).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import hashlib
import importlib.util
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from saisei.pool import POOL_MIN_FILES

from . import generate, record

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
GENERATOR_FILES = ("generate.py", "xlsx.py")
CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    unit: str  # "files" or "rows": what the throughput counts
    params: dict[str, Any]
    as_of: str | None = None


def cases(quick: bool) -> list[Case]:
    return [
        Case(
            "national",
            f"(a) national: {200 if quick else 1741} bodies, standard form, 3 fiscal years each",
            "files",
            {"bodies": 200 if quick else 1741},
            as_of="2026-09-01",
        ),
        Case(
            "copies",
            f"(b) many copies: {10 if quick else 100} renamed copies of the 7 sample workbooks",
            "files",
            {"copies": 10 if quick else 100},
        ),
        Case(
            "ledger",
            f"(c) 酒田市 ledger: {10_000 if quick else 100_000:,} events in one workbook",
            "rows",
            {"rows": 10_000 if quick else 100_000},
        ),
    ]


# -- inputs ------------------------------------------------------------------------------


def _fingerprint(case: Case) -> str:
    digest = hashlib.sha256(json.dumps(case.params, sort_keys=True).encode())
    for name in GENERATOR_FILES:
        digest.update((HERE / name).read_bytes())
    if case.key == "copies":
        for sample in sorted(generate.EXAMPLES.glob("*.xlsx")):
            digest.update(sample.read_bytes())
    return digest.hexdigest()


def prepare(case: Case, data: Path) -> Path:
    """The case's folder, generated unless it is there already for the same parameters."""
    folder = data / case.key
    stamp = folder / "fingerprint.txt"
    fingerprint = _fingerprint(case)
    if stamp.exists() and stamp.read_text() == fingerprint:
        return folder
    print(f"generating {case.key} …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    if case.key == "national":
        generate.make_national(folder, bodies=case.params["bodies"])
    elif case.key == "copies":
        generate.make_copies(folder, copies=case.params["copies"])
    else:
        generate.make_ledger(folder, rows=case.params["rows"])
    stamp.write_text(fingerprint)
    print(f"  {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return folder


# -- running one measurement ---------------------------------------------------------------


@dataclass
class Run:
    wall: float  # the whole process, start to exit
    data: dict[str, Any] = field(default_factory=dict)
    tree_peak_mib: float = 0.0  # this process and every child, sampled
    children_cpu: float = 0.0  # CPU seconds of its children (workers), last sampled
    own_cpu: float = 0.0  # CPU seconds of the process itself, last sampled
    returncode: int = 0


#: Put first on PYTHONPATH of saisei's processes: pandas, installed here only for the naive
#: reading, is then missing for them as in a saisei install (see its __init__.py).
WITHOUT_PANDAS = HERE / "without_pandas"


def _env(*, pandas: bool = False) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SAISEI_WORKERS", None)
    if not pandas:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(WITHOUT_PANDAS), env.get("PYTHONPATH")]))
    return env


def _spawn(args: list[str], *, env: dict[str, str] | None = None) -> Run:
    """Run ``args``; wall time, and the peak memory of its whole process tree (psutil)."""
    import psutil

    peak = 0
    cpu: dict[int, float] = {}
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or _env(), cwd=ROOT)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            try:
                total = root.memory_info().rss
                times = root.cpu_times()
                cpu[proc.pid] = times.user + times.system
                for child in root.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        total += child.memory_info().rss
                        times = child.cpu_times()
                        cpu[child.pid] = times.user + times.system
            except psutil.Error:
                return
            peak = max(peak, total)
            stop.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    run = Run(
        wall=wall,
        tree_peak_mib=peak / 2**20,
        children_cpu=sum(v for pid, v in cpu.items() if pid != proc.pid),
        own_cpu=cpu.get(proc.pid, 0.0),
        returncode=proc.returncode,
    )
    text = out.decode("utf-8", "replace").strip().splitlines()
    if text and text[-1].startswith("{"):
        run.data = json.loads(text[-1])
    elif proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{err.decode('utf-8', 'replace')[-3000:]}")
    return run


def measure(kind: str, folder: Path, *, workers: int | None = None, as_of: str | None = None) -> Run:
    args = [sys.executable, "-m", "benchmarks.measure", kind, str(folder)]
    if workers is not None:
        args += ["--workers", str(workers)]
    if as_of:
        args += ["--as-of", as_of]
    run = _spawn(args, env=_env(pandas=kind == "pandas"))
    if not run.data:
        raise RuntimeError(f"no result from {' '.join(args)}")
    return run


def _saisei_script() -> str:
    script = Path(sys.executable).with_name("saisei")
    return str(script) if script.exists() else shutil.which("saisei") or "saisei"


def cli(folder: Path, as_of: str | None) -> Run:
    with tempfile.TemporaryDirectory() as out:
        args = [_saisei_script(), "consolidate", str(folder / "forms"), "--out", out]
        if (folder / "plan.toml").exists():
            args += ["--plan", str(folder / "plan.toml")]
        if as_of:
            args += ["--as-of", as_of]
        run = _spawn(args)
        if run.returncode not in (0, 1):
            raise RuntimeError(f"saisei consolidate exited {run.returncode}")
    return run


def best(runs: list[Run], key: str = "seconds") -> Run:
    return min(runs, key=lambda r: r.data.get(key, r.wall) if key != "wall" else r.wall)


# -- the start-up of the command -----------------------------------------------------------


def startup(command: list[str], repeat: int) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(), check=False)
        times.append(time.perf_counter() - started)
    return {"min": min(times), "median": statistics.median(times)}


def imported_by(command: list[str]) -> list[str]:
    """Heavy modules that ``saisei <command>`` imports (it should import none)."""
    code = (
        "import sys\nfrom saisei.cli import main\n"
        f"sys.argv = ['saisei', *{command!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('polars', 'pandera', 'pandas', 'openpyxl', 'python_calamine', 'numpy')\n"
        "print(','.join(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=_env(), check=False)
    last = done.stderr.decode().strip().splitlines()
    return [m for m in (last[-1] if last else "").split(",") if m]


# -- profile -------------------------------------------------------------------------------


def _load(folder: Path) -> Any:
    import saisei

    plan_file = folder / "plan.toml"
    return saisei.load_plan(plan_file if plan_file.exists() else None)


def _warm_up() -> None:
    import saisei

    from .measure import WARM_UP

    with tempfile.TemporaryDirectory() as out:
        saisei.consolidate([WARM_UP], workers=1).write(out)


def phases(folder: Path, as_of: str | None) -> list[tuple[str, float, int]]:
    """CPU seconds per step of one in-process run on one process, and how often it ran.

    CPU time, not wall time: on a shared machine it still says where the work is.
    """
    from collections import defaultdict

    import saisei.api as api
    import saisei.pipeline as pipeline
    import saisei.plugins as plugins
    import saisei.reading as reading

    plan = _load(folder)
    _warm_up()
    spent: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    depth = [0]

    def timed(label: Any, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            name = label(*args, **kwargs) if callable(label) else label
            if name is None or depth[0]:
                return fn(*args, **kwargs)
            depth[0] += 1
            started = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - started
                calls[name] += 1
                depth[0] -= 1

        return wrapper

    # Patched where they are looked up when called: saisei.api calls assemble by its own name.
    originals = {
        (pipeline, "open_workbook"): pipeline.open_workbook,
        (pipeline, "check_reading"): pipeline.check_reading,
        (api, "assemble"): api.assemble,
        (plugins.Registry, "detect"): plugins.Registry.detect,
        (plugins.Registry, "call"): plugins.Registry.call,
        (reading.Reading, "to_frame"): reading.Reading.to_frame,
        (api.Consolidation, "write"): api.Consolidation.write,
    }
    labels: dict[tuple[Any, str], Any] = {
        (pipeline, "open_workbook"): "open workbook (zip checks: every part inflated and checked; calamine)",
        (pipeline, "check_reading"): "check what was read (hidden or look-alike sheets, number formats)",
        (api, "assemble"): "validate (pandera, plan), reconcile, totals",
        (
            plugins.Registry,
            "detect",
        ): "detect: every plugin asked 'is this yours?' (parses and scans the sheets they look at)",
        (plugins.Registry, "call"): lambda self, name, hook, **kw: (
            f"read: plugin {name}" if hook == "saisei_read" else None
        ),
        (reading.Reading, "to_frame"): "observations frame (Reading.to_frame)",
        (api.Consolidation, "write"): "write report.xlsx, values.csv, values.parquet",
    }
    try:
        for (owner, attr), fn in originals.items():
            setattr(owner, attr, timed(labels[(owner, attr)], fn))
        started = time.process_time()
        result = api.consolidate(
            [folder / "forms"], plan=plan, as_of=dt.date.fromisoformat(as_of) if as_of else None, workers=1
        )
        with tempfile.TemporaryDirectory() as out:
            result.write(out)
        total = time.process_time() - started
    finally:
        for (owner, attr), fn in originals.items():
            setattr(owner, attr, fn)
    rows = sorted(((k, v, calls[k]) for k, v in spent.items()), key=lambda r: -r[1])
    rows.append(("everything else (finding files, registry, plan checks)", total - sum(spent.values()), 0))
    rows.append(("total", total, 0))
    return rows


def profile(folder: Path, as_of: str | None, top: int = 30) -> str:
    """cProfile of one warm in-process run on a single process (a pool hides its workers)."""
    import saisei

    plan = _load(folder)
    _warm_up()
    profiler = cProfile.Profile()
    profiler.enable()
    result = saisei.consolidate(
        [folder / "forms"], plan=plan, as_of=dt.date.fromisoformat(as_of) if as_of else None, workers=1
    )
    with tempfile.TemporaryDirectory() as out:
        result.write(out)
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("cumulative").print_stats(top)
    text = buffer.getvalue()
    for prefix in (str(ROOT) + "/", str(Path(sys.prefix)) + "/lib/python3.11/site-packages/"):
        text = text.replace(prefix, "")
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    head = [line for line in lines[:start] if "function calls" in line]
    return "\n".join(head + lines[start:])


# -- the machine ---------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import importlib.metadata as md

    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for dist in ("saisei", "polars", "pandera", "python-calamine", "openpyxl", "click", "fastexcel", "pandas", "numpy"):
        with contextlib.suppress(md.PackageNotFoundError):
            versions.append(f"{dist} {md.version(dist)}")
    affinity = getattr(os, "sched_getaffinity", None)
    return {
        "CPU": cpu,
        "cores (nproc)": str(len(affinity(0)) if affinity else os.cpu_count()),
        "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "libraries": ", ".join(versions),
        "ledger generator": "benchmarks.generate.make_ledger: 合計 and 集計 carry cached values, as a workbook "
        "saved by Excel does (saisei_sakata.synthetic.make_ledger writes them as formulas without values, "
        "so the plugin's cross-checks would not run)",
    }


def load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def compile_bytecode() -> None:
    """Compile every module once, as an installer does (this machine sets
    PYTHONDONTWRITEBYTECODE, so without it every process would compile its imports)."""
    import site
    import sysconfig

    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    paths |= {str(ROOT / "src"), *(str(p / "src") for p in (ROOT / "plugins").glob("*") if (p / "src").exists())}
    paths.add(str(HERE))
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", *sorted(p for p in paths if Path(p).exists())],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


# -- the run ---------------------------------------------------------------------------------


def fmt(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 1 else f"{seconds:.2f}"


def run_case(case: Case, folder: Path, repeat: int, naive: bool) -> dict[str, Any]:
    print(f"measuring {case.key} …", file=sys.stderr, flush=True)
    pool: list[Run] = []
    single: list[Run] = []
    floor: list[Run] = []
    clis: list[Run] = []
    for _ in range(repeat):  # interleaved, so a busy moment hits every method alike
        floor.append(measure("fastexcel", folder))
        single.append(measure("saisei", folder, workers=1, as_of=case.as_of))
        if case.unit == "files" and CPUS > 1:  # one file is read on one process whatever the setting
            pool.append(measure("saisei", folder, workers=CPUS, as_of=case.as_of))
        clis.append(cli(folder, case.as_of))
    runs = {"single": best(single), "pool": best(pool) if pool else None}
    fastest = min((r for r in runs.values() if r is not None), key=lambda r: r.data["seconds"])
    return {
        "case": case,
        "fastexcel": best(floor),
        **runs,
        "saisei": fastest,  # the faster way saisei read it here: what the targets compare
        "cli": best(clis, "wall"),
        "pandas": measure("pandas", folder) if naive else None,
    }


def ratios(result: dict[str, Any]) -> dict[str, float | None]:
    floor = result["fastexcel"].data["seconds"]
    saisei = result["saisei"].data["seconds"]
    naive = result["pandas"].data["seconds"] if result["pandas"] else None
    return {
        "vs_floor": saisei / floor,
        "cli_vs_floor": result["cli"].wall / floor,
        "naive_vs_saisei": naive / saisei if naive else None,
        "naive_vs_cli": naive / result["cli"].wall if naive else None,
    }


def table(result: dict[str, Any]) -> list[str]:
    case: Case = result["case"]
    floor = result["fastexcel"].data["seconds"]
    n = result["single"].data["files"] if case.unit == "files" else case.params["rows"]

    def row(label: str, run: Run | None, seconds: float | None, cpu: float | None, *, note: str = "") -> str:
        if run is None or seconds is None:
            return f"| {label} | — | — | — | — | — | {note or 'not run'} |"
        peak = max(run.data.get("peak_rss_mib", 0.0), run.tree_peak_mib)
        rate = n / seconds if seconds else float("inf")
        cpu_text = fmt(cpu) if cpu is not None else "—"
        return (
            f"| {label} | {fmt(seconds)} | {cpu_text} | {seconds / floor:.2f}× | {rate:,.0f} {case.unit}/s | "
            f"{peak:,.0f} | {note} |"
        )

    def split(run: Run) -> str:
        check = run.data["check"]
        return (
            f"consolidate {fmt(run.data['consolidate_seconds'])} s + write {fmt(run.data['write_seconds'])} s; "
            f"values {'match' if check['ok'] else 'DIFFER from'} expected ({check['got']}/{check['expected']}), "
            f"{run.data['errors']} errors, {run.data['warnings']} warnings"
        )

    single, pool, c, p = result["single"], result["pool"], result["cli"], result["pandas"]
    lines = [
        "| method | wall s | CPU s | × floor | throughput | peak RSS MiB | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        row(
            "fastexcel raw read (floor)",
            result["fastexcel"],
            floor,
            result["fastexcel"].data["cpu"],
            note="every sheet of every file into polars, one process",
        ),
        row(
            "saisei.consolidate + write, 1 process",
            single,
            single.data["seconds"],
            single.data["cpu"],
            note=f"in-process, the library's default; {split(single)}",
        ),
    ]
    if pool is not None:
        lines.append(
            row(
                f"saisei.consolidate + write, {pool.data['workers']} processes",
                pool,
                pool.data["seconds"],
                pool.data["cpu"] + pool.children_cpu,
                note=f"in-process, workers={pool.data['workers']} (this one and a pool); {split(pool)}",
            )
        )
    lines += [
        row(
            "`saisei consolidate` CLI",
            c,
            c.wall,
            c.own_cpu + c.children_cpu,
            note="the whole command: start-up, imports, read, report; this process and one per idle CPU "
            f"from {POOL_MIN_FILES} files",
        ),
        row(
            "pandas.read_excel + openpyxl (naive)",
            p,
            p.data["seconds"] if p else None,
            p.data["cpu"] if p else None,
            note="every sheet of every file, one process",
        ),
    ]
    return lines


def write_results(path: Path, results: list[dict[str, Any]], extra: dict[str, Any], quick: bool) -> None:
    info = extra["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m benchmarks` ({'quick sizes' if quick else 'full sizes'}) on "
        f"{extra['date']}. Every figure is the fastest of {extra['repeat']} runs in fresh processes, "
        "the methods interleaved; in-process times exclude the imports (start-up), which the CLI "
        "line includes. The floor is fastexcel loading every sheet of the same files into polars in "
        "one process. `saisei consolidate` reads on this process plus one per idle CPU (at most one per CPU) once there are "
        f"{POOL_MIN_FILES} files or "
        "more (`SAISEI_WORKERS` overrides); `saisei.consolidate()` from Python reads on one unless "
        "given `workers`. Peak RSS: the largest of the process's own peak and its "
        "whole process tree's sampled peak (workers included). saisei's processes run without "
        "pandas, as where saisei is installed (pandas is here for the naive reading only, and "
        "pandera imports it whenever it is installed: `benchmarks/without_pandas`).",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {k} | {v} |" for k, v in info.items()),
        f"| load average (1/5/15 min) at start, end | {extra['load_start']}, {extra['load_end']} |",
        "",
        "The machine is shared with other work: a load average above the number of cores means the "
        "timings include waiting for a CPU. CPU s is user + system time of the process and its workers.",
        "",
    ]
    for result in results:
        case: Case = result["case"]
        lines += [f"## {case.title}", "", *table(result), ""]
    if extra.get("record"):
        lines += [*extra["record"], ""]
    lines += [
        "## Start-up",
        "",
        "| command | min ms | median ms | heavy modules imported |",
        "| --- | ---: | ---: | --- |",
    ]
    for name, (timing, heavy) in extra["startup"].items():
        lines.append(
            f"| `{name}` | {timing['min'] * 1000:.0f} | {timing['median'] * 1000:.0f} | {', '.join(heavy) or 'none'} |"
        )
    lines += ["", "## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]
    lines += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in extra["targets"]]
    lines.append("")
    if extra.get("phases"):
        lines += [
            "## Where the CPU time goes, step by step",
            "",
            "One warm in-process run on one process (`workers=1`), consolidate + write, CPU seconds "
            "per step (CPU time, so the machine's other load does not count).",
            "",
        ]
        for key, rows in extra["phases"].items():
            files = extra["counts"].get(key) or 1
            total = rows[-1][1] or 1.0
            lines += [
                f"### {key}",
                "",
                "| step | CPU s | share | calls | ms per file |",
                "| --- | ---: | ---: | ---: | ---: |",
            ]
            for name, seconds, count in rows:
                lines.append(
                    f"| {name} | {seconds:.3f} | {seconds / total:.0%} | {count or ''} | {seconds * 1000 / files:.2f} |"
                )
            lines.append("")
    if extra["profiles"]:
        lines += [
            "## Where the time goes (cases that miss a target)",
            "",
            "cProfile of one in-process run on a single process (`workers=1`), consolidate + write, "
            "sorted by cumulative time; the profiler itself roughly doubles the times.",
            "",
        ]
        for key, text in extra["profiles"].items():
            lines += [f"### {key}", "", "```", text, "```", ""]
    notes = HERE / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8").rstrip(), ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def _without_report(result: dict[str, Any], against: str) -> str:
    """The same ratio for reading and consolidating only (no report written)."""
    run = result[against]
    if run is None:
        return ""
    read = result["saisei"].data["consolidate_seconds"]
    other = run.data["seconds"]
    ratio = read / other if against == "fastexcel" else other / read
    return f"; without the report: {ratio:.2f}×"


def targets(results: dict[str, dict[str, Any]], startup_times: dict[str, Any]) -> list[tuple[str, str, bool]]:
    out: list[tuple[str, str, bool]] = []
    if "copies" in results:
        r = ratios(results["copies"])
        out.append(
            (
                "copies: end to end ≤ 1.5× the raw fastexcel read",
                f"{r['vs_floor']:.2f}× (CLI, start-up included: {r['cli_vs_floor']:.2f}×"
                f"{_without_report(results['copies'], 'fastexcel')})",
                r["vs_floor"] <= 1.5,
            )
        )
        out.append(
            (
                "copies: exactly the sample's values (with status)",
                "yes" if results["copies"]["saisei"].data["check"]["ok"] else "no",
                results["copies"]["saisei"].data["check"]["ok"],
            )
        )
    if "ledger" in results:
        r = ratios(results["ledger"])
        peak = results["ledger"]["saisei"].data["peak_rss_mib"]
        out.append(
            (
                "ledger: end to end ≤ 1.5× the raw read",
                f"{r['vs_floor']:.2f}× (CLI: {r['cli_vs_floor']:.2f}×{_without_report(results['ledger'], 'fastexcel')})",
                r["vs_floor"] <= 1.5,
            )
        )
        out.append(("ledger: peak memory < 400 MiB", f"{peak:,.0f} MiB", peak < 400))
    if "national" in results:
        wall = results["national"]["cli"].wall
        data = results["national"]["saisei"].data
        files = data["files"]
        out.append(
            (
                "national: < 10 s end to end (CLI, start-up included)",
                f"{wall:.2f} s, {files / wall:,.0f} files/s (in-process: read + consolidate "
                f"{data['consolidate_seconds']:.2f} s = {files / data['consolidate_seconds']:,.0f} files/s, "
                f"report {data['write_seconds']:.2f} s)",
                wall < 10,
            )
        )
    for key, result in results.items():
        r = ratios(result)
        if r["naive_vs_saisei"] is not None:
            out.append(
                (
                    f"{key}: ≥ 10× faster than naive pandas + openpyxl",
                    f"{r['naive_vs_saisei']:.1f}× (CLI: {r['naive_vs_cli']:.1f}×{_without_report(result, 'pandas')})",
                    r["naive_vs_saisei"] >= 10,
                )
            )
    help_time = startup_times.get("saisei --help")
    if help_time:
        out.append(
            (
                "`saisei --help` < 100 ms",
                f"{help_time[0]['median'] * 1000:.0f} ms median, {help_time[0]['min'] * 1000:.0f} ms best",
                help_time[0]["median"] < 0.1,
            )
        )
    return out


def _record_only(quick: bool, data: Path, results_path: Path) -> int:
    national = next(c for c in cases(quick) if c.key == "national")
    folder = prepare(national, data)
    print("the national case with the record …", file=sys.stderr, flush=True)
    done = record.run(folder, national.as_of, _spawn, _saisei_script())
    lines, met = record.section(done), record.targets(done)
    for line in lines:
        print(line)
    for t, m, ok in met:
        print(f"{'ok ' if ok else 'MISS'} {t}: {m}")
    if results_path.exists():
        record.patch(results_path, lines, met)
        print(f"replaced the record section of {results_path}", file=sys.stderr)
    return 0 if all(ok for _, _, ok in met) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run, a minute)")
    parser.add_argument(
        "--cases",
        default="national,copies,ledger,record",
        help="comma-separated: national,copies,ledger,record (record alone: only its section of RESULTS.md is replaced)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per method (the fastest is kept)")
    parser.add_argument("--no-naive", action="store_true", help="skip the pandas + openpyxl reading")
    parser.add_argument("--data", type=Path, default=DATA, help="where the generated inputs go (git-ignored)")
    parser.add_argument(
        "--results", type=Path, default=None, help="default: benchmarks/RESULTS.md (quick: data/RESULTS-quick.md)"
    )
    args = parser.parse_args(argv)
    missing = [m for m in ("fastexcel", "pandas", "psutil") if importlib.util.find_spec(m) is None]
    if missing:
        print(
            f"the benchmark needs {', '.join(missing)}: run `nox -s bench` or "
            "`uv run --group bench python -m benchmarks`",
            file=sys.stderr,
        )
        return 2
    wanted = [c for c in cases(args.quick) if c.key in args.cases.split(",")]
    data = args.data / "quick" if args.quick else args.data
    results_path = args.results or (data / "RESULTS-quick.md" if args.quick else HERE / "RESULTS.md")
    compile_bytecode()
    with_record = "record" in args.cases.split(",")
    if with_record and not wanted:  # the record case alone: replace its section only
        return _record_only(args.quick, data, results_path)
    load_start = load()
    folders = {case.key: prepare(case, data) for case in wanted}
    results: dict[str, dict[str, Any]] = {}
    for case in wanted:
        results[case.key] = run_case(case, folders[case.key], args.repeat, not args.no_naive)
        for line in table(results[case.key]):
            print(line)
    print("measuring start-up …", file=sys.stderr, flush=True)
    script = _saisei_script()
    startup_times = {
        "saisei --help": (startup([script, "--help"], 20), imported_by(["--help"])),
        "saisei plugins": (startup([script, "plugins"], 10), imported_by(["plugins"])),
    }
    met = targets(results, startup_times)
    record_lines: list[str] = []
    if with_record:
        national = next(c for c in cases(args.quick) if c.key == "national")
        print("the national case with the record …", file=sys.stderr, flush=True)
        done = record.run(prepare(national, data), national.as_of, _spawn, script)
        record_lines = record.section(done)
        met += record.targets(done)
    profiles: dict[str, str] = {}
    missed_cases = {key for key in results for t, _, ok in met if not ok and t.startswith(key)}
    breakdown: dict[str, list[tuple[str, float, int]]] = {}
    for case in wanted:
        print(f"timing the steps of {case.key} …", file=sys.stderr, flush=True)
        breakdown[case.key] = phases(folders[case.key], case.as_of)
    for key in sorted(missed_cases):
        print(f"profiling {key} …", file=sys.stderr, flush=True)
        case = next(c for c in wanted if c.key == key)
        profiles[key] = profile(folders[key], case.as_of)
    extra = {
        "machine": machine(),
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "repeat": args.repeat,
        "load_start": load_start,
        "load_end": load(),
        "startup": startup_times,
        "targets": met,
        "profiles": profiles,
        "phases": breakdown,
        "counts": {key: r["single"].data["files"] for key, r in results.items()},
        "record": record_lines,
    }
    write_results(results_path, list(results.values()), extra, args.quick)
    for t, m, ok in met:
        print(f"{'ok ' if ok else 'MISS'} {t}: {m}")
    print(f"wrote {results_path}", file=sys.stderr)
    return 0 if all(r["single"].data["check"]["ok"] for r in results.values()) else 1
