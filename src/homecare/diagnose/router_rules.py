"""Rules only the router's own figures make possible.

A laptop can measure that the internet is slow; only the router can say the
line itself is noisy, drops its sync, or was trained below the plan, that
the speed test shared the line with another device's download, or that it
barely hears a Wi-Fi client in the next room. Line faults are the
provider's, not the home's: that is the point of reading them.
"""

from __future__ import annotations

from collections.abc import Sequence

from homecare.diagnose.base import RuleContext
from homecare.diagnose.quality_rules import payload
from homecare.i18n import _
from homecare.models import Finding, Segment, Severity
from homecare.models.router import RouterClient, RouterData

#: below this the modem has little headroom left: errors and resyncs follow
NOISE_MARGIN_WARN_DB = 6.0
NOISE_MARGIN_PROBLEM_DB = 3.0
#: errors per hour of uptime that mean a line fault rather than a bad minute
CRC_PER_HOUR = 60.0
ERRORED_SECONDS_PER_HOUR = 30.0
RESYNCS_WARN = 3
#: a sync rate below this share of the plan cannot deliver the plan
SYNC_BELOW_PLAN_RATIO = 0.9
#: other traffic during the speed test that makes its result a shared one
SHARED_MIN_MBIT = 1.0
SHARED_SHARE = 0.2
WEAK_CLIENT_DBM = -75.0
REBOOT_RECENT_S = 3600


def router_data(ctx: RuleContext) -> RouterData | None:
    return payload(ctx, RouterData)


class LineQualityRule:
    """Noise margin, error counters and resyncs: the line, not the home."""

    name = "router.line"
    codes = ("router.line.noise_margin_low", "router.line.errors", "router.line.resyncs")

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = router_data(ctx)
        if data is None or data.line is None:
            return []
        line = data.line
        out: list[Finding] = []
        margins = [m for m in (line.noise_margin_down_db, line.noise_margin_up_db) if m is not None]
        if margins and min(margins) < NOISE_MARGIN_WARN_DB:
            low = min(margins)
            out.append(
                Finding(
                    code="router.line.noise_margin_low",
                    severity=Severity.PROBLEM
                    if low < NOISE_MARGIN_PROBLEM_DB
                    else Severity.WARNING,
                    segment=Segment.PROVIDER,
                    summary=_(
                        "The line's noise margin is only {db:.1f} dB: the line to the "
                        "exchange is noisy."
                    ).format(db=low),
                    evidence={
                        "noise_margin_down_db": line.noise_margin_down_db,
                        "noise_margin_up_db": line.noise_margin_up_db,
                        "attenuation_down_db": line.attenuation_down_db,
                        "source": data.source,
                    },
                )
            )
        hours = max(1.0, (line.line_uptime_s or data.wan_uptime_s or data.uptime_s or 3600) / 3600)
        crc_rate = (line.crc_errors or 0) / hours
        es_rate = (line.errored_seconds or 0) / hours
        if crc_rate >= CRC_PER_HOUR or es_rate >= ERRORED_SECONDS_PER_HOUR:
            out.append(
                Finding(
                    code="router.line.errors",
                    severity=Severity.WARNING,
                    segment=Segment.PROVIDER,
                    summary=_(
                        "The line has many transmission errors ({crc:.0f} CRC errors an hour)."
                    ).format(crc=crc_rate),
                    evidence={
                        "crc_errors": line.crc_errors,
                        "fec_errors": line.fec_errors,
                        "errored_seconds": line.errored_seconds,
                        "severely_errored_seconds": line.severely_errored_seconds,
                        "hours": round(hours, 1),
                        "source": data.source,
                    },
                )
            )
        resyncs = max(line.retrains or 0, line.log_resyncs or 0)
        if resyncs >= RESYNCS_WARN:
            out.append(
                Finding(
                    code="router.line.resyncs",
                    severity=Severity.PROBLEM,
                    segment=Segment.PROVIDER,
                    summary=_(
                        "The line dropped and reconnected {count} times: the connection "
                        "breaks off now and then."
                    ).format(count=resyncs),
                    evidence={
                        "retrains": line.retrains,
                        "log_resyncs": line.log_resyncs,
                        "source": data.source,
                    },
                )
            )
        return out


class SyncBelowPlanRule:
    """The line is trained below the plan: no fix in the home can reach it."""

    name = "router.line.sync"
    codes = ("router.line.sync_below_plan",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = router_data(ctx)
        plan = ctx.provider.speed.plan_down_mbit
        if data is None or data.line is None or plan is None:
            return []
        if data.line.type in ("ethernet", "cable", "fibre"):
            return []  # a layer-1 rate there is the port speed, not a line's sync
        sync = data.line.sync_down_kbit
        if sync is None or sync / 1000 >= SYNC_BELOW_PLAN_RATIO * plan:
            return []
        reach = (data.line.attainable_down_kbit or sync) / 1000
        fitting = [t for t in ctx.provider.plan_tiers if t.down_mbit <= reach]
        tier = max(fitting, key=lambda t: t.down_mbit) if fitting else None
        return [
            Finding(
                code="router.line.sync_below_plan",
                severity=Severity.PROBLEM,
                segment=Segment.PROVIDER,
                summary=_(
                    "The line synchronises at {sync:.0f} Mbit/s, below the {plan:.0f} Mbit/s "
                    "of your plan."
                ).format(sync=sync / 1000, plan=plan),
                evidence={
                    "sync_down_mbit": round(sync / 1000, 1),
                    "attainable_down_mbit": round(reach, 1),
                    "plan_down_mbit": plan,
                    "fitting_tier": tier.name if tier else None,
                    "fitting_tier_down_mbit": tier.down_mbit if tier else None,
                    "source": data.source,
                },
            )
        ]


class SharedLineRule:
    """Someone else was downloading during the speed test: the result is shared."""

    name = "router.wan.shared"
    codes = ("router.wan.shared_during_speed_test",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = router_data(ctx)
        shared = data.during_speed_test if data else None
        if shared is None:
            return []
        other = max(shared.other_down_mbit, shared.other_up_mbit)
        total = max(shared.wan_down_mbit, shared.wan_up_mbit, 0.001)
        if other < SHARED_MIN_MBIT or other / total < SHARED_SHARE:
            return []
        return [
            Finding(
                code="router.wan.shared_during_speed_test",
                severity=Severity.WARNING,
                segment=Segment.LAN,
                summary=_(
                    "Other devices used {other:.1f} Mbit/s of the line during the speed test, "
                    "so the result is shared, not the line's full speed."
                ).format(other=other),
                evidence={
                    "other_down_mbit": shared.other_down_mbit,
                    "other_up_mbit": shared.other_up_mbit,
                    "wan_down_mbit": shared.wan_down_mbit,
                    "test_down_mbit": shared.test_down_mbit,
                    "window_s": shared.window_s,
                    "top_users": top_users(data.clients) if data else [],
                },
            )
        ]


def client_name(client: RouterClient) -> str:
    return client.nickname or client.hostname or client.mac or client.ip or "?"


def top_users(clients: Sequence[RouterClient], limit: int = 3) -> list[str]:
    """The LAN devices that moved the most bytes (router mode, from conntrack)."""
    counted = [c for c in clients if (c.down_bytes or 0) + (c.up_bytes or 0) > 0]
    counted.sort(key=lambda c: -((c.down_bytes or 0) + (c.up_bytes or 0)))
    return [client_name(c) for c in counted[:limit]]


class WeakClientRule:
    """A Wi-Fi device the router itself hears weakly, named the way the person names it."""

    name = "router.wifi.weak_client"
    codes = ("router.wifi.client_weak",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = router_data(ctx)
        if data is None:
            return []
        weak = [
            c
            for c in data.clients
            if c.wifi and c.signal_dbm is not None and c.signal_dbm < WEAK_CLIENT_DBM
        ]
        weak.sort(key=lambda c: c.signal_dbm or 0.0)
        return [
            Finding(
                code="router.wifi.client_weak",
                severity=Severity.WARNING,
                segment=Segment.WIFI,
                summary=_("The router hears {device} only weakly ({dbm:.0f} dBm).").format(
                    device=client_name(c), dbm=c.signal_dbm
                ),
                evidence={
                    "device": client_name(c),
                    "signal_dbm": c.signal_dbm,
                    "radio": c.radio,
                    "tx_mbit": c.tx_mbit,
                },
            )
            for c in weak[:5]
        ]


class RouterRebootedRule:
    """The router started a short while ago: it rebooted, or lost power."""

    name = "router.uptime"
    codes = ("router.rebooted",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = router_data(ctx)
        if data is None or data.uptime_s is None or data.uptime_s >= REBOOT_RECENT_S:
            return []
        minutes = data.uptime_s / 60
        return [
            Finding(
                code="router.rebooted",
                severity=Severity.INFO,
                segment=Segment.ROUTER,
                summary=_("The router restarted {minutes:.0f} minutes ago.").format(
                    minutes=minutes
                ),
                evidence={"uptime_s": data.uptime_s, "source": data.source},
            )
        ]


ROUTER_RULES = (
    LineQualityRule(),
    SyncBelowPlanRule(),
    SharedLineRule(),
    WeakClientRule(),
    RouterRebootedRule(),
)


#: speed findings a shared line explains: the provider is not to blame for them
SHARED_EXPLAINS = ("speed.below_plan", "speed.slow_wifi_limited")


def verdict_view(findings: Sequence[Finding]) -> tuple[list[Finding], list[str]]:
    """The findings the verdict should weigh, and evidence lines the router adds.

    When the speed test shared the line with other traffic, a slow result says
    nothing about the provider: those speed findings stay in the report but
    do not pick the segment. A recent router restart is said in the evidence.
    """
    codes = {f.code for f in findings}
    notes: list[str] = []
    weighed = list(findings)
    if "router.wan.shared_during_speed_test" in codes:
        weighed = [f for f in findings if f.code not in SHARED_EXPLAINS]
        if len(weighed) < len(findings):
            notes.append(
                _(
                    "The speed result was shared with other devices' traffic, so it is not "
                    "counted against the provider."
                )
            )
    notes += [f.summary for f in findings if f.code == "router.rebooted"]
    return weighed, notes
