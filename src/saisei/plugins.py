"""The plugin manager: loading plugins, checking them, and calling them one at a time, isolated.

Plugins come from the ``saisei`` entry-point group; the built-in readers (the standard
form) are registered the same way under their own names.  Each is registered with
pluggy's :class:`~pluggy.PluginManager` and checked with ``check_pending()``: a hook name
saisei does not know (``saisei_detekt``) is an issue ``plugin-load-failed`` naming the
plugin and the hook, and the plugin is left out.

pluggy calls every implementation of a hook in one go and lets one exception abort the
call, so saisei calls each plugin through its own hook caller (pluggy's
``subset_hook_caller``, which leaves the other plugins out) and turns whatever goes wrong
into an issue for the file at hand.  ``SAISEI_TRACE_PLUGINS=1`` prints every hook call
and its result to stderr (pluggy's hook-call monitoring).

The plan is the single source of each body's profile: a plugin says only which body code
it serves (``saisei_body_code``); its name, month and committee come from the plan in use.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.metadata
import inspect
import os
import re
import reprlib
import sys
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy

import saisei.hookspecs as hookspecs

from .core.codes import is_valid_code
from .core.issues import Issue
from .core.plan import Body, Plan
from .core.verdict import REVIEW_PLUGIN
from .template import Template, print_ready

__all__ = [
    "BUILTIN_FORMS",
    "DEFAULT_PLUGINS",
    "DISABLE_ENV",
    "TRACE_ENV",
    "PluginCallError",
    "PluginInfo",
    "Registry",
    "get_plugin_manager",
    "get_registry",
]

#: Built-in plugins: (name, module).  They use the same hooks as outside plugins.
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    ("standard", "saisei.default_plugins.standard"),
    (REVIEW_PLUGIN, "saisei.default_plugins.review"),
)
#: What each built-in plugin reads, as ``saisei plugins`` names it.
BUILTIN_FORMS = {"standard": "標準様式", REVIEW_PLUGIN: "効果検証シート"}

#: Comma-separated plugin names to leave out (``SAISEI_DISABLE_PLUGINS=sakata``).
DISABLE_ENV = "SAISEI_DISABLE_PLUGINS"

#: Set to ``1`` to print every hook call and its result to stderr.
TRACE_ENV = "SAISEI_TRACE_PLUGINS"


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
    """A loaded plugin: its stable name (the entry-point name), version and the body it serves.

    ``code`` is what the plugin says (:func:`~saisei.hookspecs.saisei_body_code`); the
    body itself — name, month, committee — is the plan's: :meth:`body`.
    """

    name: str
    version: str
    module: str
    code: str | None
    builtin: bool = False

    def body(self, plan: Plan) -> Body | None:
        """The body this plugin serves, as ``plan`` describes it (None: any body, or not in the plan)."""
        return plan.body(self.code) if self.code is not None else None


def get_plugin_manager() -> pluggy.PluginManager:
    """A fresh plugin manager that knows the hooks, with no plugin registered.

    With ``SAISEI_TRACE_PLUGINS=1`` it prints every hook call and its result to stderr.
    """
    pm = pluggy.PluginManager("saisei")
    pm.add_hookspecs(hookspecs)
    if os.environ.get(TRACE_ENV, "").strip() not in ("", "0"):
        pm.add_hookcall_monitoring(_trace_before, _trace_after)
    return pm


_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60


def _shown(value: object) -> str:
    """A short form of a hook argument or result: ``<Workbook 'a.xlsx'>``, not the whole object."""
    name = getattr(value, "name", None) or getattr(value, "file", None)
    if isinstance(name, str) and not isinstance(value, (str, bytes)):
        return f"<{type(value).__name__} {name!r}>"
    return _short.repr(value)


def _trace_before(hook: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, object]) -> None:
    args = ", ".join(f"{k}={_shown(v)}" for k, v in kwargs.items())
    print(f"saisei: {hook}({args}) → {', '.join(i.plugin_name for i in impls) or '（実装なし）'}", file=sys.stderr)


def _trace_after(
    outcome: pluggy.Result[object], hook: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, object]
) -> None:
    plugins = ", ".join(i.plugin_name for i in impls)
    if outcome.exception is not None:
        print(f"saisei: {hook} ← {plugins}: 例外 {outcome.exception!r}", file=sys.stderr)
    else:
        result = outcome.get_result()
        shown = [_shown(r) for r in result] if isinstance(result, list) else [_shown(result)]
        print(f"saisei: {hook} ← {plugins}: [{', '.join(shown)}]", file=sys.stderr)


@dataclass
class Registry:
    """Every plugin saisei may ask about a workbook, and what went wrong loading them."""

    pm: pluggy.PluginManager
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    load_issues: list[Issue] = field(default_factory=list)
    #: Names left out on purpose (``SAISEI_DISABLE_PLUGINS``), for the plan's warnings.
    disabled: frozenset[str] = frozenset()
    _callers: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def names(self) -> list[str]:
        return sorted(self.plugins)

    def register(self, name: str, plugin: object, *, version: str = "", builtin: bool = False) -> None:
        """Register ``plugin`` under ``name``, check its hooks, and ask which body it serves (isolated).

        Whatever is wrong — a hook saisei does not know, an implementation that takes an
        argument its hook does not offer, a ``saisei_body_code`` that raises or is not a
        body code — is an issue ``plugin-load-failed`` and the plugin is left out.
        """
        module = getattr(plugin, "__name__", type(plugin).__name__)
        if not _hashable(plugin):
            plugin = _ByIdentity(plugin)
        self._callers.clear()
        try:
            self.pm.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            self._load_failed(name, _invalid_impl(exc))
            return
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError:
            unknown = sorted(
                caller.name
                for caller in self.pm.get_hookcallers(plugin) or ()
                if not caller.has_spec()
                and any(i.plugin is plugin and not i.optionalhook for i in caller.get_hookimpls())
            )
            self.unregister(name)
            known = ", ".join(sorted(h for h in dir(hookspecs) if h.startswith("saisei_")))
            self._load_failed(
                name,
                f"saisei にないフック {', '.join(unknown)} があります（名前の誤りではありませんか。"
                f"フックは {known} です）。このプラグインは使いません",
            )
            return
        try:
            code = self.call(name, "saisei_body_code")
            if code is not None and not (isinstance(code, str) and is_valid_code(code)):
                raise PluginCallError(
                    name, "saisei_body_code", f"saisei_body_code が団体コードでない値 {code!r} を返しました"
                )
        except PluginCallError as exc:
            self.unregister(name)
            self._load_failed(name, exc.message)
            return
        self.plugins[name] = PluginInfo(name, version, module, code, builtin)

    def unregister(self, name: str) -> None:
        """Leave plugin ``name`` out from now on."""
        self._callers.clear()
        if self.pm.get_plugin(name) is not None:
            self.pm.unregister(name=name)
        self.plugins.pop(name, None)

    def _load_failed(self, name: str, message: str) -> None:
        self.load_issues.append(Issue.at("error", "plugin-load-failed", f"プラグイン {name}: {message}", plugin=name))

    def _caller(self, name: str, hook: str) -> Any:
        """Plugin ``name``'s own caller for ``hook`` (pluggy's, every other plugin left out); None without an implementation."""
        key = (name, hook)
        if key not in self._callers:
            others = [plugin for other, plugin in self.pm.list_name_plugin() if other != name]
            caller = self.pm.subset_hook_caller(hook, others)
            impls = caller.get_hookimpls()
            if any(impl.plugin_name != name for impl in impls):
                # pluggy leaves out only plugins with an attribute named like the hook;
                # an implementation under another name (specname=) would slip in.
                raise PluginCallError(
                    name, hook, f"{hook} の実装を {name} だけに絞れません（specname の使い方を確かめてください）"
                )
            self._callers[key] = caller if impls else None
        return self._callers[key]

    def call(self, name: str, hook: str, **kwargs: Any) -> Any:
        """Call plugin ``name``'s implementation of ``hook`` through pluggy; None if it has none.

        Raises :class:`PluginCallError` when the implementation raises.
        """
        caller = self._caller(name, hook)
        if caller is None:
            return None
        try:
            results: list[Any] = caller(**kwargs)
        except Exception as exc:
            raise PluginCallError(
                name, hook, f"{hook} で例外 {type(exc).__name__}: {exc}", traceback.format_exc()
            ) from exc
        return results[0] if results else None

    def detect(self, workbook: Any) -> tuple[list[str], list[PluginCallError]]:
        """The plugins that claim ``workbook``, and the ones that failed while deciding."""
        claims: list[str] = []
        failures: list[PluginCallError] = []
        for name in self.names():
            try:
                answer = self.call(name, "saisei_detect", workbook=workbook, explain=False)
            except PluginCallError as exc:
                failures.append(exc)
                continue
            if answer is True or (isinstance(answer, hookspecs.Detection) and answer.claimed):
                claims.append(name)
        return claims, failures

    def nearest(self, workbook: Any) -> tuple[PluginInfo, hookspecs.Detection] | None:
        """The form ``workbook`` came closest to when no plugin claims it, and what it missed.

        Asks every plugin's ``saisei_detect`` again, with ``explain=True`` (only for a
        workbook nobody claimed); plugins that answer with a bool say nothing about
        closeness.
        """
        best: tuple[PluginInfo, hookspecs.Detection] | None = None
        for name in self.names():
            try:
                answer = self.call(name, "saisei_detect", workbook=workbook, explain=True)
            except PluginCallError:
                continue
            if not isinstance(answer, hookspecs.Detection) or answer.claimed or not answer.missing:
                continue
            if answer.score > 0 and (best is None or answer.score > best[1].score):
                best = (self.plugins[name], answer)
        return best

    def template(self, name: str, fiscal_year: int, plan: Plan, as_of: dt.date | None) -> Any:
        """The plugin's blank form, print-ready (:func:`saisei.template.print_ready`), or None."""
        made = self.call(name, "saisei_template", fiscal_year=fiscal_year, plan=plan, as_of=as_of)
        return print_ready(made) if isinstance(made, Template) else made

    def find(self, wanted: str, plan: Plan) -> str | None:
        """A plugin by name, body code or body name (``sakata``, ``062049``, ``酒田市``).

        A body's reader is the plugin the plan names for it, else the plugin that says it
        serves the body, else the standard form.
        """
        if wanted in self.plugins:
            return wanted
        body = plan.body(wanted) or plan.body_named(wanted)
        if body is None:
            return None
        if body.plugin in self.plugins:
            return body.plugin
        serving = [info.name for info in self.plugins.values() if info.code == body.code]
        if serving:
            return serving[0]
        return "standard" if "standard" in self.plugins else None

    def plan_issues(self, plan: Plan) -> list[Issue]:
        """What the plan and the installed plugins disagree on, as warnings for a run.

        A body whose plan entry names a plugin that is not installed (its forms would be
        unknown), and a plugin whose body the plan names another plugin for.
        """
        issues: list[Issue] = []
        for body in plan.bodies:
            if body.plugin is None or body.plugin in self.plugins:
                continue
            why = "SAISEI_DISABLE_PLUGINS で外されています" if body.plugin in self.disabled else "入っていません"
            issues.append(
                Issue.at(
                    "warning",
                    "plugin-not-installed",
                    f"計画では {body.name}（{body.code}）の様式をプラグイン {body.plugin} で読みますが、"
                    f"{body.plugin} は{why}（{body.name}の様式のブックは読めません。"
                    f"uv sync など、プラグインを入れる手順を確かめてください）",
                    plugin=body.plugin,
                )
            )
        for info in self.plugins.values():
            served = info.body(plan)
            if served is not None and served.plugin is not None and served.plugin != info.name:
                issues.append(
                    Issue.at(
                        "warning",
                        "plugin-body-mismatch",
                        f"プラグイン {info.name} は {served.name}（{served.code}）の様式を読むと言いますが、"
                        f"計画では {served.name} の様式はプラグイン {served.plugin} が読みます",
                        plugin=info.name,
                    )
                )
        return issues

    def unplanned_issues(self, plan: Plan) -> list[Issue]:
        """A warning for each plugin whose body ``plan`` does not have (for ``saisei plugins``).

        A run says it once per workbook such a plugin claims (:meth:`body_problem`).
        """
        found = (self.body_problem(name, plan) for name in self.names())
        return [Issue.at("warning", i.code, i.message, plugin=i.plugin) for i in found if i is not None]

    def body_problem(self, name: str, plan: Plan, file: str | None = None) -> Issue | None:
        """The one error when plugin ``name`` serves a body ``plan`` does not have: for the
        workbook ``file`` it claimed, or (without ``file``) for the plugin itself."""
        info = self.plugins.get(name)
        if info is None or info.code is None or plan.body(info.code) is not None:
            return None
        what = f"このブックはプラグイン {name} の様式" if file else f"プラグイン {name} の団体"
        return Issue.at(
            "error",
            "body-not-in-plan",
            f"{what}（団体コード {info.code}）ですが、計画「{plan.name}」にこの団体がありません"
            "（別の計画のブックなら --plan でその計画ファイルを指定してください）",
            file=file,
            plugin=name,
        )


def _invalid_impl(exc: Exception) -> str:
    """pluggy's complaint about a hook implementation, as one line."""
    text = str(exc)
    hook = re.search(r"for hook '(\w+)'", text)
    extra = re.search(r"Argument\(s\) \{(.*?)\} are declared in the hookimpl", text)
    if hook and extra:
        spec = getattr(hookspecs, hook[1], None)
        offered = ", ".join(inspect.signature(spec).parameters) if spec else ""
        return (
            f"フック {hook[1]} の実装が、フックにない引数 {extra[1].replace(chr(39), '')} を受け取ります"
            f"（{hook[1]} の引数: {offered or 'なし'}）。このプラグインは使いません"
        )
    return f"フックの実装が正しくありません（{' / '.join(text.split(chr(10)))}）。このプラグインは使いません"


def _hashable(plugin: object) -> bool:
    try:
        hash(plugin)
    except TypeError:
        return False
    return True


class _ByIdentity:
    """An unhashable plugin object (a ``SimpleNamespace``, say), hashed by identity.

    pluggy's subset hook callers keep the plugins they leave out in a set.  The plugin's
    attributes are copied (pluggy finds hooks with ``inspect.getattr_static``).
    """

    def __init__(self, plugin: object) -> None:
        self.__dict__.update({n: getattr(plugin, n) for n in dir(plugin) if not n.startswith("__")})


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
    registry = Registry(get_plugin_manager(), disabled=frozenset(blocked))
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
