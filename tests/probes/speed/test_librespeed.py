"""The LibreSpeed engine against a real loopback server and against servers
that misbehave: every failure is a clear message, never a hang past the budget."""

from __future__ import annotations

import re
import time

import pytest

from homecare.probes.speed.engine import EngineError, MeasureBudget
from homecare.probes.speed.librespeed import LibreSpeedEngine, backend_url

from .fault_servers import fault_server


def budget(seconds: float = 2.5, streams: int = 2, max_bytes: int = 10**12) -> MeasureBudget:
    return MeasureBudget(
        deadline=time.monotonic() + seconds + 1.0,
        max_duration_s=seconds,
        warmup_s=0.5,
        max_bytes=max_bytes,
        streams=streams,
        stable_samples=6,
        stable_tolerance=0.03,
    )


def test_backend_url_forms() -> None:
    assert backend_url("http://h/", "garbage.php") == "http://h/garbage.php"
    assert backend_url("http://h/backend", "empty.php") == "http://h/backend/empty.php"
    assert (
        backend_url("http://h/backend/empty.php", "garbage.php") == "http://h/backend/garbage.php"
    )


@pytest.mark.parametrize("direction", ["download", "upload"])
def test_measures_both_directions_on_loopback(librespeed_url: str, direction: str) -> None:
    engine = LibreSpeedEngine([librespeed_url])
    assert engine.prepare(time.monotonic() + 3) == librespeed_url
    messages: list[str] = []
    started = time.monotonic()
    result = engine.measure(direction, budget(), messages.append)  # type: ignore[arg-type]
    assert time.monotonic() - started < 4.0
    assert result.error is None
    assert result.mbit is not None and result.mbit > 100
    assert result.bytes > 10_000_000
    assert result.samples_mbit and messages


def test_byte_cap_ends_the_test(librespeed_url: str) -> None:
    engine = LibreSpeedEngine([librespeed_url])
    result = engine.measure("download", budget(seconds=10, max_bytes=50_000_000), lambda _m: None)
    assert result.duration_s < 5
    assert result.bytes >= 50_000_000


def test_no_server_configured_is_a_clear_error() -> None:
    with pytest.raises(EngineError, match="No LibreSpeed server"):
        LibreSpeedEngine([]).prepare(time.monotonic() + 1)


def test_bad_url_is_a_clear_error() -> None:
    with pytest.raises(EngineError, match="Not a usable"):
        LibreSpeedEngine(["ftp://x/"]).prepare(time.monotonic() + 1)


def test_refused_connection() -> None:
    with fault_server("garbage") as url:
        port = url.rsplit(":", 1)[1].strip("/")
    # the server is gone now: its port refuses
    with pytest.raises(EngineError, match="Cannot connect"):
        LibreSpeedEngine([f"http://127.0.0.1:{port}/"]).prepare(time.monotonic() + 1)


@pytest.mark.parametrize(
    ("mode", "message"), [("http403", "403"), ("http429", "429"), ("garbage", "garbage")]
)
def test_prepare_translates_bad_answers(mode: str, message: str) -> None:
    with fault_server(mode) as url, pytest.raises(EngineError, match=message):
        LibreSpeedEngine([url]).prepare(time.monotonic() + 2)


def test_picks_the_server_that_answers(librespeed_url: str) -> None:
    with fault_server("http403") as bad:
        assert (
            LibreSpeedEngine([bad, librespeed_url]).prepare(time.monotonic() + 2) == librespeed_url
        )


@pytest.mark.parametrize(
    ("mode", "direction", "message"),
    [
        ("ok_ping_garbage_data", "download", "garbage"),
        ("stall", "download", "stopped sending"),
        ("close_early", "download", "closed the connection early"),
        ("ok_ping_garbage_data", "upload", "garbage|reset|failed"),
    ],
)
def test_misbehaving_server_gives_clear_error_within_budget(
    mode: str, direction: str, message: str
) -> None:
    with fault_server(mode) as url:
        engine = LibreSpeedEngine([url])
        engine.prepare(time.monotonic() + 2)
        b = budget(seconds=3.0)
        started = time.monotonic()
        result = engine.measure(direction, b, lambda _m: None)  # type: ignore[arg-type]
        assert time.monotonic() < b.deadline + 1.5, time.monotonic() - started
    assert result.error is not None and re.search(message, result.error)
    if result.error and result.bytes < 10_000_000:
        assert result.mbit is None


def test_close_early_still_reports_bytes_received() -> None:
    with fault_server("close_early") as url:
        engine = LibreSpeedEngine([url])
        engine.prepare(time.monotonic() + 2)
        result = engine.measure("download", budget(seconds=2.0), lambda _m: None)
    assert result.bytes >= 512 * 1024
    assert result.error is not None


@pytest.mark.parametrize("direction", ["download", "upload"])
def test_slow_server_measures_a_low_rate_and_stops_on_time(direction: str) -> None:
    with fault_server("slow") as url:
        engine = LibreSpeedEngine([url])
        engine.prepare(time.monotonic() + 2)
        b = budget(seconds=2.0)
        result = engine.measure(direction, b, lambda _m: None)  # type: ignore[arg-type]
        assert time.monotonic() < b.deadline + 1.5
    assert result.duration_s <= 2.6
    if direction == "download":
        assert result.mbit is not None and result.mbit < 50
