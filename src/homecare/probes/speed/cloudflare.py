"""The Cloudflare engine: speed.cloudflare.com's ``__down``/``__up`` method.

Cloudflare's speed test is a ladder of sequential requests of growing size
(100 kB up to 100 MB down, 50 MB up), each timed on its own; the figure is
the 90th percentile of the per-request rates, counting only requests that
took at least 10 ms (shorter ones measure the round trip, not the line). A
size is not climbed past once a request of it took longer than a second, and
the ladder stops at the direction's time budget. Latency under load comes
from the probe's loaded pingers, as for every engine.

Timing follows Cloudflare's engine (``BandwidthEngine``: a download's
duration is its whole request, ``requestStart`` to ``responseEnd``, minus
the server's own time from ``Server-Timing``; an upload's runs to the
answer) with one change: the request's own round trip (the connection's
minimum RTT) is taken out, as it carries no payload. Cloudflare leaves it
in, which reads a 100 MB request at 2 Gbit/s and 30 ms at 0.93 of the line.
The figure is the 90th percentile over the sizes that saturated the
line, by the rule Cloudflare's client uses to pick those for its loaded
latency: every request of the size took at least ``FIGURE_MIN_S``
(250 ms); without such a size, the largest size measured. Cloudflare's
bandwidth figure takes every request of 10 ms or more, but a shaper's token
bucket lets a few milliseconds of traffic through at wire speed, which on
a 100 kB request at 50 Mbit/s is a third of the bytes, and the percentile
picks exactly those fast, short requests (the 1.31 × iperf3 of issue 13). Bytes are the body bytes received (sent),
so the figure is goodput like iperf3's, without Cloudflare's 0.5 % header
estimate.
"""

from __future__ import annotations

import secrets
import socket
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from homecare.i18n import _
from homecare.models.connection import Direction, SpeedDirection
from homecare.probes.speed.engine import EngineError, MeasureBudget, mbit_of, spread_of
from homecare.probes.speed.http_streams import (
    BUFFER_BYTES,
    Endpoint,
    connect,
    http_status_error,
    read_head,
    request_head,
)
from homecare.probes.speed.tcp_info import abort, tcp_info

DEFAULT_URL = "https://speed.cloudflare.com"
#: (bytes per request, how many): Cloudflare's published defaults.
DOWNLOAD_LADDER = (
    (100_000, 10),
    (1_000_000, 8),
    (10_000_000, 6),
    (25_000_000, 4),
    (100_000_000, 3),
)
UPLOAD_LADDER = ((100_000, 8), (1_000_000, 6), (10_000_000, 4), (25_000_000, 4), (50_000_000, 3))
MIN_REQUEST_S = 0.010
#: A size whose every request took this long saturated the line (Cloudflare's
#: ``loadedRequestMinDuration``): a token bucket's burst of a few ms of traffic
#: is then within about 1.5 % of the time. Chosen per size, never per request:
#: picking the long requests would pick the slow ones.
FIGURE_MIN_S = 0.25
CLIMB_LIMIT_S = 1.0
IO_TIMEOUT_S = 5.0
_BLOCK = memoryview(bytes(BUFFER_BYTES))


def percentile_90(rates: list[float]) -> float | None:
    """Cloudflare's summary: the 90th percentile (linear interpolation)."""
    if not rates:
        return None
    if len(rates) == 1:
        return rates[0]
    return statistics.quantiles(rates, n=10, method="inclusive")[-1]


def ladder_figure(rates: list[float], durations: list[float], sizes: list[int]) -> float | None:
    """The 90th percentile over the sizes that saturated the line (see the module)."""
    if not rates:
        return None
    by_size: dict[int, list[tuple[float, float]]] = {}
    for rate, took, size in zip(rates, durations, sizes, strict=True):
        by_size.setdefault(size, []).append((rate, took))
    full = [s for s, done in by_size.items() if min(t for _r, t in done) >= FIGURE_MIN_S]
    chosen = full or [max(by_size)]
    return percentile_90([r for s in chosen for r, _t in by_size[s]])


@dataclass
class _Ladder:
    rates: list[float] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    moved: int = 0
    min_rtt_s: float | None = None
    retrans: int = 0
    sent: int = 0


class CloudflareEngine:
    name = "cloudflare"

    def __init__(self, base_url: str = DEFAULT_URL) -> None:
        self.base = base_url.rstrip("/")

    def _endpoint(self, direction: Direction, n: int = 0) -> Endpoint:
        if direction == "download":
            return Endpoint.parse(f"{self.base}/__down?bytes={n}&r={secrets.token_hex(4)}")
        return Endpoint.parse(f"{self.base}/__up?r={secrets.token_hex(4)}")

    def prepare(self, deadline: float) -> str:
        """One empty download: the server answers, and how."""
        ep = self._endpoint("download", 0)
        sock = connect(ep, max(0.2, min(IO_TIMEOUT_S, deadline - time.monotonic())))
        try:
            sock.sendall(request_head("GET", ep, ep.path, "Connection: close\r\n"))
            head = read_head(sock, memoryview(bytearray(16 * 1024)), ep)
        except OSError as exc:
            raise EngineError(
                _("The speed test server {server} stopped answering.").format(server=ep.label)
            ) from exc
        finally:
            abort(sock)
        if head.status != 200:
            raise http_status_error(head.status, ep)
        return ep.label

    def measure(
        self, direction: Direction, budget: MeasureBudget, progress: Callable[[str], None]
    ) -> SpeedDirection:
        started = time.monotonic()
        end_by = min(budget.deadline - 0.2, started + budget.max_duration_s)
        ladder = DOWNLOAD_LADDER if direction == "download" else UPLOAD_LADDER
        label = _("Download") if direction == "download" else _("Upload")
        run = _Ladder()
        error: str | None = None
        ep = self._endpoint(direction)
        sock: socket.socket | None = None
        try:
            sock = connect(ep, IO_TIMEOUT_S)
            for size, count in ladder:
                took = 0.0
                for _i in range(count):
                    estimate = size * 8 / (max(run.rates) * 1e6) if run.rates else 0.0
                    if time.monotonic() + estimate > end_by:
                        break
                    took = self._one(sock, direction, size, run, end_by)
                    if run.rates:
                        progress(
                            _("{label}: {rate:.1f} Mbit/s").format(label=label, rate=run.rates[-1])
                        )
                if took > CLIMB_LIMIT_S or time.monotonic() >= end_by:
                    break
        except TimeoutError:
            error = _("The speed test server {server} stopped answering.").format(server=ep.label)
        except EngineError as exc:
            error = str(exc)
        except OSError as exc:
            error = _("Connection to {server} failed: {error}").format(
                server=ep.label, error=exc.strerror or exc
            )
        finally:
            if sock is not None:
                info = tcp_info(sock)
                if info is not None:
                    run.retrans, run.sent = info.bytes_retrans, info.bytes_sent
                abort(sock)  # nothing stays queued (issue 12)
        mbit = ladder_figure(run.rates, run.durations, run.sizes)
        low, high = spread_of([round(r, 2) for r in run.rates])
        if mbit is None and error is None:
            error = _("The speed test server {server} sent no data.").format(server=ep.label)
        return SpeedDirection(
            direction=direction,
            mbit=round(mbit, 2) if mbit is not None else None,
            bytes=run.moved,
            duration_s=round(time.monotonic() - started, 3),
            streams=1,
            samples_mbit=[round(r, 2) for r in run.rates],
            low_mbit=low,
            high_mbit=high,
            counted="received" if direction == "download" else "acked",
            min_rtt_ms=round(run.min_rtt_s * 1000, 3) if run.min_rtt_s else None,
            retransmitted=round(run.retrans / run.sent, 5) if run.sent else None,
            error=error if mbit is None else None,
        )

    def _one(
        self, sock: socket.socket, direction: Direction, size: int, run: _Ladder, end_by: float
    ) -> float:
        """One request on the kept-alive connection; returns how long it took."""
        ep = self._endpoint(direction, size)
        buf = memoryview(bytearray(BUFFER_BYTES))
        sock.settimeout(IO_TIMEOUT_S)
        if direction == "download":
            sent = time.monotonic()
            sock.sendall(request_head("GET", ep, ep.path, "Connection: keep-alive\r\n"))
            head = read_head(sock, buf, ep)
            if head.status != 200:
                raise http_status_error(head.status, ep)
            got = head.body_start
            want = head.content_length if head.content_length is not None else size
            while got < want:
                n = sock.recv_into(buf[: min(len(buf), want - got)])
                if n == 0:
                    raise EngineError(
                        _("The speed test server {server} closed the connection early.").format(
                            server=ep.label
                        )
                    )
                got += n
            seconds = time.monotonic() - sent - _round_trip_s(sock) - head.server_time_s
        else:
            sock.sendall(request_head(
                "POST", ep, ep.path,
                "Content-Type: application/octet-stream\r\n"
                f"Content-Length: {size}\r\nConnection: keep-alive\r\n",
            ))  # fmt: skip
            first = time.monotonic()
            left = size
            while left > 0:
                left -= sock.send(_BLOCK[: min(left, len(_BLOCK))])
            head = read_head(sock, buf, ep)
            if head.status != 200:
                raise http_status_error(head.status, ep)
            if head.content_length and head.content_length > head.body_start:
                remaining = head.content_length - head.body_start
                while remaining > 0:
                    n = sock.recv_into(buf[: min(len(buf), remaining)])
                    if n == 0:
                        break
                    remaining -= n
            got = size
            # the server's time is not taken out: its handler starts with the
            # head and spends the body's transfer reading it
            seconds = time.monotonic() - first - _round_trip_s(sock)
        info = tcp_info(sock)
        if info is not None and info.min_rtt_us:
            rtt_s = info.min_rtt_us / 1e6
            run.min_rtt_s = rtt_s if run.min_rtt_s is None else min(run.min_rtt_s, rtt_s)
        run.moved += got
        if seconds >= MIN_REQUEST_S:
            run.rates.append(mbit_of(got, seconds))
            run.durations.append(seconds)
            run.sizes.append(size)
        return seconds


def _round_trip_s(sock: socket.socket) -> float:
    """The connection's minimum round trip: a request's way there and its
    first byte's way back, in which no payload moves."""
    info = tcp_info(sock)
    return info.min_rtt_us / 1e6 if info is not None else 0.0
