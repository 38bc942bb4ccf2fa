"""Every hook is documented and exercised by a plugin loaded from a folder."""

from __future__ import annotations

import inspect
import io
import textwrap
from pathlib import Path

import pluggy
import pytest

from homecare import hookspecs
from homecare.advise.catalogue import Catalogue
from homecare.engine import CheckRequest, diagnose, run_check, select_probes
from homecare.errors import ConfigError, UsageError
from homecare.models import GenericData, ProbeStatus, Severity
from homecare.plugins import (
    all_probes,
    all_renderers,
    all_rules,
    describe,
    failures,
    get_plugin_manager,
)
from homecare.probes.base import Probe
from homecare.profiles.provider import ProviderProfile
from homecare.render.base import RenderOptions

REPO = Path(__file__).resolve().parents[1]
HOOKS = sorted(
    name
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("homecare_") and hasattr(fn, "homecare_spec")
)

PLUGIN = """
from pydantic import BaseModel

from homecare.hookspecs import hookimpl
from homecare.models import Finding, GenericData


class Payload(BaseModel):
    temperature: int


class FridgeProbe:
    name = "fridge"
    area = "fridge"
    requires = ()
    timeout_s = 2.0

    def run(self, ctx):
        return Payload(temperature=9)


class FridgeRule:
    name = "fridge"
    codes = ("fridge.warm",)

    def evaluate(self, ctx):
        obs = ctx.observations.get("fridge")
        if obs is None or not isinstance(obs.data, GenericData):
            return []
        if obs.data.values["temperature"] > 7:
            return [Finding(code="fridge.warm", severity="warning", segment="device",
                            summary="The fridge is warm.",
                            evidence={"temperature": obs.data.values["temperature"]})]
        return []


class ShoutRenderer:
    name = "shout"

    def render(self, report, options, out):
        out.write(" / ".join(f.summary.upper() for f in report.findings) + "\\n")


@hookimpl
def homecare_probes():
    return [FridgeProbe()]


@hookimpl
def homecare_rules():
    return [FridgeRule()]


@hookimpl
def homecare_renderers():
    return [ShoutRenderer()]


@hookimpl
def homecare_history_metrics():
    from homecare.advise.history_advice import evidence_metric

    return [evidence_metric("fridge_temp", "fridge.warm", "temperature",
                            lambda usual, now: f"usually {usual} degrees, today {now}")]
"""


def test_hooks_exist() -> None:
    assert HOOKS == [
        "homecare_history_metrics",
        "homecare_probes",
        "homecare_renderers",
        "homecare_rules",
    ]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_docstring(hook: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, hook))
    assert doc and len(doc) > 20


DOCS = REPO / "docs" / "plugins.md"


@pytest.mark.xfail(not DOCS.exists(), reason="docs/plugins.md pending", strict=True)
@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_in_the_plugin_docs(hook: str) -> None:
    assert hook in DOCS.read_text(encoding="utf-8")


@pytest.fixture
def plugin_pm(tmp_path: Path) -> pluggy.PluginManager:
    (tmp_path / "fridge.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    (tmp_path / "_ignored.py").write_text("raise RuntimeError('must not be imported')\n")
    (tmp_path / "notes.txt").write_text("not a plugin\n")
    return get_plugin_manager(plugin_dirs=[tmp_path], load_entry_points=False)


def test_folder_plugin_implements_every_hook(plugin_pm: pluggy.PluginManager) -> None:
    info = {i.name: i for i in describe(plugin_pm)}
    fridge = info["homecare_plugin_fridge"]
    assert list(fridge.hooks) == HOOKS
    assert fridge.origin.endswith("fridge.py")
    assert info["homecare.builtin.probes"].origin == "built-in"


def test_folder_plugin_is_used_in_a_run(plugin_pm: pluggy.PluginManager) -> None:
    # only the plugin's own area, so no built-in probe (and no packet) runs
    report = run_check(
        CheckRequest(areas=["fridge"], budget_s=5), plugin_pm, ProviderProfile(), Catalogue.load()
    ).report
    (obs,) = report.observations
    assert obs.probe == "fridge"
    assert obs.status is ProbeStatus.OK
    assert obs.data == GenericData(values={"temperature": 9})
    assert [f.code for f in report.findings] == ["fridge.warm"]
    assert report.findings[0].severity is Severity.WARNING
    assert report.guidance[0].why == "No advice is written for this yet."
    assert report.verdict.healthy is False
    out = io.StringIO()
    all_renderers(plugin_pm)["shout"].render(report, RenderOptions(), out)
    assert out.getvalue() == "THE FRIDGE IS WARM.\n"
    assert "fridge.warm" in {c for r in all_rules(plugin_pm) for c in r.codes}


def test_misspelt_hook_is_caught(tmp_path: Path) -> None:
    (tmp_path / "typo.py").write_text(
        "from homecare.hookspecs import hookimpl\n\n"
        "@hookimpl\ndef homecare_probez():\n    return []\n"
    )
    with pytest.raises(pluggy.PluginValidationError, match="homecare_probez"):
        get_plugin_manager(plugin_dirs=[tmp_path], load_entry_points=False)


def test_disabled_plugin_is_unregistered_but_builtins_stay(tmp_path: Path) -> None:
    (tmp_path / "fridge2.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    pm = get_plugin_manager(
        plugin_dirs=[tmp_path],
        disabled=["homecare_plugin_fridge2", "homecare.builtin.rules"],
        load_entry_points=False,
    )
    names = {p.name for p in all_probes(pm)}
    assert "fridge" not in names
    assert {"host", "reachability", "dns"} <= names
    assert all_rules(pm)  # built-ins cannot be disabled


# --- engine helpers --------------------------------------------------------------


def test_select_probes_adds_dependencies_first() -> None:
    pm = get_plugin_manager(load_entry_points=False)
    chosen = select_probes(all_probes(pm), ["dns"], supporting=False)
    assert [p.name for p in chosen] == ["host", "dns", "dns_quality"]
    # a targeted check also runs what it needs to place a fault (reachability for DNS)
    assert "reachability" in {p.name for p in select_probes(all_probes(pm), ["dns"])}
    everything = select_probes(all_probes(pm), [])
    assert everything[0].name == "host"
    with pytest.raises(UsageError, match="nosuch"):
        select_probes(all_probes(pm), ["nosuch"])


def test_a_crashing_rule_becomes_an_info_finding(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text(
        "from homecare.hookspecs import hookimpl\n\n"
        "class Broken:\n    name = 'broken'\n    codes = ()\n"
        "    def evaluate(self, ctx):\n        raise KeyError('oops')\n\n"
        "@hookimpl\ndef homecare_rules():\n    return [Broken()]\n"
    )
    pm = get_plugin_manager(plugin_dirs=[tmp_path], load_entry_points=False)
    (finding,) = diagnose([], pm, ProviderProfile())
    assert finding.code == "homecare.rule.failed"
    assert finding.severity is Severity.INFO
    assert finding.evidence == {"error": "KeyError: 'oops'"}


# --- a broken plugin never breaks homecare ------------------------------------------


def test_a_plugin_that_fails_to_import_is_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "broken_import.py").write_text("import no_such_module_anywhere\n")
    (tmp_path / "fridge3.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    pm = get_plugin_manager(plugin_dirs=[tmp_path], load_entry_points=False)
    (failure,) = failures(pm)
    assert failure.name == "homecare_plugin_broken_import"
    assert "ModuleNotFoundError" in failure.reason
    assert failure.origin.endswith("broken_import.py")
    assert "fridge" in {p.name for p in all_probes(pm)}  # the good plugin still loads


def test_a_plugin_probe_cannot_shadow_a_builtin(tmp_path: Path) -> None:
    (tmp_path / "shadow.py").write_text(
        "from homecare.hookspecs import hookimpl\n\n"
        "class FakeDns:\n    name = 'dns'\n    area = 'dns'\n    requires = ()\n"
        "    timeout_s = 1.0\n    def run(self, ctx):\n        return None\n\n"
        "@hookimpl\ndef homecare_probes():\n    return [FakeDns()]\n"
    )
    pm = get_plugin_manager(plugin_dirs=[tmp_path], load_entry_points=False)
    dns = next(p for p in all_probes(pm) if p.name == "dns")
    assert type(dns).__module__.startswith("homecare.probes")
    (failure,) = failures(pm)
    assert failure.name == "homecare_plugin_shadow"
    assert "'dns' is already taken" in failure.reason


def test_a_hook_that_raises_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "raising.py").write_text(
        "from homecare.hookspecs import hookimpl\n\n"
        "@hookimpl\ndef homecare_rules():\n    raise ValueError('bad plugin')\n"
    )
    pm = get_plugin_manager(plugin_dirs=[tmp_path], load_entry_points=False)
    assert all_rules(pm)  # the built-ins
    assert [f.reason for f in failures(pm)] == ["ValueError: bad plugin"]


def test_a_cycle_in_requires_is_a_clear_error() -> None:
    class P:
        area = "loop"
        timeout_s = 1.0

        def __init__(self, name: str, requires: tuple[str, ...]) -> None:
            self.name, self.requires = name, requires

        def run(self, ctx: object) -> None:
            return None

    probes: list[Probe] = [P("a", ("b",)), P("b", ("c",)), P("c", ("a",))]  # type: ignore[list-item]
    with pytest.raises(ConfigError, match="a -> b -> c -> a"):
        select_probes(probes, ["loop"])


def test_plugins_command_lists_what_did_not_load(tmp_path: Path) -> None:
    from homecare.cli.app import run
    from homecare.context import Environment

    plugins_dir = tmp_path / "config" / "plugins"
    plugins_dir.mkdir(parents=True)
    (plugins_dir / "syntax_error.py").write_text("def (:\n")
    out, err = io.StringIO(), io.StringIO()
    env = Environment(
        stdout=out,
        stderr=err,
        environ={"HOMECARE_HOME": str(tmp_path), "HOMECARE_NO_SHIPPED_PLUGINS": "1"},
    )
    assert run(["plugins"], env) == 0
    assert "not loaded: homecare_plugin_syntax_error" in out.getvalue()
    assert "SyntaxError" in out.getvalue()
    assert run(["explain", "dns.failing"], env) == 0  # every other command still works
