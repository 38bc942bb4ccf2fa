"""Turn a Report into what a person reads, independent of the output format.

Console, plain and Markdown renderers all draw this view, so wording and
choices (what a beginner sees, what an expert sees) live in one place.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Literal

from homecare.diagnose.measured import PathFigure, all_figures, best_per_target, from_ping
from homecare.diagnose.verdict import probe_label
from homecare.i18n import _
from homecare.models import (
    Device,
    DevicesData,
    DnsData,
    Finding,
    Guidance,
    HostData,
    PingResult,
    ProbeStatus,
    ReachabilityData,
    Report,
    Severity,
    WifiData,
)
from homecare.models.connection import CaptiveData, Ipv6Data, LatencyData, MtuData, SpeedData
from homecare.render.base import RenderOptions
from homecare.render.router_facts import router_facts


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    guidance: Guidance | None
    #: (the step's number in the catalogue, text): numbers survive hidden steps
    steps: list[tuple[int, str]]
    evidence: list[tuple[str, str]]


@dataclass(frozen=True)
class DeviceRow:
    name: str
    address: str
    vendor: str
    kind: str
    note: str


Tone = Literal["ok", "tip", "fault", "unknown"]


@dataclass(frozen=True)
class ReportView:
    headline: str
    healthy: bool
    #: a fault is not a tip: the headline's mark and colour follow this
    tone: Tone = "fault"
    facts: list[tuple[str, str]] = field(default_factory=list)
    items: list[FindingView] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    footer: str = ""
    #: how to reach support about this check: its support code, or how to get one
    support_line: str = ""
    devices_title: str = ""
    devices: list[DeviceRow] = field(default_factory=list)


def severity_label(severity: Severity) -> str:
    return {
        Severity.INFO: _("Note"),
        Severity.WARNING: _("Warning"),
        Severity.PROBLEM: _("Problem"),
        Severity.CRITICAL: _("Critical"),
    }[severity]


def headline_mark(tone: Tone) -> str:
    return {"ok": "✔", "tip": "⚠", "fault": "✖", "unknown": "?"}[tone]


def severity_symbol(severity: Severity) -> str:
    return {
        Severity.INFO: "ℹ",
        Severity.WARNING: "⚠",
        Severity.PROBLEM: "✖",
        Severity.CRITICAL: "✖",
    }[severity]


def build_view(report: Report, options: RenderOptions) -> ReportView:
    guidance = {g.code: g for g in report.guidance}
    items = []
    for f in sorted(report.findings, key=lambda f: -f.severity.rank):
        if options.verbosity == "brief" and f.severity == Severity.INFO:
            continue
        g = guidance.get(f.code)
        steps: list[tuple[int, str]] = []
        if g:
            for n, s in enumerate(g.steps, 1):
                text = s.text
                if options.show_commands and s.command:
                    text = f"{text}  $ {s.command}"
                steps.append((s.number or n, text))
        if options.verbosity == "brief":
            steps = steps[:1]
        evidence = (
            [(k, _fmt(v)) for k, v in f.evidence.items()]
            if options.show_evidence and options.verbosity != "brief"
            else []
        )
        items.append(FindingView(f, g, steps, evidence))
    # "healthy" is only said about what was measured: say what was not, and why
    notes = [
        _("{probe}: {status} ({message})").format(
            probe=probe_label(o.probe), status=_status(o.status), message=o.message or "-"
        )
        for o in report.observations
        if o.status != ProbeStatus.OK and options.verbosity != "brief"
    ]
    reach = report.data_of(ReachabilityData)
    if reach and reach.method_note and options.verbosity != "brief":
        notes.append(reach.method_note)
    devices_title, devices = _inventory(report, options)
    return ReportView(
        devices_title=devices_title,
        devices=devices,
        headline=report.verdict.summary,
        healthy=report.verdict.healthy,
        tone=tone_of(report),
        facts=_facts(report, options) if options.verbosity != "brief" else [],
        items=items,
        notes=notes,
        footer=_("Check {id} saved. Run 'homecare history show {id}' to see it again.").format(
            id=report.id[:8]
        )
        if options.saved
        else "",
        support_line=_support_line(report, options),
    )


def tone_of(report: Report) -> Tone:
    v = report.verdict
    if v.healthy:
        return "ok"
    if v.severity is None:
        return "unknown" if v.segment is None else "fault"
    return "tip" if v.severity == Severity.WARNING else "fault"


def _support_line(report: Report, options: RenderOptions) -> str:
    """The real support code when the check was shared, else how to get one
    (nothing for a healthy check: there is nobody to call)."""
    if options.support_code:
        return _("Your support code for this check: {code}. Read it out when you call.").format(
            code=options.support_code
        )
    if report.verdict.healthy:
        return ""
    return _(
        "To talk to support about this check, run 'homecare share': it sends it and gives "
        "you a support code to read out."
    )


def _inventory(report: Report, options: RenderOptions) -> tuple[str, list[DeviceRow]]:
    """The whole inventory when devices were asked for (or in detail), else
    only what changed since last time: that is what a person wants to see.
    Devices missing since the last check are listed too, by the name the
    person gave them when there is one."""
    data = report.data_of(DevicesData)
    if not isinstance(data, DevicesData) or options.verbosity == "brief":
        return "", []
    targeted = set(report.areas) <= {"host", "devices"}
    new = set(data.new_since_last)
    if targeted or options.verbosity == "detailed":
        shown = list(data.devices)
        title = _("Devices on your network ({count})").format(count=len(data.devices))
    else:
        shown = [d for d in data.devices if d.key in new]
        title = _("Changes since the last check") if shown or data.missing_devices else ""
    rows = [_row(d, new) for d in shown]
    for d in data.missing_devices:
        rows.append(
            DeviceRow(
                name=device_name(d),
                address=", ".join(d.ipv4) or d.key,
                vendor=d.vendor or "-",
                kind=_device_kind(d.type),
                note=_("not seen this time"),
            )
        )
    return title, rows


def device_name(d: Device) -> str:
    """The person's name; else what the device calls itself, told apart by its
    host name; the model (with its maker) only when nothing else is known."""
    if d.nickname:
        return d.nickname
    announced = next((s.name for s in d.services if s.name), None)
    model = d.model
    maker = (d.vendor or "").split(" ")[0].split(",")[0]
    if model and maker and not model.lower().startswith(maker.lower()):
        model = f"{maker} {model}"
    base = announced or model or d.hostname or d.vendor or d.key
    if d.hostname and d.hostname.lower() not in base.lower():
        return f"{base} ({d.hostname})"
    return base


def _row(d: Device, new: set[str]) -> DeviceRow:
    notes = []
    if d.key in new:
        notes.append(_("new"))
    if d.is_gateway:
        notes.append(_("your router"))
    if d.is_self:
        notes.append(_("this device"))
    if d.randomized_mac:
        notes.append(_("private address"))
    return DeviceRow(
        name=device_name(d),
        address=", ".join(d.ipv4) or d.key,
        vendor=d.vendor or "-",
        kind=_device_kind(d.type),
        note=", ".join(notes),
    )


def _device_kind(kind: str) -> str:
    return {
        "router": _("router"),
        "computer": _("computer"),
        "phone": _("phone"),
        "tablet": _("tablet"),
        "tv": _("TV or streamer"),
        "printer": _("printer"),
        "speaker": _("speaker"),
        "camera": _("camera"),
        "game-console": _("game console"),
        "iot": _("smart-home device"),
        "nas": _("network storage"),
    }.get(kind, _("unknown"))


def _status(status: ProbeStatus) -> str:
    return {
        ProbeStatus.OK: _("ok"),
        ProbeStatus.FAILED: _("failed"),
        ProbeStatus.TIMEOUT: _("timed out"),
        ProbeStatus.SKIPPED: _("skipped"),
    }[status]


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(_fmt(v) for v in value) or "-"
    if isinstance(value, dict):  # never a raw dict in front of a person
        return ", ".join(f"{k} {_fmt(v)}" for k, v in value.items()) or "-"
    return "-" if value is None else str(value)


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


def _facts(report: Report, options: RenderOptions) -> list[tuple[str, str]]:
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
        ok = [lk for lk in system if lk.ok]
        value = (
            _("working ({ms:.0f} ms)").format(ms=statistics.median(lk.elapsed_ms for lk in ok))
            if ok
            else _("failing")
        )
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
