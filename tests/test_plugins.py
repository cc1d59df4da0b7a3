"""The plugin contract: documented hooks, loading, and isolation of each plugin."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from builders import standard_form

import saisei
from saisei import hookspecs
from saisei.default_plugins import standard
from saisei.plugins import get_plugin_manager, get_registry
from saisei.testing import make_registry, read_bytes

HOOKS = [name for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("saisei_")]
README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_hook_is_documented_like_pytest() -> None:
    assert sorted(HOOKS) == ["saisei_body_code", "saisei_detect", "saisei_read", "saisei_template"]
    specs = get_plugin_manager().hook
    for name in HOOKS:
        assert getattr(specs, name).has_spec(), name  # a hookspec pluggy knows, not just a function
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        summary = doc.splitlines()[0]
        assert summary.split()[0][0].isupper() and summary.endswith("."), (name, summary)
        assert ":return:" in doc and "None" in doc, name  # what None means
        for param in inspect.signature(getattr(hookspecs, name)).parameters:
            assert f":param {param}:" in doc, (name, param)
        assert name in README, f"README does not mention {name}"


def test_the_standard_form_implements_every_hook() -> None:
    for name in HOOKS:
        assert hasattr(standard, name), name


def test_plugins_are_listed_by_their_entry_point_names() -> None:
    registry = get_registry()
    assert "standard" in registry.names()
    assert registry.plugins["standard"].builtin
    assert registry.find("060003", saisei.load_plan()) == "standard"


def _raising(hook: str) -> SimpleNamespace:
    def boom(**_: object) -> None:
        raise RuntimeError("壊れたプラグイン")

    impls = {
        "saisei_detect": lambda workbook: True,
        "saisei_read": lambda workbook, plan: None,
    }
    impls[hook] = boom
    ns = SimpleNamespace()
    for name, function in impls.items():
        setattr(ns, name, saisei.hookimpl(function, specname=name))
    return ns


def test_a_plugin_that_raises_while_detecting_is_an_error_for_that_file_only() -> None:
    registry = make_registry(("broken", _raising("saisei_detect")), entrypoints=False)
    data = standard_form([("060003", "山形県", 2024, 1, 4, "確定")])
    result = read_bytes(data, registry=registry)
    assert [(i.code, i.plugin) for i in result.issues] == [("plugin-failed", "broken")]
    assert "壊れたプラグイン" in result.issues[0].message


def test_a_plugin_that_raises_while_reading_is_an_error_naming_it() -> None:
    registry = make_registry(("broken", _raising("saisei_read")), entrypoints=False)
    registry.unregister("standard")
    result = read_bytes(standard_form([]), registry=registry)
    assert [(i.code, i.plugin, i.file) for i in result.issues] == [("plugin-failed", "broken", "form.xlsx")]


def test_two_plugins_claiming_one_workbook() -> None:
    greedy = SimpleNamespace(saisei_detect=saisei.hookimpl(lambda workbook: True, specname="saisei_detect"))
    registry = make_registry(("greedy", greedy), entrypoints=False)
    result = read_bytes(standard_form([("060003", "山形県", 2024, 1, 4, "確定")]), registry=registry)
    assert [i.code for i in result.issues] == ["ambiguous-form"]
    assert "greedy" in result.issues[0].message and "standard" in result.issues[0].message


@pytest.mark.parametrize("code", [lambda: 1 / 0, lambda: "62031", lambda: 62031, lambda: "062032"])
def test_a_plugin_whose_body_code_raises_or_is_no_code_is_not_loaded(code: Any) -> None:
    bad = SimpleNamespace(saisei_body_code=saisei.hookimpl(code, specname="saisei_body_code"))
    registry = make_registry(("bad", bad), entrypoints=False)
    assert "bad" not in registry.plugins
    assert [(i.code, i.plugin) for i in registry.load_issues] == [("plugin-load-failed", "bad")]
    assert "saisei_body_code" in registry.load_issues[0].message


def test_plugins_can_be_disabled(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SAISEI_DISABLE_PLUGINS", "standard")
    assert "standard" not in get_registry().plugins


# -- pluggy as designed: check_pending, one caller per plugin, tracing ----------------------


class Misspelled:
    """A plugin whose detect hook is misspelled: without a check it would silently never be called."""

    @saisei.hookimpl
    def saisei_detekt(self, workbook: saisei.Workbook) -> bool:
        return True

    @saisei.hookimpl
    def saisei_read(self, workbook: saisei.Workbook, plan: saisei.Plan) -> None:
        return None


def test_a_misspelled_hook_is_plugin_load_failed_naming_the_plugin_and_the_hook() -> None:
    registry = make_registry(("typo", Misspelled()), entrypoints=False)
    assert "typo" not in registry.plugins
    assert [(i.severity, i.code, i.plugin) for i in registry.load_issues] == [("error", "plugin-load-failed", "typo")]
    message = registry.load_issues[0].message
    assert "typo" in message and "saisei_detekt" in message and "saisei_detect" in message, message
    # the others still load and read
    result = read_bytes(standard_form([("060003", "山形県", 2024, 1, 4, "確定")]), registry=registry)
    assert (result.plugin, result.issues) == ("standard", [])


def test_a_hook_taking_an_argument_the_hook_does_not_offer_is_plugin_load_failed() -> None:
    odd = SimpleNamespace(saisei_detect=saisei.hookimpl(lambda workbook, sheet: True, specname="saisei_detect"))
    registry = make_registry(("odd", odd), entrypoints=False)
    assert "odd" not in registry.plugins
    assert [(i.code, i.plugin) for i in registry.load_issues] == [("plugin-load-failed", "odd")]
    message = registry.load_issues[0].message
    assert "saisei_detect" in message and "sheet" in message and "workbook" in message and "\n" not in message


def test_a_misspelled_hook_in_a_run_is_an_error_of_the_run(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(standard_form([("060003", "山形県", 2024, 1, 4, "確定")]))
    registry = make_registry(("typo", Misspelled()), entrypoints=False)
    result = saisei.consolidate([tmp_path], registry=registry)
    assert [i.code for i in result.issues if i.is_error] == ["plugin-load-failed"]


def test_hooks_are_called_through_pluggy_one_plugin_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, tuple[str, ...]]] = []
    registry = make_registry(("broken", _raising("saisei_detect")), entrypoints=False)
    registry.pm.add_hookcall_monitoring(
        lambda hook, impls, kwargs: calls.append((hook, tuple(i.plugin_name for i in impls))),
        lambda outcome, hook, impls, kwargs: None,
    )
    read_bytes(standard_form([("060003", "山形県", 2024, 1, 4, "確定")]), registry=registry)
    assert ("saisei_detect", ("broken",)) in calls and ("saisei_detect", ("standard",)) in calls
    assert ("saisei_read", ("standard",)) in calls
    assert all(len(plugins) == 1 for _, plugins in calls), calls


def test_trace_prints_every_hook_call_and_its_result(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAISEI_TRACE_PLUGINS", "1")
    registry = make_registry(("broken", _raising("saisei_detect")), entrypoints=False)
    read_bytes(standard_form([("060003", "山形県", 2024, 1, 4, "確定")]), registry=registry)
    lines = capsys.readouterr().err.splitlines()
    assert "saisei: saisei_detect(workbook=<Workbook 'form.xlsx'>, explain=False) → standard" in lines
    assert any(line.startswith("saisei: saisei_detect ← standard: [Detection(claimed=True") for line in lines), lines
    assert any(line.startswith("saisei: saisei_detect ← broken: 例外 RuntimeError") for line in lines), lines
    assert any(line.startswith("saisei: saisei_read ← standard: [<Reading") for line in lines), lines


def test_no_trace_without_the_variable(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SAISEI_TRACE_PLUGINS", raising=False)
    read_bytes(standard_form([("060003", "山形県", 2024, 1, 4, "確定")]), registry=make_registry(entrypoints=False))
    assert "saisei_detect" not in capsys.readouterr().err


# -- the plan is the single source of each body -------------------------------------------

PLAN_TEXT = (Path(saisei.__file__).parent / "core" / "data" / "yamagata.toml").read_text(encoding="utf-8")


def _plan_without(tmp_path: Path, code: str) -> Path:
    head, *bodies = PLAN_TEXT.split("\n[[bodies]]\n")
    kept = [b for b in bodies if f'code = "{code}"' not in b]
    assert len(kept) == len(bodies) - 1
    path = tmp_path / "other_plan.toml"
    path.write_text("\n[[bodies]]\n".join([head, *kept]), encoding="utf-8")
    return path


def test_a_body_of_the_plan_whose_plugin_is_not_installed_is_a_warning_in_a_run(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(standard_form([("060003", "山形県", 2024, 1, 4, "確定")]))
    registry = make_registry(entrypoints=False)  # the six municipal plugins left out
    result = saisei.consolidate([tmp_path], registry=registry)
    missing = [i for i in result.issues if i.code == "plugin-not-installed"]
    assert {i.plugin for i in missing} == {"tsuruoka", "sakata", "sagae", "obanazawa", "asahi", "iide"}
    assert all(i.severity == "warning" for i in missing)
    assert any("鶴岡市（062031）" in i.message and "tsuruoka" in i.message for i in missing)
    assert not result.has_errors


def test_a_plugin_whose_body_the_plan_does_not_have_is_one_error_per_workbook_suggesting_plan(
    tmp_path: Path,
) -> None:
    from builders import EXAMPLES

    plan = saisei.load_plan(_plan_without(tmp_path, "062031"))
    sample = EXAMPLES / "鶴岡市_KPI実績報告書_R6.xlsx"
    result = saisei.consolidate([sample], plan=plan)
    errors = [i for i in result.issues if i.is_error]
    assert [(i.code, i.plugin, i.file) for i in errors] == [("body-not-in-plan", "tsuruoka", sample.name)]
    assert "--plan" in errors[0].message and "062031" in errors[0].message
    assert result.values.is_empty()


def test_saisei_plugins_shows_each_body_from_the_plan(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from saisei.cli import main

    out = CliRunner().invoke(main, ["plugins", "--json"])
    assert out.exit_code == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)["plugins"]}
    plan = saisei.load_plan()
    for body in plan.bodies:
        if body.plugin:
            row = rows[body.plugin]
            assert (row["entity_code"], row["entity"], row["verification_month"]) == (
                body.code,
                body.name,
                body.verification_month,
            )
    assert rows["standard"]["entity_code"] is None

    other = CliRunner().invoke(main, ["plugins", "--plan", str(_plan_without(tmp_path, "062031"))])
    assert other.exit_code == 0
    assert "計画にない団体（062031）" in other.stdout
    assert "[警告] プラグイン tsuruoka の団体（団体コード 062031）ですが、計画" in other.stderr, other.stderr
    assert "--plan" in other.stderr


def test_a_template_of_a_plugin_whose_body_the_plan_does_not_have_is_a_usage_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from saisei.cli import main

    plan = str(_plan_without(tmp_path, "062031"))
    target = str(tmp_path / "x.xlsx")
    out = CliRunner().invoke(main, ["template", "tsuruoka", "--fiscal-year", "2025", "-o", target, "--plan", plan])
    assert out.exit_code == 2
    assert "062031" in out.stderr and "--plan" in out.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_saisei_plugins_warns_of_a_plan_naming_a_plugin_that_is_not_installed(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from saisei.cli import main

    path = tmp_path / "plan.toml"
    path.write_text(PLAN_TEXT.replace('plugin = "sakata"', 'plugin = "sakata_v2"'), encoding="utf-8")
    out = CliRunner().invoke(main, ["plugins", "--plan", str(path)])
    assert out.exit_code == 0
    warnings = [line for line in out.stderr.splitlines() if line.startswith("[警告]")]
    assert any("sakata_v2" in line and "酒田市（062049）" in line for line in warnings), warnings
    assert any("plugin sakata" in line or "プラグイン sakata は 酒田市" in line for line in warnings), warnings


# -- one plugin surface -------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {"saisei", "saisei.plugin", "saisei.testing"}


def test_plugins_import_saisei_only_through_its_plugin_surface() -> None:
    found: list[str] = []
    files = sorted((ROOT / "plugins").glob("*/src/**/*.py")) + sorted((ROOT / "plugins").glob("*/tests/**/*.py"))
    assert len(files) > 12
    for path in files:
        in_tests = "tests" in path.relative_to(ROOT / "plugins").parts[:2]
        allowed = ALLOWED if in_tests else ALLOWED - {"saisei.testing"}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if (name == "saisei" or name.startswith("saisei.")) and name not in allowed:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert not found, found


def test_the_plugin_surface_documents_every_name_it_exports() -> None:
    from saisei import plugin

    doc = plugin.__doc__ or ""
    for name in plugin.__all__:
        assert f"`{name}`" in doc, name
        assert getattr(plugin, name) is not None


def test_the_readme_plugin_example_loads_and_reads(tmp_path: Path) -> None:
    from openpyxl import Workbook

    start = README.index("```python\nfrom saisei.plugin import")
    code = README[start + len("```python\n") : README.index("```", start + 10)]
    example = SimpleNamespace()
    exec(compile(code, "README.md", "exec"), example.__dict__)
    registry = make_registry(("mytown", example), entrypoints=False)
    assert registry.plugins["mytown"].code == "062031", registry.load_issues
    book = Workbook()
    book.active.title = "実績報告書"
    book.active["E7"] = 12
    book.save(tmp_path / "form.xlsx")
    result = saisei.consolidate([tmp_path / "form.xlsx"], registry=registry)
    assert [(v["entity_code"], v["kpi"], v["value"]) for v in result.values.iter_rows(named=True)] == [
        ("062031", 1, 12)
    ]
