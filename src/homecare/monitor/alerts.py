"""Alerts people trust: debounced, retested, once on the way down and once back up.

Each rule watches one figure of the light or speed samples and only opens
an alert after N consecutive (outage) or M of the last N (loss, DNS)
breaches; a slow speed sample first asks for a retest. An alert closes after
a run of good samples. Thresholds are relative to the provider's plan and
limits. Each alert carries a finding code, so the guidance catalogue
explains it at the person's level and in their language. Quiet hours and
snoozes hold back notifications, never the record.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo

from homecare.errors import UsageError
from homecare.i18n import _
from homecare.store.alerts import AlertStore
from homecare.store.samples import Sample

OUTAGE_INTERNET = "monitor.outage.internet"
OUTAGE_ROUTER = "monitor.outage.router"
LOSS_HIGH = "monitor.loss.high"
DNS_FAILING = "monitor.dns.failing"
SPEED_BELOW_PLAN = "monitor.speed.below_plan"
#: a discovery sample's own finding, told once: a device has nothing to recover from
NEW_DEVICE = "devices.new_unknown"
#: every code an alert can carry (each has guidance in every language)
ALERT_CODES = (OUTAGE_INTERNET, OUTAGE_ROUTER, LOSS_HIGH, DNS_FAILING, SPEED_BELOW_PLAN, NEW_DEVICE)
#: alerts that are news, not a state: opened and closed at once, never "resolved"
ONE_SHOT_CODES = frozenset({NEW_DEVICE})


@dataclass(frozen=True)
class QuietHours:
    """A local time window (may wrap midnight) in which nobody is disturbed."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """``"22:00-07:00"``; a one-line error for anything else."""
        try:
            a, b = text.split("-")
            return cls(time.fromisoformat(a.strip()), time.fromisoformat(b.strip()))
        except ValueError as exc:
            raise UsageError(
                _("Quiet hours must look like 22:00-07:00, not '{text}'.").format(text=text)
            ) from exc

    def contains(self, ts: float, tz: tzinfo) -> bool:
        now = datetime.fromtimestamp(ts, tz).time()
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end


@dataclass(frozen=True)
class AlertPolicy:
    outage_after: int = 3
    recover_after: int = 2
    loss_threshold: float = 0.05
    loss_m: int = 3
    loss_n: int = 5
    dns_m: int = 3
    dns_n: int = 5
    #: download below this share of the plan counts as slow (e.g. 0.7 = 70 %)
    speed_ratio: float = 0.7
    #: slow speed samples in a row before an alert (the first one is retested)
    speed_after: int = 2
    quiet: QuietHours | None = None


@dataclass(frozen=True)
class AlertEvent:
    event: str  # "opened" | "closed"
    alert_id: int
    code: str
    summary: str
    at: float


@dataclass
class _Window:
    """The last *n* breach flags; breaching at *m* of them, clear after *clear* goods."""

    m: int
    n: int
    clear: int
    flags: deque[bool] = field(default_factory=deque)

    def push(self, breach: bool) -> None:
        self.flags.append(breach)
        while len(self.flags) > max(self.n, self.clear):
            self.flags.popleft()

    def breaching(self) -> bool:
        return sum(list(self.flags)[-self.n :]) >= self.m

    def trailing(self) -> int:
        """Breaches in a row at the end of the window."""
        count = 0
        for flag in reversed(self.flags):
            if not flag:
                break
            count += 1
        return count

    def clear_now(self) -> bool:
        recent = list(self.flags)[-self.clear :]
        return len(recent) == self.clear and not any(recent)

    def reset(self) -> None:
        self.flags.clear()


@dataclass
class AlertEngine:
    """Turns samples into opened and closed alerts (stored), one rule per code."""

    store: AlertStore
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    #: asked to retest speed soon (the scheduler's ``retest_soon``)
    request_retest: Callable[[], None] = lambda: None
    _windows: dict[str, _Window] = field(default_factory=dict)

    def __post_init__(self) -> None:
        p = self.policy
        self._windows = {
            "outage": _Window(p.outage_after, p.outage_after, p.recover_after),
            LOSS_HIGH: _Window(p.loss_m, p.loss_n, p.recover_after),
            DNS_FAILING: _Window(p.dns_m, p.dns_n, p.recover_after),
            SPEED_BELOW_PLAN: _Window(p.speed_after, p.speed_after, 1),
        }

    def reset(self) -> None:
        """Forget the streaks (after a suspend: nothing before it may count)."""
        for window in self._windows.values():
            window.reset()

    def observe(self, sample: Sample) -> list[AlertEvent]:
        if sample.settling:
            return []
        events: list[AlertEvent] = []
        if sample.internet_ok is not None:
            down = not sample.internet_ok
            code = OUTAGE_ROUTER if sample.router_ok is False else OUTAGE_INTERNET
            events += self._step("outage", down, sample, code, self._outage_summary(code))
            if sample.internet_ok:
                lossy = sample.loss is not None and sample.loss >= self.policy.loss_threshold
                events += self._step(
                    LOSS_HIGH,
                    lossy,
                    sample,
                    LOSS_HIGH,
                    _("{loss:.0f} % of packets to the internet are lost.").format(
                        loss=100 * (sample.loss or 0.0)
                    ),
                )
                if sample.dns_ok is not None:
                    events += self._step(
                        DNS_FAILING,
                        not sample.dns_ok,
                        sample,
                        DNS_FAILING,
                        _("Names do not resolve although the internet answers."),
                    )
        if NEW_DEVICE in sample.codes:
            events += self._one_shot(
                NEW_DEVICE, sample, _("A device you have not named joined your network.")
            )
        if sample.down_mbit is not None and sample.plan_down_mbit:
            ratio = sample.down_mbit / sample.plan_down_mbit
            slow = ratio < self.policy.speed_ratio
            window = self._windows[SPEED_BELOW_PLAN]
            if slow and window.trailing() + 1 < window.m:
                self.request_retest()
            events += self._step(
                SPEED_BELOW_PLAN,
                slow,
                sample,
                SPEED_BELOW_PLAN,
                _("Download {down:.0f} Mbit/s is {pct:.0f} % of your plan's {plan:.0f}.").format(
                    down=sample.down_mbit, pct=100 * ratio, plan=sample.plan_down_mbit
                ),
            )
        return events

    def _step(
        self, key: str, breach: bool, sample: Sample, code: str, summary: str
    ) -> list[AlertEvent]:
        window = self._windows[key]
        window.push(breach)
        open_codes = self.store.open_codes()
        mine = [
            c
            for c in open_codes
            if c == code or (key == "outage" and c.startswith("monitor.outage."))
        ]
        if not mine and breach and window.breaching():
            alert_id = self.store.open_alert(
                code, sample.segment, summary, _evidence(sample), sample.ts
            )
            if alert_id is not None:
                return [AlertEvent("opened", alert_id, code, summary, sample.ts)]
        elif mine and window.clear_now():
            events = []
            for open_code in mine:
                alert_id = self.store.close_alert(open_code, sample.ts)
                if alert_id is not None:
                    events.append(
                        AlertEvent("closed", alert_id, open_code, _("Back to normal."), sample.ts)
                    )
            return events
        return []

    def _one_shot(self, code: str, sample: Sample, summary: str) -> list[AlertEvent]:
        alert_id = self.store.open_alert(
            code, sample.segment, summary, _evidence(sample), sample.ts
        )
        if alert_id is None:
            return []
        self.store.close_alert(code, sample.ts)
        return [AlertEvent("opened", alert_id, code, summary, sample.ts)]

    @staticmethod
    def _outage_summary(code: str) -> str:
        if code == OUTAGE_ROUTER:
            return _("Your router stopped answering.")
        return _("Your internet connection is down; the router still answers.")


def _evidence(sample: Sample) -> dict[str, object]:
    return {
        k: v
        for k, v in {
            "router_ok": sample.router_ok,
            "internet_ok": sample.internet_ok,
            "loss": sample.loss,
            "dns_ok": sample.dns_ok,
            "down_mbit": sample.down_mbit,
            "plan_down_mbit": sample.plan_down_mbit,
        }.items()
        if v is not None
    }
