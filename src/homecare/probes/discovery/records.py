"""Plain records each discovery source yields before they are merged.

Sources stay independent of the report model: a parser returns these small
frozen dataclasses, and only :mod:`inventory` turns them into
:class:`~homecare.models.devices.Device` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Neighbour:
    """One IP-to-MAC binding, from an ARP reply or the kernel's neighbour table."""

    ip: str
    mac: str | None
    interface: str | None = None
    state: str | None = None


@dataclass(frozen=True)
class MdnsService:
    """One resolved DNS-SD service instance."""

    type: str
    instance: str
    server: str | None = None
    port: int | None = None
    addresses: tuple[str, ...] = ()
    txt: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SsdpResponse:
    """One answer to an M-SEARCH (or a NOTIFY), from the address that sent it."""

    ip: str
    location: str | None = None
    server: str | None = None
    st: str | None = None
    usn: str | None = None


@dataclass(frozen=True)
class UpnpDescription:
    """The root device of a UPnP description document."""

    friendly_name: str | None = None
    manufacturer: str | None = None
    model_name: str | None = None
    model_number: str | None = None
    device_type: str | None = None


@dataclass(frozen=True)
class SsdpDevice:
    """Everything SSDP/UPnP told about one responding address."""

    ip: str
    responses: tuple[SsdpResponse, ...] = ()
    description: UpnpDescription | None = None


@dataclass(frozen=True)
class Lease:
    """A DHCP lease from the router's own lease file."""

    ip: str
    mac: str | None = None
    hostname: str | None = None
    expiry: int | None = None
