"""The speedtest.net engine measures with homecare's streams over the chosen
server's endpoints: against the lab's real speedtest.net-protocol server on
loopback, and against servers answering 403/429 mid-test."""

from __future__ import annotations

import contextlib
import http.server
import time
from collections.abc import Iterator

import pytest
from homecare_lab.ookla_server import make_ookla_server

from homecare.probes.speed.engine import MeasureBudget
from homecare.probes.speed.speedtest_engine import SpeedtestEngine

from .serving import serving_port


def budget(seconds: float = 2.0, streams: int = 4) -> MeasureBudget:
    return MeasureBudget(time.monotonic() + seconds + 1.5, seconds, 0.5, 10**12, streams, 6, 0.03)


@contextlib.contextmanager
def serving(srv: http.server.ThreadingHTTPServer) -> Iterator[str]:
    with serving_port(srv) as port:
        yield f"http://127.0.0.1:{port}/speedtest/upload.php"


@pytest.mark.parametrize("direction", ["download", "upload"])
def test_measures_the_lab_speedtest_server(direction: str) -> None:
    with serving(make_ookla_server("127.0.0.1", 0)) as url:
        engine = SpeedtestEngine()
        engine.use_server(url)
        result = engine.measure(direction, budget(), lambda _m: None)  # type: ignore[arg-type]
    assert result.error is None, result.error
    assert result.mbit is not None and result.mbit > 100
    assert result.counted == ("received" if direction == "download" else "acked")
    assert result.streams == 4 and result.samples_mbit


class _Refusing(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    status = 403

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _refuse(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    do_GET = _refuse
    do_POST = _refuse


@pytest.mark.parametrize(("status", "words"), [(403, "refused the test"), (429, "too many")])
@pytest.mark.parametrize("direction", ["download", "upload"])
def test_refusal_mid_test_is_one_clear_error(status: int, words: str, direction: str) -> None:
    handler = type("R", (_Refusing,), {"status": status})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    with serving(srv) as url:
        engine = SpeedtestEngine()
        engine.use_server(url)
        started = time.monotonic()
        result = engine.measure(direction, budget(1.0), lambda _m: None)  # type: ignore[arg-type]
    assert time.monotonic() - started < 3.0
    assert result.mbit is None
    assert result.error is not None and words in result.error and f"HTTP {status}" in result.error
    assert result.error.count("HTTP") == 1  # one sentence, not one per stream
