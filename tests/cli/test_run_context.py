"""The session: profile, per-run overrides and persona become render options."""

from __future__ import annotations

from homecare.cli.run_context import Overrides, open_run
from tests.cli_harness import Home


def test_overrides_win_over_the_profile(home: Home) -> None:
    home.write_profile('skill = "beginner"\nunits = "mbit"\ntheme = "monochrome"\n')
    session = open_run(
        Overrides(skill="expert", units="mbyte", verbosity="brief", language="de"), home.env()
    )
    options = session.render_options()
    assert (options.skill, options.units, options.theme, options.verbosity) == (
        "expert",
        "mbyte",
        "monochrome",
        "brief",
    )
    assert options.show_commands  # the expert persona
    assert session.language == "de"


def test_persona_defaults_apply_when_the_profile_is_silent(home: Home) -> None:
    for skill, verbosity, evidence, commands in (
        ("beginner", "normal", False, False),
        ("intermediate", "normal", False, False),
        ("expert", "detailed", True, True),
        ("technician", "detailed", True, True),
    ):
        home.write_profile(f'skill = "{skill}"\n')
        options = open_run(None, home.env()).render_options()
        assert (options.verbosity, options.show_evidence, options.show_commands) == (
            verbosity,
            evidence,
            commands,
        ), skill


def test_unknown_override_values_are_reported_and_ignored(home: Home) -> None:
    env = home.env()
    session = open_run(Overrides(units="furlongs", theme="neon"), env)
    assert session.person.units == "mbit" and session.person.theme == "default"
    err = env.stderr.getvalue()  # type: ignore[attr-defined]
    assert "Unknown units 'furlongs'" in err and "Unknown theme 'neon'" in err
