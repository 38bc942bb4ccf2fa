"""``iw dev IF station dump``: per-peer counters.

On a client the only peer is the access point, and its entry carries the
retry and failure counters ``iw link`` lacks. On an access point each entry
is one associated client: the router-mode view of who is struggling.
"""

from __future__ import annotations

from homecare.models.wifi import Band, WifiStation
from homecare.probes.wifi.radio import (
    first_int,
    first_number,
    normalise_mac,
    plausible_dbm,
    standard_from_bitrate,
)


def parse_iw_station_dump(text: str, band: Band | None = None) -> list[WifiStation]:
    """One ``WifiStation`` per 'Station MAC (on IF)' block.

    Multi-link (MLO) entries repeat counters per link; the first figure seen
    is kept, which is the primary link's.
    """
    stations: list[WifiStation] = []
    fields: dict[str, object] = {}

    def flush() -> None:
        if "mac" in fields:
            stations.append(WifiStation.model_validate(fields))

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("Station "):
            flush()
            parts = line.split()
            mac = normalise_mac(parts[1]) if len(parts) > 1 else None
            fields = {"mac": mac, "band": band} if mac else {}
            if mac and "(on " in line:
                fields["interface"] = line.rsplit("(on ", 1)[1].rstrip(")").strip() or None
            continue
        if not fields or ":" not in line:
            continue
        key, value = (p.strip() for p in line.split(":", 1))
        target = _KEYS.get(key)
        if target is None or target in fields:
            continue
        if target == "signal_dbm":
            fields[target] = plausible_dbm(first_number(value))
        elif target in ("tx_rate_mbps", "rx_rate_mbps"):
            fields[target] = first_number(value)
            if target == "tx_rate_mbps":
                fields["standard"] = standard_from_bitrate(value, band)
        else:
            number = first_int(value)
            fields[target] = number if number is not None and number >= 0 else None
    flush()
    return stations


_KEYS = {
    "inactive time": "inactive_ms",
    "tx packets": "tx_packets",
    "tx retries": "tx_retries",
    "tx failed": "tx_failed",
    "signal": "signal_dbm",
    "tx bitrate": "tx_rate_mbps",
    "rx bitrate": "rx_rate_mbps",
    "connected time": "connected_s",
}
