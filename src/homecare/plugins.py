"""The plugin manager: built-ins, installed entry points and plugin folders.

Built-ins register through the same hooks as third-party plugins (as in
llm and datasette), so a plugin is never second class. A plugin that cannot
be imported, or that contributes a probe under a built-in's name, is left out
and recorded in :attr:`HomecarePluginManager.failures`: one broken plugin
must never break every command, and ``homecare plugins`` says what happened.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

from homecare import hookspecs
from homecare.i18n import _
from homecare.paths import SHIPPED_PLUGIN_DIRS

if TYPE_CHECKING:
    from homecare.advise.history_advice import Metric
    from homecare.diagnose.base import Rule
    from homecare.probes.base import Probe
    from homecare.render.base import Renderer

DEFAULT_PLUGINS = (
    "homecare.builtin.probes",
    "homecare.builtin.rules",
    "homecare.builtin.renderers",
    "homecare.builtin.metrics",
)
ENTRY_POINT_GROUP = "homecare"
T = TypeVar("T")
REPO_PLUGINS_DIR = SHIPPED_PLUGIN_DIRS[0]
FOLDER_PREFIX = "homecare_plugin_"


@dataclass(frozen=True)
class PluginInfo:
    name: str
    origin: str
    hooks: tuple[str, ...]


@dataclass(frozen=True)
class PluginFailure:
    """A plugin (or one of its contributions) that was left out, and why."""

    name: str
    origin: str
    reason: str


class HomecarePluginManager(pluggy.PluginManager):
    """pluggy's manager plus the record of what could not be loaded."""

    def __init__(self) -> None:
        super().__init__("homecare")
        self.failures: list[PluginFailure] = []


def get_plugin_manager(
    plugin_dirs: Iterable[Path] = (), disabled: Iterable[str] = (), load_entry_points: bool = True
) -> HomecarePluginManager:
    pm = HomecarePluginManager()
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if load_entry_points:
        _load_entry_points(pm)
    for folder in plugin_dirs:
        _load_folder(pm, folder)
    for name in disabled:
        if pm.get_plugin(name) is not None and name not in DEFAULT_PLUGINS:
            pm.unregister(name=name)
    pm.check_pending()
    return pm


def _load_entry_points(pm: HomecarePluginManager) -> None:
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if pm.get_plugin(ep.name) is not None:
            continue
        origin = f"package {ep.dist.name if ep.dist else ep.value}"
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken package must not break homecare
            pm.failures.append(PluginFailure(ep.name, origin, _describe(exc)))
            continue
        pm.register(plugin, name=ep.name)


def _load_folder(pm: HomecarePluginManager, folder: Path) -> None:
    """Import each ``*.py`` file or package directly in *folder*."""
    if not folder.is_dir():
        return
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(("_", ".")):
            continue
        if entry.is_dir() and (entry / "__init__.py").exists():
            path, name = entry / "__init__.py", entry.name
        elif entry.suffix == ".py":
            path, name = entry, entry.stem
        else:
            continue
        mod_name = f"{FOLDER_PREFIX}{name}"
        if pm.get_plugin(mod_name) is not None:
            continue  # the same shipped plugin seen from the checkout and the wheel
        spec = importlib.util.spec_from_file_location(
            mod_name, path, submodule_search_locations=[str(entry)] if entry.is_dir() else None
        )
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        try:
            spec.loader.exec_module(module)
            pm.register(module, name=mod_name)
        except Exception as exc:  # a syntax error in one file must not break the rest
            sys.modules.pop(mod_name, None)
            pm.failures.append(PluginFailure(mod_name, str(path), _describe(exc)))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()


def _contributions(pm: pluggy.PluginManager, hook: str) -> list[tuple[str, list[Any]]]:
    """(plugin name, items) per implementation of *hook*, built-ins first.

    Called one implementation at a time so that a plugin whose hook raises is
    left out (and recorded) instead of taking every command down with it.
    """
    caller: Any = getattr(pm.hook, hook)
    out: list[tuple[str, list[Any]]] = []
    impls = caller.get_hookimpls()
    builtin = [i for i in impls if i.plugin_name in DEFAULT_PLUGINS]
    others = [i for i in impls if i.plugin_name not in DEFAULT_PLUGINS]
    for impl in [*builtin, *reversed(others)]:
        fn: Callable[[], list[Any]] = impl.function
        try:
            items = list(fn())
        except Exception as exc:
            if isinstance(pm, HomecarePluginManager):
                pm.failures.append(PluginFailure(impl.plugin_name, hook, _describe(exc)))
            continue
        out.append((impl.plugin_name, items))
    return out


def all_probes(pm: pluggy.PluginManager) -> list[Probe]:
    """Every probe; a plugin probe may not take a name that is already used."""
    seen: dict[str, Probe] = {}
    for plugin, probes in _contributions(pm, "homecare_probes"):
        for p in probes:
            if p.name in seen:
                if isinstance(pm, HomecarePluginManager) and plugin not in DEFAULT_PLUGINS:
                    failure = PluginFailure(
                        plugin,
                        "homecare_probes",
                        _("probe name '{name}' is already taken; this probe was left out").format(
                            name=p.name
                        ),
                    )
                    if failure not in pm.failures:
                        pm.failures.append(failure)
                continue
            seen[p.name] = p
    return list(seen.values())


def all_rules(pm: pluggy.PluginManager) -> list[Rule]:
    return [r for _plugin, rules in _contributions(pm, "homecare_rules") for r in rules]


def all_renderers(pm: pluggy.PluginManager) -> dict[str, Renderer]:
    out: dict[str, Renderer] = {}
    for _plugin, renderers in _contributions(pm, "homecare_renderers"):
        for r in renderers:
            out.setdefault(r.name, r)
    return out


def all_metrics(pm: pluggy.PluginManager) -> list[Metric]:
    out: dict[str, Metric] = {}
    for _plugin, metrics in _contributions(pm, "homecare_history_metrics"):
        for m in metrics:
            out.setdefault(m.name, m)
    return list(out.values())


def failures(pm: pluggy.PluginManager) -> list[PluginFailure]:
    return list(pm.failures) if isinstance(pm, HomecarePluginManager) else []


def describe(pm: pluggy.PluginManager) -> list[PluginInfo]:
    infos: list[PluginInfo] = []
    dist_names = {id(p): d.project_name for p, d in pm.list_plugin_distinfo()}
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        if name in DEFAULT_PLUGINS:
            origin = "built-in"
        elif id(plugin) in dist_names:
            origin = f"package {dist_names[id(plugin)]}"
        else:
            origin = str(getattr(plugin, "__file__", "?"))
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or []))
        infos.append(PluginInfo(name=name, origin=origin, hooks=hooks))
    return infos
