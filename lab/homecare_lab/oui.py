"""Real vendor OUI prefixes used to give virtual devices believable MACs.

Every prefix below is listed for that vendor in the IEEE registry (checked
against arp-scan's ``ieee-oui.txt``), so vendor lookups in homecare and in
arp-scan name the same maker a real device of that brand would show.
"""

from __future__ import annotations

#: vendor key -> (OUI hex prefixes, registry organisation name)
VENDOR_OUIS: dict[str, tuple[str, str]] = {
    "apple": ("F01898", "Apple, Inc."),
    "samsung": ("F8E61A", "Samsung Electronics Co.,Ltd"),
    "lg": ("201742", "LG Electronics"),
    "hp": ("9C7BEF", "Hewlett Packard"),
    "brother": ("3C2AF4", "Brother Industries, LTD."),
    "epson": ("50579C", "Seiko Epson Corporation"),
    "sonos": ("542A1B", "Sonos, Inc."),
    "google": ("F4F5D8", "Google, Inc."),
    "hikvision": ("4447CC", "Hangzhou Hikvision Digital Technology Co.,Ltd."),
    "axis": ("B8A44F", "Axis Communications AB"),
    "intel": ("ACED5C", "Intel Corporate"),
    "dell": ("98E743", "Dell Inc."),
    "amazon": ("68DBF5", "Amazon Technologies Inc."),
    "signify": ("001788", "Philips Lighting BV"),
    "espressif": ("246F28", "Espressif Inc."),
    "raspberrypi": ("DCA632", "Raspberry Pi Trading Ltd"),
    "roku": ("D04D2C", "Roku, Inc."),
    "nintendo": ("98E8FA", "Nintendo Co.,Ltd"),
    "sony": ("D8D43C", "Sony Corporation"),
    "tplink": ("1C3BF3", "TP-LINK TECHNOLOGIES CO.,LTD."),
}


def vendor_of_mac(mac: str) -> str | None:
    """The registry organisation for a MAC from this table, or None."""
    prefix = mac.replace(":", "").upper()[:6]
    for oui, org in VENDOR_OUIS.values():
        if oui == prefix:
            return org
    return None


def is_locally_administered(mac: str) -> bool:
    """True for randomized/private MACs (the U/L bit of the first octet set)."""
    return bool(int(mac.split(":")[0], 16) & 0x02)
