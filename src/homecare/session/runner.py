"""Run a plan step by step; each step is one call of the engine's one flow.

A step is ``run_check`` with the step's areas, judged against the plan's
thresholds, and committed to the store before the next one starts, so an
interruption costs at most the step that was running. Questions ("go to the
kitchen") and drawing are the caller's, through :class:`StepHooks`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import pluggy

from homecare import __version__
from homecare.advise.catalogue import Catalogue
from homecare.engine import NO_STATE, CheckRequest, LocalState, run_check
from homecare.models.session import Session, SessionState, StepResult
from homecare.probes.runner import ProgressCallback
from homecare.profiles.provider import ProviderProfile
from homecare.session.judge import judge_step
from homecare.session.plan import Plan, PlannedStep, expand
from homecare.session.store import SessionStore

SKILL = "technician"


class StepHooks(Protocol):
    def before_step(self, planned: PlannedStep, index: int, total: int) -> None:
        """Called before a step runs (ask the technician to go to its room)."""
        ...

    def running(self, planned: PlannedStep) -> AbstractContextManager[ProgressCallback | None]:
        """Entered while the step's check runs; yields its probe progress callback."""
        ...

    def after_step(self, session: Session) -> None:
        """Called once a step is stored, with the session so far."""
        ...


@dataclass
class SessionRunner:
    plan: Plan
    pm: pluggy.PluginManager
    provider: ProviderProfile
    catalogue: Catalogue
    store: SessionStore
    language: str = "en"
    state: LocalState = NO_STATE

    def start(
        self, job_id: str | None, rooms: Sequence[str], plan_text: str, options: dict[str, object]
    ) -> Session:
        """A new stored session, linked to the job's earlier finished session if any."""
        session_id = uuid.uuid4().hex
        session = Session(
            id=session_id,
            job_id=job_id,
            plan_id=self.plan.id,
            plan_version=self.plan.version,
            plan_title=self.plan.title_in(self.language),
            created_at=datetime.now(UTC),
            homecare_version=__version__,
            language=self.language,
            provider=self.provider.name,
            rooms=list(rooms) or list(self.plan.default_rooms),
            before_session=self.store.before_of(job_id, session_id) if job_id else None,
        )
        self.store.create(session, plan_text, options)
        return session

    def remaining(self, session: Session) -> list[PlannedStep]:
        done = {s.key for s in session.steps}
        return [p for p in expand(self.plan, session.rooms) if p.key not in done]

    def run(self, session: Session, hooks: StepHooks) -> Session:
        """Run every step not yet done, storing each; return the finished session."""
        planned = expand(self.plan, session.rooms)
        done = {s.key for s in session.steps}
        rates = {
            "down": self.provider.speed.plan_down_mbit,
            "up": self.provider.speed.plan_up_mbit,
        }
        for index, item in enumerate(planned):
            if item.key in done:
                continue
            hooks.before_step(item, index, len(planned))
            started = datetime.now(UTC)
            with hooks.running(item) as progress:
                outcome = run_check(
                    CheckRequest(
                        areas=item.step.run,
                        quick=item.step.quick,
                        language=self.language,
                        skill=SKILL,
                        budget_s=item.step.budget_s,
                    ),
                    self.pm,
                    self.provider,
                    self.catalogue,
                    state=self.state,
                    progress=progress,
                )
            status, metrics = judge_step(item.step, outcome.report, rates)
            result = StepResult(
                key=item.key,
                step_id=item.step.id,
                title=item.step.titles.get(self.language, item.step.title),
                room=item.room,
                status=status,
                started_at=started,
                finished_at=datetime.now(UTC),
                metrics=metrics,
                report=outcome.report,
            )
            self.store.add_step(session.id, index, result)
            session = session.model_copy(update={"steps": [*session.steps, result]})
            hooks.after_step(session)
        order = {p.key: i for i, p in enumerate(planned)}
        steps = sorted(session.steps, key=lambda s: order.get(s.key, len(order)))
        session = session.model_copy(
            update={
                "steps": steps,
                "state": SessionState.FINISHED,
                "finished_at": datetime.now(UTC),
            }
        )
        self.store.update(session)
        return session
