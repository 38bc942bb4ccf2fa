"""``homecare history``: past checks, and one of them again."""

from __future__ import annotations

import typer

from homecare.i18n import _

history_app = typer.Typer(help=_("List past checks or show one again."), no_args_is_help=False)


def register(app: typer.Typer) -> None:
    app.add_typer(history_app, name="history", help=_("List past checks or show one again."))


@history_app.callback(invoke_without_command=True)
def list_checks(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", min=1, help=_("How many checks to list.")),
) -> None:
    """List past checks, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    from homecare.cli.run_context import open_run
    from homecare.i18n import ngettext
    from homecare.render.sanitize import clean_text
    from homecare.store.history import History

    session = open_run()
    out = session.env.stdout
    with History.open(session.env.home.history_db) as history:
        rows = history.summaries(limit)
        skipped = history.skipped_rows
    if skipped:
        session.env.stderr.write(
            ngettext(
                "{n} stored check could not be read and is not listed.",
                "{n} stored checks could not be read and are not listed.",
                skipped,
            ).format(n=skipped)
            + "\n"
        )
    if not rows:
        out.write(_("No checks yet. Run 'homecare check'.") + "\n")
        return
    for row in rows:
        state = _("healthy") if row.healthy else ", ".join(row.finding_codes) or _("problems")
        line = f"{row.id[:8]}  {row.created_at.astimezone():%Y-%m-%d %H:%M}  {','.join(row.areas)}  {state}"
        out.write(clean_text(line) + "\n")  # rows are read back from a file anyone could edit


@history_app.command("show", help=_("Show a past check again, exactly as it was saved."))
def show(
    check_id: str = typer.Argument(
        ..., help=_("The check's id (the first characters are enough).")
    ),
    json_out: bool = typer.Option(False, "--json", help=_("Print the stored report as JSON.")),
    plain: bool = typer.Option(False, "--plain", help=_("Plain text output.")),
) -> None:
    """Show a past check again, exactly as it was saved."""
    from homecare.cli.run_context import Overrides, open_run
    from homecare.errors import UsageError
    from homecare.plugins import all_renderers
    from homecare.store.history import History

    session = open_run(Overrides(plain=plain))
    with History.open(session.env.home.history_db) as history:
        report = history.get(check_id)
    if report is None:
        raise UsageError(_("No check with id {id}.").format(id=check_id))
    name = "json" if json_out else ("plain" if session.person.plain else "console")
    all_renderers(session.pm)[name].render(report, session.render_options(), session.env.stdout)


@history_app.command("trends", help=_("Outages and patterns from the monitor's samples."))
def trends(
    days: int = typer.Option(30, "--days", min=1, max=400, help=_("How many days to look back.")),
    plain: bool = typer.Option(
        False, "--plain", help=_("Words and numbers instead of sparklines.")
    ),
) -> None:
    """Outages and patterns from the monitor's samples."""
    from homecare.cli.trends_cmd import show_trends

    show_trends(days=days, plain=plain)
