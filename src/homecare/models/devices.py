"""Devices found on the home network."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from homecare.models.common import Strict

DeviceType = Literal[
    "router",
    "computer",
    "phone",
    "tablet",
    "tv",
    "printer",
    "speaker",
    "camera",
    "game-console",
    "iot",
    "nas",
    "unknown",
]


class Service(Strict):
    """One advertised service (mDNS/DNS-SD or UPnP)."""

    source: Literal["mdns", "ssdp"]
    type: str
    name: str | None = None
    port: int | None = None
    properties: dict[str, str] = Field(default_factory=dict)


class Device(Strict):
    """One device in the inventory, keyed by MAC (or IP when no MAC is known)."""

    key: str
    mac: str | None = None
    ipv4: list[str] = Field(default_factory=list)
    ipv6: list[str] = Field(default_factory=list)
    vendor: str | None = None
    hostname: str | None = None
    nickname: str | None = Field(default=None, description="Set by the user; never uploaded.")
    model: str | None = None
    type: DeviceType = "unknown"
    type_evidence: list[str] = Field(default_factory=list)
    randomized_mac: bool = False
    services: list[Service] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    is_gateway: bool = False
    is_self: bool = False


class DevicesData(Strict):
    """Observation payload of the ``devices`` probe."""

    kind: Literal["devices"] = "devices"
    method: str
    method_note: str | None = None
    subnet: str | None = None
    devices: list[Device] = Field(default_factory=list)
    dhcp_servers: list[str] | None = Field(
        default=None,
        description="Servers that offered an address to a DHCPDISCOVER; None when not checked "
        "(the check needs privileges).",
    )
    new_since_last: list[str] = Field(default_factory=list)
    missing_since_last: list[str] = Field(default_factory=list)
    missing_devices: list[Device] = Field(
        default_factory=list,
        description="The devices of missing_since_last as last seen (with this home's names).",
    )
