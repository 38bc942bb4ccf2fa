"""Run probes concurrently under one time budget.

Each probe gets a daemon thread, so a probe stuck in a system call can be
abandoned at the deadline without holding the process open. Whatever happens,
every probe asked for ends up as exactly one Observation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from homecare.i18n import _
from homecare.models import GenericData, Observation, ProbeStatus
from homecare.models.report import BUILTIN_PAYLOADS, ObservationPayload
from homecare.probes.base import Probe, ProbeContext, ProbeSkipped
from homecare.profiles.provider import ProviderProfile


@dataclass(frozen=True)
class ProgressEvent:
    probe: str
    state: Literal["started", "update", "finished"]
    status: ProbeStatus | None = None
    message: str | None = None


ProgressCallback = Callable[[ProgressEvent], None]


def _ignore(_event: ProgressEvent) -> None:
    return None


def run_probes(
    probes: Sequence[Probe],
    *,
    provider: ProviderProfile,
    budget_s: float,
    quick: bool = False,
    privileged: bool = False,
    progress: ProgressCallback = _ignore,
    settings: Mapping[str, object] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[Observation]:
    """Run *probes* and return their observations in the order given.

    *clock* measures budgets and durations (a test passes one it controls, so
    deadlines and durations can be asserted exactly instead of after a sleep).
    """
    start = clock()
    deadline = start + budget_s
    lock = threading.Lock()
    results: dict[str, Observation] = {}
    done = {p.name: threading.Event() for p in probes}
    probe_deadlines: dict[str, float] = {}
    names = frozenset(done)

    def wait_for(name: str, timeout: float) -> Observation | None:
        if name not in done:
            return None
        done[name].wait(timeout=max(0.0, timeout))
        with lock:
            return results.get(name)

    def finish(probe: Probe, obs: Observation) -> None:
        with lock:
            if probe.name in results:  # already declared timed out
                return
            results[probe.name] = obs
        done[probe.name].set()
        progress(ProgressEvent(probe.name, "finished", obs.status, obs.message))

    def work(probe: Probe) -> None:
        for dep in probe.requires:
            if dep in done:
                done[dep].wait(timeout=max(0.0, deadline - clock()))
        began = clock()
        own_deadline = min(deadline, began + probe.timeout_s)
        with lock:
            probe_deadlines[probe.name] = own_deadline
            snapshot = dict(results)
        progress(ProgressEvent(probe.name, "started"))
        ctx = ProbeContext(
            deadline=own_deadline,
            quick=quick,
            provider=provider,
            privileged=privileged,
            results=snapshot,
            progress=lambda msg: progress(ProgressEvent(probe.name, "update", message=msg)),
            settings=settings or {},
            peers=names - {probe.name},
            wait_for=wait_for,
            clock=clock,
        )
        try:
            data = probe.run(ctx)
            obs = Observation(
                probe=probe.name,
                area=probe.area,
                status=ProbeStatus.OK,
                duration_s=round(clock() - began, 3),
                data=_as_payload(data),
            )
        except ProbeSkipped as exc:
            obs = _status_only(probe, ProbeStatus.SKIPPED, str(exc), began, clock)
        except Exception as exc:  # a probe must never take the run down
            obs = _status_only(
                probe, ProbeStatus.FAILED, f"{type(exc).__name__}: {exc}", began, clock
            )
        finish(probe, obs)

    threads = []
    for probe in probes:
        t = threading.Thread(target=work, args=(probe,), name=f"probe-{probe.name}", daemon=True)
        t.start()
        threads.append((probe, t))

    for probe, _t in threads:
        while not done[probe.name].is_set():
            with lock:
                limit = probe_deadlines.get(probe.name, deadline)
            remaining = limit - clock()
            if remaining <= 0:
                break
            done[probe.name].wait(timeout=min(remaining, 0.25))
        if not done[probe.name].is_set():
            obs = _status_only(
                probe,
                ProbeStatus.TIMEOUT,
                _("No answer within the time allowed ({seconds:.0f} s)").format(
                    seconds=min(probe.timeout_s, budget_s)
                ),
                start,
                clock,
            )
            finish(probe, obs)
    return [results[p.name] for p in probes]


def _status_only(
    probe: Probe, status: ProbeStatus, message: str, began: float, clock: Callable[[], float]
) -> Observation:
    return Observation(
        probe=probe.name,
        area=probe.area,
        status=status,
        duration_s=round(clock() - began, 3),
        message=message,
    )


def _as_payload(data: BaseModel) -> ObservationPayload:
    """Built-in payloads pass through; a plugin's own model becomes GenericData."""
    if isinstance(data, BUILTIN_PAYLOADS):
        return data
    return GenericData(values=data.model_dump(mode="json"))
