"""From findings to guidance for this person, remembering what they tried."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from homecare.advise.catalogue import Catalogue
from homecare.advise.followup import Markable, remaining_numbers
from homecare.i18n import _
from homecare.models import Finding, Guidance, GuidanceStep, Report


def build_guidance(
    findings: Sequence[Finding],
    catalogue: Catalogue,
    language: str,
    skill: str,
    steps_done: Callable[[str], set[int]] = lambda _code: set(),
    support_phone: str | None = None,
) -> list[Guidance]:
    """Guidance per finding. Steps already done move the person on; when all
    are done the advice escalates to support instead of repeating itself."""
    out: list[Guidance] = []
    for f in findings:
        entry = catalogue.entry(f.code, language, skill)
        if entry is None:
            out.append(
                Guidance(
                    code=f.code,
                    title=f.summary,
                    why=_("No advice is written for this yet."),
                    advice_id=None,
                )
            )
            continue
        done = steps_done(f.code)
        remaining = [entry.steps[n - 1] for n in remaining_numbers(len(entry.steps), done)]
        escalated = bool(entry.steps) and not remaining
        call = entry.call_support
        if support_phone and call:
            call = _("{text} ({phone})").format(text=call, phone=support_phone)
        if escalated:
            remaining = [
                GuidanceStep(
                    text=_(
                        "You already tried the usual steps. Please contact support: run "
                        "'homecare share' to get a support code for this check, and read it out."
                    )
                )
            ]
        out.append(
            Guidance(
                code=f.code,
                title=entry.title,
                why=entry.why,
                steps=remaining,
                call_support=call,
                advice_id=entry.advice_id,
                escalated=escalated,
            )
        )
    return out


def markable_steps(
    shown: Report,
    catalogue: Catalogue,
    skill: str,
    steps_done: Callable[[str], set[int]],
) -> list[Markable]:
    """The steps a person was shown in *shown*, mapped to catalogue numbers.

    Escalated guidance (only "call support" is left) and findings without a
    catalogue entry have nothing to mark.
    """
    rank = {f.code: f.severity.rank for f in shown.findings}
    out: list[Markable] = []
    # asked in the order the report shows them: worst first
    for g in sorted(shown.guidance, key=lambda g: -rank.get(g.code, 0)):
        entry = catalogue.entry(g.code, shown.language, skill)
        if g.escalated or not g.steps or entry is None:
            continue
        numbers = remaining_numbers(len(entry.steps), steps_done(g.code))[: len(g.steps)]
        out.append(Markable(code=g.code, title=g.title, numbers=tuple(numbers)))
    return out
