"""The router's facts under the headline."""

from __future__ import annotations

from datetime import UTC, datetime

from homecare.models import Observation, ProbeStatus, Report, Verdict
from homecare.models.router import LineInfo, RouterClient, RouterData, WanCounters
from homecare.render.base import RenderOptions
from homecare.render.router_facts import router_facts


def _report(data: RouterData | None) -> Report:
    observations = (
        [Observation(probe="router", area="router", status=ProbeStatus.OK, data=data)]
        if data
        else []
    )
    return Report(
        id="r1",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        homecare_version="0",
        areas=["router"],
        observations=observations,
        verdict=Verdict(healthy=True, summary="ok"),
    )


def test_router_line_and_load() -> None:
    data = RouterData(
        source="tr064",
        vendor="AVM",
        model="FRITZ!Box 7590",
        uptime_s=3 * 86400,
        line=LineInfo(type="dsl", sync_down_kbit=100000, sync_up_kbit=40000, noise_margin_down_db=11.0,
                      noise_margin_up_db=9.0),
        counters=WanCounters(down_mbit=3.25, up_mbit=0.5),
        clients=[RouterClient(mac="aa:bb:cc:dd:ee:ff")],
    )  # fmt: skip
    facts = dict(router_facts(_report(data), RenderOptions(skill="beginner")))
    assert facts == {
        "Router": "AVM FRITZ!Box 7590, read via TR-064, up 3 days",
        "Line": "100/40 Mbit/s sync, noise margin 9.0 dB",
        "Line in use now": "3.2 down, 0.5 up (Mbit/s)",
    }
    expert = dict(router_facts(_report(data), RenderOptions(skill="expert")))
    assert expert["Router's clients"] == "1"


def test_router_mode_and_no_router() -> None:
    data = RouterData(source="local", uptime_s=600)
    assert router_facts(_report(data), RenderOptions()) == [
        ("Router", "router, read via this router itself, up 10 min")
    ]
    assert router_facts(_report(None), RenderOptions()) == []
