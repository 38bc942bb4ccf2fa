"""A finished report reduced to a sample: the probes' own figures, nothing re-measured."""

from __future__ import annotations

from homecare.monitor.samples import sample_from_report

from .helpers import report


def test_light_report() -> None:
    s = sample_from_report(report(lost=2), "light", 100.0, gap_before=True)
    assert (s.router_ok, s.internet_ok, s.dns_ok) == (True, True, True)
    assert s.loss is not None and abs(s.loss - 0.2) < 1e-9
    assert s.rtt_ms == 5.0 and s.gap_before and s.ts == 100.0


def test_internet_down_report_blames_the_provider_side() -> None:
    s = sample_from_report(report(internet=False), "light", 0.0)
    assert s.router_ok is True and s.internet_ok is False
    assert "provider.no_internet" in s.codes


def test_router_down_report() -> None:
    s = sample_from_report(report(router=False), "light", 0.0)
    assert s.router_ok is False and s.internet_ok is False


def test_speed_report_keeps_the_plan() -> None:
    s = sample_from_report(report(down_mbit=42.0, plan_down=100.0), "speed", 0.0)
    assert (s.down_mbit, s.plan_down_mbit) == (42.0, 100.0)
    light = sample_from_report(report(), "light", 0.0, plan_down_mbit=100.0)
    assert light.plan_down_mbit is None  # a plan only where a speed was measured
