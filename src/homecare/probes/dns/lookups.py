"""Timed name lookups with explicit timeouts.

The system path (getaddrinfo) has no timeout of its own, so it runs in a
worker thread we stop waiting for; direct queries to each configured resolver
use dnspython so a slow or broken resolver is named, not guessed.
"""

from __future__ import annotations

import socket
import threading
import time

from homecare.i18n import _
from homecare.models import DnsLookup


def system_lookup(name: str, timeout_s: float) -> DnsLookup:
    result: dict[str, object] = {}

    def work() -> None:
        try:
            infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
            result["addrs"] = sorted({str(i[4][0]) for i in infos})
        except (OSError, UnicodeError) as exc:
            result["error"] = str(exc)

    started = time.monotonic()
    worker = threading.Thread(target=work, daemon=True, name=f"getaddrinfo-{name}")
    worker.start()
    worker.join(timeout_s)
    elapsed = round((time.monotonic() - started) * 1000, 2)
    if worker.is_alive():
        return DnsLookup(name=name, ok=False, elapsed_ms=elapsed, error=_("No answer (timed out)"))
    addrs = result.get("addrs")
    if isinstance(addrs, list) and addrs:
        return DnsLookup(name=name, ok=True, addresses=addrs, elapsed_ms=elapsed)
    return DnsLookup(name=name, ok=False, elapsed_ms=elapsed, error=str(result.get("error", "")))


def direct_lookup(name: str, resolver: str, timeout_s: float) -> DnsLookup:
    """Ask one resolver for the A record of *name*."""
    import dns.exception
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdatatype

    started = time.monotonic()
    try:
        query = dns.message.make_query(name, dns.rdatatype.A)
        answer = dns.query.udp(query, resolver.split("%")[0], timeout=timeout_s)
        if answer.flags & dns.flags.TC:
            answer = dns.query.tcp(query, resolver.split("%")[0], timeout=timeout_s)
    except dns.exception.Timeout:
        return _failed(name, resolver, started, _("No answer (timed out)"))
    except (OSError, dns.exception.DNSException, ValueError) as exc:
        return _failed(name, resolver, started, str(exc) or type(exc).__name__)
    elapsed = round((time.monotonic() - started) * 1000, 2)
    rcode = answer.rcode()
    addrs = sorted(
        {
            item.to_text()
            for rrset in answer.answer
            if rrset.rdtype == dns.rdatatype.A
            for item in rrset
        }
    )
    if rcode != dns.rcode.NOERROR or not addrs:
        return DnsLookup(
            name=name,
            resolver=resolver,
            ok=False,
            elapsed_ms=elapsed,
            error=dns.rcode.to_text(rcode) if rcode != dns.rcode.NOERROR else _("No address"),
        )
    return DnsLookup(name=name, resolver=resolver, ok=True, addresses=addrs, elapsed_ms=elapsed)


def _failed(name: str, resolver: str, started: float, error: str) -> DnsLookup:
    return DnsLookup(
        name=name,
        resolver=resolver,
        ok=False,
        elapsed_ms=round((time.monotonic() - started) * 1000, 2),
        error=error,
    )
