"""``homecare share``: send a check, anonymized, and get a support code."""

from __future__ import annotations

import json

import typer

from homecare.i18n import _


def register(app: typer.Typer) -> None:
    app.command("share", help=_("Send your provider an anonymized check; get a support code."))(
        share
    )


def share(
    check_id: str = typer.Option(None, "--id", help=_("Share this check instead of the latest.")),
    show: bool = typer.Option(
        False, "--show", help=_("Print exactly what would be sent; send nothing.")
    ),
    on: bool = typer.Option(
        False, "--on", help=_("Allow sharing (records your consent and when).")
    ),
    off: bool = typer.Option(
        False,
        "--off",
        help=_("Stop sharing, delete what is waiting and ask the provider to delete."),
    ),
    flush_: bool = typer.Option(False, "--flush", help=_("Try again to send what is waiting.")),
    auto: bool = typer.Option(
        None,
        "--auto/--manual",
        help=_("Share every check right after it runs (--auto), or only when asked (--manual)."),
    ),
) -> int:
    from homecare.cli.run_context import open_run
    from homecare.errors import UsageError
    from homecare.share import service
    from homecare.status import ExitStatus

    if sum((show, on, off, flush_, auto is not None)) > 1:
        raise UsageError(_("Use only one of --show, --on, --off, --flush, --auto, --manual."))
    session = open_run()
    out = session.env.stdout
    if auto is not None:
        service.turn_on(session, auto=auto)
        out.write(
            (
                _("Sharing is on: every check is shared right after it runs, and shows its code.")
                if auto
                else _("Sharing is on. Nothing is sent until you run 'homecare share'.")
            )
            + "\n"
        )
        if service.do_not_track(session.env.environ):
            out.write(_("Note: DO_NOT_TRACK is set, so nothing will be sent while it is.") + "\n")
        return ExitStatus.OK
    if show:
        report = service.load_report(session, check_id)
        out.write(
            json.dumps(service.build_payload(session, report), indent=2, sort_keys=True) + "\n"
        )
        return ExitStatus.OK
    if on:
        service.turn_on(session)
        out.write(_("Sharing is on. Nothing is sent until you run 'homecare share'.") + "\n")
        if service.do_not_track(session.env.environ):
            out.write(_("Note: DO_NOT_TRACK is set, so nothing will be sent while it is.") + "\n")
        return ExitStatus.OK
    if off:
        purged, deleted, damaged_key = service.turn_off(session)
        out.write(_("Sharing is off. {n} waiting upload(s) deleted.").format(n=purged) + "\n")
        if damaged_key is not None:
            out.write(
                _(
                    "The sharing key was damaged (kept as {path}); the request to delete "
                    "what was shared is queued all the same."
                ).format(path=damaged_key)
                + "\n"
            )
        if deleted is True:
            out.write(_("Your provider deleted the results it held for this computer.") + "\n")
        elif deleted is False:
            out.write(
                _(
                    "Could not reach your provider to delete its copy; 'homecare share --flush' "
                    "will ask again."
                )
                + "\n"
            )
        return ExitStatus.OK
    if flush_:
        report_ = service.flush(session, force=True)
        out.write(
            _("Sent: {sent}. Refused as invalid: {rejected}. Still waiting: {waiting}.").format(
                sent=len(report_.delivered),
                rejected=len(report_.rejected),
                waiting=len(service.spool_for(session).pending()),
            )
            + "\n"
        )
        if service.refused_token(report_.last_error):
            session.env.stderr.write(
                _(
                    "homecare: your provider's collector refused this computer's access token "
                    "({error}); check collector_token in the provider profile or "
                    "HOMECARE_COLLECTOR_TOKEN."
                ).format(error=report_.last_error)
                + "\n"
            )
            return ExitStatus.CONFIG
        return ExitStatus.OK
    report = service.load_report(session, check_id)
    result = service.share_report(session, report)
    out.write(_("Your support code: {code}").format(code=result.support_code) + "\n")
    if result.delivered:
        out.write(_("Sent to your provider. Read the code out when you call.") + "\n")
    elif service.refused_token(result.error):
        session.env.stderr.write(
            _(
                "homecare: your provider's collector refused this computer's access token "
                "({error}); check collector_token in the provider profile or "
                "HOMECARE_COLLECTOR_TOKEN. The check stays queued: 'homecare share --flush' "
                "sends it once that is fixed."
            ).format(error=result.error)
            + "\n"
        )
        return ExitStatus.CONFIG
    else:
        out.write(
            _(
                "Saved; it will be sent when your provider can be reached "
                "('homecare share --flush' tries now)."
            )
            + "\n"
        )
    return ExitStatus.OK
