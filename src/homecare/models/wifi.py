"""The Wi-Fi link as a technician would describe it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from homecare.models.common import Strict

Band = Literal["2.4GHz", "5GHz", "6GHz"]
WifiStandard = Literal["802.11a/b/g", "wifi4", "wifi5", "wifi6", "wifi6e", "wifi7"]


class WifiLink(Strict):
    """The host's own association. SSID stays local (anonymizer drops it)."""

    interface: str | None = None
    connected: bool
    ssid: str | None = None
    bssid: str | None = None
    band: Band | None = None
    channel: int | None = None
    channel_width_mhz: int | None = None
    frequency_mhz: int | None = None
    signal_dbm: int | None = None
    noise_dbm: int | None = None
    tx_rate_mbps: float | None = None
    rx_rate_mbps: float | None = None
    standard: WifiStandard | None = None
    security: str | None = Field(
        default=None,
        description="Canonical: open, owe, wep, wpa, wpa/wpa2, wpa2, wpa2/wpa3, wpa3 (+ '-enterprise').",
    )
    cipher: str | None = Field(default=None, description="Pairwise cipher: ccmp, gcmp, tkip, wep.")
    tx_retries: int | None = None
    tx_failed: int | None = None
    tx_packets: int | None = None


class WifiNetwork(Strict):
    """A neighbouring network seen in a scan."""

    ssid: str | None = None
    bssid: str | None = None
    band: Band | None = None
    channel: int | None = None
    channel_width_mhz: int | None = None
    frequency_mhz: int | None = None
    signal_dbm: int | None = None
    security: str | None = None
    cipher: str | None = None
    standard: WifiStandard | None = None
    in_use: bool = False


class WifiStation(Strict):
    """A client associated to this host acting as access point (router mode)."""

    mac: str
    interface: str | None = None
    signal_dbm: int | None = None
    tx_rate_mbps: float | None = None
    rx_rate_mbps: float | None = None
    inactive_ms: int | None = None
    tx_retries: int | None = None
    tx_failed: int | None = None
    tx_packets: int | None = None
    connected_s: int | None = None
    band: Band | None = None
    standard: WifiStandard | None = None


class ChannelAdvice(Strict):
    """How crowded each channel of one band is, and where to move."""

    band: Band
    occupancy: dict[int, int] = Field(
        default_factory=dict, description="Channel number to count of networks overlapping it."
    )
    current: int | None = None
    recommended: int | None = None


class WifiData(Strict):
    """Observation payload of the ``wifi`` probe."""

    kind: Literal["wifi"] = "wifi"
    source: str = Field(
        description="Which tool the figures came from, e.g. 'iw', 'nmcli', 'netsh'."
    )
    link: WifiLink | None = None
    networks: list[WifiNetwork] = Field(default_factory=list)
    stations: list[WifiStation] = Field(default_factory=list)
    channels: list[ChannelAdvice] = Field(default_factory=list)
    note: str | None = None
