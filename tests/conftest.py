"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import Phase, settings


@pytest.fixture
def write_xlsx(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write xlsx bytes to ``tmp_path / name`` and return the path."""

    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    return write


# `nox -s mutants` runs the core tests once per mutant with this profile: the same examples
# every run (a mutant's verdict does not depend on the run), and no shrinking of a failing
# example (only that it fails matters there).
settings.register_profile(
    "mutants", derandomize=True, database=None, phases=[Phase.explicit, Phase.reuse, Phase.generate]
)
