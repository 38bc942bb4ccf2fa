"""The schedule: light often, speed rarely and at random, never above the provider's rate."""

from __future__ import annotations

import itertools
import random

from homecare.monitor.schedule import (
    SPEED_MEAN_S,
    JumpDetector,
    Scheduler,
    default_tasks,
)


def test_light_is_due_at_once_and_every_interval() -> None:
    s = Scheduler(default_tasks(60, speed=False, wifi=False, discovery=False))
    s.start(0.0)
    assert [t.kind for t in s.due(0.0)] == ["light"]
    s.done(s.due(0.0)[0], 0.0)
    assert s.due(59.9) == []
    assert [t.kind for t in s.due(60.0)] == ["light"]


def test_speed_never_more_often_than_the_provider_allows() -> None:
    tasks = default_tasks(60, speed_mean_s=600, provider_min_mean_s=SPEED_MEAN_S)
    speed = next(t for t in tasks if t.kind == "speed")
    assert speed.every_s == SPEED_MEAN_S  # a shorter wish is clamped to six hours
    s = Scheduler([speed], rng=random.Random(7))
    s.start(0.0)
    now, runs = 0.0, []
    while now < 365 * 86400:
        now = s.next_at("speed") or 0.0
        runs.append(now)
        s.done(speed, now)
    gaps = [b - a for a, b in itertools.pairwise(runs)]
    mean = sum(gaps) / len(gaps)
    assert 0.97 * SPEED_MEAN_S < mean < 1.03 * SPEED_MEAN_S
    assert min(gaps) >= 0.5 * SPEED_MEAN_S
    assert len({round(g) for g in gaps}) > len(gaps) // 2  # randomised, not a fixed beat


def test_first_speed_test_waits_a_random_while() -> None:
    speed = next(t for t in default_tasks() if t.kind == "speed")
    starts = set()
    for seed in range(5):
        s = Scheduler([speed], rng=random.Random(seed))
        s.start(0.0)
        assert s.due(0.0) == []
        starts.add(round(s.next_at("speed") or 0))
    assert len(starts) == 5


def test_retest_comes_soon_but_never_later_than_planned() -> None:
    speed = next(t for t in default_tasks() if t.kind == "speed")
    s = Scheduler([speed], rng=random.Random(1))
    s.start(0.0)
    s.retest_soon("speed", 100.0, after_s=120)
    assert s.next_at("speed") == 220.0
    s.retest_soon("speed", 100.0, after_s=100000)
    assert s.next_at("speed") == 220.0


def test_jump_detector_sees_suspend_and_clock_changes_only() -> None:
    d = JumpDetector(expected_s=60)
    assert not d.look(0, 1000)
    assert not d.look(60, 1060.5)  # normal time passing, a little NTP slew
    assert not d.look(200, 1200)  # a slow check: both clocks moved alike
    assert d.look(260, 1260 + 3600)  # suspended an hour: only the wall moved
    assert d.look(320, 1320)  # the clock was set back an hour
