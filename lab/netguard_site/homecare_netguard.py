"""The test suite's safety net: no test, nor a program it starts, may reach the real network.

Every socket operation that addresses a peer (``connect``, ``sendto``,
``sendmsg``, ``bind``) and every name lookup goes through :class:`Guard`:
loopback, Unix and netlink sockets are always fine; anything else is allowed
only while an ``e2e`` test runs, and only on a socket that lives in a network
namespace other than the host's (the test built it, with addresses of its
own). The namespace is read from the socket itself (``SO_NETNS_COOKIE``), so a
socket made inside ``netns.enter()`` stays allowed after the thread moves
back, and one made on the host stays refused wherever the thread goes.

The root ``conftest.py`` installs it in the pytest process. Python programs
the tests start (``python -m homecare``, the lab servers, the collector) get
it too: the conftest puts this folder on ``PYTHONPATH``, where its
``sitecustomize`` installs the guard at start-up with the policy of the test
that started them (``HOMECARE_NETGUARD``: ``strict`` or ``e2e``). A refusal in
a child is a ``PermissionError`` (the program handles it as it would a
firewall) and a line in ``HOMECARE_NETGUARD_LOG``, which fails the test that
started it. Programs that are not Python (dnsmasq, iperf3, chromium) are not
covered: the lab starts them inside its namespaces only.

Standalone on purpose (stdlib only, no package import): it runs before
anything else in every child interpreter, so it must be cheap and never fail.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

MODE_VARIABLE = "HOMECARE_NETGUARD"
LOG_VARIABLE = "HOMECARE_NETGUARD_LOG"
TEST_VARIABLE = "HOMECARE_NETGUARD_TEST"
SO_NETNS_COOKIE = getattr(socket, "SO_NETNS_COOKIE", 71)  # Linux >= 5.14
_LOCAL_FAMILIES = {
    getattr(socket, name) for name in ("AF_UNIX", "AF_NETLINK") if hasattr(socket, name)
}


class NetworkRefused(PermissionError):
    """A test (or a program it started) tried to reach beyond loopback outside its namespace."""


def netns_cookie(sock: socket.socket) -> int | None:
    """The identity of the network namespace *sock* was created in (None: unknown)."""
    try:
        raw = sock.getsockopt(socket.SOL_SOCKET, SO_NETNS_COOKIE, 8)
    except OSError:
        return None
    return int(struct.unpack("Q", raw)[0])


def current_netns_cookie() -> int | None:
    """The namespace this thread is in now."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        return netns_cookie(probe)
    finally:
        probe.close()


def is_local_address(family: int, address: Any, *, binding: bool = False) -> bool:
    """Whether *address* stays on this machine (for ``bind``: also the wildcard)."""
    if family in _LOCAL_FAMILIES:
        return True
    if family == getattr(socket, "AF_PACKET", -1):
        return isinstance(address, tuple) and bool(address) and address[0] == "lo"
    if family not in (socket.AF_INET, socket.AF_INET6):
        return False
    host = address[0] if isinstance(address, tuple) and address else address
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    if binding and host in ("", "0.0.0.0", "::"):  # noqa: S104 (a check, not a bind)
        return True  # listening sends nothing; replies go to whoever is local
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a name: resolving it would ask the host's resolver


def multicast_on_loopback(sock: socket.socket, family: int, address: Any) -> bool:
    """A multicast send whose outgoing interface is ``lo``."""
    try:
        group = ipaddress.ip_address(str(address[0]).split("%")[0])
    except (ValueError, TypeError, IndexError):
        return False
    if not group.is_multicast:
        return False
    try:
        if family == socket.AF_INET:
            raw = sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, 4)
            return ipaddress.IPv4Address(raw).is_loopback
        if family == socket.AF_INET6:
            index = sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF)
            return bool(index) and index == socket.if_nametoindex("lo")
    except OSError:
        return False
    return False


class Guard:
    """The policy for the running test: *e2e* tests may use their own namespaces."""

    def __init__(self, host_netns: int | None, log: str | None = None) -> None:
        self.host_netns = host_netns
        self.e2e = False
        self.test = "?"
        self.log = log

    def check(self, sock: socket.socket | None, family: int, address: Any, binding: bool) -> None:
        if is_local_address(family, address, binding=binding):
            return
        if sock is not None and multicast_on_loopback(sock, family, address):
            return  # mDNS/SSDP tests bound to lo: the group is only heard on lo
        if self.e2e and sock is not None:
            cookie = netns_cookie(sock)
            if cookie is not None and self.host_netns is not None and cookie != self.host_netns:
                return  # a namespace the test made itself
        self.refuse(
            f"a socket to {address!r} outside loopback"
            " (only e2e tests, on sockets inside their own network namespace, may do that)"
        )

    def check_lookup(self, host: Any) -> None:
        """A name lookup asks the host's resolver: allowed only to e2e tests."""
        if host is None or is_local_address(socket.AF_INET6, (host,), binding=True):
            return
        try:
            ipaddress.ip_address(str(host.decode() if isinstance(host, bytes) else host))
        except ValueError:
            if not self.e2e:
                self.refuse(f"resolving {host!r} needs DNS")

    def refuse(self, what: str) -> None:
        message = f"{self.test}: {what}"
        if self.log:
            try:
                with Path(self.log).open("a", encoding="utf-8") as out:
                    out.write(f"pid {os.getpid()}: {message}\n")
            except OSError:
                pass  # the refusal itself still stands
        raise NetworkRefused(message)


def _wrap(
    guard: Guard, original: Callable[..., Any], address_of: Callable[..., Any], binding: bool
) -> Callable[..., Any]:
    def guarded(self: socket.socket, *args: Any) -> Any:
        address = address_of(*args)
        if address is not None:
            guard.check(self, self.family, address, binding)
        return original(self, *args)

    guarded.__name__ = original.__name__
    guarded.__doc__ = original.__doc__
    return guarded


_ADDRESS_OF: dict[str, tuple[Callable[..., Any], bool]] = {
    "connect": (lambda address: address, False),
    "connect_ex": (lambda address: address, False),
    "bind": (lambda address: address, True),
    "sendto": (lambda *a: a[-1] if len(a) >= 2 else None, False),
    "sendmsg": (lambda *a: a[3] if len(a) >= 4 else None, False),
}


#: the guard this process installed last (None: none yet)
INSTALLED: Guard | None = None


def install(guard: Guard) -> None:
    """Route every addressed socket call and name lookup in this process through *guard*.

    Guards layer: a second one wraps the first, and both must allow a call.
    """
    global INSTALLED
    INSTALLED = guard
    for name, (address_of, binding) in _ADDRESS_OF.items():
        setattr(
            socket.socket, name, _wrap(guard, getattr(socket.socket, name), address_of, binding)
        )
    original_lookup = socket.getaddrinfo

    def guarded_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        guard.check_lookup(host)
        return original_lookup(host, *args, **kwargs)

    socket.getaddrinfo = guarded_lookup


def child_environment(
    environ: MutableMapping[str, str], *, e2e: bool, test: str, log: str, host_netns: int | None
) -> None:
    """Set what a child interpreter started now needs to guard itself like this test."""
    environ[MODE_VARIABLE] = f"e2e:{host_netns}" if e2e else f"strict:{host_netns}"
    environ[TEST_VARIABLE] = test
    environ[LOG_VARIABLE] = log


def install_from_environment(environ: Mapping[str, str]) -> Guard | None:
    """In a child: install the guard the test that started us asked for (None: not a test)."""
    mode = environ.get(MODE_VARIABLE, "")
    kind, _, host = mode.partition(":")
    if kind not in ("strict", "e2e"):
        return None
    guard = Guard(int(host) if host.isdigit() else None, environ.get(LOG_VARIABLE) or None)
    guard.e2e = kind == "e2e"
    guard.test = environ.get(TEST_VARIABLE, "?")
    install(guard)
    return guard
