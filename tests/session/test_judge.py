"""Pass / warn / fail from a report's figures, absolute and relative to the plan."""

from __future__ import annotations

from collections.abc import Mapping

from homecare.models.session import StepStatus
from homecare.session.judge import judge_metric
from homecare.session.plan import Expectation

from .sessions import RATES, report


def _status(metric: str, exp: Mapping[str, object], rates: Mapping[str, float | None] = RATES,
            **kw: object) -> StepStatus:  # fmt: skip
    return judge_metric(metric, Expectation.model_validate(exp), report(**kw), rates).status  # type: ignore[arg-type]


def test_relative_to_plan_rate() -> None:
    exp = {"pass": ">= 0.9 plan", "warn": ">= 0.7 plan"}
    assert _status("speed.download_mbit", exp, down=91.0) is StepStatus.PASS
    assert _status("speed.download_mbit", exp, down=80.0) is StepStatus.WARN
    assert _status("speed.download_mbit", exp, down=50.0) is StepStatus.FAIL
    result = judge_metric("speed.download_mbit", Expectation.model_validate(exp), report(), RATES)
    assert result.reference == 100.0


def test_relative_without_plan_rate_cannot_be_judged() -> None:
    exp = {"pass": ">= 0.9 plan"}
    assert _status("speed.download_mbit", exp, {"down": None, "up": None}) is StepStatus.WARN


def test_lower_is_better_and_bare_numbers() -> None:
    assert (
        _status("latency.gateway_loss_pct", {"pass": "< 0.5"}, gateway_loss=0.0) is StepStatus.PASS
    )
    assert (
        _status("latency.gateway_loss_pct", {"pass": "< 0.5", "warn": 2}, gateway_loss=1.0)
        is StepStatus.WARN
    )
    assert _status("latency.gateway_loss_pct", {"pass": 0.5}, gateway_loss=3.0) is StepStatus.FAIL
    assert _status("wifi.signal_dbm", {"pass": -67}, signal=-60) is StepStatus.PASS
    assert _status("wifi.signal_dbm", {"pass": -67}, signal=-70) is StepStatus.FAIL


def test_grades_bools_and_missing_figures() -> None:
    assert _status("speed.bufferbloat_grade", {"pass": ">= B"}, grade="A") is StepStatus.PASS
    assert (
        _status("speed.bufferbloat_grade", {"pass": ">= B", "warn": "C"}, grade="C")
        is StepStatus.WARN
    )
    assert _status("speed.bufferbloat_grade", {"pass": ">= B"}, grade="D") is StepStatus.FAIL
    assert _status("dns.answered", {"pass": True}, dns_ok=False) is StepStatus.FAIL
    assert _status("wifi.signal_dbm", {"pass": -67}, signal=None) is StepStatus.FAIL
    assert (
        _status("wifi.signal_dbm", {"pass": -67, "missing": "warn"}, signal=None) is StepStatus.WARN
    )
