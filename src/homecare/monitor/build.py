"""Putting one monitor together from what a run knows (profile, provider, plugins).

Kept apart from the CLI so ``monitor run``, the service installers' command
line and the cost benchmark build the same monitor, and apart from the loop
so the loop stays free of configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path

import pluggy

from homecare.advise.catalogue import Catalogue
from homecare.engine import (
    RECENT_CHECKS,
    CheckRequest,
    LocalState,
    known_areas,
    previous_inventory,
    run_check,
)
from homecare.models import DevicesData, Report
from homecare.monitor.alerts import AlertEngine, AlertPolicy, QuietHours
from homecare.monitor.delivery import DeliveryThread
from homecare.monitor.notify import AppriseChannel, Channel, DesktopChannel, MessageStyle, Notifier
from homecare.monitor.runner import Monitor, SampleHook
from homecare.monitor.schedule import LIGHT_S, Clock, Scheduler, SystemClock, Task, default_tasks
from homecare.profiles.provider import ProviderProfile
from homecare.store.alerts import AlertStore
from homecare.store.profile import MonitorPrefs
from homecare.store.samples import SampleStore


@dataclass(frozen=True)
class MonitorOptions:
    every_s: float = LIGHT_S
    notify: Sequence[str] = ()
    speed: bool = True
    wifi: bool = True
    discovery: bool = True
    discovery_s: float = 3600.0
    desktop: bool | None = None  # None: as the profile says
    alert_after: int = 3
    recover_after: int = 2
    quiet_hours: str | None = None


@dataclass(frozen=True)
class Person:
    language: str
    skill: str
    prefs: MonitorPrefs = field(default_factory=MonitorPrefs)


def channels_for(
    prefs: MonitorPrefs,
    options: MonitorOptions,
    desktop: DesktopChannel | None,
    collector: Channel | None = None,
) -> dict[str, Channel]:
    """The profile's apprise URLs, then ``--notify``'s, the desktop (when present) and
    the provider's feed (only when the caller has the person's consent)."""
    out: dict[str, Channel] = {}
    if collector is not None:
        out[collector.key] = collector
    for url in (*prefs.notify, *options.notify):
        channel = AppriseChannel(url)
        out[channel.key] = channel
    wants_desktop = prefs.desktop if options.desktop is None else options.desktop
    if wants_desktop and desktop is not None:
        out[desktop.key] = desktop
    return out


def inventory_changed(report: Report, state: LocalState) -> bool:
    """Whether *report*'s inventory is worth saving as the next one to compare with:
    the first one, or one with devices that came or went. An unchanged inventory
    is not saved, so hourly discoveries do not fill the history with copies."""
    data = report.data_of(DevicesData)
    if data is None:
        return False
    if data.new_since_last or data.missing_since_last:
        return True
    return previous_inventory(state.recent_reports(RECENT_CHECKS)) is None


def build_monitor(
    *,
    pm: pluggy.PluginManager,
    provider: ProviderProfile,
    catalogue: Catalogue,
    state: LocalState,
    samples: SampleStore,
    person: Person,
    options: MonitorOptions,
    tz: tzinfo,
    clock: Clock | None = None,
    on_sample: SampleHook = lambda _s, _e: None,
    desktop: DesktopChannel | None = None,
    collector: Channel | None = None,
    history_path: Path | None = None,
    save_inventory: Callable[[Report], None] | None = None,
) -> Monitor:
    """The monitor; with *history_path* its deliveries run on their own thread
    (with their own connection to that history), else inline."""
    tasks = default_tasks(
        options.every_s,
        speed=options.speed,
        provider_min_mean_s=provider.speed.monitor_mean_interval_h * 3600.0,
        wifi=options.wifi,
        discovery=options.discovery,
        discovery_s=options.discovery_s,
    )
    known = set(known_areas(pm))
    scheduler = Scheduler([t for t in tasks if set(t.areas) <= known])
    quiet_text = options.quiet_hours or person.prefs.quiet_hours
    quiet = QuietHours.parse(quiet_text) if quiet_text else None
    policy = AlertPolicy(
        outage_after=options.alert_after,
        recover_after=options.recover_after,
        loss_threshold=provider.quality.loss_problem,
        speed_ratio=provider.quality.below_plan_ratio,
        quiet=quiet,
    )
    store = AlertStore(samples)
    engine = AlertEngine(
        store, policy, request_retest=lambda: scheduler.retest_soon("speed", clock_.monotonic())
    )
    channels = channels_for(person.prefs, options, desktop, collector)
    style = MessageStyle(person.language, person.skill)
    notifier = Notifier(store, channels, catalogue, style, tz, quiet)
    deliveries = None
    if history_path is not None:

        @contextmanager
        def open_notifier() -> Iterator[Notifier]:
            with SampleStore.open(history_path) as own:
                yield Notifier(AlertStore(own), channels, catalogue, style, tz, quiet)

        deliveries = DeliveryThread(open_notifier, lambda: clock_.wall())

    def check(task: Task) -> Report:
        request = CheckRequest(
            areas=task.areas, quick=task.quick, language=person.language, skill=person.skill
        )
        report = run_check(request, pm, provider, catalogue, state=state).report
        if (
            task.kind == "discovery"
            and save_inventory is not None
            and inventory_changed(report, state)
        ):
            save_inventory(report)  # the next discovery tells new devices from this one
        return report

    clock_ = clock or SystemClock()
    return Monitor(
        clock=clock_,
        scheduler=scheduler,
        check=check,
        samples=samples,
        alerts=engine,
        notifier=notifier,
        every_s=options.every_s,
        plan_down_mbit=provider.speed.plan_down_mbit,
        plan_up_mbit=provider.speed.plan_up_mbit,
        on_sample=on_sample,
        deliveries=deliveries,
    )
