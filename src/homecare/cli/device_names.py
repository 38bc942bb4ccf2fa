"""Turn what a person types (a MAC or an IP address) into a device key."""

from __future__ import annotations

import ipaddress
import re

from homecare.engine import previous_inventory
from homecare.errors import UsageError
from homecare.i18n import _
from homecare.store.history import History

_MAC = re.compile(r"^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$")


def resolve_device_key(text: str, history: History) -> str:
    """A MAC is its own key; an IP is looked up in the latest inventory
    (devices without a known MAC are keyed by IP)."""
    value = text.strip().lower()
    if _MAC.match(value):
        digits = re.sub(r"[^0-9a-f]", "", value)
        return ":".join(digits[i : i + 2] for i in range(0, 12, 2))
    try:
        ip = str(ipaddress.ip_address(value))
    except ValueError:
        raise UsageError(
            _("{text} is neither a MAC address nor an IP address.").format(text=text)
        ) from None
    for device in previous_inventory(history.recent_reports(10)) or []:
        if ip in device.ipv4 or ip in device.ipv6:
            return device.key
    raise UsageError(
        _(
            "No device with address {ip} in the last inventory; run 'homecare devices' first."
        ).format(ip=ip)
    )
