"""The whole suite's safety net: no test may send a packet to the real network.

Every socket operation that addresses a peer (``connect``, ``sendto``,
``sendmsg``, ``bind``) and every name lookup goes through a check: loopback,
Unix and netlink sockets are always fine; anything else is allowed only to a
test marked ``e2e`` and only on a socket that lives in a network namespace
other than the host's (the test built it, with addresses of its own). The
namespace is read from the socket itself (``SO_NETNS_COOKIE``), so a socket
made inside ``netns.enter()`` stays allowed after the thread moves back, and
one made on the host stays refused wherever the thread goes.

Child processes are not covered (a test that runs ``homecare`` on the host in
a subprocess is caught by review, not here); the e2e tests run theirs with
``ip netns exec``.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from collections.abc import Callable, Iterator
from typing import Any

import pytest

#: the CLI-level harness (a Home with canned probes) any test folder may use
pytest_plugins = ["tests.cli_harness"]

SO_NETNS_COOKIE = getattr(socket, "SO_NETNS_COOKIE", 71)  # Linux >= 5.14
_LOCAL_FAMILIES = {
    getattr(socket, name) for name in ("AF_UNIX", "AF_NETLINK") if hasattr(socket, name)
}


class NetworkRefused(RuntimeError):
    """A test tried to reach beyond loopback outside a namespace of its own."""


def _cookie(sock: socket.socket) -> int | None:
    try:
        raw = sock.getsockopt(socket.SOL_SOCKET, SO_NETNS_COOKIE, 8)
    except OSError:
        return None
    return int(struct.unpack("Q", raw)[0])


def _host_cookie() -> int | None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        return _cookie(probe)
    finally:
        probe.close()


HOST_NETNS = _host_cookie()


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


def _multicast_on_loopback(sock: socket.socket, family: int, address: Any) -> bool:
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
    """The policy for the running test."""

    def __init__(self) -> None:
        self.e2e = False
        self.test = "?"

    def check(self, sock: socket.socket | None, family: int, address: Any, binding: bool) -> None:
        if is_local_address(family, address, binding=binding):
            return
        if sock is not None and _multicast_on_loopback(sock, family, address):
            return  # mDNS/SSDP tests bound to lo: the group is only heard on lo
        if self.e2e and sock is not None:
            cookie = _cookie(sock)
            if cookie is not None and HOST_NETNS is not None and cookie != HOST_NETNS:
                return  # a namespace the test made itself
        raise NetworkRefused(
            f"{self.test}: a socket to {address!r} outside loopback"
            " (only e2e tests, on sockets inside their own network namespace, may do that)"
        )


GUARD = Guard()


def _wrap(name: str, address_of: Callable[..., Any], binding: bool = False) -> Callable[..., Any]:
    original = getattr(socket.socket, name)

    def guarded(self: socket.socket, *args: Any) -> Any:
        address = address_of(*args)
        if address is not None:
            GUARD.check(self, self.family, address, binding)
        return original(self, *args)

    guarded.__name__ = name
    guarded.__doc__ = original.__doc__
    return guarded


def _getaddrinfo_guard(original: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not is_local_address(socket.AF_INET6, (host,), binding=True):
            try:
                ipaddress.ip_address(str(host.decode() if isinstance(host, bytes) else host))
            except ValueError:
                # a name lookup asks the host's resolver: allowed only inside a namespace
                if not GUARD.e2e:
                    raise NetworkRefused(f"{GUARD.test}: resolving {host!r} needs DNS") from None
        return original(host, *args, **kwargs)

    return guarded


PATCHES: dict[str, Callable[..., Any]] = {
    "connect": _wrap("connect", lambda address: address),
    "connect_ex": _wrap("connect_ex", lambda address: address),
    "bind": _wrap("bind", lambda address: address, binding=True),
    "sendto": _wrap("sendto", lambda *a: a[-1] if len(a) >= 2 else None),
    "sendmsg": _wrap("sendmsg", lambda *a: a[3] if len(a) >= 4 else None),
}


def pytest_configure(config: pytest.Config) -> None:
    for name, fn in PATCHES.items():
        setattr(socket.socket, name, fn)
    socket.getaddrinfo = _getaddrinfo_guard(socket.getaddrinfo)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """The policy of the test about to run, for its fixtures of any scope too."""
    GUARD.e2e = item.get_closest_marker("e2e") is not None
    GUARD.test = item.nodeid
    yield
    GUARD.e2e = False
    GUARD.test = "?"
