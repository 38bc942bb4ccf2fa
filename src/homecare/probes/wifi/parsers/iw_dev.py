"""``iw dev``: which wireless interfaces exist and in which mode.

The mode matters: a ``managed`` interface is a client whose link we read; an
``AP`` interface means this host *is* the access point and its associated
clients are what a technician looks at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from homecare.models.wifi import Band
from homecare.probes.wifi.radio import band_from_frequency, normalise_mac

_CHANNEL = re.compile(r"channel (\d{1,3}) \((\d{3,5})(?:\.\d+)? MHz\)(?:, width: (\d{2,3}) MHz)?")


@dataclass(frozen=True)
class IwInterface:
    """One wireless interface as ``iw dev`` lists it."""

    name: str
    type: str | None = None
    addr: str | None = None
    channel: int | None = None
    frequency_mhz: int | None = None
    width_mhz: int | None = None

    @property
    def band(self) -> Band | None:
        return band_from_frequency(self.frequency_mhz)

    @property
    def is_ap(self) -> bool:
        return (self.type or "").lower() in ("ap", "p2p-go")


def parse_iw_dev(text: str) -> list[IwInterface]:
    """Interfaces in the order ``iw dev`` prints them."""
    found: list[IwInterface] = []
    current: IwInterface | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("Interface "):
            if current is not None:
                found.append(current)
            name = line[len("Interface ") :].strip()
            current = IwInterface(name=name) if name and " " not in name else None
            continue
        if current is None:
            continue
        if line.startswith("type "):
            current = replace(current, type=line[5:].strip() or None)
        elif line.startswith("addr "):
            current = replace(current, addr=normalise_mac(line[5:]))
        elif line.startswith("channel "):
            m = _CHANNEL.match(line)
            if m:
                current = replace(
                    current,
                    channel=int(m.group(1)),
                    frequency_mhz=int(m.group(2)),
                    width_mhz=int(m.group(3)) if m.group(3) else None,
                )
    if current is not None:
        found.append(current)
    return found
