"""What the router and the access line already know.

A laptop can only guess at the line; the router knows its sync rate, noise
margin, error counters, WAN byte counters and how well it hears every Wi-Fi
client. ``RouterData`` is the ``router`` area's payload, whichever way it was
read (UPnP IGD, AVM TR-064, OpenWrt ubus, or homecare running on the router).
Host names, MACs and SSIDs in here are personal: the anonymizer keeps the
line figures and counters and drops those.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from homecare.models.common import Strict

RouterSource = Literal["igd", "tr064", "ubus", "local"]
LineType = Literal["adsl", "vdsl", "dsl", "fibre", "cable", "ethernet", "mobile", "unknown"]


class LineInfo(Strict):
    """The access line as the router reports it (DSL figures only on DSL)."""

    type: LineType = "unknown"
    status: str | None = Field(default=None, description="Physical link status (Up, Down, ...).")
    sync_down_kbit: int | None = Field(default=None, description="Current sync / layer-1 rate.")
    sync_up_kbit: int | None = None
    attainable_down_kbit: int | None = Field(
        default=None, description="The most the line could carry at its current quality."
    )
    attainable_up_kbit: int | None = None
    noise_margin_down_db: float | None = None
    noise_margin_up_db: float | None = None
    attenuation_down_db: float | None = None
    attenuation_up_db: float | None = None
    crc_errors: int | None = None
    fec_errors: int | None = None
    errored_seconds: int | None = None
    severely_errored_seconds: int | None = None
    retrains: int | None = Field(default=None, description="Line resyncs the modem counted.")
    log_resyncs: int | None = Field(
        default=None, description="Resyncs and disconnects seen in the router's own log."
    )
    line_uptime_s: int | None = Field(default=None, description="Seconds since the last sync.")


class WanSample(Strict):
    """One reading of the WAN counters, ``t_s`` seconds after the first."""

    t_s: float
    bytes_received: int
    bytes_sent: int


class WanCounters(Strict):
    """WAN counters read from the router, with how wide they are (32-bit wrap)."""

    bits: Literal[32, 64] = 64
    bytes_received: int | None = None
    bytes_sent: int | None = None
    packets_received: int | None = None
    packets_sent: int | None = None
    samples: list[WanSample] = Field(default_factory=list)
    down_mbit: float | None = Field(default=None, description="Current WAN load, downstream.")
    up_mbit: float | None = None
    interval_s: float | None = Field(default=None, description="Time between the load samples.")


class SharedLine(Strict):
    """The WAN during the speed test: how much of it was the test itself."""

    window_s: float
    wan_down_mbit: float = Field(description="Everything the WAN received in the test window.")
    wan_up_mbit: float
    test_down_mbit: float | None = Field(
        default=None, description="What the speed test itself measured (download)."
    )
    other_down_mbit: float = Field(description="Other devices' share of the WAN, downstream.")
    other_up_mbit: float


class RouterClient(Strict):
    """A LAN device as the router sees it: lease, Wi-Fi signal, traffic."""

    mac: str | None = None
    ip: str | None = None
    hostname: str | None = None
    nickname: str | None = Field(default=None, description="The person's name for the device.")
    wifi: bool = False
    radio: str | None = Field(default=None, description="Radio or interface the client is on.")
    signal_dbm: float | None = None
    tx_mbit: float | None = Field(default=None, description="Router to client link rate.")
    rx_mbit: float | None = None
    active: bool | None = None
    down_bytes: int | None = Field(default=None, description="Bytes to this device (conntrack).")
    up_bytes: int | None = None


class RouterRadio(Strict):
    """One of the router's radios and how busy its channel is (ubus ``iwinfo survey``)."""

    name: str
    frequency_mhz: int | None = None
    channel: int | None = None
    noise_dbm: float | None = None
    busy_pct: float | None = Field(
        default=None, description="Share of air time the channel was busy."
    )


class RouterData(Strict):
    """Observation payload of the ``router`` probe."""

    kind: Literal["router"] = "router"
    source: RouterSource = Field(description="Where the main figures came from.")
    sources: list[RouterSource] = Field(default_factory=list, description="Every source read.")
    address: str | None = Field(default=None, description="The router's LAN address.")
    vendor: str | None = None
    model: str | None = None
    firmware: str | None = None
    uptime_s: int | None = Field(default=None, description="Seconds since the router started.")
    wan_status: str | None = Field(default=None, description="Connected, Disconnected, ...")
    wan_uptime_s: int | None = Field(default=None, description="Seconds the WAN has been up.")
    last_error: str | None = None
    external_ip: str | None = None
    line: LineInfo | None = None
    counters: WanCounters | None = None
    during_speed_test: SharedLine | None = None
    clients: list[RouterClient] = Field(default_factory=list)
    radios: list[RouterRadio] = Field(default_factory=list)
    auth_refused: bool = Field(default=False, description="The router refused the password.")
    errors: list[str] = Field(default_factory=list, description="Sources that failed, and why.")
