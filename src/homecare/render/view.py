"""Turn a Report into what a person reads, independent of the output format.

Console, plain and Markdown renderers all draw this view, so wording and
choices (what a beginner sees, what an expert sees) live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from homecare.diagnose.verdict import probe_label
from homecare.i18n import _
from homecare.models import (
    Device,
    DevicesData,
    Finding,
    Guidance,
    ProbeStatus,
    ReachabilityData,
    Report,
    Severity,
)
from homecare.render.base import RenderOptions
from homecare.render.facts import facts, format_ms, format_rate


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
            probe=_capitalised(probe_label(o.probe)),
            status=_status(o.status),
            message=o.message or "-",
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
        facts=facts(report, options) if options.verbosity != "brief" else [],
        items=items,
        notes=notes,
        footer=_("Check {id} saved. Run 'homecare history show {id}' to see it again.").format(
            id=report.id[:8]
        )
        if options.saved
        else "",
        support_line=_support_line(report, options),
    )


def _capitalised(label: str) -> str:
    """A label that starts a line: "Speed test: skipped (...)"."""
    return label[:1].upper() + label[1:]


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


__all__ = ["build_view", "device_name", "format_ms", "format_rate", "headline_mark"]
