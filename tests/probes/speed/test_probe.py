"""The speed probe's engine order, fallback and what is kept when things fail."""

from __future__ import annotations

import time
from collections.abc import Callable

from homecare.models.connection import Direction, SpeedDirection
from homecare.probes.base import ProbeContext
from homecare.probes.speed.engine import EngineError, MeasureBudget, SpeedEngine
from homecare.probes.speed.librespeed import LibreSpeedEngine
from homecare.probes.speed.probe import SpeedProbe, build_engines
from homecare.profiles.provider import ProviderProfile


class Broken:
    name = "speedtest"

    def prepare(self, deadline: float) -> str:
        raise EngineError("speedtest.net refused the test (HTTP 403).")

    def measure(
        self, direction: Direction, budget: MeasureBudget, progress: Callable[[str], None]
    ) -> SpeedDirection:
        raise AssertionError("never measured after a failed prepare")


class HalfWorking:
    """Download works, upload fails: the download must still be reported."""

    name = "half"

    def prepare(self, deadline: float) -> str:
        return "half://server"

    def measure(
        self, direction: Direction, budget: MeasureBudget, progress: Callable[[str], None]
    ) -> SpeedDirection:
        if direction == "download":
            return SpeedDirection(direction=direction, mbit=80.0, bytes=10**8, duration_s=1.0)
        return SpeedDirection(direction=direction, error="The server closed the connection early.")


def ctx(provider: ProviderProfile, seconds: float = 20.0) -> ProbeContext:
    return ProbeContext(
        deadline=time.monotonic() + seconds, quick=True, provider=provider, privileged=False
    )


def profile(**speed: object) -> ProviderProfile:
    return ProviderProfile.model_validate(
        {"targets": {"internet_hosts": ["127.0.0.1"]}, "speed": speed}
    )


def test_build_engines_follows_the_profile_order() -> None:
    engines = build_engines(profile(engines=["speedtest", "librespeed"]))
    assert [e.name for e in engines] == ["speedtest", "librespeed"]


def test_falls_back_to_the_next_engine(librespeed_url: str) -> None:
    def engines(p: ProviderProfile) -> list[SpeedEngine]:
        return [Broken(), LibreSpeedEngine([librespeed_url])]

    prof = profile(quick_duration_s=1.5, plan_down_mbit=100)
    data = SpeedProbe(engines).run(ctx(prof))
    assert data.engine == "librespeed"
    assert data.download is not None and data.download.mbit
    assert data.upload is not None and data.upload.mbit
    assert [a.ok for a in data.attempts] == [False, True]
    assert data.attempts[0].error is not None and "403" in data.attempts[0].error
    assert data.plan_down_mbit == 100
    assert {x.phase for x in data.latency} == {"idle", "download", "upload"}
    assert data.bufferbloat_grade is not None and data.rpm is not None


def test_partial_result_is_kept() -> None:
    data = SpeedProbe(lambda p: [HalfWorking()]).run(ctx(profile(quick_duration_s=1.0)))
    assert data.download is not None and data.download.mbit == 80.0
    assert data.upload is not None and data.upload.error
    assert data.attempts[0].ok and data.attempts[0].error


def test_all_engines_failing_is_reported_within_budget() -> None:
    started = time.monotonic()
    data = SpeedProbe(lambda p: [Broken(), LibreSpeedEngine([])]).run(ctx(profile(), 5.0))
    assert time.monotonic() - started < 5.0
    assert data.download is None and data.upload is None and data.engine is None
    assert all(not a.ok and a.error for a in data.attempts)


def test_skipped_when_nothing_beyond_the_router_answers() -> None:
    import pytest

    from homecare.models import Observation, ProbeStatus
    from homecare.models.connection import LatencyData, LatencySeries
    from homecare.probes.base import ProbeSkipped
    from homecare.probes.latency.stats import summarize

    silent = LatencyData(series=[LatencySeries(target="203.0.113.10", role="internet",
                                               method="icmp-raw", stats=summarize([], 40))])  # fmt: skip
    c = ProbeContext(
        deadline=time.monotonic() + 5, quick=True, provider=profile(), privileged=False,
        results={"latency": Observation(probe="latency", area="latency",
                                        status=ProbeStatus.OK, data=silent)},
    )  # fmt: skip
    with pytest.raises(ProbeSkipped, match="Nothing beyond the router"):
        SpeedProbe(lambda p: [Broken()]).run(c)
