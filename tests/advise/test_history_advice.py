"""The home's own baseline and escalation, from a seeded history."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from homecare.advise.history_advice import (
    BUILTIN_METRICS,
    Metric,
    baseline,
    evidence_metric,
    history_notes,
)
from homecare.models import Finding, Report, Segment, Severity, Verdict
from homecare.store.history import History
from tests import canned
from tests.cli_harness import Home


def seed(home: Home, count: int, **scenario: object) -> None:
    """*count* earlier checks of this home, each run like a real one."""
    for _ in range(count):
        canned.set_scenario(**scenario)  # type: ignore[arg-type]
        home.check(output="json")


def test_baseline_is_the_median_of_the_last_checks() -> None:
    assert baseline([2.0, 3.0, 100.0]) == 3.0  # one bad evening is not the norm
    assert baseline([50.0] * 20 + [1.0, 2.0, 3.0], last=3) == 2.0
    assert baseline([2.0, 3.0]) is None  # two checks are not a habit
    assert baseline([]) is None


def test_router_note_compares_today_with_the_usual(home: Home) -> None:
    seed(home, 4, gw_rtt=2.0)
    canned.set_scenario(gw_rtt=45.0)
    out = home.check(output="plain").out
    assert "Your router usually answers in 2 ms; today 45 ms." in out
    report = json.loads(home.check(output="json").out)
    [g] = [g for g in report["guidance"] if g["code"] == "lan.latency.high"]
    assert g["history_note"] == "Your router usually answers in 2 ms; today 45 ms."


def test_note_is_translated(home: Home) -> None:
    seed(home, 3, gw_rtt=2.0)
    canned.set_scenario(gw_rtt=45.0)
    assert (
        "Su router suele responder en 2 ms; hoy en 45 ms."
        in home.check(output="plain", language="es").out
    )
    canned.set_scenario(gw_rtt=45.0)
    assert (
        "Ihr Router antwortet sonst in 2 ms; heute in 45 ms."
        in home.check(output="plain", language="de").out
    )


def test_no_note_without_enough_history(home: Home) -> None:
    seed(home, 2, gw_rtt=2.0)
    canned.set_scenario(gw_rtt=45.0)
    assert "usually" not in home.check(output="plain").out


def test_failed_checks_do_not_count_as_usual(home: Home) -> None:
    seed(home, 3, gw_rtt=1.5)
    seed(home, 5, gw_rtt=None, inet_rtt=None)  # router down: no figure at all
    canned.set_scenario(gw_rtt=60.0)
    assert "usually answers in 1.5 ms; today 60 ms" in home.check(output="plain").out


def test_router_silent_today(home: Home) -> None:
    seed(home, 3, gw_rtt=2.0)
    canned.set_scenario(gw_rtt=None, inet_rtt=None)
    out = home.check(output="plain").out
    assert "Your router usually answers in 2 ms; today it did not answer." in out


def test_dns_and_internet_notes(home: Home) -> None:
    seed(home, 3, dns_ms=20.0, inet_rtt=20.0)
    canned.set_scenario(dns_ms=900.0, inet_rtt=400.0)
    out = home.check(output="plain").out
    assert "Name lookups usually take 20 ms here; today 900 ms." in out
    assert "The internet usually answers in 20 ms; today 400 ms." in out


def test_a_registered_metric_adds_its_note() -> None:
    """How the speed area will add "slower than your usual 300 Mbit/s"."""

    def report(mbit: float, code: str | None) -> Report:
        findings = (
            [
                Finding(
                    code=code,
                    severity=Severity.WARNING,
                    segment=Segment.PROVIDER,
                    summary="slow",
                    evidence={"down_mbit": mbit},
                )
            ]
            if code
            else []
        )
        return Report(
            id=f"r{mbit}",
            created_at=datetime.now(UTC),
            homecare_version="0",
            areas=[],
            findings=findings,
            verdict=Verdict(healthy=not findings, summary=""),
        )

    extra = evidence_metric(
        "test_down_mbit",
        "test.speed.slow",
        "down_mbit",
        lambda usual, now: f"slower than your usual {usual} Mbit/s (today {now})",
    )
    past = [report(v, "test.speed.slow") for v in (300.0, 310.0, 290.0)]
    notes = history_notes(
        report(80.0, "test.speed.slow"), list(reversed(past)), [*BUILTIN_METRICS, extra]
    )
    assert notes == {"test.speed.slow": "slower than your usual 300 Mbit/s (today 80)"}
    # nothing global was changed: the default set does not know the new metric
    assert history_notes(report(80.0, "test.speed.slow"), list(reversed(past))) == {}


def test_a_broken_metric_never_breaks_advice(home: Home) -> None:
    """A plugin's metric that raises (loaded from the person's plugin folder)."""
    folder = home.root / "config" / "plugins"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "boom_metric.py").write_text(
        "from homecare.advise.history_advice import Metric\n"
        "from homecare.hookspecs import hookimpl\n"
        "def _boom(report):\n"
        "    raise RuntimeError('plugin bug')\n"
        "@hookimpl\n"
        "def homecare_history_metrics():\n"
        "    return [Metric('test_boom', ('lan.latency.high',), _boom, lambda u, n: 'x')]\n"
    )
    seed(home, 3, gw_rtt=2.0)
    canned.set_scenario(gw_rtt=45.0)
    assert home.check(output="plain").code == 1


@pytest.mark.parametrize("lang", ["en", "es", "de"])
def test_steps_done_move_on_then_escalate(home: Home, lang: str) -> None:
    """A fault seen again after the person did the steps: next step, then support."""
    from homecare.advise.catalogue import Catalogue

    entry = Catalogue.load().entry("dns.failing", lang, "beginner")
    assert entry is not None and len(entry.steps) == 2
    canned.set_scenario(dns_ok=False)
    first = home.check(output="json", language=lang)
    check_id = json.loads(first.out)["id"]
    with History.open(home.root / "data" / "history.sqlite3") as history:
        history.mark_step_done(check_id, "dns.failing", 1, datetime.now(UTC))

    canned.set_scenario(dns_ok=False)
    again = json.loads(home.check(output="json", language=lang).out)
    [g] = [g for g in again["guidance"] if g["code"] == "dns.failing"]
    assert [s["text"] for s in g["steps"]] == [entry.steps[1].text]
    assert not g["escalated"]
    with History.open(home.root / "data" / "history.sqlite3") as history:
        history.mark_step_done(again["id"], "dns.failing", 2, datetime.now(UTC))

    canned.set_scenario(dns_ok=False)
    out = home.check(output="plain", language=lang).out
    assert entry.steps[0].text not in out and entry.steps[1].text not in out
    assert entry.advice_id and entry.advice_id in out
    canned.set_scenario(dns_ok=False)
    last = json.loads(home.check(output="json", language=lang).out)
    [g] = [g for g in last["guidance"] if g["code"] == "dns.failing"]
    assert g["escalated"] and len(g["steps"]) == 1


def test_a_chronic_problem_is_called_usual(home: Home) -> None:
    seed(home, 3, gw_rtt=40.0)
    canned.set_scenario(gw_rtt=45.0)
    out = home.check(output="plain").out
    assert "Your router answers in about 40 ms at every check: this is usual here." in out
    assert "today" not in out


def test_no_note_when_today_is_usual_and_the_metric_has_no_wording() -> None:
    metric = Metric("m", ("x.y",), lambda r: None, lambda u, n: f"{u}->{n}")
    assert metric.describe(100.0, 110.0) is None
    assert metric.describe(100.0, 200.0) == "100->200"
    assert metric.describe(100.0, None) == "100->None"
