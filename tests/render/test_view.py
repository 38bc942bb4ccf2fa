"""What a person reads first: a fault is not a tip, one figure per fact, how to reach support."""

from __future__ import annotations

import io

from homecare.models import Finding, Observation, ProbeStatus, ReachabilityData, Segment, Severity
from homecare.models.connection import LatencyData, LatencySeries
from homecare.probes.latency.stats import summarize
from homecare.render.base import RenderOptions
from homecare.render.console import ConsoleRenderer
from homecare.render.plain import PlainRenderer
from homecare.render.view import build_view

from ..factories import GATEWAY, ping, sample_report


def plain(report: object, **options: object) -> str:
    out = io.StringIO()
    PlainRenderer().render(report, RenderOptions(color=False, **options), out)  # type: ignore[arg-type]
    return out.getvalue()


def test_a_warning_alone_reads_as_a_tip() -> None:
    tip = Finding(
        code="lan.latency.high", severity=Severity.WARNING, segment=Segment.ROUTER, summary="slow"
    )
    report = sample_report(findings=[tip])
    view = build_view(report, RenderOptions())
    assert view.tone == "tip"
    out = io.StringIO()
    ConsoleRenderer().render(report, RenderOptions(color=False, width=80), out)
    assert "⚠ It works, but the router could be better." in out.getvalue()
    assert "✖" not in out.getvalue().splitlines()[1]


def test_a_fault_reads_as_a_fault() -> None:
    assert build_view(sample_report(), RenderOptions()).tone == "fault"


def test_the_table_shows_the_largest_series() -> None:
    # 5 pings said 40 % loss, 400 latency probes 5 %: the table must say 5 %
    report = sample_report(findings=[])
    pings = [ping("gateway", GATEWAY), ping("internet", "1.1.1.1", sent=5, received=3)]
    lat = LatencySeries(
        target="1.1.1.1", role="internet", method="icmp-raw",
        stats=summarize([10.0] * 380, 400),
    )  # fmt: skip
    report.observations = [
        Observation(probe="reachability", area="connectivity", status=ProbeStatus.OK,
                    data=ReachabilityData(pings=pings)),
        Observation(probe="latency", area="latency", status=ProbeStatus.OK,
                    data=LatencyData(series=[lat])),
    ]  # fmt: skip
    text = plain(report)
    line = next(x for x in text.splitlines() if x.startswith("Internet answers"))
    assert "5.0% loss" in line and "400 probes" in line and "40.0%" not in line


def test_advice_says_how_to_get_the_support_code() -> None:
    text = plain(sample_report())
    assert "Support code" not in text and "HC-" not in text
    assert "run 'homecare share'" in text
    assert "Advice id: A-D01" in text
    shared = plain(sample_report(), support_code="HC-7KQ4-M2XA")
    assert "Your support code for this check: HC-7KQ4-M2XA" in shared
    assert "run 'homecare share'" not in shared.split("Your support code")[1]


def test_device_names_tell_look_alikes_apart() -> None:
    from homecare.models import Device, Service
    from homecare.render.view import device_name

    tv = Device(
        key="aa", vendor="LG Electronics", model="OLED55C1PUB", hostname="living-room-tv",
        services=[Service(source="ssdp", type="urn:dial", name="LG OLED TV")],
    )  # fmt: skip
    assert device_name(tv) == "LG OLED TV (living-room-tv)"
    assert device_name(Device(key="bb", vendor="Sonos, Inc.", model="One")) == "Sonos One"
    assert device_name(Device(key="cc", vendor="Sonos", model="Sonos One")) == "Sonos One"
    named = Device(key="dd", nickname="Living room TV", model="OLED55C1PUB")
    assert device_name(named) == "Living room TV"


def test_missing_devices_are_shown_by_their_name() -> None:
    from homecare.models import Device, DevicesData

    report = sample_report(findings=[])
    tv = Device(key="aa:bb", ipv4=["192.168.1.30"], nickname="Living room TV", type="tv")
    report.observations = [
        Observation(probe="devices", area="devices", status=ProbeStatus.OK,
                    data=DevicesData(method="arp", devices=[], missing_since_last=["aa:bb"],
                                     missing_devices=[tv])),
    ]  # fmt: skip
    text = plain(report)  # a full check: only the changes are listed
    assert "Changes since the last check" in text
    assert "Living room TV: 192.168.1.30" in text and "not seen this time" in text
    report.areas = ["devices", "host"]
    out = io.StringIO()
    ConsoleRenderer().render(report, RenderOptions(color=False, width=120), out)
    assert "Notes" in out.getvalue()  # the fifth column has a header
    assert "Living room TV" in out.getvalue()
