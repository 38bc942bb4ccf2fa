"""``homecare check [AREA...]``: run the check, show it, save it."""

from __future__ import annotations

from enum import StrEnum

import typer

from homecare.i18n import _


class SkillOpt(StrEnum):
    beginner = "beginner"
    intermediate = "intermediate"
    expert = "expert"
    technician = "technician"


class VerbosityOpt(StrEnum):
    brief = "brief"
    normal = "normal"
    detailed = "detailed"


class UnitsOpt(StrEnum):
    mbit = "mbit"
    mbyte = "mbyte"


class ThemeOpt(StrEnum):
    default = "default"
    high_contrast = "high-contrast"
    monochrome = "monochrome"


def register(app: typer.Typer) -> None:
    app.command("check", help=_("Check the home network (all areas, or only those named)."))(check)


# B008 below: _() returns a plain str at import, like the literal it translates.
def check(
    areas: list[str] = typer.Argument(
        None,
        metavar="[AREA]...",
        help=_("Only these areas, e.g. dns, connectivity, wifi, devices."),
    ),
    quick: bool = typer.Option(False, "--quick", help=_("Use a smaller time budget.")),
    json_out: bool = typer.Option(False, "--json", help=_("Print the report as JSON on stdout.")),
    plain: bool = typer.Option(
        False, "--plain", help=_("Plain text: no colour, tables or symbols (screen readers, logs).")
    ),
    fmt: str = typer.Option(
        None, "--format", help=_("Output format: console, plain, json, markdown.")
    ),
    skill: SkillOpt = typer.Option(
        None,
        "--skill",
        help=_("Explain for this skill level, this run."),
    ),
    lang: str = typer.Option(None, "--lang", help=_("Language for this run (en, es, de, ...).")),
    theme: ThemeOpt = typer.Option(None, "--theme", help=_("Colour theme for this run.")),
    verbosity: VerbosityOpt = typer.Option(
        None,
        "--verbosity",
        help=_("How much to show."),
    ),
    units: UnitsOpt = typer.Option(
        None,
        "--units",
        help=_("Speeds in Mbit/s or MB/s, this run."),
    ),
    provider: str = typer.Option(None, "--provider", help=_("Provider profile name or file.")),
    save: bool = typer.Option(True, "--save/--no-save", help=_("Save the check to local history.")),
    router: bool = typer.Option(
        False, "--router", help=_("homecare runs on the router itself: check the LAN's devices.")
    ),
    ask_router_password: bool = typer.Option(
        False, "--ask-router-password", help=_("Ask for the router's password for this run.")
    ),
) -> int:
    from homecare.cli.check_flow import run_check_command
    from homecare.cli.run_context import Overrides

    return run_check_command(
        areas=areas or [],
        quick=quick,
        output="json" if json_out else fmt,
        save=save,
        overrides=Overrides(
            skill=skill.value if skill else None,
            language=lang,
            theme=theme.value if theme else None,
            verbosity=verbosity.value if verbosity else None,
            units=units.value if units else None,
            plain=plain,
            provider=provider,
        ),
        router_mode="router" if router else None,
        ask_router_password=ask_router_password,
    )
