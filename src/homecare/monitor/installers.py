"""The platform's own scheduler runs the monitor: systemd (user), launchd, Task Scheduler.

The monitor is one long-lived ``homecare monitor run`` (cheaper than starting
Python every minute). On Linux a user service runs it, restarted on failure,
and a timer starts it after login and again whenever it has stopped; on
macOS a launchd agent keeps it alive; on Windows a logon task with restart
on failure. The files are generated here and tested for content; the
command line is the same everywhere.
"""

from __future__ import annotations

import platform
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from homecare.i18n import _

UNIT = "homecare-monitor"
LAUNCHD_LABEL = "org.homecare.monitor"
WINDOWS_TASK = "homecare monitor"


@dataclass
class InstallResult:
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def monitor_argv(every_s: float, python: str | None = None) -> list[str]:
    return [python or sys.executable, "-m", "homecare", "monitor", "run", "--every", f"{every_s:g}"]


def systemd_service(argv: Sequence[str]) -> str:
    return f"""[Unit]
Description=homecare: watch the home connection and alert on trouble
After=network-online.target

[Service]
Type=simple
ExecStart={shlex.join(argv)}
Restart=on-failure
RestartSec=30
Nice=10
CPUQuota=20%
MemoryMax=300M
NoNewPrivileges=yes

[Install]
WantedBy=default.target
"""


def systemd_timer() -> str:
    return f"""[Unit]
Description=homecare: start the monitor after login and whenever it has stopped

[Timer]
OnStartupSec=1min
OnUnitInactiveSec=15min
Unit={UNIT}.service

[Install]
WantedBy=timers.target
"""


def launchd_plist(argv: Sequence[str], log_dir: Path) -> str:
    args = "\n".join(f"        <string>{escape(a)}</string>" for a in argv)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
    <key>Label</key>
    <string>{LAUNCHD_LABEL}</string>
    <key>ProgramArguments</key>
    <array>
{args}
    </array>
    <key>RunAtLoad</key>
    <true/>
    <key>KeepAlive</key>
    <true/>
    <key>ThrottleInterval</key>
    <integer>30</integer>
    <key>ProcessType</key>
    <string>Background</string>
    <key>StandardErrorPath</key>
    <string>{escape(str(log_dir / "monitor.log"))}</string>
</dict>
</plist>
"""


def windows_task_xml(argv: Sequence[str]) -> str:
    command, *args = argv
    arguments = subprocess.list2cmdline(args)
    return f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>homecare: watch the home connection and alert on trouble</Description>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <Delay>PT1M</Delay>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>7</Priority>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>999</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{escape(command)}</Command>
      <Arguments>{escape(arguments)}</Arguments>
    </Exec>
  </Actions>
</Task>
"""


def _home(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("HOME") or environ.get("USERPROFILE") or Path.home())


def target_files(environ: Mapping[str, str], system: str | None = None) -> list[Path]:
    system = system or platform.system()
    home = _home(environ)
    if system == "Darwin":
        return [home / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"]
    if system == "Windows":
        base = Path(environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return [base / "homecare" / "monitor-task.xml"]
    config = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    unit_dir = config / "systemd" / "user"
    return [unit_dir / f"{UNIT}.service", unit_dir / f"{UNIT}.timer"]


def installed_files(environ: Mapping[str, str], system: str | None = None) -> list[Path]:
    return [p for p in target_files(environ, system) if p.exists()]


def render_files(
    environ: Mapping[str, str], every_s: float, system: str | None = None, python: str | None = None
) -> dict[Path, str]:
    system = system or platform.system()
    argv = monitor_argv(every_s, python)
    paths = target_files(environ, system)
    if system == "Darwin":
        return {paths[0]: launchd_plist(argv, _home(environ) / "Library" / "Logs" / "homecare")}
    if system == "Windows":
        return {paths[0]: windows_task_xml(argv)}
    return {paths[0]: systemd_service(argv), paths[1]: systemd_timer()}


def install_service(
    environ: Mapping[str, str], every_s: float, start: bool = True, system: str | None = None
) -> InstallResult:
    system = system or platform.system()
    result = InstallResult()
    for path, text in render_files(environ, every_s, system).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-16" if path.suffix == ".xml" else "utf-8")
        result.written.append(path)
    commands = _start_commands(system, result.written)
    if start:
        result.notes += _run(commands, environ)
    else:
        result.notes.append(
            _("To start it: {cmd}").format(cmd=" && ".join(map(shlex.join, commands)))
        )
    return result


def uninstall_service(environ: Mapping[str, str], system: str | None = None) -> InstallResult:
    system = system or platform.system()
    result = InstallResult()
    files = installed_files(environ, system)
    result.notes += _run(_stop_commands(system, files), environ)
    for path in files:
        path.unlink()
        result.written.append(path)
    if not files:
        result.notes.append(_("Monitoring was not installed."))
    return result


def _start_commands(system: str, files: Sequence[Path]) -> list[list[str]]:
    if system == "Darwin":
        return [["launchctl", "load", "-w", str(files[0])]]
    if system == "Windows":
        return [["schtasks", "/Create", "/TN", WINDOWS_TASK, "/XML", str(files[0]), "/F"]]
    return [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "--now", f"{UNIT}.timer"],
    ]


def _stop_commands(system: str, files: Sequence[Path]) -> list[list[str]]:
    if not files:
        return []
    if system == "Darwin":
        return [["launchctl", "unload", "-w", str(files[0])]]
    if system == "Windows":
        return [["schtasks", "/Delete", "/TN", WINDOWS_TASK, "/F"]]
    return [["systemctl", "--user", "disable", "--now", f"{UNIT}.timer", f"{UNIT}.service"]]


def _run(commands: Sequence[Sequence[str]], environ: Mapping[str, str]) -> list[str]:
    """Run the scheduler's own commands; a failure is a note, the files stay."""
    notes: list[str] = []
    for argv in commands:
        if shutil.which(argv[0]) is None:
            notes.append(_("{tool} not found; run this yourself: {cmd}").format(
                tool=argv[0], cmd=shlex.join(argv)))  # fmt: skip
            continue
        try:
            proc = subprocess.run(
                list(argv),
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
                env=dict(environ),
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            notes.append(f"{shlex.join(argv)}: {exc}")
            continue
        if proc.returncode != 0:
            detail = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
            notes.append(_("{cmd} failed: {error}").format(cmd=shlex.join(argv), error=detail))
    return notes
