"""A speed test server's name is looked up within a limit, once per test.

The system resolver is replaced by a function that hangs or fails (tests
never ask the host's resolver a real name); literals and ``localhost`` need
no packet.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from homecare.probes.speed.engine import EngineError, MeasureBudget
from homecare.probes.speed.names import look_up
from homecare.probes.speed.streams import StreamPlan, run_streams


@pytest.fixture
def hung_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """getaddrinfo that never answers (DNS down: the lab's lookup took 20 s)."""
    release = threading.Event()
    asked: list[str] = []

    def hang(host: str, *_a: object, **_k: object) -> object:
        asked.append(host)
        release.wait(10)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    yield asked
    release.set()


def test_literals_are_themselves_without_a_lookup(hung_resolver: list[str]) -> None:
    assert look_up("192.0.2.8", 80, "s", 1.0) == (socket.AF_INET, ("192.0.2.8", 80))
    assert look_up("2001:db8::8", 443, "s", 1.0) == (socket.AF_INET6, ("2001:db8::8", 443, 0, 0))
    assert hung_resolver == []


def test_localhost_resolves_from_the_hosts_file() -> None:
    family, address = look_up("localhost", 8080, "s", 2.0)
    assert family in (socket.AF_INET, socket.AF_INET6)
    assert address[1] == 8080


def test_a_hung_lookup_is_one_sentence_at_the_limit(hung_resolver: list[str]) -> None:
    started = time.monotonic()
    with pytest.raises(EngineError, match=r"could not be looked up in time"):
        look_up("speed.example.net", 80, "http://speed.example.net:80", 0.3)
    assert time.monotonic() - started < 0.6


def test_a_failed_lookup_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_a: object, **_k: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(EngineError, match=r"could not be looked up: Name or service not known"):
        look_up("nope.example.net", 80, "http://nope.example.net:80", 1.0)


def test_the_stream_engine_looks_the_name_up_once_within_its_budget(
    hung_resolver: list[str],
) -> None:
    """Sixteen streams on two loops, DNS down: one lookup, one sentence, no stream waits 20 s."""
    plan = StreamPlan(
        download_url=lambda: "http://speed.example.net/garbage.php?ckSize=100",
        upload_url=lambda: "http://speed.example.net/empty.php",
    )
    budget = MeasureBudget(
        deadline=time.monotonic() + 0.8, max_duration_s=3.0, warmup_s=0.5,
        max_bytes=10**9, streams=16, stable_samples=3, stable_tolerance=0.05,
    )  # fmt: skip
    started = time.monotonic()
    result = run_streams("download", plan, budget, lambda _m: None)
    assert time.monotonic() - started < 1.3
    assert result.mbit is None
    assert result.error is not None and "could not be looked up in time" in result.error
    assert hung_resolver == ["speed.example.net"]
