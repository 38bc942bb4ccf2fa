"""``homecare session run|resume|list|show|compare|verify|key``: a technician's visit."""

from __future__ import annotations

from pathlib import Path

import typer

from homecare.cli.check import SkillOpt, ThemeOpt, UnitsOpt, VerbosityOpt
from homecare.i18n import _

app = typer.Typer(
    name="session",
    help=_("Technician visits: run a plan, compare, sign the report."),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="session")


# B008 below: _() returns a plain str at import, like the literal it translates.
@app.command("run", help=_("Run a plan (a shipped id such as repair-visit, or a TOML file)."))
def run(
    plan: str = typer.Argument(..., help=_("Plan id or file.")),
    job: str = typer.Option(None, "--job", help=_("The provider's job id for this visit.")),
    rooms: str = typer.Option(
        None, "--rooms", help=_("Rooms for the room loop, e.g. kitchen,bedroom.")
    ),
    answers: Path = typer.Option(
        None, "--answers", help=_("TOML file with the answers: ask nothing.")
    ),
    yes: bool = typer.Option(False, "--yes", help=_("Ask nothing; use the plan's defaults.")),
    out: Path = typer.Option(None, "--out", help=_("Folder for the signed JSON and HTML report.")),
    skill: SkillOpt = typer.Option(
        None, "--skill", help=_("Explain for this skill level, this run.")
    ),
    lang: str = typer.Option(None, "--lang", help=_("Language for this run (en, es, de, ...).")),
    theme: ThemeOpt = typer.Option(None, "--theme", help=_("Colour theme for this run.")),
    verbosity: VerbosityOpt = typer.Option(None, "--verbosity", help=_("How much to show.")),
    units: UnitsOpt = typer.Option(None, "--units", help=_("Speeds in Mbit/s or MB/s, this run.")),
    provider: str = typer.Option(None, "--provider", help=_("Provider profile name or file.")),
    plain: bool = typer.Option(
        False, "--plain", help=_("Plain text: no colour, tables or symbols (screen readers, logs).")
    ),
) -> int:
    from homecare.cli.run_context import Overrides
    from homecare.cli.session_flow import RunOptions, run_session

    return run_session(
        RunOptions(plan=plan, job=job, rooms=rooms, answers=answers, yes=yes, out=out),
        Overrides(
            skill=skill.value if skill else None,
            language=lang,
            theme=theme.value if theme else None,
            verbosity=verbosity.value if verbosity else None,
            units=units.value if units else None,
            plain=plain,
            provider=provider,
        ),
    )  # fmt: skip


@app.command("resume", help=_("Carry on with an interrupted session."))
def resume(
    session_id: str = typer.Argument(..., metavar="ID"),
    out: Path = typer.Option(None, "--out", help=_("Folder for the signed JSON and HTML report.")),
    provider: str = typer.Option(None, "--provider", help=_("Provider profile name or file.")),
    lang: str = typer.Option(None, "--lang", help=_("Language for this run (en, es, de, ...).")),
) -> int:
    from homecare.cli.run_context import Overrides
    from homecare.cli.session_flow import resume_session

    return resume_session(session_id, out, Overrides(language=lang, provider=provider))


@app.command("share", help=_("Share a session with the provider (the customer agreed)."))
def share(
    session_id: str = typer.Argument(..., metavar="ID"),
    out: Path = typer.Option(None, "--out", help=_("Folder for the signed JSON and HTML report.")),
    provider: str = typer.Option(None, "--provider", help=_("Provider profile name or file.")),
) -> int:
    from homecare.cli.run_context import Overrides
    from homecare.cli.session_flow import share_again

    return share_again(session_id, out, Overrides(provider=provider))


@app.command("list", help=_("List the sessions on this machine."))
def list_() -> int:
    from homecare.cli.session_views import list_sessions

    return list_sessions()


@app.command("show", help=_("Show one session step by step."))
def show(session_id: str = typer.Argument(..., metavar="ID")) -> int:
    from homecare.cli.session_views import show_session

    return show_session(session_id)


@app.command("compare", help=_("Show what changed between two sessions, step by step."))
def compare(
    before: str = typer.Argument(..., metavar="A"),
    after: str = typer.Argument(..., metavar="B"),
) -> int:
    from homecare.cli.session_views import compare_sessions

    return compare_sessions(before, after)


@app.command("verify", help=_("Check the signature of a session report."))
def verify(
    file: Path = typer.Argument(..., metavar="FILE"),
    key: str = typer.Option(None, "--key", help=_("Only accept this public key (base64).")),
) -> int:
    from homecare.cli.session_views import verify_report

    return verify_report(file, key)


@app.command("key", help=_("Print this machine's public signing key (to register it)."))
def key() -> int:
    from homecare.cli.session_views import print_key

    return print_key()
