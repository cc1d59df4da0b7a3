"""The plugin contract: documented hooks, loading, and isolation of each plugin."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import SimpleNamespace

from builders import standard_form

import saisei
from saisei import hookspecs
from saisei.default_plugins import standard
from saisei.plugins import get_registry
from saisei.testing import make_registry, read_bytes

HOOKS = [name for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("saisei_")]
README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_hook_is_documented_like_pytest() -> None:
    assert sorted(HOOKS) == ["saisei_detect", "saisei_profile", "saisei_read", "saisei_template"]
    for name in HOOKS:
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
    registry.pm.unregister(name="standard")
    registry.plugins.pop("standard")
    result = read_bytes(standard_form([]), registry=registry)
    assert [(i.code, i.plugin, i.file) for i in result.issues] == [("plugin-failed", "broken", "form.xlsx")]


def test_two_plugins_claiming_one_workbook() -> None:
    greedy = SimpleNamespace(saisei_detect=saisei.hookimpl(lambda workbook: True, specname="saisei_detect"))
    registry = make_registry(("greedy", greedy), entrypoints=False)
    result = read_bytes(standard_form([("060003", "山形県", 2024, 1, 4, "確定")]), registry=registry)
    assert [i.code for i in result.issues] == ["ambiguous-form"]
    assert "greedy" in result.issues[0].message and "standard" in result.issues[0].message


def test_a_plugin_whose_profile_raises_is_not_loaded() -> None:
    bad = SimpleNamespace(saisei_profile=saisei.hookimpl(lambda: 1 / 0, specname="saisei_profile"))
    registry = make_registry(("bad", bad), entrypoints=False)
    assert "bad" not in registry.plugins
    assert [i.code for i in registry.load_issues] == ["plugin-load-failed"]


def test_plugins_can_be_disabled(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SAISEI_DISABLE_PLUGINS", "standard")
    assert "standard" not in get_registry().plugins
