"""The plugin manager: built-ins, installed entry points and plugin folders.

Built-ins register through the same hooks as third-party plugins (as in
llm and datasette), so a plugin is never second class.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

import pluggy

from homecare import hookspecs

if TYPE_CHECKING:
    from homecare.diagnose.base import Rule
    from homecare.probes.base import Probe
    from homecare.render.base import Renderer

DEFAULT_PLUGINS = (
    "homecare.builtin.probes",
    "homecare.builtin.rules",
    "homecare.builtin.renderers",
)
ENTRY_POINT_GROUP = "homecare"
T = TypeVar("T")
REPO_PLUGINS_DIR = Path(__file__).resolve().parents[2] / "plugins"


@dataclass(frozen=True)
class PluginInfo:
    name: str
    origin: str
    hooks: tuple[str, ...]


def get_plugin_manager(
    plugin_dirs: Iterable[Path] = (), disabled: Iterable[str] = (), load_entry_points: bool = True
) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("homecare")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for folder in plugin_dirs:
        for module in _load_folder(folder):
            if pm.get_plugin(module.__name__) is None:
                pm.register(module, name=module.__name__)
    for name in disabled:
        if pm.get_plugin(name) is not None and name not in DEFAULT_PLUGINS:
            pm.unregister(name=name)
    pm.check_pending()
    return pm


def _load_folder(folder: Path) -> list[ModuleType]:
    """Import each ``*.py`` file or package directly in *folder*."""
    if not folder.is_dir():
        return []
    modules: list[ModuleType] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(("_", ".")):
            continue
        if entry.is_dir() and (entry / "__init__.py").exists():
            path, name = entry / "__init__.py", entry.name
        elif entry.suffix == ".py":
            path, name = entry, entry.stem
        else:
            continue
        mod_name = f"homecare_plugin_{name}"
        spec = importlib.util.spec_from_file_location(
            mod_name, path, submodule_search_locations=[str(entry)] if entry.is_dir() else None
        )
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


def _flatten(results: list[list[T]]) -> list[T]:
    return [item for group in results for item in group]


def all_probes(pm: pluggy.PluginManager) -> list[Probe]:
    probes = _flatten(pm.hook.homecare_probes())
    seen: dict[str, Probe] = {}
    for p in probes:
        seen.setdefault(p.name, p)
    return list(seen.values())


def all_rules(pm: pluggy.PluginManager) -> list[Rule]:
    return _flatten(pm.hook.homecare_rules())


def all_renderers(pm: pluggy.PluginManager) -> dict[str, Renderer]:
    out: dict[str, Renderer] = {}
    for r in _flatten(pm.hook.homecare_renderers()):
        out.setdefault(r.name, r)
    return out


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
