"""``homecare monitor run|install|uninstall|status``: watch the line on a schedule."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

import typer

from homecare.i18n import _

if TYPE_CHECKING:
    from homecare.cli.run_context import RunContext
    from homecare.monitor.notify import Channel
    from homecare.store.samples import Sample

monitor_app = typer.Typer(help=_("Watch the connection on a schedule and alert on trouble."))


def register(app: typer.Typer) -> None:
    app.add_typer(
        monitor_app,
        name="monitor",
        help=_("Watch the connection on a schedule and alert on trouble."),
    )


@monitor_app.command("run", help=_("Watch in the foreground (router, container, service)."))
def run(
    every: float = typer.Option(
        60.0, "--every", min=1.0, help=_("Seconds between light checks (tests use 2-5).")
    ),
    for_s: float = typer.Option(
        None, "--for", min=1.0, help=_("Stop after this many seconds (default: run until stopped).")
    ),
    notify: list[str] = typer.Option(
        None, "--notify", help=_("An apprise URL to notify, besides the profile's (repeatable).")
    ),
    speed: bool = typer.Option(
        True, "--speed/--no-speed", help=_("Speed tests a few times a day.")
    ),
    wifi: bool = typer.Option(True, "--wifi/--no-wifi", help=_("Wi-Fi checks every 15 minutes.")),
    discovery: bool = typer.Option(
        True, "--discovery/--no-discovery", help=_("Device discovery every hour.")
    ),
    discovery_every: float = typer.Option(
        3600.0, "--discovery-every", min=10.0, help=_("Seconds between device discoveries.")
    ),
    desktop: bool = typer.Option(
        None, "--desktop/--no-desktop", help=_("Desktop notifications (default: the profile's).")
    ),
    alert_after: int = typer.Option(
        3, "--alert-after", min=1, help=_("Failed checks in a row before an outage alert.")
    ),
    quiet_hours: str = typer.Option(
        None, "--quiet-hours", help=_("No notifications in this local window, e.g. 22:00-07:00.")
    ),
    provider: str = typer.Option(None, "--provider", help=_("Provider profile name or file.")),
    lang: str = typer.Option(None, "--lang", help=_("Language for this run (en, es, de, ...).")),
    skill: str = typer.Option(None, "--skill", help=_("Explain for this skill level, this run.")),
) -> int:
    from homecare.cli.run_context import Overrides, open_run
    from homecare.monitor.alerts import AlertEvent
    from homecare.monitor.build import MonitorOptions, Person, build_monitor
    from homecare.monitor.notify import DesktopChannel
    from homecare.status import ExitStatus
    from homecare.store.history import History
    from homecare.store.samples import SampleStore

    ctx = open_run(Overrides(provider=provider, language=lang, skill=skill))
    out = ctx.env.stdout
    options = MonitorOptions(
        every_s=every,
        notify=tuple(notify or ()),
        speed=speed,
        wifi=wifi,
        discovery=discovery,
        discovery_s=discovery_every,
        desktop=desktop,
        alert_after=alert_after,
        quiet_hours=quiet_hours,
    )

    def show(sample: Sample, events: list[AlertEvent]) -> None:
        out.write(f"{_clock(sample.ts)}  {sample.kind:<9} {describe(sample)}\n")
        for event in events:
            word = _("ALERT") if event.event == "opened" else _("RECOVERED")
            out.write(
                f"{_clock(event.at)}  {word} #{event.alert_id} {event.code}: {event.summary}\n"
            )
        out.flush()

    db = ctx.env.home.history_db
    with History.open(db) as history, SampleStore.open(db) as samples:
        monitor = build_monitor(
            pm=ctx.pm,
            provider=ctx.provider,
            catalogue=ctx.catalogue,
            state=history,
            samples=samples,
            person=Person(ctx.language, ctx.person.skill, ctx.person.monitor),
            options=options,
            tz=_local_tz(),
            on_sample=show,
            desktop=DesktopChannel.find(),
            collector=_collector_channel(ctx),
            history_path=ctx.env.home.history_db,
            save_inventory=history.save,
        )
        monitor.on_error = lambda task, exc: ctx.warn(f"{task.kind}: {exc}")
        out.write(_("Monitoring every {every:g} s; stop with Ctrl-C.").format(every=every) + "\n")
        out.flush()
        taken = monitor.run(for_s)
    out.write(_("{n} samples taken.").format(n=taken) + "\n")
    return ExitStatus.OK


def describe(sample: Sample) -> str:
    """One line of plain words for a sample (also read by screen readers)."""
    parts: list[str] = []
    if sample.router_ok is not None:
        parts.append(_("router ok") if sample.router_ok else _("router silent"))
    if sample.internet_ok is not None:
        parts.append(_("internet ok") if sample.internet_ok else _("internet down"))
    if sample.loss is not None and sample.internet_ok:
        parts.append(_("loss {pct:.0f} %").format(pct=100 * sample.loss))
    if sample.dns_ok is not None:
        parts.append(_("names ok") if sample.dns_ok else _("names fail"))
    if sample.down_mbit is not None:
        parts.append(_("down {mbit:.0f} Mbit/s").format(mbit=sample.down_mbit))
    if sample.settling:
        parts.append(_("(just woke up: not counted)"))
    return ", ".join(parts) or _("no figures")


@monitor_app.command("install", help=_("Start monitoring with this computer's own scheduler."))
def install(
    every: float = typer.Option(60.0, "--every", min=10.0, help=_("Seconds between light checks.")),
    start: bool = typer.Option(True, "--start/--no-start", help=_("Enable and start it now.")),
) -> int:
    from homecare.cli.run_context import open_run
    from homecare.monitor.installers import install_service

    ctx = open_run()
    result = install_service(ctx.env.environ, every_s=every, start=start)
    for path in result.written:
        ctx.env.stdout.write(_("Wrote {path}").format(path=path) + "\n")
    for line in result.notes:
        ctx.env.stdout.write(line + "\n")
    return 0


@monitor_app.command("uninstall", help=_("Stop scheduled monitoring and remove its files."))
def uninstall() -> int:
    from homecare.cli.run_context import open_run
    from homecare.monitor.installers import uninstall_service

    ctx = open_run()
    result = uninstall_service(ctx.env.environ)
    for path in result.written:
        ctx.env.stdout.write(_("Removed {path}").format(path=path) + "\n")
    for line in result.notes:
        ctx.env.stdout.write(line + "\n")
    return 0


@monitor_app.command("status", help=_("Running? Last sample, open alerts, failed notifications."))
def status() -> int:
    from homecare.cli.run_context import open_run
    from homecare.monitor.installers import installed_files
    from homecare.monitor.notify import failing
    from homecare.store.alerts import AlertStore
    from homecare.store.samples import SampleStore

    ctx = open_run()
    out = ctx.env.stdout
    now = datetime.now().timestamp()
    with SampleStore.open(ctx.env.home.history_db) as samples:
        store = AlertStore(samples)
        monitors = store.monitors()
        latest = samples.latest()
        open_alerts = [a for a in store.alerts(100) if a.closed_at is None]
        deliveries = store.deliveries(200)
    live = [m for m in monitors if now - m[3] < max(3 * m[4], 90)]
    if live:
        for mid, pid, started, _seen, every_s in live:
            out.write(
                _("Monitor {id} (pid {pid}) running since {since}, every {every:g} s.").format(
                    id=mid, pid=pid, since=_clock(started), every=every_s
                )
                + "\n"
            )
    else:
        out.write(_("No monitor is running.") + "\n")
    files = installed_files(ctx.env.environ)
    if files:
        out.write(_("Installed: {files}").format(files=", ".join(str(f) for f in files)) + "\n")
    if latest:
        out.write(
            _("Last sample {when}: {what}").format(when=_clock(latest.ts), what=describe(latest))
            + "\n"
        )
    out.write(
        _("{n} open alert(s).").format(n=len(open_alerts))
        + "".join(f" #{a.id} {a.code}" for a in open_alerts)
        + "\n"
    )
    for d in failing(deliveries):
        out.write(
            _("Not delivered yet to {channel} ({tries} tries, next {next}): {error}").format(
                channel=d.channel, tries=d.attempts, next=_clock(d.next_try), error=d.last_error
            )
            + "\n"
        )
    return 0


def _collector_channel(ctx: RunContext) -> Channel | None:
    """The provider's alert feed, only when the person agreed to share (and no DO_NOT_TRACK)."""
    if not (ctx.person.consent.share and ctx.provider.collector_url):
        return None
    if ctx.env.environ.get("DO_NOT_TRACK"):
        return None
    from homecare.monitor.collector_feed import CollectorChannel
    from homecare.share.secret import load_or_create_secret

    secret = load_or_create_secret(ctx.env.home.state_dir)
    return CollectorChannel(ctx.provider.collector_url, ctx.provider.collector_token, secret)


def _clock(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _local_tz() -> tzinfo:
    tz = datetime.now().astimezone().tzinfo
    assert tz is not None
    return tz
