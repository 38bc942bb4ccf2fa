"""The CLI through its error boundary ``run(argv)``, with canned probes only.

No test here runs a real probe: the built-in probe plugin is replaced by a
module whose probes return hand-built data, so no packet leaves the machine.
"""

from __future__ import annotations

import json
import os
import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pydantic import BaseModel

import homecare.plugins as plugins_mod
from homecare import __version__
from homecare.cli.app import run
from homecare.hookspecs import hookimpl
from homecare.models import DnsData, Report
from homecare.probes.base import ProbeContext
from homecare.status import ExitStatus

from ..factories import dns, host, lookup, reach

ANSI = re.compile(r"\x1b\[")
CANNED_MODULE = "homecare_test_canned_probes"


@dataclass
class Canned:
    data: dict[str, BaseModel] = field(default_factory=dict)
    runs: list[str] = field(default_factory=list)


class CannedProbe:
    def __init__(self, canned: Canned, name: str, area: str, requires: tuple[str, ...]) -> None:
        self.name, self.area, self.requires, self.timeout_s = name, area, requires, 2.0
        self._canned = canned

    def run(self, _ctx: ProbeContext) -> BaseModel:
        self._canned.runs.append(self.name)
        return self._canned.data[self.name]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOMECARE_HOME", str(tmp_path))
    monkeypatch.setenv("HOMECARE_LANG", "en")
    monkeypatch.setenv("COLUMNS", "100")
    for var in ("NO_COLOR", "FORCE_COLOR", "HOMECARE_PROVIDER", "CI"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOMECARE_NO_SHIPPED_PLUGINS", "1")
    return tmp_path


@pytest.fixture
def canned(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Canned]:
    """Replace the built-in probes with canned ones (healthy by default)."""
    state = Canned(data={"host": host(), "reachability": reach(), "dns": dns()})
    module = types.ModuleType(CANNED_MODULE)

    @hookimpl
    def homecare_probes() -> list[CannedProbe]:
        return [
            CannedProbe(state, "host", "host", ()),
            CannedProbe(state, "reachability", "connectivity", ("host",)),
            CannedProbe(state, "dns", "dns", ("host",)),
        ]

    module.homecare_probes = homecare_probes  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, CANNED_MODULE, module)
    defaults = tuple(
        CANNED_MODULE if name == "homecare.builtin.probes" else name
        for name in plugins_mod.DEFAULT_PLUGINS
    )
    assert CANNED_MODULE in defaults
    monkeypatch.setattr(plugins_mod, "DEFAULT_PLUGINS", defaults)
    yield state


def test_version(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out == f"homecare {__version__}\n"


def test_help_lists_each_command_on_one_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("check", "history", "explain", "plugins"):
        lines = [line for line in out.splitlines() if re.match(rf"^\s+{command}\s+\S", line)]
        assert len(lines) == 1, (command, out)
        assert len(lines[0].split(None, 1)[1]) > 10  # with its one-line help


@pytest.mark.parametrize("argv", [["--bogus"], ["check", "--bogus"], ["check", "--skill", "x"]])
def test_unknown_option_is_a_usage_error(
    home: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert run(argv) == ExitStatus.USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "internal error" not in err
    assert err.splitlines()[0].startswith("homecare: ")


def test_unknown_area_is_a_usage_error(canned: Canned, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "nosuch"]) == ExitStatus.USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("homecare: Unknown area(s): nosuch.")
    assert "connectivity" in line and "dns" in line
    assert "Traceback" not in captured.err
    assert canned.runs == []


def test_check_json_healthy_is_saved_and_shown_again(
    canned: Canned, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["check", "--json"]) == ExitStatus.OK
    out = capsys.readouterr().out
    json.loads(out)  # nothing but JSON on stdout
    report = Report.model_validate_json(out)
    assert report.verdict.healthy is True
    assert report.findings == []
    assert report.areas == ["connectivity", "dns", "host"]
    assert report.data_of(DnsData) == canned.data["dns"]
    assert sorted(canned.runs) == ["dns", "host", "reachability"]

    assert run(["history"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 1
    assert listing[0].startswith(report.id[:8])
    assert "healthy" in listing[0]

    assert run(["history", "show", report.id[:8], "--json"]) == 0
    shown = Report.model_validate_json(capsys.readouterr().out)
    assert shown == report


def test_check_with_problems_exits_1(canned: Canned, capsys: pytest.CaptureFixture[str]) -> None:
    canned.data["dns"] = dns(lookup(ok=False))
    assert run(["check", "--json"]) == ExitStatus.PROBLEMS_FOUND
    report = Report.model_validate_json(capsys.readouterr().out)
    assert [f.code for f in report.findings] == ["dns.failing"]
    assert report.guidance[0].advice_id


def test_check_one_area_runs_its_dependencies_only(
    canned: Canned, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["check", "dns", "--json", "--no-save"]) == 0
    report = Report.model_validate_json(capsys.readouterr().out)
    assert sorted(canned.runs) == ["dns", "host"]
    assert report.areas == ["dns", "host"]
    assert run(["history"]) == 0
    assert "No checks yet" in capsys.readouterr().out


def test_check_plain_output(canned: Canned, capsys: pytest.CaptureFixture[str]) -> None:
    canned.data["dns"] = dns(lookup(ok=False))
    assert run(["check", "--plain"]) == ExitStatus.PROBLEMS_FOUND
    out = capsys.readouterr().out
    assert out.startswith("The problem is most likely in the router.")
    assert not ANSI.search(out)
    assert "✖" not in out


def test_no_save_never_says_saved(canned: Canned, capsys: pytest.CaptureFixture[str]) -> None:
    canned.data["dns"] = dns(lookup(ok=False))
    assert run(["check", "--plain", "--no-save"]) == ExitStatus.PROBLEMS_FOUND
    out = capsys.readouterr().out
    assert "saved" not in out and "history show" not in out
    assert run(["history"]) == 0
    assert "No checks yet" in capsys.readouterr().out
    assert run(["check", "--plain"]) == ExitStatus.PROBLEMS_FOUND
    assert "saved. Run 'homecare history show" in capsys.readouterr().out  # positive control


def test_no_color_wins(
    canned: Canned, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    canned.data["dns"] = dns(lookup(ok=False))
    monkeypatch.setenv("FORCE_COLOR", "1")
    run(["check", "--no-save"])
    assert ANSI.search(capsys.readouterr().out), "positive control: FORCE_COLOR colours"
    monkeypatch.setenv("NO_COLOR", "1")
    run(["check", "--no-save"])
    out = capsys.readouterr().out
    assert "router" in out
    assert not ANSI.search(out)


def test_corrupt_config_exits_3_and_is_left_alone(
    canned: Canned, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_bytes(b"provider = [oops\n")
    assert run(["check", "--json"]) == ExitStatus.CONFIG
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert str(config) in line
    assert config.read_bytes() == b"provider = [oops\n"
    assert canned.runs == []


def test_corrupt_history_exits_4_and_is_moved_aside(
    canned: Canned, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = home / "data" / "history.sqlite3"
    db.parent.mkdir(parents=True)
    garbage = b"not sqlite " * 100
    db.write_bytes(garbage)
    assert run(["history"]) == ExitStatus.STATE
    (line,) = capsys.readouterr().err.splitlines()
    assert "damaged" in line
    (aside,) = db.parent.glob("history.sqlite3.corrupt-*")
    assert aside.read_bytes() == garbage
    assert str(aside) in line
    # the next check starts a new history
    assert run(["check", "--json"]) == 0
    capsys.readouterr()
    assert db.exists()


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root ignores directory permissions, so a read-only home cannot be simulated",
)
def test_read_only_home_exits_4(
    canned: Canned, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home.chmod(0o500)
    try:
        assert run(["check", "--json"]) == ExitStatus.STATE
    finally:
        home.chmod(0o700)
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_history_show_unknown_id(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["history", "show", "ffffffff"]) == ExitStatus.USAGE
    assert "No check with id ffffffff" in capsys.readouterr().err


def test_explain_known_code(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["explain", "dns.failing"]) == 0
    out = capsys.readouterr().out
    assert "[dns.failing]" in out.splitlines()[0]
    assert "Step 1: " in out
    assert re.search(r"Advice id: A-\S+", out)
    assert "Support code" not in out
    assert "$ " not in out
    assert run(["explain", "dns.failing", "--skill", "expert"]) == 0
    assert "$ " in capsys.readouterr().out


def test_explain_lists_codes(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["explain"]) == 0
    codes = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert "dns.failing" in codes
    assert codes == sorted(codes)


def test_explain_unknown_code(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["explain", "nosuch"]) == ExitStatus.USAGE
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert "nosuch" in line


def test_plugins_lists_builtins(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["plugins"]) == 0
    out = capsys.readouterr().out
    for name, hook in (
        ("homecare.builtin.probes", "homecare_probes"),
        ("homecare.builtin.rules", "homecare_rules"),
        ("homecare.builtin.renderers", "homecare_renderers"),
    ):
        (line,) = [ln for ln in out.splitlines() if ln.startswith(name + " ")]
        assert "(built-in)" in line
        assert hook in line
    assert re.search(r"^areas: .*connectivity.*dns", out, re.M)
    assert run(["plugins", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["name"] for d in data} >= {"homecare.builtin.probes", "homecare.builtin.rules"}
