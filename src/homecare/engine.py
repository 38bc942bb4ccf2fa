"""One check, end to end: profile -> probes -> diagnose -> advise -> Report.

The CLI calls this and only renders; tests call it directly. Nothing here
prints: progress goes through the callback.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pluggy

from homecare import __version__
from homecare.advise.catalogue import Catalogue
from homecare.advise.guidance import build_guidance
from homecare.diagnose.base import RuleContext
from homecare.diagnose.verdict import decide
from homecare.errors import UsageError
from homecare.i18n import _
from homecare.models import (
    Device,
    DevicesData,
    Finding,
    Observation,
    Report,
    Segment,
    Severity,
)
from homecare.plugins import all_probes, all_rules
from homecare.probes.base import Probe
from homecare.probes.discovery.inventory import apply_comparison, apply_nicknames
from homecare.probes.runner import ProgressCallback, ProgressEvent, run_probes
from homecare.profiles.provider import ProviderProfile

FULL_BUDGET_S = 45.0
QUICK_BUDGET_S = 15.0
# finding codes the engine itself emits (rules declare their own)
ENGINE_CODES = ("homecare.rule.failed",)


@dataclass(frozen=True)
class CheckRequest:
    areas: Sequence[str] = ()
    quick: bool = False
    language: str = "en"
    skill: str = "beginner"
    budget_s: float | None = None
    history: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    previous_devices: Sequence[Device] | None = None
    nicknames: Mapping[str, str] = field(default_factory=dict)


def known_areas(pm: pluggy.PluginManager) -> list[str]:
    return sorted({p.area for p in all_probes(pm)} - {"host"})


def select_probes(probes: Sequence[Probe], areas: Sequence[str]) -> list[Probe]:
    """The probes for *areas* plus everything they require, in dependency order."""
    by_name = {p.name: p for p in probes}
    if not areas:
        wanted = list(probes)
    else:
        known = {p.area for p in probes}
        unknown = [a for a in areas if a not in known]
        if unknown:
            raise UsageError(
                _("Unknown area(s): {unknown}. Known areas: {known}.").format(
                    unknown=", ".join(unknown), known=", ".join(sorted(known - {"host"}))
                )
            )
        wanted = [p for p in probes if p.area in areas]
    chosen: dict[str, Probe] = {}

    def add(p: Probe) -> None:
        for dep in p.requires:
            if dep in by_name and dep not in chosen:
                add(by_name[dep])
        chosen.setdefault(p.name, p)

    for p in wanted:
        add(p)
    return list(chosen.values())


def is_privileged() -> bool:
    """Whether raw sockets are allowed: what root (or CAP_NET_RAW) really buys.

    Asking the kernel beats checking the user id: root without capabilities
    (a container, ``setpriv``) is unprivileged for our purposes.
    """
    import socket

    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
    except OSError:
        return False
    return True


def run_check(
    request: CheckRequest,
    pm: pluggy.PluginManager,
    provider: ProviderProfile,
    catalogue: Catalogue,
    progress: ProgressCallback | None = None,
    steps_done: Callable[[str], set[int]] = lambda _code: set(),
) -> Report:
    probes = select_probes(all_probes(pm), request.areas)
    budget = request.budget_s or (QUICK_BUDGET_S if request.quick else FULL_BUDGET_S)
    privileged = is_privileged()
    observations = run_probes(
        probes,
        provider=provider,
        budget_s=budget,
        quick=request.quick,
        privileged=privileged,
        progress=progress or _no_progress,
    )
    observations = [remember(o, request) for o in observations]
    findings = diagnose(observations, pm, provider, request.history)
    guidance = build_guidance(
        findings,
        catalogue,
        request.language,
        request.skill,
        steps_done=steps_done,
        support_phone=provider.support.phone,
    )
    return Report(
        id=uuid.uuid4().hex,
        created_at=datetime.now(UTC),
        homecare_version=__version__,
        areas=sorted({p.area for p in probes}),
        quick=request.quick,
        language=request.language,
        provider=provider.name,
        privileged=privileged,
        observations=observations,
        findings=findings,
        guidance=guidance,
        verdict=decide(findings, observations, provider),
    )


def remember(observation: Observation, request: CheckRequest) -> Observation:
    """Join what this home remembers to a fresh observation: the person's
    device names, and which devices are new or missing since last time."""
    data = observation.data
    if not isinstance(data, DevicesData):
        return observation
    named = data.model_copy(update={"devices": apply_nicknames(data.devices, request.nicknames)})
    return observation.model_copy(
        update={"data": apply_comparison(named, request.previous_devices)}
    )


def previous_inventory(reports: Sequence[Report]) -> list[Device] | None:
    """Devices of the newest stored check that took an inventory, if any."""
    for report in reports:
        data = report.data_of(DevicesData)
        if isinstance(data, DevicesData):
            return list(data.devices)
    return None


def diagnose(
    observations: Sequence[Observation],
    pm: pluggy.PluginManager,
    provider: ProviderProfile,
    history: Sequence[Mapping[str, Any]] = (),
) -> list[Finding]:
    """Run every rule; a rule that crashes is reported, never fatal."""
    ctx = RuleContext(
        observations={o.probe: o for o in observations}, provider=provider, history=history
    )
    findings: list[Finding] = []
    for rule in all_rules(pm):
        try:
            findings.extend(rule.evaluate(ctx))
        except Exception as exc:  # a broken plugin rule must not hide the others
            findings.append(
                Finding(
                    code="homecare.rule.failed",
                    severity=Severity.INFO,
                    segment=Segment.UNKNOWN,
                    summary=_("A diagnosis rule failed: {rule}").format(rule=rule.name),
                    evidence={"error": f"{type(exc).__name__}: {exc}"},
                )
            )
    return findings


def _no_progress(_event: ProgressEvent) -> None:
    return None
