"""The body of ``homecare session run`` and ``resume``.

Parse → ``open_run`` → the session runner (which calls the engine once per
step) → write the signed report and its HTML → optionally share. With
``--answers`` or ``--yes`` nothing at all is read from stdin, so a session
can run unattended; otherwise the technician is asked to go to each room.
"""

from __future__ import annotations

import re
import tomllib
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homecare.cli.progress import progress_display
from homecare.cli.run_context import Overrides, RunContext, open_run
from homecare.cli.session_views import console_for, print_table
from homecare.engine import known_areas
from homecare.errors import ConfigError, UsageError
from homecare.i18n import _
from homecare.models.session import Session, SessionState, StepStatus
from homecare.probes.runner import ProgressCallback
from homecare.session.answers import ROOM_PATTERN, Answers, load_answers
from homecare.session.plan import Plan, PlannedStep, find_plan, plan_from_raw
from homecare.session.runner import SessionRunner
from homecare.session.store import SessionStore, store_path
from homecare.status import ExitStatus
from homecare.store.history import History


@dataclass(frozen=True)
class RunOptions:
    plan: str
    job: str | None = None
    rooms: str | None = None
    answers: Path | None = None
    yes: bool = False
    out: Path | None = None


class ConsoleHooks:
    """Asks the technician to move between rooms and redraws the table."""

    def __init__(self, ctx: RunContext, scripted: bool) -> None:
        self.ctx, self.scripted = ctx, scripted
        self.console = console_for(ctx)
        self._room: str | None = None

    def ask(self, question: str) -> str:
        self.console.print(question, end=" ", markup=False, highlight=False)
        line = self.ctx.env.stdin.readline()
        if not line.endswith("\n"):
            self.console.print()
        return line.strip()

    def before_step(self, planned: PlannedStep, index: int, total: int) -> None:
        if planned.room and planned.room != self._room and not self.scripted:
            self.ask(_("Go to the {room}, then press Enter.").format(room=planned.room))
        self._room = planned.room or self._room
        where = f" ({planned.room})" if planned.room else ""
        self.console.print(
            _("Step {n} of {total}: {title}").format(
                n=index + 1, total=total, title=planned.step.title
            )
            + where,
            markup=False,
        )

    def running(self, planned: PlannedStep) -> AbstractContextManager[ProgressCallback | None]:
        """The probes' progress on stderr while the step runs (a terminal only)."""
        return progress_display(self.ctx.env, enabled=not self.ctx.person.plain)

    def after_step(self, session: Session) -> None:
        print_table(self.console, session)


def _rooms(options: RunOptions, answers: Answers, plan: Plan, hooks: ConsoleHooks) -> list[str]:
    if options.rooms:
        rooms = [r.strip() for r in options.rooms.split(",") if r.strip()]
    elif answers.rooms:
        rooms = list(answers.rooms)
    elif plan.has_room_loop and not hooks.scripted:
        typed = hooks.ask(
            _("Rooms to test, separated by commas [{default}]:").format(
                default=",".join(plan.default_rooms)
            )
        )
        rooms = [r.strip() for r in typed.split(",") if r.strip()]
    else:
        rooms = []
    for room in rooms:
        if not re.fullmatch(ROOM_PATTERN, room):
            raise UsageError(_("Room names use a-z, 0-9 and '-': {room}").format(room=room))
    return rooms


def run_session(options: RunOptions, overrides: Overrides) -> int:
    ctx = open_run(overrides)
    path = find_plan(options.plan)
    plan_text = _read(path)
    plan = plan_from_raw(_parse(plan_text, path), path, known_areas(ctx.pm))
    answers = load_answers(options.answers) if options.answers else Answers()
    scripted = options.yes or options.answers is not None or not ctx.env.interactive
    hooks = ConsoleHooks(ctx, scripted)
    rooms = _rooms(options, answers, plan, hooks)
    settings: dict[str, Any] = {
        "answers": answers.model_dump(),
        "scripted": scripted,
        "plan_path": str(path),
    }
    with SessionStore.open(store_path(ctx.env.home.data_dir)) as store:
        with History.open(ctx.env.home.history_db) as history:
            runner = SessionRunner(plan, ctx.pm, ctx.provider, ctx.catalogue, store,
                                   ctx.language, history)  # fmt: skip
            session = runner.start(options.job, rooms, plan_text, settings)
            hooks.console.print(
                _("Session {id} ({plan}); resume with: homecare session resume {id}").format(
                    id=session.id[:12], plan=plan.id
                ),
                markup=False,
            )
            session = runner.run(session, hooks)
        return _finish(ctx, store, session, answers, scripted, hooks, options.out)


def resume_session(session_id: str, out: Path | None, overrides: Overrides) -> int:
    ctx = open_run(overrides)
    with SessionStore.open(store_path(ctx.env.home.data_dir)) as store:
        stored = store.load(session_id)
        if stored.session.state is SessionState.FINISHED:
            raise UsageError(
                _("Session {id} is finished; see 'homecare session show {id}'.").format(
                    id=stored.session.id[:12]
                )
            )
        plan_path = Path(str(stored.options.get("plan_path", "plan.toml")))
        plan = plan_from_raw(_parse(stored.plan_text, plan_path), plan_path, known_areas(ctx.pm))
        answers = Answers.model_validate(stored.options.get("answers") or {})
        scripted = bool(stored.options.get("scripted")) or not ctx.env.interactive
        hooks = ConsoleHooks(ctx, scripted)
        with History.open(ctx.env.home.history_db) as history:
            runner = SessionRunner(plan, ctx.pm, ctx.provider, ctx.catalogue, store,
                                   stored.session.language, history)  # fmt: skip
            session = stored.session
            hooks.console.print(
                _("Resuming session {id}: {done} step(s) done, {left} to go.").format(
                    id=session.id[:12], done=len(session.steps), left=len(runner.remaining(session))
                ),
                markup=False,
            )
            session = runner.run(session, hooks)
        return _finish(ctx, store, session, answers, scripted, hooks, out)


def _finish(
    ctx: RunContext,
    store: SessionStore,
    session: Session,
    answers: Answers,
    scripted: bool,
    hooks: ConsoleHooks,
    out: Path | None,
) -> int:
    from homecare.session.output import write_outputs

    fixes = list(answers.fixes)
    share = answers.share
    if not scripted:
        while line := hooks.ask(_("What did you fix? (one per line, empty to finish)")):
            fixes.append(line)
        share = hooks.ask(
            _("Does the customer agree to share this report with {provider}? [y/N]").format(
                provider=ctx.provider.name
            )
        ).lower() in ("y", "yes", "s", "si", "sí", "j", "ja")
    session = session.model_copy(update={"fixes": fixes})
    store.update(session)
    folder = out or default_folder(ctx, session)
    paths = write_outputs(ctx, store, session, folder)
    if share:
        shared = _share(ctx, store, session, hooks)
        if shared is not None:
            session = shared
            paths = write_outputs(ctx, store, session, folder)  # now with its support code
    hooks.console.print(_("Signed report: {path}").format(path=paths[0]), markup=False)
    hooks.console.print(_("HTML report: {path}").format(path=paths[1]), markup=False)
    if session.status is StepStatus.FAIL:
        return ExitStatus.PROBLEMS_FOUND
    return ExitStatus.OK


def default_folder(ctx: RunContext, session: Session) -> Path:
    return ctx.env.home.data_dir / "sessions" / session.id[:12]


def _share(
    ctx: RunContext, store: SessionStore, session: Session, hooks: ConsoleHooks
) -> Session | None:
    """Upload with the customer's consent; a failure is reported, the session kept."""
    from homecare.errors import HomecareError
    from homecare.session.output import share_session

    try:
        session = share_session(ctx, store, session)
    except HomecareError as exc:
        ctx.env.stderr.write(f"homecare: {exc}\n")
        ctx.env.stderr.write(
            "homecare: "
            + _("Not shared; try again with: homecare session share {id}").format(
                id=session.id[:12]
            )
            + "\n"
        )
        return None
    hooks.console.print(
        _("Shared with {provider}. Support code: {code}").format(
            provider=ctx.provider.name, code=session.support_code
        ),
        markup=False,
    )
    return session


def share_again(session_id: str, out: Path | None, overrides: Overrides) -> int:
    """``homecare session share ID``: the customer agreed later, or the upload failed."""
    from homecare.session.output import write_outputs

    ctx = open_run(overrides)
    hooks = ConsoleHooks(ctx, scripted=True)
    with SessionStore.open(store_path(ctx.env.home.data_dir)) as store:
        session = store.load(session_id).session
        shared = _share(ctx, store, session, hooks)
        if shared is None:
            return ExitStatus.STATE
        paths = write_outputs(ctx, store, shared, out or default_folder(ctx, shared))
    hooks.console.print(_("Signed report: {path}").format(path=paths[0]), markup=False)
    return ExitStatus.OK


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(_("Cannot read {path}: {error}").format(path=path, error=exc)) from exc


def _parse(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("Cannot read {path}: {error}").format(path=path, error=exc)) from exc
