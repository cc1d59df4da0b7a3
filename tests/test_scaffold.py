"""``saisei new-plugin``: the plugin it writes passes its own tests at once, and is registered."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from kit_forms import plan_file

from saisei.cli import main
from saisei.scaffold import ScaffoldError, new_plugin, register
from saisei.testing import PluginConformance

ROOT = Path(__file__).resolve().parents[1]


def _workspace(tmp_path: Path) -> tuple[Path, Path]:
    """A workspace root (the project's pyproject.toml) and a plan with 山形市 outside it."""
    root = tmp_path / "repo"
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return root, plan_file(tmp_path, named=False)


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=[False, True], ids=["python", "declarative"])
def generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    root, plan = _workspace(tmp_path)
    done = new_plugin("yamagata_city", "062014", root=root, plan_path=plan, declarative=request.param)
    monkeypatch.syspath_prepend(str(done.directory / "src"))
    yield root, plan, done
    for name in [n for n in sys.modules if n.startswith(("saisei_yamagata_city", "generated_"))]:
        del sys.modules[name]


def test_the_plugin_is_registered_and_the_plan_names_it(generated) -> None:  # type: ignore[no-untyped-def]
    root, plan, done = generated
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert "saisei-yamagata-city" in data["dependency-groups"]["plugins"]
    assert data["tool"]["uv"]["sources"]["saisei-yamagata-city"] == {"workspace": True}
    assert "plugins/yamagata_city/src" in data["tool"]["mypy"]["files"]
    assert data["tool"]["uv"]["workspace"]["members"] == ["plugins/*"]  # plugins/yamagata_city is one already
    assert done.plan_changed == plan
    assert 'code = "062014"\nplugin = "yamagata_city"\n' in plan.read_text(encoding="utf-8")
    project = tomllib.loads((done.directory / "pyproject.toml").read_text(encoding="utf-8"))
    declarative = (done.directory / "src" / "saisei_yamagata_city" / "form.toml").is_file()
    entry = "saisei_yamagata_city:plugin" if declarative else "saisei_yamagata_city"
    assert project["project"]["entry-points"]["saisei"] == {"yamagata_city": entry}
    readme = (done.directory / "README.md").read_text(encoding="utf-8")
    headings = [line for line in readme.splitlines() if line.startswith("## ")]  # as the six plugins' READMEs
    assert headings == ["## 様式", "## 判定（どのブックをこのプラグインが読むか）", "## 様式が変わったら", "## テスト"]
    for heading in ("### 読み方", "### ひな形"):
        assert f"\n{heading}\n" in readme
    assert register(root, "yamagata_city") == []  # a second time adds nothing


def test_the_generated_tests_pass_as_written(generated) -> None:  # type: ignore[no-untyped-def]
    _, _, done = generated
    tests = done.directory / "tests"
    conformance = _load(tests / "test_conformance.py", "generated_conformance")
    kit: type[PluginConformance] = type("Quick", (conformance.TestConformance,), {"examples": 3})
    ran = 0
    for name in dir(kit):
        if name.startswith("test_"):
            getattr(kit(), name)()
            ran += 1
    assert ran >= 10
    form = _load(tests / "test_form.py", "generated_form")
    for name in dir(form):
        if name.startswith("test_"):
            getattr(form, name)()
    assert len(conformance.TestConformance.samples[tests / "data" / "sample.xlsx"]) == 3


def test_the_sample_is_the_same_bytes_each_time(tmp_path: Path) -> None:
    made = []
    for n in (1, 2):
        root, plan = _workspace(tmp_path / str(n))
        done = new_plugin("yamagata_city", "062014", root=root, plan_path=plan)
        made.append((done.directory / "tests" / "data" / "sample.xlsx").read_bytes())
        sys.modules.pop("saisei_yamagata_city", None)
    assert made[0] == made[1]


def test_another_folder_becomes_a_workspace_member(tmp_path: Path) -> None:
    root, _ = _workspace(tmp_path)
    assert register(root, "mytown", "extra") == [
        "[dependency-groups] plugins",
        "[tool.uv.workspace] members",
        "[tool.uv.sources]",
        "[tool.mypy] files",
    ]
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["tool"]["uv"]["workspace"]["members"] == ["plugins/*", "extra/mytown"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Yamagata-City", "--code", "062014"], "プラグイン名 'Yamagata-City' は使えません"),
        (["yamagata_city", "--code", "062015"], "--code:"),
        (["yamagata_city", "--code", "062014"], "同梱の計画（山形県）に団体コード 062014 の団体がありません"),
        (["mytown", "--code", "062031"], "鶴岡市（062031）の様式はプラグイン tsuruoka が読みます"),
        (["tsuruoka", "--code", "062031"], "はもうあります"),
    ],
)
def test_what_cannot_be_made_is_one_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    root, _ = _workspace(tmp_path)
    (root / "plugins" / "tsuruoka").mkdir(parents=True)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["new-plugin", *args, "--no-lock"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert sorted(p.name for p in (root / "plugins").iterdir()) == ["tsuruoka"]


def test_the_command_writes_the_plugin_and_says_the_next_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, plan = _workspace(tmp_path)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(
        main, ["new-plugin", "yamagata_city", "--code", "062014", "--plan", str(plan), "--no-lock"]
    )
    sys.modules.pop("saisei_yamagata_city", None)
    assert result.exit_code == 0, result.output
    assert "次に実行してください: uv lock" in result.output
    assert "テスト: uv run pytest plugins/yamagata_city" in result.output
    assert (root / "plugins" / "yamagata_city" / "tests" / "data" / "plan.toml").is_file()


def test_scaffold_error_is_an_exception_with_the_message() -> None:
    with pytest.raises(ScaffoldError, match="プラグイン名"):
        new_plugin("1abc", "062014", root=ROOT)
