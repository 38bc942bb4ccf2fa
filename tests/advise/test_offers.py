"""Offers tied to the fix: after the guidance, opted-in only, one per check, recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from homecare.advise.offers import choose_offer
from homecare.models import Finding, Guidance, Report, Segment, Severity, Verdict
from homecare.profiles.provider import Offer, ProviderProfile, load_provider
from homecare.store.history import History
from tests import canned
from tests.cli_harness import Home

OPTED_IN = "[consent]\noffers = true\n"


def stored(home: Home, check_id: str) -> Report:
    with History.open(home.root / "data" / "history.sqlite3") as h:
        report = h.get(check_id)
    assert report is not None
    return report


def latest_id(home: Home) -> str:
    with History.open(home.root / "data" / "history.sqlite3") as h:
        return h.summaries(1)[0].id


def test_offer_follows_the_guidance_it_relates_to(home: Home) -> None:
    home.write_profile(OPTED_IN)
    canned.set_scenario(gw_rtt=45.0)  # lan.latency.high
    out = home.check(output="plain", provider="example-isp").out
    assert "Offer from Example ISP: A newer router" in out
    guidance = "A slow link to the router slows down everything you do online."
    assert out.index(guidance) < out.index("Offer from Example ISP")
    assert "homecare profile set offers no" in out
    assert stored(home, latest_id(home)).offer_shown == "router-upgrade"


def test_no_offer_without_consent(home: Home) -> None:
    canned.set_scenario(gw_rtt=45.0)
    out = home.check(output="plain", provider="example-isp").out
    assert "Offer from" not in out
    assert stored(home, latest_id(home)).offer_shown is None
    home.write_profile("[consent]\noffers = false\n")
    canned.set_scenario(gw_rtt=45.0)
    assert "Offer from" not in home.check(output="plain", provider="example-isp").out


def test_no_offer_without_a_related_finding(home: Home) -> None:
    home.write_profile(OPTED_IN)
    canned.set_scenario(dns_ok=False)  # no offer lists dns.failing
    out = home.check(output="plain", provider="example-isp").out
    assert "Offer from" not in out
    canned.set_scenario()  # healthy: nothing to fix, nothing to sell
    assert "Offer from" not in home.check(output="plain", provider="example-isp").out


def test_never_more_than_one_offer_per_check(home: Home) -> None:
    home.write_profile(OPTED_IN)
    canned.set_scenario(gw_rtt=45.0, inet_rtt=400.0)  # two findings, two related offers
    out = home.check(output="plain", provider="example-isp").out
    assert out.count("Offer from") == 1


def test_offer_in_the_persons_language(home: Home) -> None:
    home.write_profile(OPTED_IN)
    canned.set_scenario(gw_rtt=45.0)
    out = home.check(output="plain", provider="example-isp", language="de").out
    assert "Angebot von Example ISP: Ein neuerer Router" in out


def test_json_output_carries_no_offer(home: Home) -> None:
    home.write_profile(OPTED_IN)
    canned.set_scenario(gw_rtt=45.0)
    report = json.loads(home.check(output="json", provider="example-isp").out)
    assert report["offer_shown"] is None


def _report(codes: list[str], guided: list[str], language: str = "en") -> Report:
    return Report(
        id="x",
        created_at=datetime.now(UTC),
        homecare_version="0",
        areas=[],
        language=language,
        findings=[
            Finding(code=c, severity=Severity.WARNING, segment=Segment.LAN, summary=c)
            for c in codes
        ],
        guidance=[Guidance(code=c, title=c, why="") for c in guided],
        verdict=Verdict(healthy=False, summary=""),
    )


def test_choose_offer_rules() -> None:
    provider = ProviderProfile(
        offers=[
            Offer(id="a", codes=["x.one"], title={"en": "A", "es": "Á"}, text={"en": "a"}),
            Offer(id="b", codes=["x.two", "x.one"], title={"en": "B"}, text={"en": "b"}),
        ]
    )
    assert choose_offer(_report(["x.one"], ["x.one"]), provider, opted_in=False) is None
    assert choose_offer(_report(["x.one"], []), provider, opted_in=True) is None  # no guidance
    chosen = choose_offer(_report(["x.two", "x.one"], ["x.two", "x.one"]), provider, True)
    assert chosen is not None and (chosen.id, chosen.code) == ("b", "x.two")
    spanish = choose_offer(_report(["x.one"], ["x.one"], "es"), provider, True)
    assert spanish is not None and (spanish.title, spanish.text) == ("Á", "a")  # text: English


def test_an_offer_needs_english_text() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="English"):
        Offer(id="a", codes=["x.one"], title={"es": "Á"}, text={"en": "a"})


def test_profiles_without_offers_still_load() -> None:
    assert load_provider(None).offers == []
    assert load_provider(None).plan_tiers == []
