"""Timed lookups: direct queries to a tiny resolver on 127.0.0.1, and the system path."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from homecare.probes.dns import lookups
from homecare.probes.dns.lookups import direct_lookup, system_lookup

KNOWN = "known.test."
KNOWN_ADDRESS = "192.0.2.7"


@dataclass
class Responder:
    port: int
    mode: str = "answer"  # "answer" or "silent"
    queries: int = 0
    #: the first this many queries get no answer (a lossy line)
    drop_first: int = 0
    #: before each answer, send this many hostile datagrams (garbage, a wrong id)
    hostile: int = 0
    ids: list[int] = field(default_factory=list)


@pytest.fixture
def responder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Responder]:
    """A UDP DNS server on 127.0.0.1: A for KNOWN, NXDOMAIN otherwise, or silence.

    direct_lookup asks ``lookups.DNS_PORT``; the test points it at our port.
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
            query = dns.message.from_wire(wire)
            state.ids.append(query.id)
            if state.mode == "silent" or state.queries <= state.drop_first:
                continue
            for n in range(state.hostile):
                sock.sendto(b"\xff" * (n + 1), addr)  # does not parse
                stray = dns.message.make_response(query)
                stray.id = (query.id + 1) % 65536  # another query's answer
                stray.answer.append(
                    dns.rrset.from_text(query.question[0].name, 60, "IN", "A", "203.0.113.66")
                )
                sock.sendto(stray.to_wire(), addr)
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
    monkeypatch.setattr(lookups, "DNS_PORT", state.port)
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


def test_direct_lookup_resends_the_same_query_while_the_resolver_is_silent(
    responder: Responder,
) -> None:
    """Two lost answers on a lossy line: the third send is answered within the timeout."""
    responder.drop_first = 2
    result = direct_lookup("known.test", "127.0.0.1", 0.9)
    assert result.ok is True, result
    assert result.addresses == [KNOWN_ADDRESS]
    assert responder.queries == 3
    # one query id, so a forwarder takes the later sends as retries of the first
    assert len(set(responder.ids)) == 1
    assert 550 <= result.elapsed_ms < 900


def test_direct_lookup_ignores_hostile_replies_and_takes_the_real_answer(
    responder: Responder,
) -> None:
    responder.hostile = 3
    result = direct_lookup("known.test", "127.0.0.1", 1.0)
    assert result.ok is True, result
    assert result.addresses == [KNOWN_ADDRESS]  # never the stray 203.0.113.66
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
    assert responder.queries == lookups.DIRECT_ATTEMPTS  # it asked again, then gave up


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


def test_system_lookup_asks_again_when_the_first_call_has_no_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first getaddrinfo hangs (its query was lost); the second, halfway, answers."""
    release = threading.Event()
    calls: list[float] = []

    def first_hangs(*_a: object, **_k: object) -> object:
        calls.append(time.monotonic())
        if len(calls) == 1:
            release.wait(5)
            raise socket.gaierror(socket.EAI_AGAIN, "late")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.9", 0))]

    monkeypatch.setattr(socket, "getaddrinfo", first_hangs)
    started = time.monotonic()
    try:
        result = system_lookup("lossy.test", 0.6)
    finally:
        release.set()
    assert result.ok is True, result
    assert result.addresses == ["192.0.2.9"]
    assert len(calls) == 2
    assert 0.25 <= calls[1] - started < 0.45  # halfway through the timeout
    assert 250 <= result.elapsed_ms < 600


def test_system_lookup_takes_an_error_at_once_without_asking_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def no_such_name(name: str, *_a: object, **_k: object) -> object:
        calls.append(name)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    result = system_lookup("nope.test", 1.0)
    assert result.ok is False
    assert calls == ["nope.test"]
    assert result.elapsed_ms < 250
