"""A tiny home in network namespaces for discovery tests (root only).

Layout: namespace ``<p>lan`` holds bridge ``br0``; namespace ``<p>me`` is the
computer running homecare (10.77.0.10/24); ``<p>dN`` are devices
(10.77.0.(100+N)/24) with the MACs the test gives them. Everything is torn
down afterwards; nothing touches the host's own interfaces.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest

SUBNET = "10.77.0"
ME_IP = f"{SUBNET}.10"
ME_MAC = "02:77:00:00:00:10"


def _ip(*args: str, ns: str | None = None) -> None:
    cmd = ["ip", *(["-n", ns] if ns else []), *args]
    subprocess.run(cmd, check=True, capture_output=True)


def can_use_netns() -> bool:
    if os.geteuid() != 0:
        return False
    probe = f"hcd-chk-{os.getpid()}"
    try:
        _ip("netns", "add", probe)
    except (OSError, subprocess.CalledProcessError):
        return False
    subprocess.run(["ip", "netns", "del", probe], check=False, capture_output=True)
    return True


@dataclass
class MiniHome:
    prefix: str
    macs: Sequence[str]
    namespaces: list[str] = field(default_factory=list)

    @property
    def me(self) -> str:
        return f"{self.prefix}me"

    def device_ip(self, i: int) -> str:
        return f"{SUBNET}.{100 + i}"

    def up(self) -> None:
        lan = f"{self.prefix}lan"
        self._add(lan)
        _ip("link", "add", "br0", "type", "bridge", ns=lan)
        _ip("link", "set", "br0", "up", ns=lan)
        self._attach(self.me, "pme", ME_MAC, ME_IP)
        for i, mac in enumerate(self.macs):
            self._attach(f"{self.prefix}d{i}", f"p{i}", mac, self.device_ip(i))
        # Device 0 plays the router.
        _ip("route", "add", "default", "via", self.device_ip(0), ns=self.me)

    def _add(self, ns: str) -> None:
        _ip("netns", "add", ns)
        self.namespaces.append(ns)
        _ip("link", "set", "lo", "up", ns=ns)

    def _attach(self, ns: str, port: str, mac: str, addr: str) -> None:
        lan = f"{self.prefix}lan"
        self._add(ns)
        _ip("link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns, ns=lan)
        _ip("link", "set", port, "master", "br0", "up", ns=lan)
        _ip("link", "set", "eth0", "address", mac, ns=ns)
        _ip("addr", "add", f"{addr}/24", "dev", "eth0", ns=ns)
        _ip("link", "set", "eth0", "up", ns=ns)

    def down(self) -> None:
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], check=False, capture_output=True)
        self.namespaces.clear()

    def run(self, code: str, user: str | None = None, timeout: float = 60) -> str:
        """Run Python *code* inside the computer's namespace; return stdout."""
        import sys

        return self.run_args([sys.executable, "-c", code], user, timeout)

    def run_args(
        self,
        args: list[str],
        user: str | None = None,
        timeout: float = 60,
        extra_env: dict[str, str] | None = None,
        ok_codes: tuple[int, ...] = (0,),
    ) -> str:
        """Run a command inside the computer's namespace (as *user*); return stdout."""
        import sys

        cmd = ["ip", "netns", "exec", self.me]
        if user:
            import pwd

            entry = pwd.getpwnam(user)
            cmd += [
                "setpriv",
                f"--reuid={entry.pw_uid}",
                f"--regid={entry.pw_gid}",
                "--clear-groups",
                "--inh-caps=-all",
            ]
        cmd += args
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **(extra_env or {})}
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        if proc.returncode not in ok_codes:
            raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
        return proc.stdout


MINI_HOME_MACS = [
    "f0:18:98:00:00:01",  # Apple
    "b8:27:eb:00:00:02",  # Raspberry Pi
    "5c:aa:fd:00:00:03",  # Sonos
    "3c:5a:b4:00:00:04",  # Google
    "da:a1:19:00:00:05",  # randomized
]


@pytest.fixture(scope="session")
def mini_home() -> Iterator[MiniHome]:
    if not can_use_netns():
        pytest.skip("needs root and network namespaces")
    h = MiniHome(prefix=f"hcd{os.getpid() % 100000}", macs=MINI_HOME_MACS)
    try:
        h.up()
        yield h
    finally:
        h.down()
