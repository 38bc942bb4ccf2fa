"""The responsiveness (nq) engine: the draft's arithmetic and stability logic,
the configuration rules, and a run against the lab's nq server on loopback."""

from __future__ import annotations

import contextlib
import http.server
import json
import statistics
import threading
import time
from collections.abc import Iterator

import pytest
from homecare_lab.nq_server import NqHandler, config_document, make_nq_server
from hypothesis import given
from hypothesis import strategies as st

from homecare.collector.fast_http import make_server
from homecare.models.connection import SpeedDirection
from homecare.probes.speed.engine import EngineError, MeasureBudget
from homecare.probes.speed.nq import NqEngine
from homecare.probes.speed.nq_stats import (
    Algorithm,
    ProbeSet,
    confidence,
    foreign_probe_rate,
    responsiveness,
    rpm_of,
    stable,
    trimmed_mean,
)
from homecare.probes.speed.nq_wire import parse_config
from homecare.probes.speed.probe import build_engines
from homecare.profiles.provider import ProviderProfile

from .serving import serving_port

latencies = st.lists(st.floats(min_value=0.1, max_value=5000.0), min_size=1, max_size=200)


def test_trimmed_mean_drops_the_top_five_percent() -> None:
    values = [10.0] * 19 + [1000.0]
    assert trimmed_mean(values) == 10.0
    assert trimmed_mean([]) is None
    assert trimmed_mean([7.0]) == 7.0
    # 10 values: 95 % keeps 9
    assert trimmed_mean([float(x) for x in range(1, 11)]) == pytest.approx(5.0)


@given(latencies)
def test_trimmed_mean_lies_between_min_and_plain_mean(values: list[float]) -> None:
    tm = trimmed_mean(values)
    assert tm is not None
    assert min(values) - 1e-9 <= tm <= statistics.fmean(values) + 1e-6


def test_rpm_is_60000_over_milliseconds() -> None:
    assert rpm_of(30.0) == 2000.0
    assert rpm_of(0.0) is None and rpm_of(None) is None


def test_tcp_only_formula_weights_tcp_and_http_equally_then_averages_rpms() -> None:
    fig = responsiveness(ProbeSet(tcp=[20.0], http=[40.0], self_rtt=[60.0]))
    assert fig.foreign_rpm == pytest.approx(60000 / 30)
    assert fig.self_rpm == pytest.approx(1000.0)
    assert fig.rpm == pytest.approx((2000.0 + 1000.0) / 2)
    assert fig.tls_ms is None


def test_tls_formula_has_three_equal_parts() -> None:
    fig = responsiveness(ProbeSet(tcp=[10.0], tls=[20.0], http=[30.0], self_rtt=[20.0]))
    assert fig.foreign_rpm == pytest.approx(60000 / 20)
    assert fig.rpm == pytest.approx(3000.0)


def test_self_probes_alone_still_give_a_figure() -> None:
    assert responsiveness(ProbeSet(self_rtt=[100.0])).rpm == pytest.approx(600.0)
    assert responsiveness(ProbeSet()).rpm is None


@given(latencies, latencies)
def test_rpm_lies_between_the_two_kinds(foreign: list[float], own: list[float]) -> None:
    fig = responsiveness(ProbeSet(tcp=foreign, http=foreign, self_rtt=own))
    assert fig.rpm is not None and fig.foreign_rpm is not None and fig.self_rpm is not None
    lo, hi = sorted((fig.foreign_rpm, fig.self_rpm))
    assert lo - 1e-6 <= fig.rpm <= hi + 1e-6


def test_stability_needs_a_full_window_within_tolerance() -> None:
    assert not stable([100.0, 100.0, 100.0])
    assert stable([100.0, 101.0, 99.0, 100.0])
    assert not stable([50.0, 80.0, 95.0, 100.0])
    assert not stable([0.0, 0.0, 0.0, 0.0])


@given(st.floats(min_value=1.0, max_value=1e9), st.integers(min_value=4, max_value=20))
def test_a_constant_series_is_stable(value: float, n: int) -> None:
    assert stable([value] * n)


def test_confidence_levels() -> None:
    assert confidence(2, reached=True) == "high"
    assert confidence(4, reached=False) == "medium"
    assert confidence(3, reached=False) == "low"


def test_probe_rate_stays_within_five_percent_of_capacity() -> None:
    assert foreign_probe_rate(None) == 5.0
    # 10 Mbit/s: 5 % is 62.5 kB/s, 12.5 foreign probes of 5 kB
    assert foreign_probe_rate(1.25e6) == pytest.approx(12.5)
    assert foreign_probe_rate(1e3) == 1.0  # never below one a second
    assert foreign_probe_rate(1e9) == 20.0  # this client's pace


def feed(alg: Algorithm, goodput: list[float], rtt_ms: list[float]) -> list[bool]:
    out = []
    for g, r in zip(goodput, rtt_ms, strict=True):
        probes = ProbeSet(tcp=[r] * 5, http=[r] * 5, self_rtt=[r] * 5)
        out.append(alg.end_interval(int(g * alg.interval_s), probes))
    return out


def test_algorithm_saturates_goodput_then_responsiveness() -> None:
    alg = Algorithm(interval_s=0.5)
    ramp = [1e6, 2e6, 4e6, 6e6] + [6e6] * 12
    latency = [10.0, 20, 40, 80] + [100.0] * 12
    ends = feed(alg, ramp, latency)
    assert alg.saturated_at is not None and alg.saturated_at >= 7
    assert alg.done and ends.index(True) == alg.saturated_at + 4
    assert alg.goodput_confidence() == "high"
    assert alg.responsiveness_confidence() == "high"
    assert alg.window().rpm == pytest.approx(600.0)


def test_algorithm_that_never_settles_has_low_or_medium_confidence() -> None:
    alg = Algorithm(interval_s=0.5)
    feed(alg, [1e6 * 1.5**i for i in range(10)], [10.0] * 10)
    assert alg.saturated_at is None
    assert alg.goodput_confidence() == "medium"
    assert alg.responsiveness_confidence() == "low"
    short = Algorithm(interval_s=0.5)
    feed(short, [1e6, 1e6], [10.0, 10.0])
    assert short.goodput_confidence() == "low"


def doc(**changes: object) -> bytes:
    d: dict[str, object] = config_document("http://192.0.2.1:8080")
    d.update(changes)
    return json.dumps(d).encode()


def test_config_follows_the_draft() -> None:
    cfg = parse_config(doc(extra="ignored"), "s")
    assert cfg.large.path == "/large" and cfg.connect_host == "192.0.2.1"
    assert parse_config(doc(test_endpoint="192.0.2.9"), "s").connect_host == "192.0.2.9"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        doc(version=2),
        doc(version=True),
        doc(urls={"small_download_url": "http://a/s", "large_download_url": "http://a/l"}),
        doc(urls={"small_download_url": "http://a/s", "large_download_url": "http://b/l",
                  "upload_url": "http://a/u"}),
        doc(urls={"small_download_url": "ftp://a/s", "large_download_url": "ftp://a/l",
                  "upload_url": "ftp://a/u"}),
        b'{"version": 1, "version": 1, "urls": {}}',
    ],
)  # fmt: skip
def test_unusable_configs_are_refused(body: bytes) -> None:
    with pytest.raises(EngineError, match="unusable configuration"):
        parse_config(body, "s")


@contextlib.contextmanager
def serving(srv: http.server.ThreadingHTTPServer) -> Iterator[str]:
    with serving_port(srv) as port:
        yield f"http://127.0.0.1:{port}/.well-known/nq"


def test_no_server_configured_is_a_clear_error() -> None:
    with pytest.raises(EngineError, match="nq_config_url"):
        NqEngine(None).prepare(time.monotonic() + 1)


@pytest.mark.parametrize("direction", ["download", "upload"])
def test_measures_the_lab_server_on_loopback(direction: str) -> None:
    with serving(make_nq_server("127.0.0.1", 0)) as url:
        engine = NqEngine(url, interval_s=0.25)
        assert engine.prepare(time.monotonic() + 2).startswith("http://127.0.0.1:")
        messages: list[str] = []
        started = time.monotonic()
        budget = MeasureBudget(time.monotonic() + 6, 5.0, 0.5, 10**12, 1, 8, 0.03)
        result = engine.measure(direction, budget, messages.append)  # type: ignore[arg-type]
    assert time.monotonic() - started < 6.5
    assert result.error is None, result.error
    assert result.mbit is not None and result.mbit > 50
    r = result.responsiveness
    assert r is not None and r.rpm is not None and r.rpm > 0
    assert r.foreign_probes > 0 and r.self_probes > 0
    assert r.connections == result.streams >= 2
    assert result.counted == ("acked" if direction == "upload" else "received")
    assert any("RPM" in m for m in messages)


def test_a_server_that_refuses_the_config_is_an_engine_error() -> None:
    with (
        serving(make_nq_server("127.0.0.1", 0)) as url,
        pytest.raises(EngineError, match="HTTP 404"),
    ):
        NqEngine(url.replace("/.well-known/nq", "/nope")).prepare(time.monotonic() + 2)


class RefusingHandler(NqHandler):
    """Serves the configuration but refuses the load (a server at its limit)."""

    def do_GET(self) -> None:
        if self.path.startswith("/large"):
            self.send_bytes(b"busy\n", status=429)
        else:
            super().do_GET()


def download_from(handler: type[NqHandler], seconds: float) -> tuple[SpeedDirection, float]:
    """One download (0.25 s intervals, *seconds* allowed) from a loopback
    server with *handler*; the result and how long it took."""
    with serving(make_server(handler, "127.0.0.1", 0)) as url:
        engine = NqEngine(url, interval_s=0.25)
        engine.prepare(time.monotonic() + 2)
        budget = MeasureBudget(time.monotonic() + seconds + 1, seconds, 0.5, 10**12, 1, 8, 0.03)
        started = time.monotonic()
        result = engine.measure("download", budget, lambda _m: None)
        return result, time.monotonic() - started


def test_a_refused_load_connection_ends_the_direction_with_the_reason() -> None:
    result, took = download_from(RefusingHandler, 3.0)
    assert took < 2.0
    assert result.mbit is None and result.error is not None and "429" in result.error


def test_the_provider_profile_picks_nq_and_its_fall_back_order() -> None:
    profile = ProviderProfile.model_validate(
        {
            "speed": {
                "engines": ["nq", "cloudflare"],
                "nq_config_url": "http://192.0.2.1/.well-known/nq",
            }
        }
    )
    engines = build_engines(profile)
    assert [e.name for e in engines] == ["nq", "cloudflare"]
    assert isinstance(engines[0], NqEngine)
    assert engines[0].config_url == "http://192.0.2.1/.well-known/nq"


def test_idle_tail_counts_quiet_intervals_only_after_bytes_moved() -> None:
    alg = Algorithm(0.5)
    for n in (0, 0):
        alg.end_interval(n, ProbeSet())
    assert alg.idle_tail_s() == 0.0  # nothing moved yet: still starting
    for n in (1000, 0, 0, 0):
        alg.end_interval(n, ProbeSet())
    assert alg.idle_tail_s() == pytest.approx(1.5)
    alg.end_interval(1, ProbeSet())
    assert alg.idle_tail_s() == 0.0


class StallingHandler(NqHandler):
    """The first download gets 2 MB of the large object, then nothing, and
    later ones nothing at all, each held open; once it has, the small object
    is not answered either: a line that went away mid-test."""

    served = threading.Event()

    def do_GET(self) -> None:
        if self.path.startswith("/small") and self.served.is_set():
            with contextlib.suppress(OSError):
                self.connection.settimeout(4.0)
                self.connection.recv(1)  # until the client gives up
            return
        if not self.path.startswith("/large"):
            super().do_GET()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(1 << 33))
        self.end_headers()
        with contextlib.suppress(OSError):
            if not self.served.is_set():
                self.served.set()
                self.wfile.write(bytes(2 * 1024 * 1024))
            self.wfile.flush()
            self.connection.settimeout(4.0)
            self.connection.recv(1)  # until the client gives up


def test_a_stalled_line_is_an_error_without_a_rate_and_not_acted_on() -> None:
    result, took = download_from(StallingHandler, 7.0)
    assert took < 4.0  # the stall ends it, not the 7 s budget
    # whatever is still stuck on the dead line is a daemon thread: it never
    # holds the process open at exit (a thread pool's workers would)
    stuck = [t.name for t in threading.enumerate() if not t.daemon and t.name.startswith("nq")]
    assert threading.main_thread().is_alive() and stuck == []
    assert result.mbit is None
    assert result.error is not None and "the connection stalled" in result.error
    assert result.responsiveness is not None and result.responsiveness.confidence == "low"
