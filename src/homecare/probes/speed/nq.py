"""The ``nq`` engine: the IETF responsiveness test (draft-ietf-ippm-responsiveness)
against a provider's self-hosted server.

``prepare`` reads the server's ``/.well-known/nq`` configuration. ``measure``
runs the draft's algorithm for one direction: it starts with one
load-generating connection (an endless download or upload) and adds one per
interval; meanwhile it sends foreign probes (a new TCP (and TLS) connection
and a GET of the small object) and takes self probes on the loaded
connections, paced within 5 % of the measured capacity. Goodput saturates
when its moving average is stable; then responsiveness is tracked until it is
stable too, or the time runs out, which the confidence level says.

Deviations, for a check's budget and a client in Python: the interval is
0.5 s by default (the draft: 5 s; ``nq_interval_s``), at most 20 foreign
probes a second (the draft: 100), HTTP/1.1 with the kernel's RTT as self
probe (``nq_wire``), names resolved once, not per probe (the formula has no
DNS term).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from homecare.i18n import _
from homecare.models.connection import Direction, Responsiveness, SpeedDirection
from homecare.probes.speed.engine import EngineError, MeasureBudget, spread_of
from homecare.probes.speed.nq_stats import Algorithm, ProbeSet, foreign_probe_rate
from homecare.probes.speed.nq_wire import (
    ForeignProbe,
    LoadConnection,
    NqConfig,
    fetch_config,
    foreign_probe,
)

#: The draft's MNP: at most this many load-generating connections.
MAX_CONNECTIONS = 16
PROBE_WORKERS = 8
PROBE_TIMEOUT_S = 3.0
#: Nothing moved on any load-generating connection for this long, after
#: bytes had: the line stalled (the WAN went down mid-test, say). What the
#: intervals before it averaged is no rate of this line, so none is given.
STALL_S = 1.5


class NqEngine:
    name = "nq"

    def __init__(self, config_url: str | None, interval_s: float = 0.5) -> None:
        self.config_url = config_url
        self.interval_s = interval_s
        self._config: NqConfig | None = None

    def prepare(self, deadline: float) -> str:
        if not self.config_url:
            raise EngineError(_("No responsiveness test server (nq_config_url) is configured."))
        timeout = max(0.2, min(5.0, deadline - time.monotonic()))
        self._config = fetch_config(self.config_url, timeout)
        return self._config.label

    def measure(
        self, direction: Direction, budget: MeasureBudget, progress: Callable[[str], None]
    ) -> SpeedDirection:
        if self._config is None:
            self.prepare(budget.deadline)
        assert self._config is not None
        return _Run(self._config, direction, budget, self.interval_s, progress).run()


class _Run:
    """One direction: the loop that paces probes and ends intervals."""

    def __init__(
        self,
        cfg: NqConfig,
        direction: Direction,
        budget: MeasureBudget,
        interval_s: float,
        progress: Callable[[str], None],
    ) -> None:
        self.cfg, self.direction, self.budget = cfg, direction, budget
        self.progress = progress
        self.alg = Algorithm(interval_s)
        self.stop = threading.Event()
        self.conns: list[LoadConnection] = []
        self.pending = ProbeSet()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.failed_probes = 0

    def add_connection(self) -> None:
        conn = LoadConnection(self.cfg, self.direction == "upload", self.stop)
        self.conns.append(conn)
        conn.thread.start()

    def counted(self) -> int:
        return sum(c.counted() for c in self.conns)

    def _foreign(self, timeout_s: float) -> None:
        """One foreign probe, in its own daemon thread: a probe stuck on a dead
        line (each step may take *timeout_s*) must not hold the process open
        at exit, as a thread pool's workers would."""
        try:
            p: ForeignProbe | None = foreign_probe(self.cfg, timeout_s)
        except (EngineError, OSError):
            p = None
        with self.lock:
            self.in_flight -= 1
            if p is None:
                self.failed_probes += 1
                return
            self.pending.tcp.append(p.tcp_ms)
            if p.tls_ms is not None:
                self.pending.tls.append(p.tls_ms)
            self.pending.http.append(p.http_ms)

    def _probe(self, end_by: float) -> None:
        with self.lock:
            busy = self.in_flight >= PROBE_WORKERS
            if not busy:
                self.in_flight += 1
        if not busy:
            # no probe outlives the direction: it would load the next one
            timeout = max(0.1, min(PROBE_TIMEOUT_S, end_by + 0.2 - time.monotonic()))
            threading.Thread(
                target=self._foreign, args=(timeout,), daemon=True, name="nq-probe"
            ).start()
        live = [c for c in self.conns if c.sock is not None]
        if live:
            rtt = random.choice(live).self_rtt_ms()
            if rtt is not None:
                with self.lock:
                    self.pending.self_rtt.append(rtt)

    def run(self) -> SpeedDirection:
        b = self.budget
        start = time.monotonic()
        end_by = min(b.deadline - 0.3, start + b.max_duration_s)
        label = _("Download") if self.direction == "download" else _("Upload")
        self.add_connection()
        next_interval = start + self.alg.interval_s
        next_probe = start
        last_total = 0
        error: str | None = None
        stalled = False
        try:
            while True:
                now = time.monotonic()
                if now >= end_by:
                    break
                if now >= next_probe:
                    self._probe(end_by)
                    next_probe += 1.0 / foreign_probe_rate(self.alg.goodput_bytes_s())
                if now >= next_interval:
                    total = self.counted()
                    with self.lock:
                        probes, self.pending = self.pending, ProbeSet()
                    done = self.alg.end_interval(total - last_total, probes)
                    last_total = total
                    self._report(label)
                    failed = [c.error for c in self.conns if c.error]
                    if failed:
                        error = failed[0]
                        break
                    if (quiet := self.alg.idle_tail_s()) >= STALL_S:
                        stalled = True
                        error = _(
                            "Nothing moved to or from {server} for {seconds:.1f} s: "
                            "the connection stalled."
                        ).format(server=self.cfg.label, seconds=quiet)
                        break
                    if done or total >= b.max_bytes:
                        break
                    if len(self.conns) < MAX_CONNECTIONS:
                        self.add_connection()
                    next_interval += self.alg.interval_s
                time.sleep(max(0.0, min(next_probe, next_interval, end_by) - time.monotonic()))
        finally:
            self.stop.set()
            for c in self.conns:
                c.wake()
            # one wait for all, within the deadline: a connection still stuck in
            # connect() on a dead line is left to its daemon thread
            joined_by = min(b.deadline, time.monotonic() + 1.0)
            for c in self.conns:
                c.thread.join(timeout=max(0.0, joined_by - time.monotonic()))
                c.close()
        return self._result(start, error, stalled)

    def _report(self, label: str) -> None:
        rate = (self.alg.goodput[-1] * 8 / 1e6) if self.alg.goodput else 0.0
        rpm = self.alg.window().rpm
        if rpm is None:
            self.progress(_("{label}: {rate:.1f} Mbit/s").format(label=label, rate=rate))
        else:
            self.progress(
                _("{label}: {rate:.1f} Mbit/s, {rpm:.0f} RPM").format(
                    label=label, rate=rate, rpm=rpm
                )
            )

    def _result(self, start: float, error: str | None, stalled: bool) -> SpeedDirection:
        alg = self.alg
        samples = [round(g * 8 / 1e6, 2) for g in alg.goodput]
        low, high = spread_of(samples)
        goodput = None if stalled else alg.goodput_bytes_s()
        mbit = round(goodput * 8 / 1e6, 2) if goodput else None
        window = alg.window_probes()
        fig = alg.window()
        rtts = [c.min_rtt_us for c in self.conns if c.min_rtt_us]
        sent = sum(c.sent_on_wire for c in self.conns)
        moved = sum(c.written if c.upload else c.received for c in self.conns)
        if mbit is None and error is None:
            error = _("The speed test server {server} sent no data.").format(server=self.cfg.label)

        def r(x: float | None, nd: int = 1) -> float | None:
            return round(x, nd) if x is not None else None

        return SpeedDirection(
            direction=self.direction,
            mbit=mbit,
            bytes=moved,
            duration_s=round(time.monotonic() - start, 3),
            streams=len(self.conns),
            settled=alg.saturated_at is not None,
            samples_mbit=samples,
            low_mbit=low,
            high_mbit=high,
            counted="acked" if self.direction == "upload" else "received",
            min_rtt_ms=round(min(rtts) / 1000, 3) if rtts else None,
            retransmitted=round(sum(c.retrans for c in self.conns) / sent, 5) if sent else None,
            responsiveness=Responsiveness(
                rpm=r(fig.rpm),
                # a direction that failed or stalled measured a line going away
                confidence=alg.responsiveness_confidence() if error is None else "low",
                goodput_confidence=alg.goodput_confidence(),
                foreign_rpm=r(fig.foreign_rpm),
                self_rpm=r(fig.self_rpm),
                tcp_ms=r(fig.tcp_ms, 3),
                tls_ms=r(fig.tls_ms, 3),
                http_ms=r(fig.http_ms, 3),
                self_ms=r(fig.self_ms, 3),
                self_method="tcp_info",
                foreign_probes=window.foreign_count,
                self_probes=len(window.self_rtt),
                connections=len(self.conns),
            ),
            error=error if mbit is None else None,
        )
