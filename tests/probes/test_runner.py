"""The concurrent probe runner: one budget, per-probe timeouts, progress."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from pydantic import BaseModel

from homecare.models import GenericData, HostData, ProbeStatus
from homecare.probes.base import ProbeContext, ProbeSkipped
from homecare.probes.runner import ProgressEvent, run_probes
from homecare.profiles.provider import ProviderProfile

from ..factories import host


class FakeProbe:
    def __init__(
        self,
        name: str,
        fn: Callable[[ProbeContext], BaseModel],
        *,
        area: str = "test",
        requires: tuple[str, ...] = (),
        timeout_s: float = 5.0,
    ) -> None:
        self.name = name
        self.area = area
        self.requires = requires
        self.timeout_s = timeout_s
        self._fn = fn

    def run(self, ctx: ProbeContext) -> BaseModel:
        return self._fn(ctx)


class PluginPayload(BaseModel):
    answer: int
    label: str


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown so a deliberately hung probe thread ends."""
    event = threading.Event()
    yield event
    event.set()


def run(probes: list[FakeProbe], budget_s: float = 5.0, **kw: object):  # type: ignore[no-untyped-def]
    return run_probes(probes, provider=ProviderProfile(), budget_s=budget_s, **kw)  # type: ignore[arg-type]


def sleeper(seconds: float) -> Callable[[ProbeContext], BaseModel]:
    def fn(_ctx: ProbeContext) -> BaseModel:
        time.sleep(seconds)
        return GenericData(values={"slept": seconds})

    return fn


def test_probes_run_concurrently() -> None:
    started = time.monotonic()
    result = run([FakeProbe("a", sleeper(0.5)), FakeProbe("b", sleeper(0.5))])
    elapsed = time.monotonic() - started
    assert [o.status for o in result] == [ProbeStatus.OK, ProbeStatus.OK]
    assert elapsed < 0.9


def test_results_keep_the_given_order() -> None:
    result = run([FakeProbe("slow", sleeper(0.2)), FakeProbe("fast", sleeper(0.0))])
    assert [o.probe for o in result] == ["slow", "fast"]
    assert [o.area for o in result] == ["test", "test"]


def test_raising_probe_becomes_failed_observation() -> None:
    def boom(_ctx: ProbeContext) -> BaseModel:
        raise RuntimeError("cable chewed by cat")

    (o,) = run([FakeProbe("boom", boom)])
    assert o.status is ProbeStatus.FAILED
    assert o.message == "RuntimeError: cable chewed by cat"
    assert o.data is None


def test_hung_probe_times_out_at_its_own_timeout(release: threading.Event) -> None:
    def hang(_ctx: ProbeContext) -> BaseModel:
        release.wait(10)
        return GenericData()

    started = time.monotonic()
    hung, other = run(
        [FakeProbe("hang", hang, timeout_s=0.3), FakeProbe("other", sleeper(0.1))], budget_s=5.0
    )
    elapsed = time.monotonic() - started
    assert hung.status is ProbeStatus.TIMEOUT
    assert hung.message and "time allowed" in hung.message
    assert other.status is ProbeStatus.OK
    assert other.data == GenericData(values={"slept": 0.1})
    assert 0.25 < elapsed < 1.0


def test_overall_budget_caps_a_long_probe_timeout(release: threading.Event) -> None:
    def hang(_ctx: ProbeContext) -> BaseModel:
        release.wait(10)
        return GenericData()

    started = time.monotonic()
    (o,) = run([FakeProbe("hang", hang, timeout_s=30)], budget_s=0.4)
    assert o.status is ProbeStatus.TIMEOUT
    assert time.monotonic() - started < 1.0


def test_probe_context_deadline_is_its_own_timeout() -> None:
    seen: list[float] = []

    def look(ctx: ProbeContext) -> BaseModel:
        seen.append(ctx.remaining())
        return GenericData()

    frozen = 1000.0  # a clock that stands still: deadlines can be asserted exactly
    run([FakeProbe("look", look, timeout_s=0.5)], budget_s=10, clock=lambda: frozen)
    assert seen == [0.5]


def test_the_budget_and_durations_follow_the_injected_clock() -> None:
    now = [50.0]

    def tick(ctx: ProbeContext) -> BaseModel:
        now[0] += 2.5  # the probe "takes" 2.5 s of the run's clock
        return GenericData(values={"left": ctx.remaining()})

    (o,) = run([FakeProbe("tick", tick, timeout_s=4)], budget_s=3, clock=lambda: now[0])
    assert o.status is ProbeStatus.OK
    assert o.duration_s == 2.5
    assert o.data == GenericData(values={"left": 0.5})  # min(budget 3, timeout 4) - 2.5


def test_requires_orders_and_passes_results() -> None:
    seen: dict[str, object] = {}

    def first(_ctx: ProbeContext) -> BaseModel:
        time.sleep(0.2)
        return host()

    def second(ctx: ProbeContext) -> BaseModel:
        dep = ctx.results.get("host")
        seen["status"] = dep.status if dep else None
        seen["data"] = dep.data if dep else None
        return GenericData()

    # the dependent comes first in the list and the dependency is slower
    dependent, dependency = run(
        [FakeProbe("dependent", second, requires=("host",)), FakeProbe("host", first)]
    )
    assert dependent.status is ProbeStatus.OK
    assert dependency.status is ProbeStatus.OK
    assert seen["status"] is ProbeStatus.OK
    assert isinstance(seen["data"], HostData)
    assert seen["data"] == host()


def test_probe_skipped_becomes_skipped() -> None:
    def skip(_ctx: ProbeContext) -> BaseModel:
        raise ProbeSkipped("no Wi-Fi adapter")

    (o,) = run([FakeProbe("wifi", skip)])
    assert o.status is ProbeStatus.SKIPPED
    assert o.message == "no Wi-Fi adapter"


def test_progress_reports_start_and_finish_for_each_probe() -> None:
    events: list[ProgressEvent] = []
    lock = threading.Lock()

    def record(event: ProgressEvent) -> None:
        with lock:
            events.append(event)

    def chatty(ctx: ProbeContext) -> BaseModel:
        ctx.progress("halfway")
        return GenericData()

    def boom(_ctx: ProbeContext) -> BaseModel:
        raise ValueError("x")

    run([FakeProbe("a", chatty), FakeProbe("b", boom)], progress=record)
    for name in ("a", "b"):
        mine = [e for e in events if e.probe == name]
        states = [e.state for e in mine]
        assert states[0] == "started"
        assert states[-1] == "finished"
        assert states.count("started") == 1
        assert states.count("finished") == 1
    finished = {e.probe: e.status for e in events if e.state == "finished"}
    assert finished == {"a": ProbeStatus.OK, "b": ProbeStatus.FAILED}
    updates = [e for e in events if e.state == "update"]
    assert [(e.probe, e.message) for e in updates] == [("a", "halfway")]


def test_progress_finished_once_for_timed_out_probe(release: threading.Event) -> None:
    events: list[ProgressEvent] = []

    def hang(_ctx: ProbeContext) -> BaseModel:
        release.wait(10)
        return GenericData()

    run([FakeProbe("hang", hang, timeout_s=0.2)], progress=events.append)
    release.set()
    time.sleep(0.05)  # let the abandoned thread try to finish
    finished = [e for e in events if e.state == "finished"]
    assert len(finished) == 1
    assert finished[0].status is ProbeStatus.TIMEOUT


def test_plugin_payload_becomes_generic_data() -> None:
    (o,) = run([FakeProbe("plug", lambda _ctx: PluginPayload(answer=42, label="x"))])
    assert o.status is ProbeStatus.OK
    assert isinstance(o.data, GenericData)
    assert o.data.values == {"answer": 42, "label": "x"}


def test_builtin_payload_passes_through() -> None:
    (o,) = run([FakeProbe("host", lambda _ctx: host())])
    assert o.data == host()


def test_dependent_of_a_timed_out_probe_still_runs_and_sees_the_timeout(
    release: threading.Event,
) -> None:
    seen: dict[str, object] = {}

    def hang(_ctx: ProbeContext) -> BaseModel:
        release.wait(10)
        return GenericData()

    def dependent(ctx: ProbeContext) -> BaseModel:
        dep = ctx.results.get("host")
        seen["status"] = dep.status if dep else None
        return GenericData()

    started = time.monotonic()
    dep_obs, own = run(
        [FakeProbe("host", hang, timeout_s=0.3), FakeProbe("d", dependent, requires=("host",))]
    )
    assert dep_obs.status is ProbeStatus.TIMEOUT
    assert own.status is ProbeStatus.OK
    assert seen["status"] is ProbeStatus.TIMEOUT
    assert time.monotonic() - started < 1.0
