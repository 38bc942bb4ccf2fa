"""``homecare explain CODE``: one guidance entry, for support to point at."""

from __future__ import annotations

import typer

from homecare.i18n import _


def register(app: typer.Typer) -> None:
    app.command("explain", help=_("Explain a finding code (try: homecare explain dns.failing)."))(
        explain
    )


def explain(
    code: str = typer.Argument(None, help=_("A finding code; omit to list all codes.")),
    skill: str = typer.Option(None, "--skill", help=_("Skill level to explain for.")),
    lang: str = typer.Option(None, "--lang", help=_("Language.")),
) -> None:
    from homecare.cli.run_context import Overrides, open_run
    from homecare.errors import UsageError

    session = open_run(Overrides(skill=skill, language=lang))
    out = session.env.stdout
    catalogue = session.catalogue
    if not code:
        for known in sorted(catalogue.codes("en")):
            entry = catalogue.entry(known, session.language, session.person.skill)
            out.write(f"{known}  {entry.title if entry else ''}\n")
        return
    entry = catalogue.entry(code, session.language, session.person.skill)
    if entry is None:
        raise UsageError(
            _("Unknown finding code {code}. Run 'homecare explain' to list them.").format(code=code)
        )
    lines = [f"{entry.title}  [{code}]", "", entry.why, ""]
    show_commands = session.person.skill in ("expert", "technician")
    for n, step in enumerate(entry.steps, 1):
        line = _("Step {n}: {text}").format(n=n, text=step.text)
        if show_commands and step.command:
            line += f"\n    $ {step.command}"
        lines.append(line)
    if entry.call_support:
        lines += ["", entry.call_support]
    if entry.advice_id:
        lines.append(_("Advice id: {id}").format(id=entry.advice_id))
    out.write("\n".join(lines) + "\n")
