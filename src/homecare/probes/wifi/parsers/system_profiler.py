"""``system_profiler SPAirPortDataType -json``: macOS link and cached neighbours.

Channel strings look like "149 (5GHz, 80MHz)" on current macOS and "36,80"
or a bare number on older releases; signal is "-55 dBm / -92 dBm". Since
macOS 14 names and BSSIDs may be withheld ("<redacted>" or absent) without
location permission, so everything is optional.
"""

from __future__ import annotations

import json
import re
from typing import Any

from homecare.models.wifi import Band, WifiLink, WifiNetwork
from homecare.probes.wifi.radio import (
    band_from_channel,
    band_from_label,
    first_number,
    frequency_from_channel,
    link_from_network,
    normalise_mac,
    normalise_security,
    plausible_dbm,
    standard_from_phy,
)

_CHANNEL_NEW = re.compile(r"^\s*(\d{1,3})\s*\(\s*([0-9.]+\s*GHz)\s*(?:,\s*(\d{2,3})\s*MHz)?\s*\)")
_CHANNEL_OLD = re.compile(r"^\s*(\d{1,3})\s*(?:,\s*([+-]?\d{1,3}))?\s*$")
_SIGNAL_NOISE = re.compile(r"(-?\d{1,3})\s*dBm\s*/\s*(-?\d{1,3})\s*dBm")


def parse_mac_channel(value: object) -> tuple[int | None, Band | None, int | None]:
    """Channel, band and width from any of the formats macOS has used."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, band_from_channel(value), None
    if not isinstance(value, str):
        return None, None, None
    text = value[:100]
    m = _CHANNEL_NEW.match(text)
    if m:
        channel = int(m.group(1))
        band = band_from_label(m.group(2).replace("2GHz", "2.4GHz")) or band_from_channel(channel)
        return channel, band, int(m.group(3)) if m.group(3) else None
    m = _CHANNEL_OLD.match(text)
    if m:
        channel = int(m.group(1))
        width: int | None = None
        if m.group(2):
            tail = int(m.group(2))
            width = tail if tail in (20, 40, 80, 160, 320) else 40 if tail in (1, -1) else None
        return channel, band_from_channel(channel), width
    return None, None, None


def _name(entry: dict[str, Any]) -> str | None:
    name = entry.get("_name")
    if not isinstance(name, str) or not name or name == "<redacted>":
        return None
    return name


def _signal(entry: dict[str, Any]) -> tuple[int | None, int | None]:
    value = entry.get("spairport_signal_noise")
    if not isinstance(value, str):
        return None, None
    m = _SIGNAL_NOISE.search(value[:100])
    if m:
        return plausible_dbm(float(m.group(1))), plausible_dbm(float(m.group(2)))
    return plausible_dbm(first_number(value)), None


def _str(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return value if isinstance(value, str) else None


def _network(entry: dict[str, Any], in_use: bool) -> WifiNetwork:
    channel, band, width = parse_mac_channel(entry.get("spairport_network_channel"))
    signal, _noise = _signal(entry)
    return WifiNetwork(
        ssid=_name(entry),
        bssid=normalise_mac(_str(entry, "spairport_network_bssid")),
        band=band,
        channel=channel,
        channel_width_mhz=width,
        frequency_mhz=frequency_from_channel(channel, band),
        signal_dbm=signal,
        security=normalise_security(_str(entry, "spairport_security_mode")),
        standard=standard_from_phy(_str(entry, "spairport_network_phymode"), band),
        in_use=in_use,
    )


def _interfaces(doc: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if not isinstance(doc, dict):
        return found
    sections = doc.get("SPAirPortDataType")
    if not isinstance(sections, list):
        return found
    for section in sections:
        if isinstance(section, dict):
            ifaces = section.get("spairport_airport_interfaces")
            if isinstance(ifaces, list):
                found.extend(i for i in ifaces if isinstance(i, dict))
    return found


def parse_system_profiler(text: str) -> tuple[WifiLink | None, list[WifiNetwork]]:
    """The current link (None when no Wi-Fi interface) and the other networks."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return None, []
    link: WifiLink | None = None
    networks: list[WifiNetwork] = []
    for iface in _interfaces(doc):
        name = _name(iface)
        current = iface.get("spairport_current_network_information")
        if isinstance(current, dict) and link is None:
            net = _network(current, in_use=True)
            _signal_dbm, noise = _signal(current)
            rate = current.get("spairport_network_rate")
            link = link_from_network(
                net,
                name,
                float(rate) if isinstance(rate, int | float) and rate >= 0 else None,
                noise_dbm=noise,
            )
            networks.append(net)
        elif link is None and "spairport_status_information" in iface:
            link = WifiLink(interface=name, connected=False)
        others = iface.get("spairport_airport_other_local_wireless_networks")
        if isinstance(others, list):
            networks.extend(_network(o, in_use=False) for o in others if isinstance(o, dict))
    return link, networks
