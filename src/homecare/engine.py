"""The one flow of homecare: select -> run -> remember -> diagnose -> advise -> verdict.

``homecare check``, a technician's session step and every monitor sample are
callers of :func:`run_check`; none of them re-assembles any part of it. What
the home remembers comes in through :class:`LocalState` (the history database
implements it; :data:`NO_STATE` is a home with no past), so the flow never opens
files itself. Nothing here prints: progress goes through the callback, and
saving, sharing, rendering and questions stay with the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import pluggy

from homecare import __version__
from homecare.advise.catalogue import Catalogue
from homecare.advise.guidance import build_guidance, command_values
from homecare.advise.history_advice import BASELINE_CHECKS, with_history_notes
from homecare.advise.offers import ShownOffer, choose_offer
from homecare.diagnose.base import RuleContext
from homecare.diagnose.verdict import decide
from homecare.errors import ConfigError, UsageError
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
from homecare.models.router import RouterData
from homecare.plugins import all_metrics, all_probes, all_rules
from homecare.privilege import is_privileged
from homecare.probes.base import Probe
from homecare.probes.discovery.inventory import apply_comparison, apply_nicknames
from homecare.probes.router.probe import name_router_clients
from homecare.probes.runner import ProgressCallback, ProgressEvent, run_probes
from homecare.profiles.provider import ProviderProfile

FULL_BUDGET_S = 45.0
QUICK_BUDGET_S = 15.0
# finding codes the engine itself emits (rules declare their own)
ENGINE_CODES = ("homecare.rule.failed",)


#: how many earlier checks the flow reads: enough for a baseline and a comparison
RECENT_CHECKS = max(BASELINE_CHECKS, 10)


class LocalState(Protocol):
    """What the home remembers, as far as one check needs it (read only)."""

    def recent_reports(self, limit: int = 10) -> list[Report]:
        """Earlier checks, newest first."""
        ...

    def device_names(self) -> dict[str, str]:
        """The person's names for devices, by MAC or IP."""
        ...

    def steps_done(self, code: str) -> set[int]:
        """Numbers of the advice steps already done for a finding code."""
        ...


class _NoState:
    """A home with no past: first run, ``--no-history``, a bench."""

    def recent_reports(self, limit: int = 10) -> list[Report]:
        return []

    def device_names(self) -> dict[str, str]:
        return {}

    def steps_done(self, code: str) -> set[int]:
        return set()


NO_STATE: LocalState = _NoState()


@dataclass(frozen=True)
class CheckRequest:
    """What to check and for whom; everything else comes from the home's state."""

    areas: Sequence[str] = ()
    quick: bool = False
    language: str = "en"
    skill: str = "beginner"
    budget_s: float | None = None
    #: the person agreed to see a provider offer tied to a fix (text output only)
    offers: bool = False
    #: per-run settings for probes, by key (``"router"``: how to reach the router)
    probe_settings: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckOutcome:
    """A finished check and the offer picked for it (if any), ready to save and show."""

    report: Report
    offer: ShownOffer | None = None


def known_areas(pm: pluggy.PluginManager) -> list[str]:
    return sorted({p.area for p in all_probes(pm)} - {"host"})


def supporting_of(probe: Probe) -> tuple[str, ...]:
    """Cheap probes a targeted check of *probe*'s area also runs so the rules
    can place a fault (``supporting``, optional: plugins need not declare it).

    ``homecare check dns`` with the router down must not blame the provider's
    resolver: only reachability can say the router is the one not answering.
    Unlike ``requires`` the probe does not wait for them; the rules read both.
    """
    value = getattr(probe, "supporting", ())
    return tuple(value) if isinstance(value, tuple | list) else ()


def select_probes(
    probes: Sequence[Probe], areas: Sequence[str], *, supporting: bool = True
) -> list[Probe]:
    """The probes for *areas* plus everything they require (and, for a targeted
    check, the probes that support their verdict), in dependency order."""
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
        if supporting:
            extra = [by_name[n] for p in wanted for n in supporting_of(p) if n in by_name]
            wanted += [p for p in extra if p not in wanted]
    chosen: dict[str, Probe] = {}
    visiting: list[str] = []

    def add(p: Probe) -> None:
        if p.name in visiting:  # a plugin bug; say which probes, not RecursionError
            cycle = [*visiting[visiting.index(p.name) :], p.name]
            raise ConfigError(
                _("Probes require each other in a circle: {cycle}.").format(
                    cycle=" -> ".join(cycle)
                )
            )
        visiting.append(p.name)
        for dep in p.requires:
            if dep in by_name and dep not in chosen:
                add(by_name[dep])
        visiting.pop()
        chosen.setdefault(p.name, p)

    for p in wanted:
        add(p)
    return list(chosen.values())


def run_check(
    request: CheckRequest,
    pm: pluggy.PluginManager,
    provider: ProviderProfile,
    catalogue: Catalogue,
    state: LocalState = NO_STATE,
    progress: ProgressCallback | None = None,
) -> CheckOutcome:
    """Run one check, end to end, and return the finished report."""
    available = all_probes(pm)
    probes = select_probes(available, request.areas)
    # the areas asked for (and what they require), not the supporting probes
    areas = sorted({p.area for p in select_probes(available, request.areas, supporting=False)})
    budget = request.budget_s or (QUICK_BUDGET_S if request.quick else FULL_BUDGET_S)
    privileged = is_privileged()
    recent = state.recent_reports(RECENT_CHECKS)
    observations = run_probes(
        probes,
        provider=provider,
        budget_s=budget,
        quick=request.quick,
        privileged=privileged,
        progress=progress or _no_progress,
        settings=request.probe_settings,
    )
    nicknames = state.device_names()
    before = previous_inventory(recent)
    observations = [remember(o, nicknames, before) for o in observations]
    findings = diagnose(observations, pm, provider, recent)
    guidance = build_guidance(
        findings,
        catalogue,
        request.language,
        request.skill,
        steps_done=state.steps_done,
        support_phone=provider.support.phone,
        values=command_values(observations),
    )
    report = Report(
        id=uuid.uuid4().hex,
        created_at=datetime.now(UTC),
        homecare_version=__version__,
        areas=areas,
        quick=request.quick,
        language=request.language,
        provider=provider.name,
        privileged=privileged,
        observations=observations,
        findings=findings,
        guidance=guidance,
        verdict=decide(findings, observations, provider, areas=areas),
    )
    report = with_history_notes(report, recent, all_metrics(pm))
    offer = choose_offer(report, provider, request.offers)
    if offer:
        report = report.model_copy(update={"offer_shown": offer.id})
    return CheckOutcome(report=report, offer=offer)


def remember(
    observation: Observation,
    nicknames: dict[str, str],
    previous_devices: Sequence[Device] | None,
) -> Observation:
    """Join what this home remembers to a fresh observation: the person's
    device names, and which devices are new or missing since last time."""
    data = observation.data
    if isinstance(data, RouterData):
        return observation.model_copy(update={"data": name_router_clients(data, nicknames)})
    if not isinstance(data, DevicesData):
        return observation
    named = data.model_copy(update={"devices": apply_nicknames(data.devices, nicknames)})
    compared = apply_comparison(named, previous_devices)
    if previous_devices and compared.missing_since_last:
        # what a person recognises a missing device by: its name and last address
        gone = set(compared.missing_since_last)
        last_seen = [d for d in apply_nicknames(previous_devices, nicknames) if d.key in gone]
        compared = compared.model_copy(update={"missing_devices": last_seen})
    return observation.model_copy(update={"data": compared})


def previous_inventory(reports: Sequence[Report]) -> list[Device] | None:
    """Devices of the newest stored check that took an inventory, if any."""
    for report in reports:
        data = report.data_of(DevicesData)
        if data is not None:
            return list(data.devices)
    return None


def diagnose(
    observations: Sequence[Observation],
    pm: pluggy.PluginManager,
    provider: ProviderProfile,
    history: Sequence[Report] = (),
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
