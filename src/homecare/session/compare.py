"""Before and after: what changed, step by step, so a technician can prove a fix."""

from __future__ import annotations

from homecare.models.session import (
    Comparison,
    MetricChange,
    MetricResult,
    Session,
    StepChange,
    StepResult,
)


def compare(before: Session, after: Session) -> Comparison:
    """Pair steps by key (step id and room), in the after-session's order first."""
    old = {s.key: s for s in before.steps}
    new = {s.key: s for s in after.steps}
    keys = [*new, *(k for k in old if k not in new)]
    return Comparison(
        before_id=before.id,
        after_id=after.id,
        steps=[_step(k, old.get(k), new.get(k)) for k in keys],
    )


def _step(key: str, before: StepResult | None, after: StepResult | None) -> StepChange:
    old = {m.metric: m for m in (before.metrics if before else [])}
    new = {m.metric: m for m in (after.metrics if after else [])}
    names = [*new, *(n for n in old if n not in new)]
    return StepChange(
        key=key,
        before=before.status if before else None,
        after=after.status if after else None,
        metrics=[_metric(n, old.get(n), new.get(n)) for n in names],
    )


def _metric(name: str, before: MetricResult | None, after: MetricResult | None) -> MetricChange:
    return MetricChange(
        metric=name,
        before=before.value if before else None,
        after=after.value if after else None,
        before_status=before.status if before else None,
        after_status=after.status if after else None,
    )
