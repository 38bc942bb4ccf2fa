"""The verdict: the one segment most likely at fault.

Among the most severe findings, the segment nearest the user wins: a broken
Wi-Fi hides everything beyond it, so blaming the provider would be wrong.
"""

from __future__ import annotations

from collections.abc import Sequence

from homecare.i18n import _
from homecare.models import Finding, Segment, Severity, Verdict

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


def decide(findings: Sequence[Finding]) -> Verdict:
    relevant = [f for f in findings if f.severity.rank >= Severity.WARNING.rank]
    if not relevant:
        return Verdict(healthy=True, summary=_("Everything we checked looks healthy."))
    worst = max(f.severity.rank for f in relevant)
    top = [f for f in relevant if f.severity.rank == worst]
    segment = min((f.segment for f in top), key=PATH_ORDER.index)
    return Verdict(
        segment=segment,
        healthy=False,
        summary=_("The problem is most likely in {segment}.").format(
            segment=segment_label(segment)
        ),
        evidence=[f.summary for f in top if f.segment == segment],
    )
