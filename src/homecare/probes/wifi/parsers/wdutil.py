"""``wdutil info`` (macOS 12.3+, needs root): the link as Apple's own tool sees it.

The WIFI section holds 'Label : value' lines; the channel reads "5g149/80"
(band, number, width). Only the WIFI section is read: other sections reuse
labels like 'Power'.
"""

from __future__ import annotations

import re

from homecare.models.wifi import WifiLink
from homecare.probes.wifi.radio import (
    band_from_channel,
    band_from_label,
    first_number,
    frequency_from_channel,
    normalise_mac,
    normalise_security,
    plausible_dbm,
    standard_from_phy,
)

_CHANNEL = re.compile(r"^([256])g(\d{1,3})(?:/(\d{2,3}))?")


def parse_wdutil_info(text: str) -> WifiLink | None:
    """None when the output has no WIFI section (not root, other tool)."""
    values: dict[str, str] = {}
    in_wifi = False
    seen_wifi = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or set(line) <= {"—", "-", "="}:
            continue
        if ":" not in line:
            in_wifi = line.upper() == "WIFI"
            seen_wifi = seen_wifi or in_wifi
            continue
        if in_wifi:
            label, _, value = line.partition(":")
            values.setdefault(label.strip().lower(), value.strip())
    if not seen_wifi:
        return None
    channel: int | None = None
    width: int | None = None
    band = None
    m = _CHANNEL.match(values.get("channel", "").lower())
    if m:
        band = band_from_label(m.group(1) + "g")
        channel = int(m.group(2))
        width = int(m.group(3)) if m.group(3) else None
    else:
        channel_f = first_number(values.get("channel"))
        channel = round(channel_f) if channel_f is not None else None
        band = band_from_channel(channel)
    ssid = values.get("ssid") or None
    bssid = normalise_mac(values.get("bssid"))
    # A disassociated radio reports "RSSI : 0 dBm"; 0 is not a reading.
    signal = plausible_dbm(first_number(values.get("rssi"))) or None
    if ssid and ssid.lower() == "none":
        ssid = None
    connected = bool(bssid or ssid or signal is not None)
    if not connected:
        return WifiLink(interface=values.get("interface name") or None, connected=False)
    return WifiLink(
        interface=values.get("interface name") or None,
        connected=True,
        ssid=ssid,
        bssid=bssid,
        band=band,
        channel=channel,
        channel_width_mhz=width,
        frequency_mhz=frequency_from_channel(channel, band),
        signal_dbm=signal,
        noise_dbm=plausible_dbm(first_number(values.get("noise"))) or None,
        tx_rate_mbps=first_number(values.get("tx rate")) or None,
        standard=standard_from_phy(values.get("phy mode"), band),
        security=normalise_security(values.get("security")),
    )
