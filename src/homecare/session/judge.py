"""Pass / warn / fail for one step, from the figures in its Report.

A figure meeting the pass threshold passes; else meeting the warn threshold
warns; else it fails. A figure that could not be measured counts as the
expectation's ``missing`` status (fail unless the plan says otherwise), and
a threshold relative to a plan rate the provider profile does not state is a
warning: it cannot be judged, and "could not tell" is an answer.
"""

from __future__ import annotations

from collections.abc import Mapping

from homecare.i18n import _
from homecare.models import Report
from homecare.models.session import MetricResult, MetricValue, StepStatus
from homecare.session.metrics import GRADES, METRICS, Metric
from homecare.session.plan import Expectation, PlanStep, Rule, parse_rule


def _holds(rule: Rule, value: MetricValue, reference: float | None) -> bool:
    if isinstance(rule.bound, bool) or isinstance(value, bool):
        return value == rule.bound
    left: float
    right: float
    if isinstance(rule.bound, str):
        # grades: A is best, so "better or equal" is a smaller index
        left, right = -GRADES.index(str(value)), -GRADES.index(rule.bound)
    else:
        scale = (reference or 0.0) if rule.relative else 1.0
        left, right = float(value or 0), rule.bound * scale
    match rule.op:
        case ">=":
            return left >= right
        case ">":
            return left > right
        case "<=":
            return left <= right
        case "<":
            return left < right
    return left == right


def judge_metric(
    name: str, expectation: Expectation, report: Report, plan_rates: Mapping[str, float | None]
) -> MetricResult:
    metric: Metric = METRICS[name]
    value = metric.read(report)
    pass_rule = parse_rule(expectation.pass_, metric)
    warn_rule = parse_rule(expectation.warn, metric) if expectation.warn is not None else None
    relative = pass_rule.relative or (warn_rule is not None and warn_rule.relative)
    reference = plan_rates.get(metric.plan) if metric.plan and relative else None

    def result(status: StepStatus, note: str | None = None) -> MetricResult:
        return MetricResult(
            metric=name,
            value=value,
            unit=metric.unit,
            status=status,
            pass_rule=pass_rule.text,
            warn_rule=warn_rule.text if warn_rule else None,
            reference=reference,
            note=note,
        )

    if value is None:
        return result(expectation.missing, _("not measured"))
    if relative and reference is None:
        return result(StepStatus.WARN, _("no plan rate in the provider profile"))
    if _holds(pass_rule, value, reference):
        return result(StepStatus.PASS)
    if warn_rule is not None and _holds(warn_rule, value, reference):
        return result(StepStatus.WARN)
    return result(StepStatus.FAIL)


def judge_step(
    step: PlanStep, report: Report, plan_rates: Mapping[str, float | None]
) -> tuple[StepStatus, list[MetricResult]]:
    """The step's metrics and its status: the worst of them."""
    metrics = [judge_metric(n, e, report, plan_rates) for n, e in step.expect.items()]
    worst = max((m.status for m in metrics), key=lambda s: s.rank, default=StepStatus.PASS)
    return worst, metrics
