"""docs/plugin-guide.md: its smallest complete example is a plugin that reads, and the kit's
tests it lists are the kit's tests (so the guide cannot go stale)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace

from kit_forms import plan_file

from saisei import load_plan
from saisei.testing import PluginConformance, SampleTests, assert_reads, make_registry, read_bytes

GUIDE = (Path(__file__).resolve().parents[1] / "docs" / "plugin-guide.md").read_text(encoding="utf-8")


def test_the_smallest_complete_example_reads_a_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    start = GUIDE.index('```python\n"""saisei plugin: 山形市')
    code = GUIDE[start + len("```python\n") : GUIDE.index("```", start + 10)]
    example = SimpleNamespace()
    exec(compile(code, "plugin-guide.md", "exec"), example.__dict__)
    plan = load_plan(plan_file(tmp_path))
    registry = make_registry(("yamagata_city", example), entrypoints=False)
    assert registry.plugins["yamagata_city"].code == "062014", registry.load_issues
    book = Workbook()
    book.active.title = "実績報告"
    book.active.append(["（注）単位は人"])
    book.active.append(["指標", "実績"])
    book.active.append(["KPI②", 12])
    book.active.append([None, None])
    book.active.append(["交流人口数", "１，２０３"])
    out = io.BytesIO()
    book.save(out)
    result = read_bytes(out.getvalue(), plan=plan, registry=registry)
    assert_reads(result, {"B3": (2024, 2, 12, "final"), "B5": (2024, 3, 1203, "final")})
    template = example.saisei_template(2024, plan, None)
    assert [s.cell for s in template.slots] == ["B2", "B3", "B4"]


def test_the_guide_lists_every_test_of_the_kit() -> None:
    listed = set(re.findall(r"^\| `(test_[a-z_]+)` \|", GUIDE, re.MULTILINE))
    kit = [*dir(PluginConformance), *dir(SampleTests)]
    assert listed == {name for name in kit if name.startswith("test_")}


def test_the_guide_names_every_helper_of_the_plugin_surface() -> None:
    from saisei import plugin

    section = GUIDE[GUIDE.index("## 7. ヘルパー一覧") :]
    missing = [name for name in plugin.__all__ if f"`{name}" not in section]
    assert not missing
