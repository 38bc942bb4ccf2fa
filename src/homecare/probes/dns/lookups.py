"""Timed name lookups with explicit timeouts, retried the way a stub resolver retries.

The system path (getaddrinfo) has no timeout of its own, so it runs in a
worker thread we stop waiting for; direct queries to each configured resolver
use dnspython so a slow or broken resolver is named, not guessed.

Both paths ask again within their timeout when no answer has come: one lost
datagram on a lossy line is not a resolver that does not answer. A single
try once read a 15 % lossy line as "names fail, the router is at fault".
"""

from __future__ import annotations

import queue
import socket
import threading
import time
from typing import TYPE_CHECKING

from homecare.i18n import _
from homecare.models import DnsLookup

if TYPE_CHECKING:
    import dns.message

#: the port direct queries go to (a test's own resolver listens elsewhere)
DNS_PORT = 53
#: sends of one direct query within its timeout, evenly spaced (same query id,
#: so a forwarder such as dnsmasq takes the later ones as a retry and resends)
DIRECT_ATTEMPTS = 3
#: getaddrinfo calls within the system path's timeout (the C library's own
#: retry waits 5 s by default, longer than our whole timeout)
SYSTEM_ATTEMPTS = 2


def system_lookup(name: str, timeout_s: float) -> DnsLookup:
    """The system's resolver path, asked again halfway if it has not answered."""
    answers: queue.Queue[tuple[list[str], str]] = queue.Queue()

    def work() -> None:
        try:
            infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
            answers.put((sorted({str(i[4][0]) for i in infos}), ""))
        except (OSError, UnicodeError) as exc:
            answers.put(([], str(exc)))

    started = time.monotonic()
    for attempt in range(SYSTEM_ATTEMPTS):
        worker = threading.Thread(target=work, daemon=True, name=f"getaddrinfo-{name}")
        worker.start()
        until = started + timeout_s * (attempt + 1) / SYSTEM_ATTEMPTS
        try:
            addrs, error = answers.get(timeout=max(0.0, until - time.monotonic()))
        except queue.Empty:
            continue
        elapsed = round((time.monotonic() - started) * 1000, 2)
        if addrs:
            return DnsLookup(
                name=name, ok=True, addresses=addrs, elapsed_ms=elapsed, attempts=attempt + 1
            )
        return DnsLookup(name=name, ok=False, elapsed_ms=elapsed, error=error, attempts=attempt + 1)
    elapsed = round((time.monotonic() - started) * 1000, 2)
    return DnsLookup(
        name=name,
        ok=False,
        elapsed_ms=elapsed,
        error=_("No answer (timed out)"),
        timed_out=True,
        attempts=SYSTEM_ATTEMPTS,
    )


def direct_lookup(name: str, resolver: str, timeout_s: float) -> DnsLookup:
    """Ask one resolver for the A record of *name*, resending while it is silent."""
    import dns.exception
    import dns.flags
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdatatype

    started = time.monotonic()
    address = resolver.split("%")[0]
    try:
        query = dns.message.make_query(name, dns.rdatatype.A)
        answer, attempts = _ask_udp(query, address, timeout_s)
        if answer.flags & dns.flags.TC:
            left = max(0.05, timeout_s - (time.monotonic() - started))
            answer = dns.query.tcp(query, address, timeout=left, port=DNS_PORT)
    except dns.exception.Timeout:
        return _failed(name, resolver, started, _("No answer (timed out)"), DIRECT_ATTEMPTS)
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
            attempts=attempts,
        )
    return DnsLookup(
        name=name,
        resolver=resolver,
        ok=True,
        addresses=addrs,
        elapsed_ms=elapsed,
        attempts=attempts,
    )


def _ask_udp(
    query: dns.message.Message, address: str, timeout_s: float
) -> tuple[dns.message.Message, int]:
    """Send *query* up to DIRECT_ATTEMPTS times on one socket; the first real answer wins.

    Returns the answer and the sends made until it came.

    One socket, so an answer to the first send that arrives after the second
    still counts; replies from elsewhere, to another id, or that do not parse
    are ignored until the timeout (a hostile packet is not an answer).
    """
    import dns.exception
    import dns.inet
    import dns.message
    import dns.query

    family = dns.inet.af_for_address(address)
    destination = (address, DNS_PORT)
    started = time.time()  # dnspython's expirations are wall-clock
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)  # dnspython waits in a selector up to each expiration
        for attempt in range(DIRECT_ATTEMPTS):
            dns.query.send_udp(sock, query, destination)
            until = started + timeout_s * (attempt + 1) / DIRECT_ATTEMPTS
            try:
                answer, _when = dns.query.receive_udp(
                    sock,
                    destination,
                    expiration=until,
                    ignore_unexpected=True,
                    ignore_errors=True,
                    query=query,
                )
            except dns.exception.Timeout:
                continue
            assert isinstance(answer, dns.message.Message)
            return answer, attempt + 1
    raise dns.exception.Timeout


def _failed(name: str, resolver: str, started: float, error: str, sent: int = 0) -> DnsLookup:
    """A lookup without an answer; *sent* queries that all went unanswered, or 0 on an error."""
    return DnsLookup(
        name=name,
        resolver=resolver,
        ok=False,
        elapsed_ms=round((time.monotonic() - started) * 1000, 2),
        error=error,
        timed_out=sent > 0,
        attempts=max(1, sent),
    )
