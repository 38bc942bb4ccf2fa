"""Timed lookups: direct queries to a tiny resolver on 127.0.0.1, and the system path."""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from homecare.probes.dns.lookups import direct_lookup, system_lookup

KNOWN = "known.test."
KNOWN_ADDRESS = "192.0.2.7"


@dataclass
class Responder:
    port: int
    mode: str = "answer"  # "answer" or "silent"
    queries: int = 0


@pytest.fixture
def responder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Responder]:
    """A UDP DNS server on 127.0.0.1: A for KNOWN, NXDOMAIN otherwise, or silence.

    direct_lookup always asks port 53; the test points dnspython at our port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    state = Responder(port=sock.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                wire, addr = sock.recvfrom(4096)
            except OSError:
                continue
            state.queries += 1
            if state.mode == "silent":
                continue
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            question = query.question[0]
            if question.name.to_text().lower() == KNOWN and question.rdtype == dns.rdatatype.A:
                response.answer.append(
                    dns.rrset.from_text(question.name, 60, "IN", "A", KNOWN_ADDRESS)
                )
            else:
                response.set_rcode(dns.rcode.NXDOMAIN)
            sock.sendto(response.to_wire(), addr)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    monkeypatch.setattr(dns.query, "udp", functools.partial(dns.query.udp, port=state.port))
    monkeypatch.setattr(dns.query, "tcp", functools.partial(dns.query.tcp, port=state.port))
    yield state
    stop.set()
    thread.join(1)
    sock.close()


def test_direct_lookup_answer(responder: Responder) -> None:
    result = direct_lookup("known.test", "127.0.0.1", 1.0)
    assert result.ok is True
    assert result.addresses == [KNOWN_ADDRESS]
    assert result.resolver == "127.0.0.1"
    assert result.error is None
    assert 0 <= result.elapsed_ms < 1000
    assert responder.queries == 1


def test_direct_lookup_nxdomain(responder: Responder) -> None:
    result = direct_lookup("unknown.test", "127.0.0.1", 1.0)
    assert result.ok is False
    assert result.addresses == []
    assert result.error == "NXDOMAIN"


def test_direct_lookup_timeout(responder: Responder) -> None:
    responder.mode = "silent"
    started = time.monotonic()
    result = direct_lookup("known.test", "127.0.0.1", 0.3)
    elapsed = time.monotonic() - started
    assert result.ok is False
    assert result.error == "No answer (timed out)"
    assert 0.25 <= elapsed < 0.8
    assert 250 <= result.elapsed_ms < 800


def test_direct_lookup_bad_resolver_address_is_an_error_not_an_exception() -> None:
    result = direct_lookup("known.test", "not-an-ip", 0.2)
    assert result.ok is False
    assert result.error


def test_system_lookup_localhost() -> None:
    result = system_lookup("localhost", 2.0)
    assert result.ok is True
    assert "127.0.0.1" in result.addresses or "::1" in result.addresses
    assert result.resolver is None


def test_system_lookup_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_a: object, **_k: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    result = system_lookup("whatever.test", 1.0)
    assert result.ok is False
    assert result.error is not None and "not known" in result.error


def test_system_lookup_gives_up_at_its_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hang(*_a: object, **_k: object) -> object:
        release.wait(5)
        raise socket.gaierror(socket.EAI_AGAIN, "late")

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    started = time.monotonic()
    try:
        result = system_lookup("slow.test", 0.2)
    finally:
        release.set()
    assert time.monotonic() - started < 0.6
    assert result.ok is False
    assert result.error == "No answer (timed out)"
