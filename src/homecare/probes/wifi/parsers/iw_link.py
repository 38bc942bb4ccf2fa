"""``iw dev IF link``: the client's own association as the kernel sees it."""

from __future__ import annotations

from homecare.models.wifi import WifiLink
from homecare.probes.wifi.radio import (
    band_from_frequency,
    channel_from_frequency,
    first_number,
    normalise_mac,
    plausible_dbm,
    standard_from_bitrate,
    width_from_bitrate,
)


def _value(line: str) -> str:
    return line.split(":", 1)[1].strip() if ":" in line else ""


def parse_iw_link(text: str, interface: str | None = None) -> WifiLink:
    """A ``WifiLink``; ``connected=False`` for 'Not connected.' or garbage."""
    bssid: str | None = None
    ssid: str | None = None
    freq: float | None = None
    signal: int | None = None
    tx_text: str | None = None
    rx_text: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("Connected to "):
            rest = line[len("Connected to ") :].split(" ", 1)
            bssid = normalise_mac(rest[0])
            if "(on " in line and interface is None:
                interface = line.rsplit("(on ", 1)[1].rstrip(")").strip() or None
        elif line.startswith("SSID:"):
            ssid = raw.split("SSID:", 1)[1].strip() or None
        elif line.startswith("freq:"):
            freq = first_number(_value(line))
        elif line.startswith("signal:"):
            signal = plausible_dbm(first_number(_value(line)))
        elif line.startswith("tx bitrate:"):
            tx_text = _value(line)
        elif line.startswith("rx bitrate:"):
            rx_text = _value(line)
    if bssid is None:
        return WifiLink(interface=interface, connected=False)
    band = band_from_frequency(freq)
    rate_text = tx_text or rx_text
    return WifiLink(
        interface=interface,
        connected=True,
        ssid=ssid,
        bssid=bssid,
        band=band,
        channel=channel_from_frequency(freq),
        frequency_mhz=round(freq) if freq is not None else None,
        channel_width_mhz=width_from_bitrate(rate_text),
        signal_dbm=signal,
        tx_rate_mbps=first_number(tx_text),
        rx_rate_mbps=first_number(rx_text),
        standard=standard_from_bitrate(rate_text, band),
    )
