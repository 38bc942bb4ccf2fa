"""UPnP Internet Gateway Device: what most home routers tell anyone on the LAN.

Built on the project's own SSDP search and description fetch
(:mod:`homecare.probes.discovery.ssdp`) plus defusedxml, not on
async-upnp-client: we need six read-only actions, and the existing code
already enforces same-origin, size and time limits on hostile replies; an
asyncio library would add aiohttp and its loop to a probe that runs in a
worker thread, for no figure we could not read here.

Reads (IGD v1/v2, WANCommonInterfaceConfig and WANIPConnection or
WANPPPConnection): link status and type, layer-1 maximum rates, connection
status, uptime and last error, the external address, and the byte counters.
Those are 32-bit (``ui4``) in the standard, so differences wrap at 2**32.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from homecare.models.router import LineInfo, LineType, WanCounters, WanSample
from homecare.probes.discovery import ssdp
from homecare.probes.router.reading import Reading
from homecare.probes.router.soap import RouterError, same_origin_url, soap_call

IGD_TYPES = (
    "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
    "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
)
COMMON_CONFIG = "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:"
CONNECTIONS = (
    "urn:schemas-upnp-org:service:WANIPConnection:",
    "urn:schemas-upnp-org:service:WANPPPConnection:",
)
_ACCESS_TYPES: dict[str, LineType] = {
    "dsl": "dsl",
    "cable": "cable",
    "ethernet": "ethernet",
    "pots": "dsl",
}
UI4 = 2**32


@dataclass(frozen=True)
class IgdService:
    service_type: str
    control_url: str


@dataclass(frozen=True)
class IgdDevice:
    """An IGD that answered: where, what it calls itself, its WAN services."""

    ip: str
    location: str
    manufacturer: str | None = None
    model: str | None = None
    services: tuple[IgdService, ...] = field(default_factory=tuple)

    def service(self, prefix: str) -> IgdService | None:
        return next((s for s in self.services if s.service_type.startswith(prefix)), None)

    def connection(self) -> IgdService | None:
        for prefix in CONNECTIONS:
            found = self.service(prefix)
            if found is not None:
                return found
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_igd_description(xml: bytes, location: str, ip: str) -> IgdDevice | None:
    """Names and WAN services from a description; None unless it is an IGD."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError, UnicodeError, RecursionError):
        return None
    if _local(root.tag) != "root":
        return None
    base = location
    for child in root:
        if _local(child.tag) == "URLBase" and child.text:
            base = child.text.strip()
    device = next((c for c in root if _local(c.tag) == "device"), None)
    if device is None:
        return None
    fields = {
        _local(c.tag): " ".join((c.text or "").split())[:128]
        for c in device
        if _local(c.tag) in ("deviceType", "manufacturer", "modelName")
    }
    if not fields.get("deviceType", "").startswith(
        "urn:schemas-upnp-org:device:InternetGatewayDevice:"
    ):
        return None
    services: list[IgdService] = []
    for svc in root.iter():
        if _local(svc.tag) != "service":
            continue
        values = {_local(c.tag): (c.text or "").strip() for c in svc}
        stype, control = values.get("serviceType", ""), values.get("controlURL", "")
        if not stype.startswith((COMMON_CONFIG, *CONNECTIONS)) or not control:
            continue
        url = same_origin_url(base, control, ip) or same_origin_url(location, control, ip)
        if url is not None:
            services.append(IgdService(stype[:128], url))
        if len(services) >= 16:
            break
    return IgdDevice(
        ip=ip,
        location=location,
        manufacturer=fields.get("manufacturer") or None,
        model=fields.get("modelName") or None,
        services=tuple(services),
    )


def find_igd(
    local_ip: str | None, prefer_ip: str | None, wait: float, deadline: float
) -> IgdDevice | None:
    """Search for an IGD (the default gateway's first) and read its description."""
    responses = []
    for st in IGD_TYPES:
        responses += ssdp.search(local_ip, min(wait, max(0.0, deadline - time.monotonic())), st=st)
        if responses:
            break
    responses.sort(key=lambda r: r.ip != prefer_ip)
    for r in responses:
        if not r.location or not ssdp.location_allowed(r.location, r.ip):
            continue
        left = deadline - time.monotonic()
        xml = ssdp.fetch_xml(r.location, r.ip, timeout=min(2.0, left), max_bytes=128 * 1024)
        device = parse_igd_description(xml, r.location, r.ip) if xml else None
        if device is not None and device.service(COMMON_CONFIG):
            return device
    return None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def counter_delta(before: int, after: int, bits: int = 32) -> int:
    """Bytes between two readings of a counter that wraps at 2**bits."""
    modulus: int = 1 << bits
    return (after - before) % modulus


class IgdClient:
    """Read-only calls to one IGD, each bounded by *timeout*."""

    def __init__(self, device: IgdDevice, timeout: float = 2.0) -> None:
        self.device = device
        self.timeout = timeout

    def _call(self, prefix: str, action: str) -> dict[str, str]:
        svc = self.device.connection() if prefix == "connection" else self.device.service(prefix)
        if svc is None:
            raise RouterError(f"{action}: service not offered")
        return soap_call(svc.control_url, svc.service_type, action, timeout=self.timeout)

    def byte_counters(self) -> tuple[int, int]:
        """(received, sent) bytes: the two counters the load needs."""
        rx = _int(self._call(COMMON_CONFIG, "GetTotalBytesReceived").get("NewTotalBytesReceived"))
        tx = _int(self._call(COMMON_CONFIG, "GetTotalBytesSent").get("NewTotalBytesSent"))
        if rx is None or tx is None:
            raise RouterError("byte counters missing")
        return rx, tx

    def read(self) -> Reading:
        out = Reading(
            source="igd",
            vendor=self.device.manufacturer,
            model=self.device.model,
            sample=self.byte_counters,
            counter_bits=32,
        )
        steps: list[Callable[[Reading], None]] = [
            self._link,
            self._status,
            self._external,
            self._packets,
        ]
        for step in steps:
            try:
                step(out)
            except RouterError as exc:
                out.errors.append(f"igd: {exc}")
        return out

    def _link(self, out: Reading) -> None:
        props = self._call(COMMON_CONFIG, "GetCommonLinkProperties")
        access = props.get("NewWANAccessType", "").lower()
        out.line = LineInfo(
            type=_ACCESS_TYPES.get(access, "unknown"),
            status=props.get("NewPhysicalLinkStatus") or None,
            sync_down_kbit=_kbit(props.get("NewLayer1DownstreamMaxBitRate")),
            sync_up_kbit=_kbit(props.get("NewLayer1UpstreamMaxBitRate")),
        )

    def _status(self, out: Reading) -> None:
        status = self._call("connection", "GetStatusInfo")
        out.wan_status = status.get("NewConnectionStatus") or None
        out.wan_uptime_s = _int(status.get("NewUptime"))
        error = status.get("NewLastConnectionError")
        out.last_error = error if error and error != "ERROR_NONE" else None

    def _external(self, out: Reading) -> None:
        out.external_ip = (
            self._call("connection", "GetExternalIPAddress").get("NewExternalIPAddress") or None
        )

    def _packets(self, out: Reading) -> None:
        rx, tx = self.byte_counters()
        prx = self._call(COMMON_CONFIG, "GetTotalPacketsReceived").get("NewTotalPacketsReceived")
        ptx = self._call(COMMON_CONFIG, "GetTotalPacketsSent").get("NewTotalPacketsSent")
        out.counters = WanCounters(
            bits=32,
            bytes_received=rx,
            bytes_sent=tx,
            packets_received=_int(prx),
            packets_sent=_int(ptx),
        )


def _kbit(value: str | None) -> int | None:
    bits = _int(value)
    return bits // 1000 if bits else None


def load_from(samples: list[WanSample], bits: int) -> tuple[float | None, float | None, float]:
    """Mean (down, up) Mbit/s between the first and last sample, wrap-aware."""
    if len(samples) < 2:
        return None, None, 0.0
    first, last = samples[0], samples[-1]
    span = last.t_s - first.t_s
    if span <= 0:
        return None, None, 0.0
    down = up = 0
    for a, b in itertools.pairwise(samples):
        down += counter_delta(a.bytes_received, b.bytes_received, bits)
        up += counter_delta(a.bytes_sent, b.bytes_sent, bits)
    return round(down * 8 / span / 1e6, 3), round(up * 8 / span / 1e6, 3), round(span, 3)
