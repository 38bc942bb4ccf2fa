"""Channel occupancy and a recommended channel per band.

A technician counts who shares the air with you, not who uses the same
number: on 2.4 GHz a 20 MHz network spills four channels either side, so
channel 3 collides with both 1 and 6; on 5/6 GHz a network occupies the
aligned block of its width (an 80 MHz network on 36 fills 36-48).
"""

from __future__ import annotations

from collections.abc import Iterable

from homecare.models.wifi import Band, ChannelAdvice, WifiLink, WifiNetwork

CHANNELS_24 = tuple(range(1, 14))
NON_OVERLAPPING_24 = (1, 6, 11)
CHANNELS_5: tuple[int, ...] = (36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120)
CHANNELS_5 += (124, 128, 132, 136, 140, 144, 149, 153, 157, 161, 165)
NON_DFS_5 = (36, 40, 44, 48, 149, 153, 157, 161, 165)
CHANNELS_6 = tuple(range(1, 234, 4))
PSC_6 = tuple(range(5, 234, 16))


def covered_channels(band: Band, channel: int, width_mhz: int | None) -> set[int]:
    """The 20 MHz channels a network on *channel* with *width_mhz* interferes with."""
    width = width_mhz if width_mhz in (20, 40, 80, 160, 320) else 20
    if band == "2.4GHz":
        reach = 4 if width <= 20 else 8
        return {c for c in CHANNELS_24 if abs(c - channel) <= reach}
    span = max(1, width // 20)
    if band == "5GHz":
        base = 149 if channel >= 149 else 36
        grid = CHANNELS_5
    else:
        base = 1
        grid = CHANNELS_6
    if (channel - base) % 4:
        return {channel}
    index = (channel - base) // 4
    start = base + (index // span) * span * 4
    block = {start + 4 * i for i in range(span)}
    return {c for c in block if c in grid} or {channel}


def _is_own(net: WifiNetwork, link: WifiLink | None) -> bool:
    return bool(net.in_use or (link and link.bssid and net.bssid == link.bssid))


def occupancy(band: Band, networks: Iterable[WifiNetwork], link: WifiLink | None) -> dict[int, int]:
    """Channel -> number of *other* networks overlapping it (own BSS excluded)."""
    grid = {"2.4GHz": CHANNELS_24, "5GHz": CHANNELS_5, "6GHz": CHANNELS_6}[band]
    counts = dict.fromkeys(grid, 0)
    seen: set[str] = set()
    for net in networks:
        if net.band != band or net.channel is None or _is_own(net, link):
            continue
        if net.bssid:
            if net.bssid in seen:
                continue
            seen.add(net.bssid)
        for c in covered_channels(band, net.channel, net.channel_width_mhz):
            if c in counts:
                counts[c] += 1
    return counts


def recommend(band: Band, counts: dict[int, int], current: int | None) -> int | None:
    """Least occupied preferred channel; ties keep the current one, then the lowest."""
    candidates = {"2.4GHz": NON_OVERLAPPING_24, "5GHz": NON_DFS_5, "6GHz": PSC_6}[band]
    usable = [c for c in candidates if c in counts]
    if not usable:
        return None
    return min(usable, key=lambda c: (counts[c], c != current, c))


def channel_advice(networks: list[WifiNetwork], link: WifiLink | None) -> list[ChannelAdvice]:
    """Advice for every band anything was seen on (or the link uses)."""
    all_bands: tuple[Band, ...] = ("2.4GHz", "5GHz", "6GHz")
    bands = [
        band
        for band in all_bands
        if any(n.band == band for n in networks) or (link is not None and link.band == band)
    ]
    advice: list[ChannelAdvice] = []
    for band in bands:
        counts = occupancy(band, networks, link)
        current = (
            link.channel if link is not None and link.connected and link.band == band else None
        )
        used = {c: n for c, n in counts.items() if n or c == current}
        advice.append(
            ChannelAdvice(
                band=band,
                occupancy=used,
                current=current,
                recommended=recommend(band, counts, current),
            )
        )
    return advice
