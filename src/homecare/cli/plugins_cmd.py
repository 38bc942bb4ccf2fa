"""``homecare plugins``: what is loaded, from where, with which hooks."""

from __future__ import annotations

import typer

from homecare.i18n import _


def register(app: typer.Typer) -> None:
    app.command("plugins", help=_("List loaded plugins, their origin and hooks."))(plugins)


def plugins(json_out: bool = typer.Option(False, "--json", help=_("As JSON."))) -> None:
    import json

    from homecare.cli.run_context import open_run
    from homecare.plugins import all_probes, describe, failures

    session = open_run()
    infos = describe(session.pm)
    areas = sorted({p.area for p in all_probes(session.pm)})  # also finds shadowing probes
    problems = failures(session.pm)
    out = session.env.stdout
    if json_out:
        data = [{"name": i.name, "origin": i.origin, "hooks": list(i.hooks)} for i in infos]
        data += [
            {"name": f.name, "origin": f.origin, "hooks": [], "error": f.reason} for f in problems
        ]
        out.write(json.dumps(data, indent=2) + "\n")
        return
    for info in infos:
        out.write(f"{info.name}  ({info.origin})  {', '.join(info.hooks)}\n")
    out.write(_("areas: {areas}").format(areas=", ".join(areas)) + "\n")
    for f in problems:
        out.write(
            _("not loaded: {name} ({origin}): {reason}").format(
                name=f.name, origin=f.origin, reason=f.reason
            )
            + "\n"
        )
