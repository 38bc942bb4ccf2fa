"""The Cloudflare engine against the lab's Cloudflare-style server on
loopback, and against servers that refuse (403/429)."""

from __future__ import annotations

import contextlib
import http.server
import time
from collections.abc import Iterator

import pytest
from homecare_lab.cloudflare_server import make_cloudflare_server, requested_bytes

from homecare.probes.speed.cloudflare import CloudflareEngine, ladder_figure, percentile_90
from homecare.probes.speed.engine import EngineError, MeasureBudget
from homecare.probes.speed.http_streams import Endpoint, parse_head

from .serving import serving_port


def budget(seconds: float = 3.0) -> MeasureBudget:
    return MeasureBudget(time.monotonic() + seconds + 1.0, seconds, 0.5, 10**12, 1, 8, 0.03)


@contextlib.contextmanager
def serving(srv: http.server.ThreadingHTTPServer) -> Iterator[str]:
    with serving_port(srv) as port:
        yield f"http://127.0.0.1:{port}"


def test_percentile_is_cloudflares_summary() -> None:
    assert percentile_90([]) is None
    assert percentile_90([5.0]) == 5.0
    assert percentile_90([float(x) for x in range(1, 11)]) == pytest.approx(9.1)


def test_the_sizes_that_saturated_the_line_make_the_figure() -> None:
    # a token bucket's burst makes 100 kB requests read fast: the 10 MB ones decide
    rates = [130.0, 128.0, 126.0, 50.5, 50.0, 47.0]
    durations = [0.012, 0.012, 0.013, 1.58, 1.6, 1.7]
    sizes = [100_000] * 3 + [10_000_000] * 3
    assert ladder_figure(rates, durations, sizes) == pytest.approx(percentile_90(rates[3:]))
    # chosen per size: one slow (so long) request of a short size does not qualify it
    rates2, durations2 = [*rates, 20.0, 90.0], [*durations, 0.3, 0.1]
    sizes2 = [*sizes, 1_000_000, 1_000_000]
    assert ladder_figure(rates2, durations2, sizes2) == pytest.approx(percentile_90(rates[3:]))
    # no size that long (a short budget): the largest size measured
    assert ladder_figure(rates[:3], durations[:3], sizes[:3]) == pytest.approx(
        percentile_90(rates[:3])
    )
    assert ladder_figure([], [], []) is None


def test_server_timing_is_read_as_cloudflares_client_does() -> None:
    ep = Endpoint.parse("http://127.0.0.1:1/__down")
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer-Timing: cfRequestDuration;dur=12.5"
    status, length, keep_alive, server_s = parse_head(head, ep)
    assert (status, length, keep_alive) == (200, 5, True)
    assert server_s == pytest.approx(0.0125)
    assert parse_head(b"HTTP/1.1 200 OK\r\nServer-Timing: x;desc=dur=9", ep)[3] == 0.0


def test_requested_bytes_is_capped() -> None:
    assert requested_bytes("bytes=100") == 100
    assert requested_bytes("bytes=x") == 0
    assert requested_bytes("bytes=99999999999") == 1_000_000_000


@pytest.mark.parametrize("direction", ["download", "upload"])
def test_measures_the_lab_server(direction: str) -> None:
    with serving(make_cloudflare_server("127.0.0.1", 0)) as base:
        engine = CloudflareEngine(base)
        assert engine.prepare(time.monotonic() + 2) == base
        messages: list[str] = []
        started = time.monotonic()
        result = engine.measure(direction, budget(), messages.append)  # type: ignore[arg-type]
    assert time.monotonic() - started < 4.5
    assert result.error is None, result.error
    assert result.mbit is not None and result.mbit > 100
    assert result.samples_mbit and messages
    assert result.low_mbit is not None and result.low_mbit <= result.mbit
    assert result.bytes >= 1_000_000


class _Refusing(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    status = 429

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET


@pytest.mark.parametrize(("status", "words"), [(403, "refused the test"), (429, "too many")])
def test_refusal_is_one_clear_error(status: int, words: str) -> None:
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), type("R", (_Refusing,), {"status": status})
    )
    srv.daemon_threads = True
    with serving(srv) as base:
        with pytest.raises(EngineError, match=words):
            CloudflareEngine(base).prepare(time.monotonic() + 2)
        result = CloudflareEngine(base).measure("download", budget(1.0), lambda _m: None)
    assert result.mbit is None and result.error is not None and words in result.error
