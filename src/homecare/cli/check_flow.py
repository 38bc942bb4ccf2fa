"""The body of ``homecare check``, kept apart so the command module stays light."""

from __future__ import annotations

from homecare.cli.progress import progress_display
from homecare.cli.session import Overrides, open_session
from homecare.engine import CheckRequest, run_check
from homecare.errors import UsageError
from homecare.i18n import _
from homecare.models import Severity
from homecare.plugins import all_renderers
from homecare.status import ExitStatus
from homecare.store.history import History


def run_check_command(
    areas: list[str], quick: bool, output: str | None, save: bool, overrides: Overrides
) -> int:
    session = open_session(overrides)
    env = session.env
    renderers = all_renderers(session.pm)
    name = output or ("plain" if session.person.plain else "console")
    if name not in renderers:
        raise UsageError(
            _("Unknown format {name}. Known formats: {known}.").format(
                name=name, known=", ".join(sorted(renderers))
            )
        )
    with History.open(env.home.history_db) as history:
        past = [
            {"id": r.id, "created_at": r.created_at.isoformat(), "report": r}
            for r in history.recent_reports(10)
        ]
        show_progress = name != "json" or env.stdout_isatty
        with progress_display(env, enabled=show_progress and name != "plain") as progress:
            report = run_check(
                CheckRequest(
                    areas=areas,
                    quick=quick,
                    language=session.language,
                    skill=session.person.skill,
                    history=past,
                ),
                session.pm,
                session.provider,
                session.catalogue,
                progress=progress,
                steps_done=history.steps_done,
            )
        if save:
            history.save(report)
    renderers[name].render(report, session.render_options(), env.stdout)
    worst = report.worst_severity
    if worst is not None and worst.rank >= Severity.WARNING.rank:
        return ExitStatus.PROBLEMS_FOUND
    return ExitStatus.OK
