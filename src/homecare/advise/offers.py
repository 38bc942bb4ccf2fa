"""Offers tied to the fix ("solve to sell"), with the rules that keep them honest.

An offer is only ever made after the guidance for the finding it relates to,
only to a person who opted in, and at most once per check; the report records
which one was shown so the provider can tell help from advertising.
"""

from __future__ import annotations

from dataclasses import dataclass

from homecare.i18n import _
from homecare.models import Report
from homecare.profiles.provider import Offer, ProviderProfile


@dataclass(frozen=True)
class ShownOffer:
    id: str
    code: str  # the finding it follows
    title: str
    text: str
    url: str | None


def choose_offer(report: Report, provider: ProviderProfile, opted_in: bool) -> ShownOffer | None:
    """The one offer to show with *report*, or None.

    Findings are taken worst first and only those that received guidance
    count, so an offer always follows advice on the same problem; among the
    provider's offers the first listed wins, which lets the provider rank them.
    """
    if not opted_in or not provider.offers:
        return None
    guided = {g.code for g in report.guidance}
    for finding in sorted(report.findings, key=lambda f: -f.severity.rank):
        if finding.code not in guided:
            continue
        for offer in provider.offers:
            if finding.code in offer.codes:
                return _localise(offer, finding.code, report.language)
    return None


def _localise(offer: Offer, code: str, language: str) -> ShownOffer:
    return ShownOffer(
        id=offer.id,
        code=code,
        title=offer.title.get(language) or offer.title["en"],
        text=offer.text.get(language) or offer.text["en"],
        url=offer.url,
    )


def offer_lines(offer: ShownOffer, provider_name: str) -> list[str]:
    """The offer as plain lines, marked as an offer and how to stop them."""
    lines = [
        _("Offer from {provider}: {title}").format(provider=provider_name, title=offer.title),
        offer.text,
    ]
    if offer.url:
        lines.append(offer.url)
    lines.append(
        _("You see this because you accepted offers. To stop them: homecare profile set offers no")
    )
    return lines
