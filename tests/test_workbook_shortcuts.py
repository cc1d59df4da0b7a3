"""The opener's shortcuts give what the plain reading gives.

A workbook is read with the size its file had when asked (not a buffer of the largest
size allowed); a file that changed size between the two is read whole all the same,
up to the limit.
"""

from __future__ import annotations

import os
from pathlib import Path

import hostile_kit as kit
import pytest

from saisei.workbook import Limits, WorkbookError, open_workbook

ONE = kit.raw_standard(lambda d: d.number("E2", 4))


def _said_size(monkeypatch: pytest.MonkeyPatch, path: Path, size: int) -> None:
    """``path.stat()`` says ``size`` (as if the file changed after it was asked)."""
    real = Path.stat

    def stat(self: Path, *args: object, **kwargs: object) -> os.stat_result:
        got = real(self, *args, **kwargs)  # type: ignore[arg-type]
        if self == path:
            fields = list(got)
            fields[6] = size  # st_size
            return os.stat_result(fields)
        return got

    monkeypatch.setattr(Path, "stat", stat)


@pytest.mark.parametrize("said", [0, 1, len(ONE) // 2, len(ONE) - 1, len(ONE), len(ONE) + 10])
def test_a_file_whose_size_changed_after_it_was_asked_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: int
) -> None:
    path = kit.write(tmp_path, "form.xlsx", ONE)
    expected = open_workbook(path)
    _said_size(monkeypatch, path, said)
    workbook = open_workbook(path)
    assert workbook.sha256 == expected.sha256
    assert workbook.sheet("KPI実績").rows == expected.sheet("KPI実績").rows


@pytest.mark.parametrize("said", [0, 1, len(ONE) - 2])
def test_a_file_that_grew_past_the_limit_after_it_was_asked_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: int
) -> None:
    path = kit.write(tmp_path, "form.xlsx", ONE)
    _said_size(monkeypatch, path, said)
    with pytest.raises(WorkbookError) as info:
        open_workbook(path, Limits(max_file_bytes=len(ONE) - 1))
    assert info.value.code == "workbook-too-large"
