"""What the host itself looks like: interfaces, routes and resolvers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from homecare.models.common import Strict


class InterfaceAddress(Strict):
    family: Literal["ipv4", "ipv6", "mac"]
    address: str
    prefix_len: int | None = None


class InterfaceCounters(Strict):
    bytes_sent: int = 0
    bytes_recv: int = 0
    errors_in: int = 0
    errors_out: int = 0
    drops_in: int = 0
    drops_out: int = 0


class Interface(Strict):
    name: str
    kind: Literal["wifi", "wired", "loopback", "virtual", "unknown"]
    is_up: bool
    speed_mbps: int | None = Field(default=None, description="Link speed; None when unknown.")
    mtu: int | None = None
    mac: str | None = None
    addresses: list[InterfaceAddress] = Field(default_factory=list)
    counters: InterfaceCounters | None = None


class Route(Strict):
    family: Literal["ipv4", "ipv6"]
    gateway: str
    interface: str | None = None


class HostData(Strict):
    """Observation payload of the ``host`` probe."""

    kind: Literal["host"] = "host"
    hostname_hash: str | None = Field(
        default=None, description="Not the host name: a local-only digest used to tell hosts apart."
    )
    os: str
    interfaces: list[Interface] = Field(default_factory=list)
    default_routes: list[Route] = Field(default_factory=list)
    resolvers: list[str] = Field(default_factory=list)
    primary_interface: str | None = None
    connection: Literal["wifi", "wired", "none", "unknown"] = "unknown"
