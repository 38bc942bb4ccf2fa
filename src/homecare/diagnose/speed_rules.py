"""Rules over the speed test: below the plan, limited by Wi-Fi, bufferbloat,
and no engine able to measure at all."""

from __future__ import annotations

from collections.abc import Sequence

from homecare.diagnose.base import RuleContext
from homecare.diagnose.quality_rules import on_wifi, payload
from homecare.i18n import _
from homecare.models import Finding, ProbeStatus, Segment, Severity
from homecare.models.connection import SpeedData


def plan_rates(data: SpeedData, ctx: RuleContext) -> tuple[float | None, float | None]:
    s = ctx.provider.speed
    return data.plan_down_mbit or s.plan_down_mbit, data.plan_up_mbit or s.plan_up_mbit


class SpeedRule:
    name = "speed"
    codes = ("speed.below_plan", "speed.slow_wifi_limited", "speed.engine.failed")

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = payload(ctx, SpeedData)
        if data is None:
            obs = ctx.observations.get("speed")
            if obs is not None and obs.status in (ProbeStatus.FAILED, ProbeStatus.TIMEOUT):
                return [self._failed([obs.message or obs.status.value])]
            return []
        if data.download is None and data.upload is None:
            return [self._failed([f"{a.engine}: {a.error}" for a in data.attempts if a.error])]
        plan_down, plan_up = plan_rates(data, ctx)
        ratio = ctx.provider.quality.below_plan_ratio
        short: dict[str, object] = {}
        for label, measured, plan in (
            ("download", data.download.mbit if data.download else None, plan_down),
            ("upload", data.upload.mbit if data.upload else None, plan_up),
        ):
            if measured is not None and plan is not None and measured < ratio * plan:
                short[f"{label}_mbit"] = measured
                short[f"{label}_plan_mbit"] = plan
                short[f"{label}_pct_of_plan"] = round(100 * measured / plan, 1)
        if not short:
            return []
        short["engine"] = data.engine
        short["server"] = data.server
        pct = min(
            v for k, v in short.items() if k.endswith("_pct_of_plan") and isinstance(v, float)
        )
        if on_wifi(ctx):
            return [
                Finding(
                    code="speed.slow_wifi_limited",
                    severity=Severity.WARNING,
                    segment=Segment.WIFI,
                    summary=_(
                        "Speed is {pct:.0f}% of your plan over Wi-Fi; the Wi-Fi may be the limit."
                    ).format(pct=pct),
                    evidence=short,
                )
            ]
        return [
            Finding(
                code="speed.below_plan",
                severity=Severity.PROBLEM,
                segment=Segment.PROVIDER,
                summary=_("Your connection gives {pct:.0f}% of the speed of your plan.").format(
                    pct=pct
                ),
                evidence=short,
            )
        ]

    @staticmethod
    def _failed(errors: list[str]) -> Finding:
        return Finding(
            code="speed.engine.failed",
            severity=Severity.INFO,
            segment=Segment.UNKNOWN,
            summary=_("The speed could not be measured."),
            evidence={"errors": errors},
        )


class BufferbloatRule:
    """Latency rising under load: calls break up whenever someone downloads."""

    name = "bufferbloat"
    codes = ("latency.bufferbloat",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = payload(ctx, SpeedData)
        if data is None or data.bufferbloat_ms is None:
            return []
        q = ctx.provider.quality
        if data.bufferbloat_ms < q.bufferbloat_warn_ms:
            return []
        idle = [x for x in data.latency if x.phase == "idle" and x.role == "internet"]
        return [
            Finding(
                code="latency.bufferbloat",
                severity=Severity.PROBLEM
                if data.bufferbloat_ms >= q.bufferbloat_problem_ms
                else Severity.WARNING,
                segment=Segment.ROUTER,
                summary=_(
                    "Delay rises by {ms:.0f} ms while the line is busy (grade {grade}): "
                    "calls and games suffer during downloads."
                ).format(ms=data.bufferbloat_ms, grade=data.bufferbloat_grade or "?"),
                evidence={
                    "increase_ms": data.bufferbloat_ms,
                    "grade": data.bufferbloat_grade,
                    "rpm": data.rpm,
                    "idle_median_ms": idle[0].stats.median_ms if idle else None,
                    "loaded": {
                        f"{x.phase}:{x.target}": x.stats.median_ms
                        for x in data.latency
                        if x.phase != "idle"
                    },
                },
            )
        ]


SPEED_RULES = (SpeedRule(), BufferbloatRule())
