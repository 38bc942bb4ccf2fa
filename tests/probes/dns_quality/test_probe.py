"""DNS quality against loopback resolvers that are honest, lying, slow or broken."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator

import dns.message
import dns.rcode
import dns.rrset
import pytest

from homecare.models import DnsLookup, HostData, Observation, ProbeStatus
from homecare.probes.base import ProbeContext, ProbeSkipped
from homecare.probes.dns_quality.probe import (
    DnsQualityProbe,
    nonexistent_names,
    summarize_resolver,
)
from homecare.profiles.provider import ProviderProfile

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="binding port 53 on loopback needs root")


@contextlib.contextmanager
def resolver(address: str, mode: str, delay_s: float = 0.0) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 53))
    sock.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            query = dns.message.from_wire(wire)
            name = query.question[0].name.to_text()
            if delay_s:
                time.sleep(delay_s)
            if mode == "malformed":
                sock.sendto(wire[:2] + b"\x81\x80\x00\x01\x00\x05garbage", peer)
                continue
            resp = dns.message.make_response(query)
            if name.endswith(".invalid.") and mode != "rewrite":
                resp.set_rcode(dns.rcode.NXDOMAIN)
            else:
                resp.answer.append(dns.rrset.from_text(name, 60, "IN", "A", "10.9.9.9"))
            sock.sendto(resp.to_wire(), peer)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield address
    finally:
        stop.set()
        t.join(1)
        sock.close()


def ctx(resolvers: list[str]) -> ProbeContext:
    host = HostData(os="linux", resolvers=resolvers)
    prof = ProviderProfile.model_validate({"thresholds": {"dns_timeout_s": 0.5}})
    return ProbeContext(
        deadline=time.monotonic() + 8,
        quick=False,
        provider=prof,
        privileged=True,
        results={"host": Observation(probe="host", area="host", status=ProbeStatus.OK, data=host)},
    )


def test_nonexistent_names_are_random_and_reserved() -> None:
    a, b = nonexistent_names([])[0], nonexistent_names([])[0]
    assert a != b and a.endswith(".invalid")
    assert nonexistent_names(["nope.example"])[1] == "nope.example"


@needs_root
def test_honest_lying_slow_and_malformed_resolvers() -> None:
    with (
        resolver("127.0.0.91", "honest") as honest,
        resolver("127.0.0.92", "rewrite") as liar,
        resolver("127.0.0.93", "honest", delay_s=0.15) as slow,
        resolver("127.0.0.94", "malformed") as broken,
    ):
        started = time.monotonic()
        data = DnsQualityProbe().run(ctx([honest, liar, slow, broken]))
        assert time.monotonic() - started < 8
    by = {r.resolver: r for r in data.resolvers}
    assert by[honest].answered == by[honest].queries == 3
    assert not by[honest].nxdomain_rewrite
    assert by[liar].nxdomain_rewrite and by[liar].rewrite_addresses == ["10.9.9.9"]
    assert (by[liar].rewrite_name or "").endswith(".invalid")
    assert (by[slow].median_ms or 0) >= 150 > (by[honest].median_ms or 0)
    assert by[broken].answered == 0 and by[broken].error


@needs_root
def test_no_resolver_skips_with_a_reason() -> None:
    with pytest.raises(ProbeSkipped, match="No DNS resolver"):
        DnsQualityProbe().run(ctx([]))


def test_a_lookup_answered_after_a_resend_does_not_make_a_resolver_slow() -> None:
    """One of three answers came after a resend (a lost datagram): its time is not the median."""

    def lk(ms: float, attempts: int = 1) -> DnsLookup:
        return DnsLookup(
            name="example.com",
            resolver="192.0.2.53",
            ok=True,
            addresses=["192.0.2.1"],
            elapsed_ms=ms,
            attempts=attempts,
        )

    quality = summarize_resolver("192.0.2.53", [lk(11.0), lk(345.0, attempts=2), lk(13.0)], [])
    assert quality.median_ms == 11.0  # the low median of the two first-send answers
    assert quality.answered == quality.queries == 3


def test_the_low_median_keeps_one_late_answer_of_two_from_making_a_resolver_slow() -> None:
    """A quick check's two rounds: the forwarder's first answer came late (its
    upstream answer was lost), the cached second came at once."""

    def lk(ms: float) -> DnsLookup:
        return DnsLookup(
            name="example.com",
            resolver="192.0.2.1",
            ok=True,
            addresses=["192.0.2.9"],
            elapsed_ms=ms,
        )

    assert summarize_resolver("192.0.2.1", [lk(340.0), lk(2.0)], []).median_ms == 2.0
    assert summarize_resolver("192.0.2.1", [lk(340.0), lk(2.0), lk(300.0)], []).median_ms == 300.0
