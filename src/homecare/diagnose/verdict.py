"""The verdict: the one segment most likely at fault.

Severity first: a fault (problem, critical) outweighs any number of tips
(warnings), and the headline says which it is: "it works, but could be
better" is not "broken". Among the most severe findings the segment with
the most of them wins, and on a tie the one nearest the user: a broken Wi-Fi
hides everything beyond it, so blaming the provider would be wrong.

"Healthy" is only said about what was measured: probes that could not run
are named with their reason, and when nothing the person asked about was
measured the verdict is "could not tell". When the speed test ran, its
figures are set against the plan in the evidence, so "slow" is always said
relative to what the customer pays for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from pydantic import ValidationError

from homecare.diagnose.router_rules import verdict_view
from homecare.i18n import _
from homecare.models import (
    Finding,
    GenericData,
    Observation,
    ProbeStatus,
    Segment,
    Severity,
    Verdict,
)
from homecare.models.connection import SpeedData
from homecare.profiles.provider import ProviderProfile

PATH_ORDER = (
    Segment.DEVICE,
    Segment.WIFI,
    Segment.LAN,
    Segment.ROUTER,
    Segment.PROVIDER,
    Segment.INTERNET,
    Segment.UNKNOWN,
)


def segment_label(segment: Segment) -> str:
    return {
        Segment.DEVICE: _("this device"),
        Segment.WIFI: _("the Wi-Fi"),
        Segment.LAN: _("the home network"),
        Segment.ROUTER: _("the router"),
        Segment.PROVIDER: _("the provider"),
        Segment.INTERNET: _("beyond the provider (the wider internet)"),
        Segment.UNKNOWN: _("an unknown place"),
    }[segment]


def probe_label(name: str) -> str:
    """What a person calls what a probe measures (never the probe's code name)."""
    return {
        "host": _("this device's connection"),
        "reachability": _("router and internet answers"),
        "captive": _("sign-in page check"),
        "mtu": _("large-packet check"),
        "dns": _("name lookups"),
        "dns_quality": _("DNS server quality"),
        "latency": _("latency and loss"),
        "ipv6": _("IPv6"),
        "wifi": _("Wi-Fi"),
        "devices": _("devices on the network"),
        "speed": _("speed test"),
        "host_load": _("this computer's load"),
        "router": _("what the router knows"),
    }.get(name, name.replace("_", " "))


def speed_of(observations: Iterable[Observation]) -> SpeedData | None:
    """The speed payload, typed or still stored as GenericData."""
    for obs in observations:
        if isinstance(obs.data, SpeedData):
            return obs.data
        if isinstance(obs.data, GenericData) and obs.data.values.get("kind") == "speed":
            try:
                return SpeedData.model_validate(obs.data.values)
            except ValidationError:
                return None
    return None


def speed_evidence(speed: SpeedData, provider: ProviderProfile | None) -> list[str]:
    """One line per direction: the rate, and the share of the plan when known."""
    plans = {
        "download": speed.plan_down_mbit or (provider.speed.plan_down_mbit if provider else None),
        "upload": speed.plan_up_mbit or (provider.speed.plan_up_mbit if provider else None),
    }
    lines: list[str] = []
    for result in (speed.download, speed.upload):
        if result is None or result.mbit is None:
            continue
        label = _("Download") if result.direction == "download" else _("Upload")
        plan = plans[result.direction]
        if plan:
            lines.append(
                _("{label}: {rate:.1f} Mbit/s, {pct:.0f}% of the {plan:.0f} Mbit/s plan").format(
                    label=label, rate=result.mbit, pct=100 * result.mbit / plan, plan=plan
                )
            )
        else:
            lines.append(_("{label}: {rate:.1f} Mbit/s").format(label=label, rate=result.mbit))
    if speed.bufferbloat_grade is not None and speed.rpm is not None:
        lines.append(
            _("Responsiveness under load: {rpm:.0f} RPM (bufferbloat grade {grade})").format(
                rpm=speed.rpm, grade=speed.bufferbloat_grade
            )
        )
    return lines


def _not_measured(observations: Sequence[Observation]) -> list[str]:
    return [
        _("Not measured: {what} ({why}).").format(
            what=probe_label(o.probe), why=o.message or o.status.value
        )
        for o in observations
        if o.status != ProbeStatus.OK
    ]


def decide(
    findings: Sequence[Finding],
    observations: Iterable[Observation] = (),
    provider: ProviderProfile | None = None,
    areas: Sequence[str] = (),
) -> Verdict:
    """Where the fault most likely is. *observations* and *provider* are optional:
    with them the evidence also compares the measured speed with the plan and
    names what could not be measured; *areas* are the areas asked for."""
    seen = list(observations)
    speed = speed_of(seen)
    extra = speed_evidence(speed, provider) if speed else []
    findings, router_notes = verdict_view(findings)  # a shared line is not the provider's fault
    extra += router_notes
    relevant = [f for f in findings if f.severity.rank >= Severity.WARNING.rank]
    if not relevant:
        missing = _not_measured(seen)
        asked = [o for o in seen if o.area in areas and o.area != "host"] if areas else []
        if asked and not any(o.status == ProbeStatus.OK for o in asked):
            return Verdict(
                healthy=False,
                summary=_("Could not tell: what you asked about could not be measured."),
                evidence=missing + extra,
            )
        unclear = [f.summary for f in findings if f.code.endswith(".unclear")]
        # a skipped probe had nothing to do here (no Wi-Fi adapter): named in the
        # evidence and the notes; a failed or timed-out one is a gap in the check
        failed = any(o.status in (ProbeStatus.FAILED, ProbeStatus.TIMEOUT) for o in seen)
        summary = (
            _("Nothing wrong in what we measured; some of it could not be checked.")
            if failed
            else _("Everything we checked looks healthy.")
        )
        return Verdict(healthy=True, summary=summary, evidence=unclear + missing + extra)
    worst = max(f.severity.rank for f in relevant)
    top = [f for f in relevant if f.severity.rank == worst]
    counts = Counter(f.segment for f in top)
    segment = min(counts, key=lambda s: (-counts[s], PATH_ORDER.index(s)))
    evidence = [f.summary for f in top if f.segment == segment]
    # lesser findings in the same segment corroborate the choice
    evidence += [f.summary for f in relevant if f.segment == segment and f not in top]
    severity = next(f.severity for f in top)
    if severity == Severity.WARNING:
        summary = _("It works, but {segment} could be better.").format(
            segment=segment_label(segment)
        )
    else:
        summary = _("The problem is most likely in {segment}.").format(
            segment=segment_label(segment)
        )
    return Verdict(
        segment=segment,
        healthy=False,
        summary=summary,
        evidence=evidence + extra,
        severity=severity,
    )
