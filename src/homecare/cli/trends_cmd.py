"""The body of ``homecare history trends`` and ``homecare report --html``."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path

import typer

from homecare.i18n import _


def local_tz() -> tzinfo:
    tz = datetime.now().astimezone().tzinfo
    assert tz is not None
    return tz


def show_trends(days: int, plain: bool) -> None:
    from homecare.cli.run_context import Overrides, open_run
    from homecare.monitor.period import load_period
    from homecare.render.trends_text import render_trends
    from homecare.store.samples import SampleStore

    ctx = open_run(Overrides(plain=plain))
    tz = local_tz()
    with SampleStore.open(ctx.env.home.history_db) as store:
        period = load_period(
            store,
            now=datetime.now().timestamp(),
            days=days,
            tz=tz,
            below_plan_ratio=ctx.provider.quality.below_plan_ratio,
        )
    render_trends(period, tz, ctx.env.stdout, width=ctx.env.width or 100, plain=ctx.person.plain)


def register(app: typer.Typer) -> None:
    app.command("report", help=_("Write a self-contained monthly report of your line."))(report)


def report(
    html: Path = typer.Option(..., "--html", help=_("The HTML file to write.")),
    days: int = typer.Option(30, "--days", min=1, max=400, help=_("How many days it covers.")),
    lang: str = typer.Option(None, "--lang", help=_("Language for this run (en, es, de, ...).")),
    theme: str = typer.Option(
        None, "--theme", help=_("Colour theme: default, high-contrast, monochrome.")
    ),
) -> int:
    from homecare.cli.run_context import Overrides, open_run
    from homecare.errors import StateError
    from homecare.monitor.period import load_period
    from homecare.render.monthly_html import render_monthly
    from homecare.store.files import atomic_write
    from homecare.store.samples import SampleStore

    ctx = open_run(Overrides(language=lang, theme=theme))
    tz = local_tz()
    with SampleStore.open(ctx.env.home.history_db) as store:
        period = load_period(
            store,
            now=datetime.now().timestamp(),
            days=days,
            tz=tz,
            below_plan_ratio=ctx.provider.quality.below_plan_ratio,
        )
    page = render_monthly(
        period,
        tz=tz,
        language=ctx.language,
        theme=ctx.person.theme,
        provider=ctx.provider.name,
        plan_down_mbit=ctx.provider.speed.plan_down_mbit,
    )
    try:
        atomic_write(html, page.encode("utf-8"))
    except OSError as exc:
        raise StateError(
            _("Cannot write {path}: {error}").format(path=html, error=exc.strerror or exc)
        ) from exc
    ctx.env.stdout.write(_("Report written to {path}").format(path=html) + "\n")
    return 0
