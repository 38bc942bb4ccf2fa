"""From findings to guidance for this person, remembering what they tried."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from homecare.advise.catalogue import Catalogue
from homecare.advise.followup import Markable, remaining_numbers
from homecare.i18n import _
from homecare.models import Finding, Guidance, GuidanceStep, HostData, Observation, Report

#: placeholders catalogue commands may use, filled from what the check saw
PLACEHOLDERS = ("GATEWAY", "RESOLVER")


def command_values(observations: Sequence[Observation]) -> dict[str, str]:
    """GATEWAY and RESOLVER as this check saw them (absent when unknown)."""
    values: dict[str, str] = {}
    for obs in observations:
        if isinstance(obs.data, HostData):
            gw = next((r.gateway for r in obs.data.default_routes if r.family == "ipv4"), None)
            if gw:
                values["GATEWAY"] = gw
            if obs.data.resolvers:
                values["RESOLVER"] = obs.data.resolvers[0]
    return values


def _finding_values(f: Finding, base: Mapping[str, str]) -> dict[str, str]:
    """The check's values, with the resolver or gateway the finding is about."""
    values = dict(base)
    resolver = f.evidence.get("resolver")
    failing = f.evidence.get("failing")
    if isinstance(resolver, str):
        values["RESOLVER"] = resolver
    elif isinstance(failing, list) and failing and isinstance(failing[0], str):
        values["RESOLVER"] = failing[0]
    gateway = f.evidence.get("gateway")
    if isinstance(gateway, str):
        values["GATEWAY"] = gateway
    return values


def fill(command: str | None, values: Mapping[str, str]) -> str | None:
    """The command with its placeholders replaced where the value is known."""
    if command is None:
        return None
    for name in PLACEHOLDERS:
        if name in values:
            command = re.sub(rf"\b{name}\b", values[name], command)
    return command


def build_guidance(
    findings: Sequence[Finding],
    catalogue: Catalogue,
    language: str,
    skill: str,
    steps_done: Callable[[str], set[int]] = lambda _code: set(),
    support_phone: str | None = None,
    values: Mapping[str, str] | None = None,
) -> list[Guidance]:
    """Guidance per finding. Steps already done move the person on (the rest
    keep their numbers); when all are done the advice escalates to support
    instead of repeating itself. *values* fill GATEWAY and RESOLVER in commands."""
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
        here = _finding_values(f, values or {})
        remaining = [
            entry.steps[n - 1].model_copy(
                update={"number": n, "command": fill(entry.steps[n - 1].command, here)}
            )
            for n in remaining_numbers(len(entry.steps), done)
        ]
        escalated = bool(entry.steps) and not remaining
        call = entry.call_support
        if support_phone and call:
            # no-break spaces: a phone number must not break across lines
            call = _("{text} ({phone})").format(
                text=call, phone=support_phone.replace(" ", "\u00a0")
            )
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
        numbers = [s.number for s in g.steps if s.number is not None]
        if len(numbers) != len(g.steps):  # a report saved before steps kept their numbers
            numbers = remaining_numbers(len(entry.steps), steps_done(g.code))[: len(g.steps)]
        out.append(Markable(code=g.code, title=g.title, numbers=tuple(numbers)))
    return out
