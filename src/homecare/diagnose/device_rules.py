"""Rules over the device inventory (``devices`` probe).

History (``RuleContext.history``) is a sequence of mappings, newest first, as
``cli/check_flow`` passes it. For :class:`RouterMacChangedRule` an entry may be
either

* ``{"gateway_mac": "aa:bb:cc:dd:ee:ff", "gateway_ip": "192.168.1.1"}``
  (``gateway_ip`` optional), or
* ``{"report": Report}`` (or the report as a dict), from whose
  :class:`~homecare.models.devices.DevicesData` the gateway device is read.

The newest entry that names a gateway MAC is the reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from homecare.diagnose.base import RuleContext
from homecare.i18n import _, ngettext
from homecare.models import Device, DevicesData, Finding, Report, Segment, Severity

_MAX_LISTED = 20


def _describe(d: Device) -> dict[str, Any]:
    return {
        "key": d.key,
        "ip": d.ipv4[0] if d.ipv4 else None,
        "mac": d.mac,
        "vendor": d.vendor,
        "hostname": d.hostname,
        "type": d.type,
        "randomized_mac": d.randomized_mac,
    }


class NewUnknownDeviceRule:
    """Devices not seen in the previous inventory and not named by the user."""

    name = "devices_new_unknown"
    codes = ("devices.new_unknown",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = ctx.data(DevicesData)
        if data is None or not data.new_since_last:
            return []
        by_key = {d.key: d for d in data.devices}
        new = [
            by_key[k]
            for k in data.new_since_last
            if k in by_key and not by_key[k].nickname and not by_key[k].is_self
        ]
        if not new:
            return []
        return [
            Finding(
                code="devices.new_unknown",
                severity=Severity.INFO,
                segment=Segment.LAN,
                summary=ngettext(
                    "{count} new device joined the network since the last check.",
                    "{count} new devices joined the network since the last check.",
                    len(new),
                ).format(count=len(new)),
                evidence={
                    "count": len(new),
                    "devices": [_describe(d) for d in new[:_MAX_LISTED]],
                },
            )
        ]


def _gateway(data: DevicesData) -> Device | None:
    return next((d for d in data.devices if d.is_gateway and d.mac), None)


def _previous_gateway(report: Report) -> tuple[str, str | None] | None:
    """(MAC, IP) of the gateway an earlier check recorded, if any."""
    data = report.data_of(DevicesData)
    gw = _gateway(data) if data is not None else None
    if gw is None or gw.mac is None:
        return None
    return gw.mac.lower(), gw.ipv4[0] if gw.ipv4 else None


class RouterMacChangedRule:
    """The gateway answers from a different MAC than last time.

    Either the router was replaced (harmless, and worth knowing when advice
    refers to "your router"), or another device is answering for it (ARP
    spoofing, or a second router plugged in by mistake).
    """

    name = "router_mac_changed"
    codes = ("router.mac_changed",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = ctx.data(DevicesData)
        gw = _gateway(data) if data is not None else None
        if gw is None or gw.mac is None:
            return []
        for report in ctx.history:
            prev = _previous_gateway(report)
            if prev is None:
                continue
            prev_mac, prev_ip = prev
            if prev_ip is not None and gw.ipv4 and prev_ip not in gw.ipv4:
                return []  # a different network (or a renumbered one): not comparable
            if prev_mac == gw.mac.lower():
                return []
            return [
                Finding(
                    code="router.mac_changed",
                    severity=Severity.WARNING,
                    segment=Segment.ROUTER,
                    summary=_(
                        "The router answers from a different hardware address than at the "
                        "last check: it was replaced, or another device is posing as it."
                    ),
                    evidence={
                        "gateway_ip": gw.ipv4[0] if gw.ipv4 else None,
                        "previous_mac": prev_mac,
                        "current_mac": gw.mac,
                        "current_vendor": gw.vendor,
                    },
                )
            ]
        return []


class CrowdedNetworkRule:
    """More devices than the provider considers comfortable for a home router."""

    name = "lan_crowded"
    codes = ("lan.crowded",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = ctx.data(DevicesData)
        if data is None:
            return []
        limit = ctx.provider.thresholds.crowded_network_devices
        count = len(data.devices)
        if count <= limit:
            return []
        return [
            Finding(
                code="lan.crowded",
                severity=Severity.INFO,
                segment=Segment.LAN,
                summary=_(
                    "{count} devices are on the network, more than {limit}: a home router "
                    "can slow down with this many."
                ).format(count=count, limit=limit),
                evidence={"count": count, "limit": limit},
            )
        ]


class MultipleDhcpServersRule:
    """More than one DHCP server answers: some devices get the wrong router.

    The classic cause is a second router plugged in LAN-to-LAN; devices then
    work or fail depending on which server answered them first.
    """

    name = "lan_dhcp_multiple_servers"
    codes = ("lan.dhcp.multiple_servers",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = ctx.data(DevicesData)
        if data is None or not data.dhcp_servers or len(data.dhcp_servers) < 2:
            return []
        gateway = _gateway(data)
        expected = gateway.ipv4[0] if gateway is not None and gateway.ipv4 else None
        return [
            Finding(
                code="lan.dhcp.multiple_servers",
                severity=Severity.PROBLEM,
                segment=Segment.LAN,
                summary=_(
                    "{count} devices hand out network addresses; only your router should."
                ).format(count=len(data.dhcp_servers)),
                evidence={
                    "servers": list(data.dhcp_servers),
                    "unexpected": [ip for ip in data.dhcp_servers if ip != expected],
                },
            )
        ]


DEVICE_RULES = (
    NewUnknownDeviceRule(),
    RouterMacChangedRule(),
    CrowdedNetworkRule(),
    MultipleDhcpServersRule(),
)
