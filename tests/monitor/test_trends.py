"""Patterns from recorded samples: the evening slowdown is found in the person's
local hours, a line slow all day or noisy at random is not called a pattern,
and roll-ups give the same trends as the raw rows."""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from homecare.monitor.period import load_period
from homecare.monitor.trends import SLOW_HOURS_CODE, SLOW_UPLOAD_HOURS_CODE
from homecare.render.trends_text import render_trends, sparkline
from homecare.store.samples import Sample, SampleStore

MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=MADRID).timestamp()


def record_month(
    store: SampleStore,
    ratio_at: dict[int, float],
    default: float = 0.95,
    seed: int = 3,
    up_ratio_at: dict[int, float] | None = None,
) -> None:
    """30 days: a light sample every 10 min, six speed tests a day at random times
    (with *up_ratio_at*, the tests measure upload against a 20 Mbit/s plan too)."""
    rng = random.Random(seed)
    rows = []
    start = NOW - 30 * 86400
    for i in range(30 * 144):
        ts = start + i * 600
        rows.append(
            Sample(ts=ts, kind="light", router_ok=True, internet_ok=True, rtt_ms=20.0, loss=0.0)
        )
    for day in range(30):
        for _ in range(6):
            ts = start + day * 86400 + rng.uniform(0, 86400)
            hour = datetime.fromtimestamp(ts, MADRID).hour
            ratio = ratio_at.get(hour, default) * rng.uniform(0.95, 1.05)
            up, plan_up = None, None
            if up_ratio_at is not None:
                up = 20 * up_ratio_at.get(hour, default) * rng.uniform(0.95, 1.05)
                plan_up = 20.0
            speed = Sample(ts=ts, kind="speed", down_mbit=100 * ratio, plan_down_mbit=100.0)
            rows.append(dataclasses.replace(speed, up_mbit=up, plan_up_mbit=plan_up))
    store.add_many(rows)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SampleStore]:
    with SampleStore.open(tmp_path / "h.sqlite3") as s:
        yield s


def test_evening_slowdown_is_the_hour_of_day_finding(store: SampleStore) -> None:
    record_month(store, {h: 0.4 for h in range(19, 23)})
    period = load_period(store, now=NOW, days=30, tz=MADRID)
    slow = period.trends.slow_hours
    assert slow is not None and slow.code == SLOW_HOURS_CODE
    assert (slow.start_hour, slow.end_hour) == (19, 23)
    assert 0.35 < slow.ratio < 0.45
    assert slow.other_ratio is not None and slow.other_ratio > 0.9
    assert period.trends.slow_upload_hours is None  # no test measured upload


def test_evening_upload_slowdown_is_found_apart_from_download(store: SampleStore) -> None:
    evening = {h: 0.3 for h in range(20, 24)}
    record_month(store, {}, up_ratio_at=evening)
    trends = load_period(store, now=NOW, days=30, tz=MADRID).trends
    assert trends.slow_hours is None  # the download is fine all day
    slow = trends.slow_upload_hours
    assert slow is not None and slow.code == SLOW_UPLOAD_HOURS_CODE
    assert (slow.direction, slow.start_hour, slow.end_hour) == ("upload", 20, 0)
    assert 0.25 < slow.ratio < 0.35
    assert slow.other_ratio is not None and slow.other_ratio > 0.9
    assert trends.slow_findings() == [slow]
    assert trends.hours[21].up_ratio is not None and trends.hours[21].up_ratio < 0.35
    assert trends.hours[21].up_speed_samples >= 3


def test_both_directions_slow_in_their_own_hours(store: SampleStore) -> None:
    record_month(store, {h: 0.4 for h in range(19, 23)}, up_ratio_at={h: 0.3 for h in (7, 8, 9)})
    trends = load_period(store, now=NOW, days=30, tz=MADRID).trends
    down, up = trends.slow_hours, trends.slow_upload_hours
    assert down is not None and (down.start_hour, down.end_hour) == (19, 23)
    assert up is not None and (up.start_hour, up.end_hour) == (7, 10)
    assert [s.code for s in trends.slow_findings()] == [SLOW_HOURS_CODE, SLOW_UPLOAD_HOURS_CODE]


def test_slow_all_day_or_at_random_is_no_pattern(store: SampleStore, tmp_path: Path) -> None:
    record_month(store, {}, default=0.4)
    assert load_period(store, now=NOW, days=30, tz=MADRID).trends.slow_hours is None
    with SampleStore.open(tmp_path / "other.sqlite3") as noisy:
        rng = random.Random(5)
        record_month(noisy, {h: rng.choice((0.5, 1.0)) for h in range(24)}, seed=9)
        found = load_period(noisy, now=NOW, days=30, tz=MADRID).trends.slow_hours
        assert found is None or found.days_slow >= 0.6 * found.days_seen


def test_roll_ups_give_the_same_trends_and_retention_drops_raw_rows(store: SampleStore) -> None:
    record_month(store, {h: 0.4 for h in range(19, 23)}, up_ratio_at={h: 0.3 for h in (7, 8)})
    before = load_period(store, now=NOW, days=30, tz=MADRID)
    raw = store.count()
    deleted = store.roll_up(NOW, retention_s=7 * 86400)
    assert 0 < deleted < raw
    after = load_period(store, now=NOW, days=30, tz=MADRID)
    assert after.trends.slow_hours == before.trends.slow_hours
    assert after.trends.slow_upload_hours == before.trends.slow_upload_hours
    assert after.trends.slow_upload_hours is not None
    assert [h.up_ratio for h in after.trends.hours] == pytest.approx(
        [h.up_ratio for h in before.trends.hours]
    )
    assert [h.down_ratio for h in after.trends.hours] == pytest.approx(
        [h.down_ratio for h in before.trends.hours]
    )
    assert store.roll_up(NOW, retention_s=7 * 86400) == 0  # idempotent


def test_terminal_view_fits_the_width_and_says_it_in_words(store: SampleStore) -> None:
    import io

    record_month(store, {h: 0.4 for h in range(19, 23)})
    period = load_period(store, now=NOW, days=30, tz=MADRID)
    for width in (40, 80, 200):
        out = io.StringIO()
        render_trends(period, MADRID, out, width=width)
        assert all(len(line) <= width for line in out.getvalue().splitlines()[2:]), out.getvalue()
    plain = io.StringIO()
    render_trends(period, MADRID, plain, plain=True)
    text = plain.getvalue()
    assert "19–23 h" in text and "40 %" in text
    assert not set(text) & set("▁▂▃▄▅▆▇█")


def test_terminal_view_names_the_slow_upload_hours(store: SampleStore) -> None:
    import io

    record_month(store, {}, up_ratio_at={h: 0.3 for h in range(20, 24)})
    period = load_period(store, now=NOW, days=30, tz=MADRID)
    plain = io.StringIO()
    render_trends(period, MADRID, plain, plain=True)
    text = plain.getvalue()
    assert re.search(r"Every day 20–24 h your upload falls to (2[5-9]|3[0-5]) % of your plan", text)
    assert "your download falls" not in text
    assert re.search(r"At 21 h: .*upload \d+ % of plan \(\d+ tests\)", text), text
    lines = io.StringIO()
    render_trends(period, MADRID, lines, width=80)
    assert "Upload by hour" in lines.getvalue()


def test_sparkline_merges_and_marks_gaps() -> None:
    assert sparkline([0, 1, None, 1], 10, 0, 1) == "▁█ █"
    assert len(sparkline(list(range(100)), 20)) == 20
