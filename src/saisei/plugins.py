"""The plugin manager: loading plugins, and calling them one at a time, isolated.

Plugins come from the ``saisei`` entry-point group; the built-in readers (the standard
form) are registered the same way under their own names.  pluggy calls every
implementation of a hook in one go and lets one exception abort the call, so saisei calls
each plugin's implementation on its own and turns whatever goes wrong into an issue for
the file at hand.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.metadata
import os
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy

import saisei.hookspecs as hookspecs  # the module itself (pluggy reads its specs)

from .core.issues import Issue
from .core.plan import Body, Plan

__all__ = ["DEFAULT_PLUGINS", "PluginCallError", "PluginInfo", "Registry", "get_plugin_manager", "get_registry"]

#: Built-in plugins: (name, module).  They use the same hooks as outside plugins.
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (("standard", "saisei.default_plugins.standard"),)

#: Comma-separated plugin names to leave out (``SAISEI_DISABLE_PLUGINS=sakata``).
DISABLE_ENV = "SAISEI_DISABLE_PLUGINS"


class PluginCallError(Exception):
    """A plugin's hook raised or returned the wrong kind of thing."""

    def __init__(self, plugin: str, hook: str, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.plugin = plugin
        self.hook = hook
        self.message = message
        self.detail = detail


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin: its stable name (the entry-point name), version and body."""

    name: str
    version: str
    module: str
    profile: Body | None
    builtin: bool = False

    @property
    def label(self) -> str:
        return self.profile.name if self.profile else "標準様式（全団体）"


def get_plugin_manager() -> pluggy.PluginManager:
    """A fresh plugin manager that knows the hooks, with no plugin registered."""
    pm = pluggy.PluginManager("saisei")
    pm.add_hookspecs(hookspecs)
    return pm


@dataclass
class Registry:
    """Every plugin saisei may ask about a workbook, and what went wrong loading them."""

    pm: pluggy.PluginManager
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    load_issues: list[Issue] = field(default_factory=list)

    def names(self) -> list[str]:
        return sorted(self.plugins)

    def register(self, name: str, plugin: object, *, version: str = "", builtin: bool = False) -> None:
        """Register ``plugin`` under ``name`` and ask for its profile (isolated)."""
        self.pm.register(plugin, name=name)
        module = getattr(plugin, "__name__", type(plugin).__name__)
        try:
            profile = self.call(name, "saisei_profile")
            if profile is not None and not isinstance(profile, Body):
                raise PluginCallError(
                    name, "saisei_profile", f"saisei_profile が Body 以外（{type(profile).__name__}）を返しました"
                )
        except PluginCallError as exc:
            self.pm.unregister(name=name)
            self.load_issues.append(
                Issue.at("error", "plugin-load-failed", f"プラグイン {name}: {exc.message}", plugin=name)
            )
            return
        self.plugins[name] = PluginInfo(name, version, module, profile, builtin)

    def _impl(self, name: str, hook: str) -> pluggy.HookImpl | None:
        impls: list[pluggy.HookImpl] = getattr(self.pm.hook, hook).get_hookimpls()
        return next((impl for impl in impls if impl.plugin_name == name), None)

    def call(self, name: str, hook: str, **kwargs: Any) -> Any:
        """Call plugin ``name``'s implementation of ``hook``; None if it has none.

        Like pluggy, pass the implementation only the arguments it names.  Raises
        :class:`PluginCallError` when the implementation raises.
        """
        impl = self._impl(name, hook)
        if impl is None:
            return None
        try:
            return impl.function(**{k: kwargs[k] for k in (*impl.argnames, *impl.kwargnames) if k in kwargs})
        except Exception as exc:
            raise PluginCallError(
                name, hook, f"{hook} で例外 {type(exc).__name__}: {exc}", traceback.format_exc()
            ) from exc

    def detect(self, workbook: Any) -> tuple[list[str], list[PluginCallError]]:
        """The plugins that claim ``workbook``, and the ones that failed while deciding."""
        claims: list[str] = []
        failures: list[PluginCallError] = []
        for name in self.names():
            try:
                if self.call(name, "saisei_detect", workbook=workbook) is True:
                    claims.append(name)
            except PluginCallError as exc:
                failures.append(exc)
        return claims, failures

    def template(self, name: str, fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Any:
        return self.call(name, "saisei_template", fiscal_year=fiscal_year, plan=plan, as_of=as_of)

    def find(self, wanted: str, plan: Plan | None = None) -> str | None:
        """A plugin by name, body code or body name (``sakata``, ``062049``, ``酒田市``)."""
        if wanted in self.plugins:
            return wanted
        for info in self.plugins.values():
            if info.profile and wanted in (info.profile.code, info.profile.name):
                return info.name
        if plan is not None and (plan.body(wanted) or plan.body_named(wanted)):
            body = plan.body(wanted) or plan.body_named(wanted)
            assert body is not None
            if body.plugin in self.plugins:
                return body.plugin
            return "standard" if "standard" in self.plugins else None
        return None


def _version(dist: importlib.metadata.Distribution | None) -> str:
    return dist.version if dist is not None else ""


def get_registry(
    *,
    entrypoints: bool = True,
    disabled: Iterable[str] = (),
    extra: Iterable[tuple[str, ModuleType | object]] = (),
) -> Registry:
    """Load every plugin: the built-ins, then the ``saisei`` entry points, then ``extra``.

    A plugin that cannot be imported is an issue (``plugin-load-failed``), not a crash;
    the others still load.

    :param entrypoints: load installed plugins (off in tests that want only their own)
    :param disabled: names to leave out (also ``SAISEI_DISABLE_PLUGINS``)
    :param extra: (name, plugin) pairs to register as well, for tests and scripts
    """
    blocked = set(disabled) | {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}
    registry = Registry(get_plugin_manager())
    own_version = importlib.metadata.version("saisei") if _installed("saisei") else ""
    for name, module_name in DEFAULT_PLUGINS:
        if name not in blocked:
            registry.register(name, importlib.import_module(module_name), version=own_version, builtin=True)
    if entrypoints:
        for ep in sorted(importlib.metadata.entry_points(group="saisei"), key=lambda e: e.name):
            if ep.name in blocked or ep.name in registry.plugins:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                registry.load_issues.append(
                    Issue.at(
                        "error",
                        "plugin-load-failed",
                        f"プラグイン {ep.name}（{ep.value}）を読み込めません: {type(exc).__name__}: {exc}",
                        plugin=ep.name,
                    )
                )
                continue
            registry.register(ep.name, plugin, version=_version(ep.dist))
    for name, plugin in extra:
        if name not in blocked:
            registry.register(name, plugin)
    return registry


def _installed(dist: str) -> bool:
    try:
        importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True
