"""From the profile, the command line and the keyring to the router probe's settings.

The password is looked up only when a source asks for it (a FRITZ!Box or
OpenWrt was found), and it travels as a closure, never as data.
"""

from __future__ import annotations

import getpass
import threading
from pathlib import Path

from homecare.cli.run_context import RunContext
from homecare.context import Environment
from homecare.i18n import _
from homecare.models import Report
from homecare.models.router import RouterData
from homecare.probes.router.settings import RouterMode, RouterSettings
from homecare.store.router_secret import load_password, save_password


def ask_password(env: Environment, prompt: str) -> str | None:
    """One line, not echoed at a terminal; read from stdin otherwise (scripts, tests)."""
    if env.stdin_isatty:
        try:
            return getpass.getpass(prompt, stream=env.stderr) or None
        except (EOFError, KeyboardInterrupt):
            return None
    env.stderr.write(prompt)
    line = env.stdin.readline()
    env.stderr.write("\n")  # the answer came from a pipe: end the prompt's line
    return line.rstrip("\r\n") or None


def router_settings(
    session: RunContext, mode: RouterMode | None = None, asked: str | None = None
) -> RouterSettings:
    prefs = session.person.router
    lock = threading.Lock()
    found: list[str | None] = []

    def password() -> str | None:
        with lock:
            if not found:
                found.append(asked or load_password(prefs.address, prefs.user))
            return found[0]

    return RouterSettings(
        mode=mode or prefs.mode,
        kind=prefs.kind,
        address=prefs.address,
        user=prefs.user,
        password=password,
        tr064_port=prefs.tr064_port,
        ubus_url=prefs.ubus_url,
        lease_files=tuple(Path(p) for p in prefs.leases),
        wan_interface=prefs.wan_interface,
        lan_network=prefs.lan_network,
        cache_dir=session.env.home.data_dir / "router-api",
    )


def refused_line(report: Report) -> str | None:
    """The one line to print when the router refused the password, else None."""
    data = report.data_of(RouterData)
    if data is None or not data.auth_refused:
        return None
    return _(
        "The router refused the user name or password. Set them again with 'homecare router login'."
    )


def keep_password(session: RunContext, report: Report, password: str) -> bool:
    """A typed password the router accepted goes to the OS keyring (when there is one),
    so the next check needs no prompt. Never stored when it was refused or unused."""
    data = report.data_of(RouterData)
    if data is None or data.auth_refused or not ({"tr064", "ubus"} & set(data.sources)):
        return False
    prefs = session.person.router
    return save_password(prefs.address, prefs.user, password)
