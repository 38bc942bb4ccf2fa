"""The verdict: the one segment most likely at fault.

Among the most severe findings, the segment nearest the user wins: a broken
Wi-Fi hides everything beyond it, so blaming the provider would be wrong.
When the speed test ran, its figures are set against the plan in the
evidence, so "slow" is always said relative to what the customer pays for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import ValidationError

from homecare.i18n import _
from homecare.models import Finding, GenericData, Observation, Segment, Severity, Verdict
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


def decide(
    findings: Sequence[Finding],
    observations: Iterable[Observation] = (),
    provider: ProviderProfile | None = None,
) -> Verdict:
    """Where the fault most likely is. *observations* and *provider* are optional:
    with them the evidence also compares the measured speed with the plan."""
    speed = speed_of(observations)
    extra = speed_evidence(speed, provider) if speed else []
    relevant = [f for f in findings if f.severity.rank >= Severity.WARNING.rank]
    if not relevant:
        return Verdict(
            healthy=True, summary=_("Everything we checked looks healthy."), evidence=extra
        )
    worst = max(f.severity.rank for f in relevant)
    top = [f for f in relevant if f.severity.rank == worst]
    segment = min((f.segment for f in top), key=PATH_ORDER.index)
    evidence = [f.summary for f in top if f.segment == segment]
    # lesser findings in the same segment corroborate the choice
    evidence += [f.summary for f in relevant if f.segment == segment and f not in top]
    return Verdict(
        segment=segment,
        healthy=False,
        summary=_("The problem is most likely in {segment}.").format(
            segment=segment_label(segment)
        ),
        evidence=evidence + extra,
    )
