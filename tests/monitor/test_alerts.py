"""Debounced alerts: N in a row for outages, M of N for loss and DNS, a retest
before a speed alert, one alert and one recovery, shared by two monitors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest

from homecare.errors import UsageError
from homecare.monitor.alerts import (
    DNS_FAILING,
    LOSS_HIGH,
    NEW_DEVICE,
    OUTAGE_INTERNET,
    OUTAGE_ROUTER,
    SPEED_BELOW_PLAN,
    AlertEngine,
    AlertPolicy,
    QuietHours,
)
from homecare.store.alerts import AlertStore
from homecare.store.samples import Sample, SampleStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AlertStore]:
    with SampleStore.open(tmp_path / "h.sqlite3") as samples:
        yield AlertStore(samples)


def light(ts: float, internet: bool = True, **kw: object) -> Sample:
    kw.setdefault("router_ok", True)
    return Sample(ts=ts, kind="light", internet_ok=internet, **kw)  # type: ignore[arg-type]


def feed(engine: AlertEngine, samples: list[Sample]) -> list[tuple[str, str]]:
    return [(e.event, e.code) for s in samples for e in engine.observe(s)]


def test_outage_needs_n_in_a_row_and_recovers_once(store: AlertStore) -> None:
    engine = AlertEngine(store, AlertPolicy(outage_after=3, recover_after=2))
    pattern = [True, False, False, True, False, False, False, False, True, True, True]
    events = feed(engine, [light(i, ok) for i, ok in enumerate(pattern)])
    assert events == [("opened", OUTAGE_INTERNET), ("closed", OUTAGE_INTERNET)]


def test_a_blip_shorter_than_the_window_raises_nothing(store: AlertStore) -> None:
    engine = AlertEngine(store, AlertPolicy(outage_after=3))
    assert feed(engine, [light(i, i not in (3, 4)) for i in range(10)]) == []


def test_router_outage_has_its_own_code(store: AlertStore) -> None:
    engine = AlertEngine(store, AlertPolicy(outage_after=2))
    events = feed(engine, [light(i, False, router_ok=False) for i in range(3)])
    assert events == [("opened", OUTAGE_ROUTER)]


def test_loss_is_m_of_n(store: AlertStore) -> None:
    engine = AlertEngine(store, AlertPolicy(loss_m=3, loss_n=5, loss_threshold=0.05))
    losses = [0.1, 0.0, 0.1, 0.0, 0.1]
    events = feed(engine, [light(i, loss=x) for i, x in enumerate(losses)])
    assert events == [("opened", LOSS_HIGH)]


def test_dns_failing_while_internet_answers(store: AlertStore) -> None:
    engine = AlertEngine(store, AlertPolicy(dns_m=2, dns_n=3))
    events = feed(engine, [light(i, dns_ok=False) for i in range(2)])
    assert events == [("opened", DNS_FAILING)]


def test_speed_is_retested_before_an_alert(store: AlertStore) -> None:
    retests: list[int] = []
    engine = AlertEngine(
        store, AlertPolicy(speed_ratio=0.7), request_retest=lambda: retests.append(1)
    )

    def speed(ts: float, mbit: float) -> Sample:
        return Sample(ts=ts, kind="speed", down_mbit=mbit, plan_down_mbit=100.0)

    assert feed(engine, [speed(0, 40)]) == []
    assert retests == [1]
    assert feed(engine, [speed(120, 90)]) == []  # the retest was fine: no alert
    assert feed(engine, [speed(500, 30)]) == []
    assert feed(engine, [speed(620, 35)]) == [("opened", SPEED_BELOW_PLAN)]
    assert len(retests) == 2
    assert feed(engine, [speed(9000, 95)]) == [("closed", SPEED_BELOW_PLAN)]


def test_two_monitors_open_one_alert_between_them(store: AlertStore) -> None:
    a = AlertEngine(store, AlertPolicy(outage_after=2))
    b = AlertEngine(store, AlertPolicy(outage_after=2))
    events = []
    for i in range(3):
        events += feed(a, [light(i, False)]) + feed(b, [light(i + 0.5, False)])
    assert events == [("opened", OUTAGE_INTERNET)]
    assert len(store.alerts()) == 1


def test_reset_forgets_the_streak(store: AlertStore) -> None:
    engine = AlertEngine(store, AlertPolicy(outage_after=3))
    feed(engine, [light(0, False), light(1, False)])
    engine.reset()  # e.g. after a suspend
    assert feed(engine, [light(2, False)]) == []


def test_quiet_hours_wrap_midnight() -> None:
    quiet = QuietHours.parse("22:00-07:00")
    day = 1_700_000_000 - 1_700_000_000 % 86400  # 00:00 UTC
    assert quiet.contains(day + 23 * 3600, UTC)
    assert quiet.contains(day + 6 * 3600, UTC)
    assert not quiet.contains(day + 12 * 3600, UTC)
    with pytest.raises(UsageError):
        QuietHours.parse("late")


def test_a_new_device_is_told_once_and_never_resolved(store: AlertStore) -> None:
    engine = AlertEngine(store)
    seen = Sample(ts=0, kind="discovery", codes=("devices.new_unknown",), segment="lan")
    assert feed(engine, [seen]) == [("opened", NEW_DEVICE)]
    (row,) = store.alerts()
    assert row.closed_at == 0 and row.code == NEW_DEVICE
    assert feed(engine, [Sample(ts=3600, kind="discovery")]) == []
    assert feed(engine, [Sample(ts=7200, kind="discovery", codes=(NEW_DEVICE,))]) == [
        ("opened", NEW_DEVICE)
    ]
