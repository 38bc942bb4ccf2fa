"""What device-derived labels may leave the machine: closed lists only.

A device chooses its own mDNS service types and SSDP/UPnP URNs, so a type
such as ``_hans-schmidt-laptop._tcp`` or ``urn:schemas-upnp-org:device:
Hans-Schmidt:1`` would carry whatever its owner typed. Only the standard,
well-known types below are uploaded; any other is left out (the inventory
on the machine still shows it). A vendor is uploaded only as the IEEE OUI
table names it for the device's MAC, never as a device described itself
(a UPnP ``manufacturer`` is free text: "Hans Schmidt").
"""

from __future__ import annotations

from homecare.probes.discovery import oui
from homecare.probes.discovery.mdns import DEFAULT_TYPES

#: mDNS service types homecare browses for (short form, ``_x._tcp``).
MDNS_TYPES: frozenset[str] = frozenset(t.removesuffix(".local.") for t in DEFAULT_TYPES)

#: Standard UPnP Forum, DIAL and Wi-Fi Alliance device and service types.
SSDP_TYPES: frozenset[str] = frozenset(
    f"urn:{domain}:{kind}:{name}:{version}"
    for domain, kind, name, versions in (
        ("schemas-upnp-org", "device", "InternetGatewayDevice", (1, 2)),
        ("schemas-upnp-org", "device", "WANDevice", (1, 2)),
        ("schemas-upnp-org", "device", "WANConnectionDevice", (1, 2)),
        ("schemas-upnp-org", "device", "LANDevice", (1,)),
        ("schemas-upnp-org", "device", "MediaRenderer", (1, 2, 3)),
        ("schemas-upnp-org", "device", "MediaServer", (1, 2, 3, 4)),
        ("schemas-upnp-org", "device", "Basic", (1,)),
        ("schemas-upnp-org", "device", "Printer", (1,)),
        ("schemas-upnp-org", "device", "DimmableLight", (1,)),
        ("schemas-upnp-org", "device", "BinaryLight", (1,)),
        ("schemas-upnp-org", "service", "WANIPConnection", (1, 2)),
        ("schemas-upnp-org", "service", "WANPPPConnection", (1,)),
        ("schemas-upnp-org", "service", "WANCommonInterfaceConfig", (1,)),
        ("schemas-upnp-org", "service", "WANIPv6FirewallControl", (1,)),
        ("schemas-upnp-org", "service", "Layer3Forwarding", (1,)),
        ("schemas-upnp-org", "service", "ContentDirectory", (1, 2, 3, 4)),
        ("schemas-upnp-org", "service", "ConnectionManager", (1, 2, 3)),
        ("schemas-upnp-org", "service", "AVTransport", (1, 2, 3)),
        ("schemas-upnp-org", "service", "RenderingControl", (1, 2, 3)),
        ("schemas-upnp-org", "service", "PrintBasic", (1,)),
        ("schemas-upnp-org", "service", "SwitchPower", (1,)),
        ("schemas-upnp-org", "service", "Dimming", (1,)),
        ("dial-multiscreen-org", "service", "dial", (1,)),
        ("dial-multiscreen-org", "device", "dial", (1,)),
        ("schemas-wifialliance-org", "device", "WFADevice", (1,)),
        ("schemas-wifialliance-org", "service", "WFAWLANConfig", (1,)),
    )
    for version in versions
)


def mdns_type(raw: str) -> str | None:
    """``_ipp._tcp.local.`` -> ``_ipp._tcp`` when it is a listed type."""
    short = raw.strip().lower().removesuffix(".").removesuffix(".local")
    return short if short in MDNS_TYPES else None


def ssdp_type(raw: str) -> str | None:
    value = raw.strip()
    return value if value in SSDP_TYPES else None


def oui_vendor(mac: str | None) -> str | None:
    """The vendor the shipped OUI table names for *mac* (None when randomized
    or unknown): the only vendor text that is ever uploaded."""
    return oui.lookup(mac) if mac else None
