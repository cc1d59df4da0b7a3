"""Sessions: tests, lint, typing, bench, mutants, libreoffice — run through uv (``uvx nox`` or ``uv run nox``)."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "typing"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = ["3.11"]


def _sync(session: nox.Session, *groups: str) -> None:
    """Install the workspace (core and every plugin) from uv.lock into the session's venv."""
    args = ["uv", "sync", "--locked", "--no-default-groups", "--group", "plugins"]
    for group in groups:
        args += ["--group", group]
    session.run_install(*args, env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location})


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole suite: core and every plugin."""
    _sync(session, "tests")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    _sync(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typing(session: nox.Session) -> None:
    _sync(session, "typing", "tests")
    session.run("mypy")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """The benchmark (not part of the test suite): writes benchmarks/RESULTS.md."""
    _sync(session, "bench")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session(python=PYTHON)
def mutants(session: nox.Session) -> None:
    """Mutation testing of the core (not in the default run): ``nox -s mutants -- [MODULE ...] [--max-children N]``.

    mutmut, configured in pyproject.toml; incremental (results kept in mutants/). See README, "Development".
    """
    _sync(session, "mutants")
    session.run("python", "tools/mutants.py", *session.posargs)


@nox.session(python=PYTHON)
def libreoffice(session: nox.Session) -> None:
    """LibreOffice opens every annotated copy of ``saisei sendback``, and forms it saved again
    read the same (needs ``soffice``:
    ``apt-get install libreoffice-calc``); not in the default sessions nor in CI."""
    import shutil

    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        session.error("LibreOffice がありません（apt-get install libreoffice-calc）")
    _sync(session, "tests")
    # every test named for LibreOffice, in the core and each plugin (SAISEI_LIBREOFFICE un-skips them)
    session.run(
        "pytest", "-p", "no:cacheprovider", "-k", "libreoffice", *session.posargs, env={"SAISEI_LIBREOFFICE": "1"}
    )
