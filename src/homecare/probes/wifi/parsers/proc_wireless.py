"""``/proc/net/wireless``: the last-resort signal reading on Linux.

It needs neither iw nor NetworkManager, only the kernel; it gives the signal
level (dBm on every mac80211 driver) and the retry counter, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from homecare.probes.wifi.radio import first_int, first_number, plausible_dbm


@dataclass(frozen=True)
class ProcWireless:
    interface: str
    link_quality: int | None
    signal_dbm: int | None
    noise_dbm: int | None
    retries: int | None


def parse_proc_net_wireless(text: str) -> list[ProcWireless]:
    """One entry per interface row; the two header lines are skipped."""
    rows: list[ProcWireless] = []
    for line in text.splitlines():
        if ":" not in line or "|" in line:
            continue
        name, _, rest = line.partition(":")
        name = name.strip()
        cols = rest.split()
        if not name or " " in name or len(cols) < 4:
            continue
        level = first_number(cols[2])
        noise = first_number(cols[3])
        retries = first_int(cols[7]) if len(cols) > 7 else None
        rows.append(
            ProcWireless(
                interface=name,
                link_quality=first_int(cols[1]),
                # A positive level is a driver's own 0-100 scale, not dBm.
                signal_dbm=plausible_dbm(level) if level is not None and level < 0 else None,
                noise_dbm=plausible_dbm(noise) if noise is not None and noise > -256 else None,
                retries=retries if retries is not None and retries >= 0 else None,
            )
        )
    return rows
