"""``homecare alerts [list|ack ID|snooze ID DURATION]``: what the monitor raised."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from homecare.i18n import _

if TYPE_CHECKING:
    from homecare.store.alerts import AlertStore

alerts_app = typer.Typer(help=_("List, acknowledge and snooze the monitor's alerts."))

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def register(app: typer.Typer) -> None:
    app.add_typer(
        alerts_app, name="alerts", help=_("List, acknowledge and snooze the monitor's alerts.")
    )


def parse_duration(text: str) -> float:
    """``30m``, ``2h``, ``1d``, ``1w`` in seconds; a one-line error otherwise."""
    from homecare.errors import UsageError

    match = _DURATION.match(text.strip().lower())
    if not match or float(match.group(1)) <= 0:
        raise UsageError(
            _("A duration looks like 30m, 2h, 1d or 1w, not '{text}'.").format(text=text)
        )
    return float(match.group(1)) * _UNIT_S[match.group(2)]


@alerts_app.callback(invoke_without_command=True)
def alerts_default(ctx: typer.Context) -> None:
    """List alerts, newest first."""
    if ctx.invoked_subcommand is None:
        list_alerts(limit=20)


@alerts_app.command("list", help=_("List alerts, newest first."))
def list_alerts(
    limit: int = typer.Option(20, "--limit", min=1, help=_("How many alerts to list.")),
) -> None:
    from homecare.cli.run_context import open_run

    ctx = open_run()
    out = ctx.env.stdout
    with _alert_store(ctx.env.home.history_db) as store:
        rows = store.alerts(limit)
        now = datetime.now().timestamp()
        snoozed = {r.code: store.snoozed_until(r.code, now) for r in rows}
    if not rows:
        out.write(_("No alerts. The monitor has seen nothing worth telling you.") + "\n")
        return
    for row in rows:
        if row.closed_at is None:
            state = _("open since {when}").format(when=_when(row.opened_at))
        else:
            state = _("{start} to {end}").format(
                start=_when(row.opened_at), end=_when(row.closed_at)
            )
        flags = []
        if row.acked_at:
            flags.append(_("acknowledged"))
        until = snoozed.get(row.code)
        if until:
            flags.append(_("snoozed until {when}").format(when=_when(until)))
        extra = f" ({', '.join(flags)})" if flags else ""
        out.write(f"#{row.id}  {row.code}  {state}{extra}\n    {row.summary}\n")


@alerts_app.command("ack", help=_("Acknowledge an alert: you know about it."))
def ack(alert_id: int = typer.Argument(..., help=_("The alert's number."))) -> None:
    from homecare.cli.run_context import open_run
    from homecare.errors import UsageError

    ctx = open_run()
    with _alert_store(ctx.env.home.history_db) as store:
        if not store.ack(alert_id, datetime.now().timestamp()):
            raise UsageError(_("No alert #{id}.").format(id=alert_id))
    ctx.env.stdout.write(_("Alert #{id} acknowledged.").format(id=alert_id) + "\n")


@alerts_app.command("snooze", help=_("No notifications for this alert's kind for a while."))
def snooze(
    alert_id: int = typer.Argument(..., help=_("The alert's number.")),
    duration: str = typer.Argument(..., help=_("How long: 30m, 2h, 1d, 1w.")),
) -> None:
    from homecare.cli.run_context import open_run
    from homecare.errors import UsageError

    seconds = parse_duration(duration)
    ctx = open_run()
    until = datetime.now().timestamp() + seconds
    with _alert_store(ctx.env.home.history_db) as store:
        row = store.get(alert_id)
        if row is None:
            raise UsageError(_("No alert #{id}.").format(id=alert_id))
        store.snooze(row.code, until)
    ctx.env.stdout.write(
        _("Alert #{id} ({code}) snoozed until {when}.").format(
            id=alert_id, code=row.code, when=_when(until)
        )
        + "\n"
    )


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M")


@contextmanager
def _alert_store(path: Path) -> Iterator[AlertStore]:
    from homecare.store.alerts import AlertStore
    from homecare.store.samples import SampleStore

    with SampleStore.open(path) as samples:
        yield AlertStore(samples)
