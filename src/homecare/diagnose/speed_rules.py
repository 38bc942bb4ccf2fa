"""Rules over the speed test: below the plan, limited by Wi-Fi, bufferbloat,
poor working latency (the responsiveness test's RPM), and no engine able to
measure at all."""

from __future__ import annotations

from collections.abc import Sequence

from homecare.diagnose.base import RuleContext
from homecare.diagnose.quality_rules import on_wifi, payload
from homecare.i18n import _
from homecare.models import Finding, ProbeStatus, Segment, Severity
from homecare.models.connection import SpeedData, SpeedDirection


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


def increase_by_direction(data: SpeedData) -> dict[str, float]:
    """The worst latency increase while each direction ran (beyond the router
    when measured there, else to the router)."""
    out: dict[str, float] = {}
    for phase in ("download", "upload"):
        rows = [x for x in data.latency if x.phase == phase and x.increase_ms is not None]
        beyond = [x for x in rows if x.role == "internet"] or rows
        if beyond:
            out[phase] = max(x.increase_ms or 0.0 for x in beyond)
    return out


class BufferbloatRule:
    """Latency rising under load: calls break up whenever someone downloads
    (or uploads: the queue that fills is named, as the evidence shows)."""

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
        by_dir = increase_by_direction(data)
        bloated = sorted(d for d, ms in by_dir.items() if ms >= q.bufferbloat_warn_ms)
        grade = data.bufferbloat_grade or "?"
        if bloated == ["download"]:
            summary = _(
                "Delay rises by {ms:.0f} ms while downloading (grade {grade}): calls and games "
                "suffer whenever something downloads."
            ).format(ms=by_dir["download"], grade=grade)
        elif bloated == ["upload"]:
            summary = _(
                "Delay rises by {ms:.0f} ms while uploading (grade {grade}): calls and games "
                "suffer whenever something uploads (backups, photos, video calls)."
            ).format(ms=by_dir["upload"], grade=grade)
        elif bloated:
            summary = _(
                "Delay rises by {down:.0f} ms while downloading and {up:.0f} ms while uploading "
                "(grade {grade}): calls and games suffer whenever the line is busy."
            ).format(down=by_dir["download"], up=by_dir["upload"], grade=grade)
        else:
            summary = _(
                "Delay rises by {ms:.0f} ms while the line is busy (grade {grade}): "
                "calls and games suffer during downloads."
            ).format(ms=data.bufferbloat_ms, grade=grade)
        return [
            Finding(
                code="latency.bufferbloat",
                severity=_bufferbloat_severity(
                    data, q.bufferbloat_warn_ms, q.bufferbloat_problem_ms
                )
                or Severity.WARNING,
                segment=Segment.ROUTER,
                summary=summary,
                evidence={
                    "increase_ms": data.bufferbloat_ms,
                    "direction": "+".join(bloated) or None,
                    "download_increase_ms": by_dir.get("download"),
                    "upload_increase_ms": by_dir.get("upload"),
                    "grade": data.bufferbloat_grade,
                    "rpm": data.rpm,
                    "responsiveness_rpm": _worst_responsiveness(data),
                    "idle_median_ms": idle[0].stats.median_ms if idle else None,
                },
            )
        ]


def _bufferbloat_severity(data: SpeedData, warn_ms: float, problem_ms: float) -> Severity | None:
    """The severity the bufferbloat rule gives this run (None: it finds nothing)."""
    if data.bufferbloat_ms is None or data.bufferbloat_ms < warn_ms:
        return None
    return Severity.PROBLEM if data.bufferbloat_ms >= problem_ms else Severity.WARNING


def _worst_responsiveness(data: SpeedData) -> float | None:
    """The lower nq RPM of the two directions, when the test measured one."""
    figures = [
        r.rpm
        for result in (data.download, data.upload)
        if result is not None and (r := result.responsiveness) is not None and r.rpm is not None
    ]
    return round(min(figures), 1) if figures else None


class ResponsivenessRule:
    """Working latency by the responsiveness test (engine ``nq``) below the
    provider's RPM thresholds. A figure of low confidence (the test did not
    even run a full window) is not acted on. When the bufferbloat rule already
    names the same queue at least as gravely, this stays silent: one fact, one
    finding (the bufferbloat finding carries the RPM in its evidence)."""

    name = "responsiveness"
    codes = ("latency.responsiveness.low",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = payload(ctx, SpeedData)
        if data is None:
            return []
        q = ctx.provider.quality
        worst: tuple[float, str, str] | None = None
        for result in (data.download, data.upload):
            r = result.responsiveness if result is not None else None
            if result is None or r is None or r.rpm is None or r.confidence == "low":
                continue
            if worst is None or r.rpm < worst[0]:
                worst = (r.rpm, result.direction, r.confidence)
        if worst is None or worst[0] >= q.rpm_warn:
            return []
        rpm, direction, confidence = worst
        severity = Severity.PROBLEM if rpm < q.rpm_problem else Severity.WARNING
        bloat = _bufferbloat_severity(data, q.bufferbloat_warn_ms, q.bufferbloat_problem_ms)
        if bloat is not None and bloat.rank >= severity.rank:
            return []
        if direction == "download":
            summary = _(
                "While downloading, the connection answers only {rpm:.0f} times a minute "
                "(about {ms:.0f} ms per round trip): calls, games and pages lag when the line is busy."
            ).format(rpm=rpm, ms=60000 / rpm)
        else:
            summary = _(
                "While uploading, the connection answers only {rpm:.0f} times a minute "
                "(about {ms:.0f} ms per round trip): calls, games and pages lag when the line is busy."
            ).format(rpm=rpm, ms=60000 / rpm)

        def figures(result: SpeedDirection | None) -> dict[str, object] | None:
            r = result.responsiveness if result is not None else None
            return r.model_dump(mode="json") if r is not None else None

        return [
            Finding(
                code="latency.responsiveness.low",
                severity=severity,
                segment=Segment.ROUTER,
                summary=summary,
                evidence={
                    "rpm": round(rpm, 1),
                    "direction": direction,
                    "confidence": confidence,
                    "rpm_warn": q.rpm_warn,
                    "rpm_problem": q.rpm_problem,
                    "server": data.server,
                    "download": figures(data.download),
                    "upload": figures(data.upload),
                },
            )
        ]


SPEED_RULES = (SpeedRule(), BufferbloatRule(), ResponsivenessRule())
