"""The "what to say next" script: a few sentences the agent can read to the caller.

Built from the verdict, the advice the customer saw, what they tried and the
installation's earlier checks, in the agent's language. Sentences are marked
with ``N_`` here and translated per request (see :mod:`.translate`).
"""

from __future__ import annotations

from homecare.collector.web.story import Story
from homecare.collector.web.translate import translations
from homecare.i18n import N_

SEGMENT_LINES = {
    "device": N_("The check points to the device itself, not to your line."),
    "wifi": N_("The check points to the Wi-Fi between your device and the router."),
    "lan": N_("The check points to your home network between the device and the router."),
    "router": N_("The check points to the router."),
    "provider": N_("The check points to our network, so this is for us to fix."),
    "internet": N_("The check points to the internet beyond our network."),
    "unknown": N_("The check found a problem but could not say exactly where."),
}


def say_next(story: Story, language: str) -> list[str]:
    """Three to six short sentences, in the order the agent would say them."""
    tr = translations(language)
    _, ngettext = tr.gettext, tr.ngettext
    p = story.payload
    when = str(p.get("created_at", ""))[:16].replace("T", " ")
    lines = [_("Thank you. I can see the check you ran on {when} UTC.").format(when=when)]
    verdict = p.get("verdict") or {}
    if verdict.get("healthy"):
        lines.append(_("Everything the check measured looked fine at that moment."))
        lines.append(
            _(
                "If the problem comes back, please run the check again while it happens and "
                "read me the new code."
            )
        )
        return lines
    segment = str(verdict.get("segment") or "unknown")
    lines.append(_(SEGMENT_LINES.get(segment, SEGMENT_LINES["unknown"])))
    earlier = [
        e
        for e in story.timeline
        if e.support_code != story.code
        and (e.payload.get("verdict") or {}).get("segment") == segment
    ]
    if earlier:
        lines.append(
            ngettext(
                "I can see the same kind of problem in {n} earlier check from your home.",
                "I can see the same kind of problem in {n} earlier checks from your home.",
                len(earlier),
            ).format(n=len(earlier))
        )
    open_alerts = [a for a in story.related.alerts or [] if a.closed_at is None]
    if open_alerts:
        lines.append(
            ngettext(
                "Our monitoring also sees {n} open alert from your home, so we are on it.",
                "Our monitoring also sees {n} open alerts from your home, so we are on it.",
                len(open_alerts),
            ).format(n=len(open_alerts))
        )
    tried = [s.text for a in story.advice for s in a.steps if s.tried]
    if tried:
        lines.append(
            _("You already tried: {steps} Thank you, that helps.").format(steps=" ".join(tried))
        )
    untried = next((s for a in story.advice for s in a.steps if not s.tried), None)
    if any(a.escalated for a in story.advice) or (story.advice and untried is None):
        lines.append(_("You have done the usual steps, so I will take it from here."))
    elif untried is not None:
        lines.append(_("Let us try this together now: {step}").format(step=untried.text))
    if (feedback := p.get("feedback_score")) and int(feedback) <= 2:
        lines.append(_("I am sorry the advice did not help last time."))
    return lines
