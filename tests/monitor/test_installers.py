"""The scheduler files: what they say, and systemd's own verdict on the units."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from homecare.monitor.installers import (
    UNIT,
    install_service,
    installed_files,
    render_files,
    uninstall_service,
)

PY = "/opt/my python/bin/python3"


def env(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}


def test_systemd_units_say_what_they_do(tmp_path: Path) -> None:
    files = render_files(env(tmp_path), 60, "Linux", python=PY)
    service = files[tmp_path / "cfg" / "systemd" / "user" / f"{UNIT}.service"]
    timer = files[tmp_path / "cfg" / "systemd" / "user" / f"{UNIT}.timer"]
    assert "ExecStart='/opt/my python/bin/python3' -m homecare monitor run --every 60" in service
    assert "Restart=on-failure" in service and "WantedBy=default.target" in service
    assert "OnUnitInactiveSec=15min" in timer and f"Unit={UNIT}.service" in timer


def _verify(tmp_path: Path, *units: Path) -> subprocess.CompletedProcess[str]:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return subprocess.run(
        ["systemd-analyze", "verify", "--user", *map(str, units)],
        capture_output=True,
        text=True,
        env={**env(tmp_path), "XDG_RUNTIME_DIR": str(runtime), "PATH": "/usr/bin:/bin"},
        check=False,
    )


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    result = install_service(env(tmp_path), 60, start=False, system="Linux")
    service, timer = result.written
    proc = _verify(tmp_path, service, timer)
    assert proc.returncode == 0 and proc.stderr.strip() == "", proc.stderr
    assert any("To start it: systemctl --user daemon-reload" in n for n in result.notes)
    # the same check does complain about a broken unit
    service.write_text(service.read_text().replace("Restart=on-failure", "Restart=sometimes"))
    assert "Failed to parse service restart specifier" in _verify(tmp_path, service).stderr


def test_launchd_plist_keeps_the_monitor_alive(tmp_path: Path) -> None:
    ((path, text),) = render_files(env(tmp_path), 120, "Darwin", python=PY).items()
    assert path == tmp_path / "Library" / "LaunchAgents" / "org.homecare.monitor.plist"
    plist = plistlib.loads(text.encode())
    assert plist["ProgramArguments"] == [PY, "-m", "homecare", "monitor", "run", "--every", "120"]
    assert plist["KeepAlive"] is True and plist["RunAtLoad"] is True


def test_windows_task_runs_at_logon_and_restarts(tmp_path: Path) -> None:
    ((_path, text),) = render_files(
        env(tmp_path), 60, "Windows", python=r"C:\Py 3\python.exe"
    ).items()
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    root = ElementTree.fromstring(text.replace('encoding="UTF-16"', ""))
    assert root.find("t:Triggers/t:LogonTrigger", ns) is not None
    assert root.findtext("t:Actions/t:Exec/t:Command", namespaces=ns) == r"C:\Py 3\python.exe"
    assert root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns) == (
        "-m homecare monitor run --every 60"
    )
    assert root.findtext("t:Settings/t:MultipleInstancesPolicy", namespaces=ns) == "IgnoreNew"
    assert root.findtext("t:Settings/t:ExecutionTimeLimit", namespaces=ns) == "PT0S"


def test_install_then_uninstall_leaves_nothing(tmp_path: Path) -> None:
    e = env(tmp_path)
    install_service(e, 60, start=False, system="Linux")
    assert len(installed_files(e, "Linux")) == 2
    result = uninstall_service(e, system="Linux")
    assert len(result.written) == 2 and installed_files(e, "Linux") == []
