"""A technician's session: a plan run step by step, each step one check.

The contract between the session runner, its local store, the signed report
(``schema/session-v1.json``), the HTML report and the collector. A step keeps
the whole :class:`~homecare.models.report.Report` it was judged on, so a
verdict can always be traced back to the figures behind it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from homecare.models.common import Strict
from homecare.models.report import Report

SESSION_SCHEMA_VERSION: Literal[1] = 1

MetricValue = float | bool | str | None


class StepStatus(StrEnum):
    """Pass / warn / fail, ordered; warn never fails a session."""

    PASS = "pass"  # noqa: S105 (a verdict, not a password)
    WARN = "warn"
    FAIL = "fail"

    @property
    def rank(self) -> int:
        return {"pass": 0, "warn": 1, "fail": 2}[self.value]


class MetricResult(Strict):
    """One measured figure against its thresholds."""

    metric: str
    value: MetricValue = Field(description="None when the figure could not be measured.")
    unit: str = ""
    status: StepStatus
    pass_rule: str = Field(
        description="The pass threshold as written in the plan, e.g. '>= 0.9 plan'."
    )
    warn_rule: str | None = None
    reference: float | None = Field(
        default=None, description="The plan rate a relative threshold was multiplied with."
    )
    note: str | None = None


class StepResult(Strict):
    """One step (in one room, for a room loop) with the check it ran."""

    key: str = Field(description="Step id, plus '@room' for a room loop: unique in a session.")
    step_id: str
    title: str
    room: str | None = None
    status: StepStatus
    started_at: datetime
    finished_at: datetime
    metrics: list[MetricResult] = Field(default_factory=list)
    report: Report


class SessionState(StrEnum):
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class Session(Strict):
    """A plan run for one job; steps are appended as they finish."""

    schema_version: Literal[1] = SESSION_SCHEMA_VERSION
    id: str
    job_id: str | None = None
    plan_id: str
    plan_version: str
    plan_title: str
    created_at: datetime
    finished_at: datetime | None = None
    state: SessionState = SessionState.IN_PROGRESS
    homecare_version: str
    language: str = "en"
    provider: str | None = None
    rooms: list[str] = Field(default_factory=list)
    before_session: str | None = Field(
        default=None, description="The earlier session of the same job this one is compared with."
    )
    support_code: str | None = Field(default=None, description="Set once shared with the provider.")
    fixes: list[str] = Field(default_factory=list, description="What the technician changed.")
    steps: list[StepResult] = Field(default_factory=list)

    @property
    def status(self) -> StepStatus:
        """The worst step status (pass for a session without steps)."""
        return max((s.status for s in self.steps), key=lambda s: s.rank, default=StepStatus.PASS)


class MetricChange(Strict):
    metric: str
    before: MetricValue = None
    after: MetricValue = None
    before_status: StepStatus | None = None
    after_status: StepStatus | None = None


class StepChange(Strict):
    """One step key before and after the fix; a missing side is None."""

    key: str
    before: StepStatus | None = None
    after: StepStatus | None = None
    metrics: list[MetricChange] = Field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after


class Comparison(Strict):
    before_id: str
    after_id: str
    steps: list[StepChange] = Field(default_factory=list)


class Signature(Strict):
    """Ed25519 over the canonical JSON of the manifest (part digests)."""

    algorithm: Literal["ed25519"] = "ed25519"
    public_key: str = Field(description="Raw 32-byte public key, base64.")
    manifest: dict[str, str] = Field(
        description="SHA-256 (hex) of the canonical JSON of each part: 'session', 'step:<key>', "
        "'comparison'."
    )
    value: str = Field(description="Signature of the canonical manifest, base64.")


class SessionDocument(Strict):
    """The published, signed session report (``schema/session-v1.json``)."""

    schema_version: Literal[1] = SESSION_SCHEMA_VERSION
    session: Session
    comparison: Comparison | None = None
    signature: Signature | None = None
