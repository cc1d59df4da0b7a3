"""LibreOffice opens every annotated copy (``nox -s libreoffice``; needs ``soffice``).

Skipped in the default run: starting LibreOffice takes seconds and CI does not install it
(``apt-get install libreoffice-calc``).  ``nox -s libreoffice`` sets SAISEI_LIBREOFFICE=1.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from builders import EXAMPLES
from sendback_kit import rich_workbook, sheet_part_names

from saisei.core.annotation import SHEET_NAME
from saisei.sendback import Cover, Problem, annotate

pytestmark = pytest.mark.skipif(
    not os.environ.get("SAISEI_LIBREOFFICE"), reason="LibreOffice check: nox -s libreoffice (needs soffice)"
)


def _copies(folder: Path) -> list[Path]:
    day = dt.date(2025, 9, 1)
    out = []
    sources = {"rich.xlsx": rich_workbook(), **{p.name: p.read_bytes() for p in sorted(EXAMPLES.glob("*.xlsx"))}}
    for index, (name, data) in enumerate(sources.items()):
        sheets = list(sheet_part_names(data))
        problems = [
            Problem("error", "x", "直してください", sheets[0], "B3"),
            Problem("warning", "x", "確認", sheets[-1], "C8"),
        ]
        problems.append(Problem("error", "x", "ブック全体の問題", None, None))
        path = folder / f"copy{index}.xlsx"  # LibreOffice names its output after the input
        path.write_bytes(annotate(data, problems, Cover("山形県", name, day)))
        out.append(path)
    return out


def test_libreoffice_opens_and_keeps_the_annotation(tmp_path: Path) -> None:
    import openpyxl

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is not installed (apt-get install libreoffice-calc)"
    copies = _copies(tmp_path)
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    for kind, folder in (("pdf", tmp_path / "pdf"), ("xlsx", tmp_path / "resaved")):
        run = subprocess.run(
            [soffice, profile, "--headless", "--convert-to", kind, "--outdir", str(folder), *map(str, copies)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        assert "Error" not in run.stdout + run.stderr, run.stdout + run.stderr
        for copy in copies:
            out = folder / f"{copy.stem}.{kind}"
            assert out.stat().st_size > 0, out
    for copy in copies:  # what LibreOffice saved again still has the list, first, and the notes
        book = openpyxl.load_workbook(io.BytesIO((tmp_path / "resaved" / copy.name).read_bytes()))
        assert book.sheetnames[0] == SHEET_NAME
        assert book[book.sheetnames[1]]["B3"].comment is not None
        assert book[SHEET_NAME]["D9"].hyperlink is not None
