"""Mutation testing of the core, one module at a time: ``nox -s mutants [-- MODULE ...]``.

``mutmut run`` over ``src/saisei/core/`` (configured in ``pyproject.toml``), narrowed to the
modules named (all of the core when none is), then each module's score.  Incremental: a
mutant keeps its result in ``mutants/`` until the function it mutates changes (mutmut
hashes every function), so a second run tests only what changed.  Naming mutants on
mutmut's command line would re-run them all, so the narrowing is done by filtering the
mutants mutmut collects (its ``collect_source_file_mutation_data``, mutmut 3.x).

``--max-children N`` (default 1) limits the processes that run tests at once; ``--retest``
tests again the mutants that were not killed, after collecting again which tests call which
function (mutmut notices changed code, and new tests, but not a changed test); ``--report``
prints the last results without running.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

CORE = Path("src/saisei/core")
PACKAGE = "saisei.core"


def modules() -> list[str]:
    return sorted(p.stem for p in CORE.glob("*.py") if p.stem != "__init__")


def narrow(chosen: list[str], *, retest: bool) -> None:
    """Make ``mutmut run`` (without names, so incremental) test only the chosen modules' mutants.

    With ``retest``, the mutants not killed last time are tested again (mutmut does not
    notice that the tests changed, only that the code did).
    """
    import mutmut.__main__ as mutmut_main
    from mutmut.stats import status_by_exit_code

    collect = mutmut_main.collect_source_file_mutation_data
    prefixes = tuple(f"{PACKAGE}.{m}." for m in chosen)

    def collect_chosen(*, mutant_names: Any) -> Any:
        mutants, by_path = collect(mutant_names=mutant_names)
        return [
            (data, name, None if retest and status_by_exit_code[result] != "killed" else result)
            for data, name, result in mutants
            if name.startswith(prefixes)
        ], by_path

    mutmut_main.collect_source_file_mutation_data = collect_chosen


def statuses(module: str) -> dict[str, str]:
    """Each mutant of ``module`` with mutmut's status for it (killed, survived, timeout …)."""
    from mutmut.stats import status_by_exit_code

    meta = Path("mutants") / CORE / f"{module}.py.meta"
    codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"] if meta.exists() else {}
    return {name: status_by_exit_code[code] for name, code in sorted(codes.items())}


def report(chosen: list[str]) -> None:
    """Each mutant not killed (``mutmut show NAME`` shows its change), then each module's score."""
    table = {module: statuses(module) for module in chosen}
    for found in table.values():
        for name, status in found.items():
            if status != "killed":
                print(f"    {name}: {status}")
    print(f"\n{'module':<10} {'killed':>7} {'mutants':>8} {'score':>7}  other")
    for module, found in table.items():
        counts = Counter(found.values())
        total = sum(counts.values())
        killed = counts["killed"]
        other = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()) if status != "killed")
        score = f"{100 * killed / total:.1f}%" if total else "-"
        print(f"{module:<10} {killed:>7} {total:>8} {score:>7}  {other}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"modules of {CORE} (default: all)")
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument("--retest", action="store_true", help="test again the mutants not killed last time")
    parser.add_argument("--report", action="store_true", help="only print the scores of the last run")
    args = parser.parse_args(argv)
    chosen = args.modules or modules()
    unknown = sorted(set(chosen) - set(modules()))
    if unknown:
        parser.error(f"not a module of {CORE}: {', '.join(unknown)}")
    if not args.report:
        import mutmut.__main__ as mutmut_main

        narrow(chosen, retest=args.retest)
        if args.retest:  # which tests call which function: collected again, the tests having changed
            (Path("mutants") / "mutmut-stats.json").unlink(missing_ok=True)
        try:
            mutmut_main.cli(["run", "--max-children", str(args.max_children)], standalone_mode=False)
        except SystemExit as exit:  # mutmut exits non-zero when the clean tests fail
            if exit.code:
                return int(exit.code) if isinstance(exit.code, int) else 1
    report(chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
