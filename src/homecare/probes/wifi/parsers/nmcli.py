"""``nmcli -t -f FIELDS dev wifi list --rescan no``: NetworkManager's scan cache.

Terse mode separates fields with ':' and escapes ':' and '\\' inside values
with a backslash (BSSIDs come out as ``AA\\:BB\\:...``). The signal is a 0-100
quality, converted to dBm with the same mapping Windows uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from homecare.models.wifi import WifiNetwork
from homecare.probes.wifi.radio import (
    band_from_channel,
    band_from_frequency,
    first_int,
    first_number,
    normalise_cipher,
    normalise_mac,
    normalise_security,
    percent_to_dbm,
)

NMCLI_FIELDS: tuple[str, ...] = (
    "ACTIVE",
    "SSID",
    "BSSID",
    "CHAN",
    "FREQ",
    "RATE",
    "SIGNAL",
    "SECURITY",
    "RSN-FLAGS",
)


def split_terse(line: str) -> list[str]:
    """Split one terse line on unescaped ':' in a single linear pass."""
    out: list[str] = []
    buf: list[str] = []
    escaped = False
    for ch in line:
        if escaped:
            buf.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ":":
            out.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    out.append("".join(buf))
    return out


def parse_nmcli_wifi_list(
    text: str, fields: Sequence[str] = NMCLI_FIELDS
) -> list[tuple[WifiNetwork, float | None]]:
    """Networks plus the RATE nmcli reports for each (Mbit/s), in output order.

    Lines whose field count does not match *fields* are skipped: they are
    either an error message or a newer nmcli with different columns.
    """
    names = [f.strip().upper() for f in fields]
    result: list[tuple[WifiNetwork, float | None]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        values = split_terse(line)
        if len(values) != len(names):
            continue
        row = dict(zip(names, values, strict=True))
        freq = first_number(row.get("FREQ"))
        channel = first_int(row.get("CHAN"))
        band = band_from_frequency(freq) or band_from_channel(channel)
        in_use = row.get("ACTIVE", row.get("IN-USE", "")).strip().lower() in ("yes", "*")
        security = normalise_security(row.get("SECURITY", "") or "open")
        flags = " ".join(v for k, v in row.items() if k.endswith("FLAGS"))
        percent = first_number(row.get("SIGNAL"))
        result.append(
            (
                WifiNetwork(
                    ssid=row.get("SSID") or None,
                    bssid=normalise_mac(row.get("BSSID")),
                    band=band,
                    channel=channel if channel is not None and 0 < channel < 256 else None,
                    frequency_mhz=round(freq) if freq is not None and band else None,
                    signal_dbm=percent_to_dbm(percent),
                    security=security,
                    cipher=normalise_cipher(flags),
                    in_use=in_use,
                ),
                first_number(row.get("RATE")),
            )
        )
    return result
