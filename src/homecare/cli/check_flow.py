"""The body of ``homecare check``, kept apart so the command module stays light.

Order matters: the report is completed (history notes, the offer) before it
is saved, so history holds what the person was shown; the questions come
after the report is on screen, and only in an interactive console session.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from homecare.advise.followup import ask_feedback, ask_steps_done
from homecare.advise.guidance import markable_steps
from homecare.advise.offers import offer_lines
from homecare.advise.present import for_display
from homecare.cli.progress import progress_display
from homecare.cli.router_access import ask_password, keep_password, refused_line, router_settings
from homecare.cli.run_context import Overrides, RunContext, open_run
from homecare.context import Environment
from homecare.engine import CheckRequest, run_check
from homecare.errors import UsageError
from homecare.i18n import _
from homecare.models import Report, Severity
from homecare.plugins import all_renderers
from homecare.probes.router.settings import RouterMode
from homecare.status import ExitStatus
from homecare.store.history import History

TEXT_FORMATS = ("console", "plain", "markdown")


def run_check_command(
    areas: list[str],
    quick: bool,
    output: str | None,
    save: bool,
    overrides: Overrides,
    env: Environment | None = None,
    router_mode: RouterMode | None = None,
    ask_router_password: bool = False,
) -> int:
    session = open_run(overrides, env)
    env = session.env
    asked = ask_password(env, _("Router password: ")) if ask_router_password else None
    renderers = all_renderers(session.pm)
    name = output or ("plain" if session.person.plain else "console")
    if name not in renderers:
        raise UsageError(
            _("Unknown format {name}. Known formats: {known}.").format(
                name=name, known=", ".join(sorted(renderers))
            )
        )
    with History.open(env.home.history_db) as history:
        show_progress = name != "json" or env.stdout_isatty
        with progress_display(env, enabled=show_progress and name != "plain") as progress:
            outcome = run_check(
                CheckRequest(
                    areas=areas,
                    quick=quick,
                    language=session.language,
                    skill=session.person.skill,
                    # an offer is something a person reads, not a JSON field
                    offers=name in TEXT_FORMATS and session.person.consent.offers,
                    probe_settings={"router": router_settings(session, router_mode, asked)},
                ),
                session.pm,
                session.provider,
                session.catalogue,
                state=history,
                progress=progress,
            )
        report, offer = outcome.report, outcome.offer
        if save:
            history.save(report)
        # shared before it is shown, so the advice can give the real support code
        code = _auto_share(session, report, name) if save else None
        shown = for_display(report, session.persona) if name in TEXT_FORMATS else report
        options = dataclasses.replace(session.render_options(), support_code=code, saved=save)
        renderers[name].render(shown, options, env.stdout)
        if offer:
            env.stdout.write("\n" + "\n".join(offer_lines(offer, session.provider.name)) + "\n")
        if save and asks_questions(env, name):
            _follow_up(session, history, report, shown)
    refused = refused_line(report)
    if refused:  # the rest of the check went on; the password needs fixing
        env.stderr.write(f"homecare: {refused}\n")
        return ExitStatus.CONFIG
    if asked:
        keep_password(session, report, asked)
    if session.profile_warnings:  # the check ran on defaults; the file needs fixing
        return ExitStatus.CONFIG
    worst = report.worst_severity
    if worst is not None and worst.rank >= Severity.WARNING.rank:
        return ExitStatus.PROBLEMS_FOUND
    if not report.verdict.healthy:  # "could not tell" is not "everything is fine"
        return ExitStatus.PROBLEMS_FOUND
    return ExitStatus.OK


def _auto_share(session: RunContext, report: Report, output: str) -> str | None:
    """Share right away when the person chose automatic sharing. A text report
    then shows the support code itself; JSON gets it on stderr."""
    from homecare.share.service import maybe_auto_share

    code = maybe_auto_share(session, report)
    if code is not None and output not in TEXT_FORMATS:
        line = _("Shared with {provider}. Your support code: {code}").format(
            provider=session.provider.name, code=code
        )
        session.env.stderr.write(line + "\n")
    return code


def asks_questions(env: Environment, output: str) -> bool:
    """Questions only for a person at a console: never for JSON, plain
    (screen readers, logs), piped input or CI."""
    return output == "console" and env.interactive


def _follow_up(session: RunContext, history: History, report: Report, shown: Report) -> None:
    """Ask which steps were done and whether it helped; store the answers."""
    from rich.console import Console
    from rich.text import Text

    env = session.env
    console = Console(file=env.stdout, no_color=not env.color_allowed, highlight=False)

    def ask(question: str) -> str:
        console.print(Text(question + ": "), end="")
        answer = env.stdin.readline()
        if not answer.endswith("\n"):
            console.print()  # end of input
        return answer.strip()

    def say(message: str) -> None:
        console.print(message, markup=False)

    items = markable_steps(shown, session.catalogue, session.person.skill, history.steps_done)
    now = datetime.now(UTC)
    if items:
        console.print()
    for code, numbers in ask_steps_done(items, ask, say).items():
        for number in numbers:
            history.mark_step_done(report.id, code, number, now)
    score = ask_feedback(ask, say)
    if score is not None:
        history.record_feedback(report.id, score, now)
        say(_("Thank you."))
