"""speedtest-cli failures become clear messages. Only the server discovery
goes through speedtest-cli; here its ``Speedtest`` class is replaced so
nothing ever reaches speedtest.net (the measurement against the lab's real
speedtest.net-protocol server is in tests/probes/speed/test_speedtest_engine.py,
speedtest-cli's discovery end to end in the virtual home)."""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.error import HTTPError

import pytest
import speedtest

from homecare.probes.speed.engine import EngineError, MeasureBudget
from homecare.probes.speed.speedtest_engine import SpeedtestEngine, translate


def budget(seconds: float = 2.0) -> MeasureBudget:
    return MeasureBudget(time.monotonic() + seconds, seconds, 0.5, 10**12, 2, 6, 0.03)


def http_error(code: int) -> HTTPError:
    return HTTPError("http://www.speedtest.net/speedtest-config.php", code, "x", {}, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (speedtest.ConfigRetrievalError(http_error(403)), "HTTP 403"),
        (speedtest.ConfigRetrievalError(http_error(429)), "HTTP 429"),
        (speedtest.NoMatchedServers(), "does not exist"),
        (speedtest.SpeedtestBestServerFailure("x"), "No speedtest.net server answered"),
        (speedtest.ServersRetrievalError("boom"), "list of speedtest.net servers"),
        (speedtest.SpeedtestConfigError("Malformed"), "configuration"),
        (RuntimeError("weird"), "weird"),
    ],
)
def test_translate(exc: Exception, expected: str) -> None:
    assert expected in translate(exc)


class FakeSpeedtest:
    """Stands in for speedtest.Speedtest; behaviour set per test."""

    fail_with: Exception | None = None
    hang_s: float = 0.0

    def __init__(self, **kwargs: Any) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.shutdown = kwargs["shutdown_event"]
        self.config: dict[str, Any] = {"length": {"download": 10, "upload": 10}}
        self.results = type("R", (), {"bytes_received": 0, "bytes_sent": 0})()
        self.best = {
            "id": "42", "sponsor": "Fake", "host": "127.0.0.1:9",
            "url": "http://127.0.0.1:9/speedtest/upload.php",
        }  # fmt: skip
        self.servers_asked: Any = None

    def get_servers(self, servers: Any = None) -> None:
        self.servers_asked = servers

    def get_best_server(self) -> None:
        deadline = time.monotonic() + self.hang_s
        while time.monotonic() < deadline and not self.shutdown.isSet():
            time.sleep(0.01)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> type[FakeSpeedtest]:
    cls = type("Fake", (FakeSpeedtest,), {})
    monkeypatch.setattr(speedtest, "Speedtest", cls)
    return cls


def test_prepare_picks_the_best_servers_endpoint(fake: type[FakeSpeedtest]) -> None:
    engine = SpeedtestEngine(server_id=42)
    assert "#42" in engine.prepare(time.monotonic() + 2)
    assert engine.server_url == "http://127.0.0.1:9/speedtest/upload.php"
    plan = engine.plan()
    assert plan.download_url().startswith("http://127.0.0.1:9/speedtest/random4000x4000.jpg?x=")
    assert plan.upload_url().startswith("http://127.0.0.1:9/speedtest/upload.php?x=")


@pytest.mark.parametrize("code", [403, 429])
def test_refusal_is_translated(fake: type[FakeSpeedtest], code: int) -> None:
    fake.fail_with = speedtest.ConfigRetrievalError(http_error(code))
    with pytest.raises(EngineError, match=f"HTTP {code}"):
        SpeedtestEngine().prepare(time.monotonic() + 2)


def test_measure_without_prepare_reports_the_failure(fake: type[FakeSpeedtest]) -> None:
    fake.fail_with = speedtest.ConfigRetrievalError(http_error(403))
    result = SpeedtestEngine().measure("download", budget(), lambda _m: None)
    assert result.mbit is None and result.error is not None and "403" in result.error


def test_a_hanging_discovery_is_abandoned_at_the_deadline(fake: type[FakeSpeedtest]) -> None:
    fake.hang_s = 30.0
    engine = SpeedtestEngine()
    started = time.monotonic()
    result = engine.measure("download", budget(1.0), lambda _m: None)
    assert time.monotonic() - started < 2.0
    assert result.error is not None and "time allowed" in result.error
    time.sleep(0.05)  # the shutdown event lets the worker thread end
    assert not [t for t in threading.enumerate() if t.name == "speedtest-cli" and t.is_alive()]
