"""UPnP SOAP calls to the router, with the same care as SSDP descriptions.

The router's replies are input from a device we do not control: every call
is same-origin (the control URL must point at the router that answered),
bounded in size and in total time (a slow drip cannot hold the check), and
parsed with defusedxml with DTDs forbidden, so entity bombs and external
entities are refused before any expansion.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import escape

from homecare.probes.discovery.ssdp import location_allowed

MAX_REPLY_BYTES = 64 * 1024
MAX_FIELD_CHARS = 256


class RouterError(Exception):
    """The router did not answer usefully (gone, refused, malformed, too big, too slow)."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def same_origin_url(base: str, relative: str, router_ip: str) -> str | None:
    """*relative* joined to *base*, only if it stays plain HTTP on *router_ip*
    (the same rule SSDP applies to a LOCATION: ``ssdp.location_allowed``)."""
    try:
        url = urljoin(base, relative)
    except ValueError:
        return None
    return url if location_allowed(url, router_ip) else None


def envelope(service_type: str, action: str, args: Mapping[str, str]) -> bytes:
    """A SOAP 1.1 request body (UPnP Device Architecture 1.1, section 3.2.1)."""
    inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in args.items())
    return (
        '<?xml version="1.0"?>'
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
        f'<u:{action} xmlns:u="{escape(service_type)}">{inner}</u:{action}>'
        "</s:Body></s:Envelope>"
    ).encode()


def parse_reply(xml: bytes, action: str) -> dict[str, str]:
    """The ``<actionResponse>`` arguments; :class:`RouterError` on a fault or bad XML."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError, UnicodeError, RecursionError) as exc:
        raise RouterError(f"unreadable SOAP reply ({type(exc).__name__})") from None
    body = next((c for c in root if _local(c.tag) == "Body"), None)
    if _local(root.tag) != "Envelope" or body is None:
        raise RouterError("not a SOAP envelope")
    for child in body:
        name = _local(child.tag)
        if name == "Fault":
            code = next(
                (e.text for e in child.iter() if _local(e.tag) == "errorDescription" and e.text),
                "fault",
            )
            raise RouterError(f"{action}: {code[:MAX_FIELD_CHARS]}")
        if name == f"{action}Response":
            return {
                _local(arg.tag): " ".join((arg.text or "").split())[:MAX_FIELD_CHARS]
                for arg in child
            }
    raise RouterError(f"{action}: no response element")


def http_exchange(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 2.0,
    max_bytes: int = MAX_REPLY_BYTES,
) -> tuple[int, bytes]:
    """One HTTP exchange within *timeout* overall and *max_bytes*."""
    if timeout <= 0:
        raise RouterError("no time left")
    parts = urlsplit(url)
    end = time.monotonic() + timeout
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 80, timeout=timeout)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
        resp = conn.getresponse()
        length = resp.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise RouterError("reply too large")
        data = bytearray()
        while True:
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise RouterError("reply too slow")
            if conn.sock is not None:
                conn.sock.settimeout(remaining)
            chunk = resp.read1(16384)
            if not chunk:
                break
            data += chunk
            if len(data) > max_bytes:
                raise RouterError("reply too large")
        return resp.status, bytes(data)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise RouterError(f"{type(exc).__name__}: {exc}"[:MAX_FIELD_CHARS]) from None
    finally:
        conn.close()


def soap_call(
    control_url: str,
    service_type: str,
    action: str,
    args: Mapping[str, str] | None = None,
    timeout: float = 2.0,
) -> dict[str, str]:
    """Call one UPnP action and return its output arguments."""
    status, reply = http_exchange(
        control_url,
        method="POST",
        body=envelope(service_type, action, args or {}),
        headers={
            "Content-Type": 'text/xml; charset="utf-8"',
            "SOAPAction": f'"{service_type}#{action}"',
        },
        timeout=timeout,
    )
    if status not in (200, 500):  # a SOAP fault comes with 500
        raise RouterError(f"{action}: HTTP {status}")
    return parse_reply(reply, action)
