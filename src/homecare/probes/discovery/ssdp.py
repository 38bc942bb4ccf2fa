"""SSDP search and UPnP device descriptions.

TVs, speakers, consoles, NAS boxes and most routers answer an ``M-SEARCH``
and point at an XML description that names them (``friendlyName``,
``modelName``). That XML comes from devices we do not control, so:

* a description is fetched only from the address that answered — a
  ``LOCATION`` pointing anywhere else (another host, the internet) is
  skipped, so a hostile answer cannot make homecare fetch arbitrary URLs;
* reads are incremental with a size cap and an overall time cap (a slow
  drip cannot hold the check);
* parsing uses defusedxml with DTDs forbidden, so entity bombs and external
  entities are refused at the DOCTYPE, before any expansion.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import select
import socket
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from homecare.probes.discovery.records import SsdpDevice, SsdpResponse, UpnpDescription

SSDP_GROUP = ("239.255.255.250", 1900)
MAX_DATAGRAM = 8192
MAX_RESPONSES = 1024
MAX_DESCRIPTIONS = 64
MAX_DESCRIPTION_BYTES = 256 * 1024
_HEADERS = ("location", "server", "st", "nt", "usn")


def build_msearch(st: str = "ssdp:all", mx: int = 1, host: tuple[str, int] = SSDP_GROUP) -> bytes:
    """The M-SEARCH request (UPnP Device Architecture 1.1, section 1.3.2)."""
    return (
        "M-SEARCH * HTTP/1.1\r\n"
        f"HOST: {host[0]}:{host[1]}\r\n"
        'MAN: "ssdp:discover"\r\n'
        f"MX: {mx}\r\n"
        f"ST: {st}\r\n"
        "USER-AGENT: Linux/1 UPnP/1.1 homecare/0.1\r\n"
        "\r\n"
    ).encode("ascii")


def parse_response(data: bytes, ip: str) -> SsdpResponse | None:
    """Parse an M-SEARCH answer or a NOTIFY; None if it is neither."""
    text = data[:MAX_DATAGRAM].decode("utf-8", errors="replace")
    lines = text.replace("\r\n", "\n").split("\n")
    start = lines[0].strip().upper() if lines else ""
    if not (start.startswith("HTTP/1.") and " 200" in start) and not start.startswith("NOTIFY "):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        key = name.strip().lower()
        if sep and key in _HEADERS and key not in headers:
            headers[key] = value.strip()[:512]
    if not headers:
        return None
    return SsdpResponse(
        ip=ip,
        location=headers.get("location") or None,
        server=headers.get("server") or None,
        st=headers.get("st") or headers.get("nt") or None,
        usn=headers.get("usn") or None,
    )


def search(
    local_ip: str | None,
    wait: float,
    target: tuple[str, int] = SSDP_GROUP,
    st: str = "ssdp:all",
    max_responses: int = MAX_RESPONSES,
) -> list[SsdpResponse]:
    """Send M-SEARCH (twice: UDP is lossy) and collect answers for *wait* seconds."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    responses: list[SsdpResponse] = []
    seen: set[tuple[str, str | None, str | None, str | None]] = set()
    try:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
        if local_ip:
            sock.bind((local_ip, 0))
            with contextlib.suppress(OSError):
                sock.setsockopt(
                    socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local_ip)
                )
        msg = build_msearch(st, mx=max(1, min(5, int(wait))), host=target)
        end = time.monotonic() + wait
        resend_at = time.monotonic() + min(0.3, wait / 3)
        with contextlib.suppress(OSError):
            sock.sendto(msg, target)
        while len(responses) < max_responses:
            now = time.monotonic()
            if now >= end:
                break
            if resend_at and now >= resend_at:
                with contextlib.suppress(OSError):
                    sock.sendto(msg, target)
                resend_at = 0.0
            timeout = min(end, resend_at or end) - now
            ready, _, _ = select.select([sock], [], [], max(0.0, timeout))
            if not ready:
                continue
            try:
                data, addr = sock.recvfrom(MAX_DATAGRAM)
            except OSError:
                continue
            resp = parse_response(data, addr[0])
            if resp is None:
                continue
            ident = (resp.ip, resp.location, resp.st, resp.usn)
            if ident not in seen:
                seen.add(ident)
                responses.append(resp)
    finally:
        sock.close()
    return responses


def location_allowed(location: str | None, responder_ip: str) -> bool:
    """Only plain-HTTP URLs whose host is the responder's own IP literal."""
    if not location:
        return False
    try:
        parts = urlsplit(location)
        port = parts.port
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme.lower() != "http" or host is None:
        return False
    if port is not None and not 0 < port < 65536:
        return False
    try:
        return ipaddress.ip_address(host) == ipaddress.ip_address(responder_ip)
    except ValueError:
        return False


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_description(xml: bytes) -> UpnpDescription | None:
    """The root device's names from a UPnP description; None if unusable or hostile."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError, UnicodeError, RecursionError, LookupError):
        # LookupError: an XML declaration naming an encoding Python does not
        # know (encoding="x-hostile") is refused like any other bad XML.
        return None
    if _local(root.tag) != "root":
        return None
    device = next((c for c in root if _local(c.tag) == "device"), None)
    if device is None:
        return None
    fields: dict[str, str] = {}
    for child in device:
        name = _local(child.tag)
        if name in ("friendlyName", "manufacturer", "modelName", "modelNumber", "deviceType"):
            value = " ".join((child.text or "").split())[:256]
            if value:
                fields[name] = value
    if not fields:
        return None
    return UpnpDescription(
        friendly_name=fields.get("friendlyName"),
        manufacturer=fields.get("manufacturer"),
        model_name=fields.get("modelName"),
        model_number=fields.get("modelNumber"),
        device_type=fields.get("deviceType"),
    )


def fetch_description(
    location: str,
    responder_ip: str,
    timeout: float = 2.0,
    max_bytes: int = MAX_DESCRIPTION_BYTES,
) -> UpnpDescription | None:
    """Fetch and parse one description, within *timeout* overall and *max_bytes*."""
    body = fetch_xml(location, responder_ip, timeout, max_bytes)
    return parse_description(body) if body is not None else None


def fetch_xml(
    location: str,
    responder_ip: str,
    timeout: float = 2.0,
    max_bytes: int = MAX_DESCRIPTION_BYTES,
) -> bytes | None:
    """The raw description XML (same origin, size and time limits); None if refused.

    The router probe reads the service list from it, so it is kept apart
    from :func:`parse_description`."""
    if not location_allowed(location, responder_ip) or timeout <= 0:
        return None
    parts = urlsplit(location)
    end = time.monotonic() + timeout
    conn = http.client.HTTPConnection(responder_ip, parts.port or 80, timeout=timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        conn.request("GET", path, headers={"Host": parts.netloc, "Connection": "close"})
        resp = conn.getresponse()
        if resp.status != 200:
            return None
        length = resp.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            return None
        body = bytearray()
        while True:
            remaining = end - time.monotonic()
            if remaining <= 0:
                return None
            if conn.sock is not None:
                conn.sock.settimeout(remaining)
            chunk = resp.read1(16384)
            if not chunk:
                break
            body += chunk
            if len(body) > max_bytes:
                return None
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        conn.close()
    return bytes(body)


def _pick_location(responses: Sequence[SsdpResponse]) -> str | None:
    """Prefer the root device's description; any allowed location otherwise."""
    allowed = [r for r in responses if location_allowed(r.location, r.ip)]
    for r in allowed:
        if r.st and r.st.lower() == "upnp:rootdevice":
            return r.location
    return allowed[0].location if allowed else None


def discover(
    local_ip: str | None,
    wait: float,
    deadline: float,
    target: tuple[str, int] = SSDP_GROUP,
    fetch_timeout: float = 2.0,
) -> list[SsdpDevice]:
    """Search, then fetch each responder's description concurrently."""
    wait = max(0.0, min(wait, deadline - time.monotonic()))
    responses = search(local_ip, wait, target)
    by_ip: dict[str, list[SsdpResponse]] = {}
    for r in responses:
        by_ip.setdefault(r.ip, []).append(r)
    jobs = {ip: _pick_location(rs) for ip, rs in list(by_ip.items())[:MAX_DESCRIPTIONS]}
    descriptions: dict[str, UpnpDescription | None] = {}
    budget = min(fetch_timeout, deadline - time.monotonic())
    todo = {ip: loc for ip, loc in jobs.items() if loc}
    if todo and budget > 0:
        with ThreadPoolExecutor(max_workers=min(16, len(todo))) as pool:
            futures = {
                ip: pool.submit(fetch_description, loc, ip, budget) for ip, loc in todo.items()
            }
            for ip, fut in futures.items():
                try:
                    descriptions[ip] = fut.result()
                except Exception:  # one device's answer must not end the search
                    descriptions[ip] = None
    return [
        SsdpDevice(ip=ip, responses=tuple(rs[:16]), description=descriptions.get(ip))
        for ip, rs in by_ip.items()
    ]
