"""The summary table of a report: one fact per line, the best figure per fact.

Kept apart from the view so the view module stays about choices (what a
person sees first) and this one about numbers (how a figure is written).
"""

from __future__ import annotations

import statistics

from homecare.diagnose.measured import PathFigure, all_figures, best_per_target, from_ping
from homecare.i18n import _
from homecare.models import (
    DevicesData,
    DnsData,
    HostData,
    PingResult,
    ReachabilityData,
    Report,
    WifiData,
    answer_times,
)
from homecare.models.connection import CaptiveData, Ipv6Data, LatencyData, MtuData, SpeedData
from homecare.render.base import RenderOptions
from homecare.render.router_facts import router_facts


def _path_fact(p: PathFigure | PingResult) -> str:
    if p.received == 0:
        return _("no answer ({target})").format(target=p.target)
    figure = p if isinstance(p, PathFigure) else from_ping(p)
    median = format_ms(figure.median_ms or 0.0)
    if figure.lost == 0:
        return _(
            "{ms} ms, no loss in {sent} probes (at most {high:.1f}%) ({target}, {method})"
        ).format(
            ms=median,
            sent=figure.sent,
            high=figure.loss_high * 100,
            target=figure.target,
            method=figure.method,
        )
    return _(
        "{ms} ms, {loss:.1f}% loss ({low:.1f}-{high:.1f}%, {sent} probes) ({target}, {method})"
    ).format(
        ms=median,
        loss=figure.loss * 100,
        low=figure.loss_low * 100,
        high=figure.loss_high * 100,
        sent=figure.sent,
        target=figure.target,
        method=figure.method,
    )


def format_ms(ms: float) -> str:
    """Milliseconds with the precision that matters: 0.04, 3.2, 45."""
    if ms < 1:
        return f"{ms:.2f}"
    if ms < 10:
        return f"{ms:.1f}"
    return f"{ms:.0f}"


def confidence_label(level: str) -> str:
    """The responsiveness test's confidence level, in the user's language."""
    return {"high": _("high"), "medium": _("medium"), "low": _("low")}.get(level, level)


def format_rate(mbit: float, options: RenderOptions) -> str:
    if options.units == "mbyte":
        return _("{value:.1f} MB/s").format(value=mbit / 8)
    return _("{value:.1f} Mbit/s").format(value=mbit)


def _connection_facts(report: Report, options: RenderOptions) -> list[tuple[str, str]]:
    """Speed, responsiveness and the other connection-quality figures."""
    facts: list[tuple[str, str]] = []
    detailed = options.verbosity == "detailed" or options.skill in ("expert", "technician")
    speed = report.data_of(SpeedData)
    if isinstance(speed, SpeedData):
        for label, result, plan in (
            (_("Download"), speed.download, speed.plan_down_mbit),
            (_("Upload"), speed.upload, speed.plan_up_mbit),
        ):
            if result is None:
                continue
            if result.mbit is None:
                facts.append((label, _("not measured ({error})").format(error=result.error or "-")))
                continue
            value = format_rate(result.mbit, options)
            if plan:
                value = _("{value} (plan {plan})").format(
                    value=value, plan=format_rate(plan, options)
                )
            facts.append((label, value))
        if speed.bufferbloat_ms is not None:
            facts.append(
                (
                    _("Delay when busy"),
                    _("+{ms} ms (grade {grade}, {rpm:.0f} round trips per minute)").format(
                        ms=format_ms(speed.bufferbloat_ms),
                        grade=speed.bufferbloat_grade or "?",
                        rpm=speed.rpm or 0,
                    ),
                )
            )
        for result in (speed.download, speed.upload):
            r = result.responsiveness if result is not None else None
            if result is None or r is None or r.rpm is None:
                continue
            facts.append(
                (
                    _("Working latency (download)")
                    if result.direction == "download"
                    else _("Working latency (upload)"),
                    _("{rpm:.0f} RPM, {ms:.0f} ms per round trip ({confidence} confidence)").format(
                        rpm=r.rpm, ms=60000 / r.rpm, confidence=confidence_label(r.confidence)
                    ),
                )
            )
        if detailed and speed.engine:
            facts.append(
                (
                    _("Speed test"),
                    _("{engine}, {server}, {mb:.0f} MB used").format(
                        engine=speed.engine, server=speed.server or "-", mb=speed.bytes_used / 1e6
                    ),
                )
            )
    latency = report.data_of(LatencyData)
    if isinstance(latency, LatencyData) and detailed:
        for series in latency.series:
            st = series.stats
            if st.median_ms is None:
                continue
            facts.append(
                (
                    _("Latency to {target}").format(target=series.target),
                    _(
                        "median {median} ms ({mlow}-{mhigh}), p90 {p90} ms, jitter {jitter} ms, "
                        "{loss:.1f}% loss ({low:.1f}-{high:.1f}%) in {sent} probes"
                    ).format(
                        median=format_ms(st.median_ms),
                        mlow=format_ms(st.median_low_ms or st.median_ms),
                        mhigh=format_ms(st.median_high_ms or st.median_ms),
                        p90=format_ms(st.p90_ms or st.median_ms),
                        jitter=format_ms(st.jitter_ms or 0.0),
                        loss=st.loss * 100,
                        low=(st.loss_low or 0.0) * 100,
                        high=(st.loss_high if st.loss_high is not None else 1.0) * 100,
                        sent=st.sent,
                    ),
                )
            )
    captive = report.data_of(CaptiveData)
    if isinstance(captive, CaptiveData) and captive.captive:
        facts.append((_("Captive portal"), _("a sign-in page answers instead of the internet")))
    ipv6 = report.data_of(Ipv6Data)
    if isinstance(ipv6, Ipv6Data) and detailed:
        state = (
            _("working")
            if ipv6.reachable
            else (
                _("not available") if not ipv6.global_addresses else _("address but no route out")
            )
        )
        facts.append((_("IPv6"), state))
    mtu = report.data_of(MtuData)
    if isinstance(mtu, MtuData) and detailed and mtu.path_mtu:
        facts.append((_("Path MTU"), str(mtu.path_mtu)))
    return facts


def facts(report: Report, options: RenderOptions) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    host = report.data_of(HostData)
    if isinstance(host, HostData):
        kind = {
            "wifi": _("Wi-Fi"),
            "wired": _("wired"),
            "none": _("not connected"),
            "unknown": _("unknown"),
        }[host.connection]
        facts.append((_("Connection"), f"{kind} ({host.primary_interface or '-'})"))
        iface = next((i for i in host.interfaces if i.name == host.primary_interface), None)
        if iface:
            v4 = [a.address for a in iface.addresses if a.family == "ipv4"]
            if v4:
                facts.append((_("Address"), ", ".join(v4)))
        gw = [r.gateway for r in host.default_routes if r.family == "ipv4"]
        facts.append((_("Router"), ", ".join(gw) or _("none")))
        if options.verbosity == "detailed" or options.skill in ("expert", "technician"):
            facts.append((_("DNS servers"), ", ".join(host.resolvers) or _("none")))
    reach = report.data_of(ReachabilityData)
    if isinstance(reach, ReachabilityData):
        # one fact, one figure: the largest series taken to each target
        latency = report.data_of(LatencyData)
        best = best_per_target(all_figures(reach, latency))
        for p in reach.pings:
            label = _("Router answers") if p.role == "gateway" else _("Internet answers")
            facts.append((label, _path_fact(best.get(p.target) or p)))
    dns = report.data_of(DnsData)
    if isinstance(dns, DnsData) and dns.lookups:
        system = [lk for lk in dns.lookups if lk.resolver is None] or dns.lookups
        ok = answer_times(system)
        value = _("working ({ms:.0f} ms)").format(ms=statistics.median(ok)) if ok else _("failing")
        facts.append((_("Name lookups"), value))
    facts += _connection_facts(report, options)
    wifi = report.data_of(WifiData)
    if isinstance(wifi, WifiData) and wifi.link and wifi.link.connected:
        link = wifi.link
        facts.append(
            (
                _("Wi-Fi signal"),
                _("{dbm} dBm on {band}, channel {channel}").format(
                    dbm=link.signal_dbm if link.signal_dbm is not None else "?",
                    band=link.band or "?",
                    channel=link.channel or "?",
                ),
            )
        )
    devices = report.data_of(DevicesData)
    if isinstance(devices, DevicesData):
        facts.append((_("Devices on the network"), str(len(devices.devices))))
    facts += router_facts(report, options)
    return facts
