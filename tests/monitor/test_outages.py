"""The outage log from samples: right length, right segment, no outage from a gap."""

from __future__ import annotations

from homecare.monitor.outages import find_outages
from homecare.store.samples import Sample


def light(ts: float, internet: bool, router: bool = True, **kw: object) -> Sample:
    return Sample(ts=ts, kind="light", internet_ok=internet, router_ok=router, **kw)  # type: ignore[arg-type]


def test_outage_from_first_failure_to_first_success() -> None:
    samples = [light(t, t not in (120, 180, 240)) for t in range(0, 400, 60)]
    (outage,) = find_outages(samples)
    assert (outage.start, outage.end, outage.samples) == (120, 300, 3)
    assert outage.duration_s() == 180
    assert outage.segment == "provider"


def test_router_silent_is_a_home_outage() -> None:
    samples = [light(0, True), light(60, False, router=False), light(120, True)]
    assert find_outages(samples)[0].segment == "router"


def test_a_gap_never_counts_as_down() -> None:
    samples = [
        light(0, True),
        light(60, False),
        light(3660, False, gap_before=True),  # the machine slept an hour in between
        light(3720, True),
    ]
    first, second = find_outages(samples)
    assert first.duration_s() == 0 and not first.end_known
    assert second.start == 3660 and second.end == 3720


def test_settling_samples_after_resume_are_ignored() -> None:
    samples = [
        light(0, True),
        light(3600, False, gap_before=True, settling=True),
        light(3660, True),
    ]
    assert find_outages(samples) == []


def test_ongoing_outage_has_no_end() -> None:
    (outage,) = find_outages([light(0, True), light(60, False), light(120, False)])
    assert outage.end is None
    assert outage.duration_s(now=200) == 140
