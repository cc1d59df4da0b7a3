"""The tests every body's plugin asks of its samples in the project's ``examples/``."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from ..results import FileResult
from ._conformance import PluginUnderTest, claims
from ._helpers import example_paths, observations
from ._reading import read_path

__all__ = ["SampleTests"]


class SampleTests(PluginUnderTest):
    """Subclass as ``TestSamples`` with ``plugin``, ``name`` and ``sample_paths`` set::

        class TestSamples(SampleTests):
            plugin = saisei_mytown
            name = "mytown"
            sample_paths = (example_path("mytown.xlsx"),)

    What it checks, one line a test:

    * ``test_own_samples_read_the_same_under_any_name`` — each of ``sample_paths``, saved
      under another name (a copy's name, an upper-case extension, another body's sample's
      name), is still this plugin's form and reads the same: the same observations, the
      same issues (but for the file's name);
    * ``test_other_bodies_samples_are_not_claimed`` — no other sample of
      ``examples/<example_year>/`` is this plugin's form (``saisei_detect`` says no).
    """

    #: The body's own sample workbooks (most often one ``example_path(...)``).
    sample_paths: ClassVar[Sequence[str | Path]] = ()
    #: The year folder of ``examples/`` whose other samples must not be claimed.
    example_year: ClassVar[str] = "fy2024"
    #: The names each sample is also read under (with another body's sample's name).
    renames: ClassVar[tuple[str, ...]] = ("コピー ～ 提出用 (2).xlsx", "提出用.XLSX")

    @classmethod
    def _own(cls) -> list[Path]:
        assert cls.sample_paths, f"{cls.__name__}: sample_paths で自分の見本のブックを指定してください"
        return [Path(p) for p in cls.sample_paths]

    @classmethod
    def _others(cls) -> list[Path]:
        own = {p.resolve() for p in cls._own()}
        return [p for p in example_paths(year=cls.example_year) if p.resolve() not in own]

    def test_own_samples_read_the_same_under_any_name(self) -> None:
        names = [*self.renames, *(p.name for p in self._others()[:1])]
        for path in self._own():
            original = read_path(path, plan=self._plan(), registry=self._registry())
            assert original.plugin == self.name, f"{path.name}: {self.name} の様式と判定されません: {original.issues}"
            for name in names:
                with tempfile.TemporaryDirectory() as tmp:
                    copy = Path(tmp) / name
                    copy.write_bytes(path.read_bytes())
                    renamed = read_path(copy, plan=self._plan(), registry=self._registry())
                assert _reading(renamed) == _reading(original), f"{path.name} を「{name}」にすると読み方が変わります"
                assert all(i.file in (None, name) for i in renamed.issues), renamed.issues

    def test_other_bodies_samples_are_not_claimed(self) -> None:
        others = self._others()
        assert others, f"examples/{self.example_year}/ にほかの団体の見本がありません"
        registry = self._registry()
        claimed = [p.name for p in others if claims(registry, self.name, p)]
        assert not claimed, f"{self.name} がほかの団体の見本を自分の様式だと判定しました: {claimed}"


def _reading(result: FileResult) -> tuple[Any, ...]:
    """What a reading gives, but for the file's name."""
    rows = [{k: v for k, v in o.items() if k != "file"} for o in observations(result)]
    issues = [
        (i.severity, i.code, i.sheet, i.cell, i.plugin, i.message.replace(result.name, "…")) for i in result.issues
    ]
    return result.plugin, result.entity_code, result.as_of, rows, issues
