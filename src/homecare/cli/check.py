"""``homecare check [AREA...]``: run the check, show it, save it."""

from __future__ import annotations

from enum import StrEnum

import typer


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
    app.command("check", help="Check the home network (all areas, or only those named).")(check)


def check(
    areas: list[str] = typer.Argument(
        None, metavar="[AREA]...", help="Only these areas, e.g. dns, connectivity, wifi, devices."
    ),
    quick: bool = typer.Option(False, "--quick", help="Use a smaller time budget."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON on stdout."),
    plain: bool = typer.Option(
        False, "--plain", help="Plain text: no colour, tables or symbols (screen readers, logs)."
    ),
    fmt: str = typer.Option(None, "--format", help="Output format: console, plain, json, markdown."),
    skill: SkillOpt = typer.Option(None, "--skill", help="Explain for this skill level, this run."),
    lang: str = typer.Option(None, "--lang", help="Language for this run (en, es, de, ...)."),
    theme: ThemeOpt = typer.Option(None, "--theme", help="Colour theme for this run."),
    verbosity: VerbosityOpt = typer.Option(None, "--verbosity", help="How much to show."),
    units: UnitsOpt = typer.Option(None, "--units", help="Speeds in Mbit/s or MB/s, this run."),
    provider: str = typer.Option(None, "--provider", help="Provider profile name or file."),
    save: bool = typer.Option(True, "--save/--no-save", help="Save the check to local history."),
) -> int:
    from homecare.cli.check_flow import run_check_command
    from homecare.cli.session import Overrides

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
    )
