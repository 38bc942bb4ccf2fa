"""Telling the person: apprise URLs and the desktop, retried, never in the way.

Each alert event is queued once per channel in the history (see
:class:`homecare.store.alerts.AlertStore`); every monitor tick delivers what
is due. A channel that fails (DNS error, HTTP 500, timeout) is retried with
a growing wait and its last error is shown by ``monitor status``; it never
stops the monitor. Quiet hours hold notifications back until they end, and
a snoozed alert waits until its snooze ends. URLs can hold tokens, so only a
masked form and a hash are stored; the URLs themselves stay in the profile.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Protocol

from homecare.advise.catalogue import Catalogue
from homecare.errors import UsageError
from homecare.i18n import _
from homecare.monitor.alerts import QuietHours
from homecare.store.alerts import AlertStore, Delivery, channel_key

DESKTOP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Notice:
    """One alert event as a channel receives it."""

    title: str
    body: str
    code: str
    event: str  # "opened" | "closed"
    segment: str | None
    at: float
    alert_id: int


class Channel(Protocol):
    key: str
    shown: str
    #: False for the provider's feed: quiet hours and snoozes are the person's
    disturbs: bool

    def send(self, notice: Notice) -> str | None:
        """Deliver; None when delivered, else the error in one line."""
        ...


class AppriseChannel:
    """Any apprise URL: email, ntfy, Matrix, Telegram, json:// webhooks, ..."""

    def __init__(self, url: str) -> None:
        import apprise

        self._apprise = apprise.Apprise()
        if not self._apprise.add(url):
            raise UsageError(
                _("Not a notification URL apprise knows: {url}").format(url=_masked_guess(url))
            )
        self.key = channel_key(url)
        self.disturbs = True
        self.shown = str(self._apprise[0].url(privacy=True)).split("?")[0]  # type: ignore[no-untyped-call]

    def send(self, notice: Notice) -> str | None:
        import apprise

        title, body = notice.title, notice.body
        with apprise.LogCapture(level=apprise.logging.WARNING) as logs:  # type: ignore[no-untyped-call]
            try:
                ok = self._apprise.notify(title=title, body=body)
            except Exception as exc:  # a plugin bug must not stop the monitor
                return f"{type(exc).__name__}: {exc}"
            text = logs.getvalue() if hasattr(logs, "getvalue") else ""
        if ok:
            return None
        lines = [line.strip() for line in str(text).splitlines() if line.strip()]
        return lines[-1] if lines else _("the notification was not accepted")


class DesktopChannel:
    """The desktop's own notifications, when a way to show them exists."""

    key = "desktop"
    shown = "desktop"
    disturbs = True

    def __init__(self, argv_prefix: Sequence[str], style: str) -> None:
        self._prefix = list(argv_prefix)
        self._style = style

    @classmethod
    def find(cls, system: str | None = None) -> DesktopChannel | None:
        system = system or platform.system()
        if system == "Darwin" and (tool := shutil.which("osascript")):
            return cls([tool, "-e"], "osascript")
        if system == "Windows" and (tool := shutil.which("powershell")):
            return cls([tool, "-NoProfile", "-Command"], "toast")
        if tool := shutil.which("notify-send"):
            return cls([tool, "--app-name=homecare"], "notify-send")
        return None

    def argv(self, title: str, body: str) -> list[str]:
        if self._style == "osascript":
            script = f"display notification {_applescript(body)} with title {_applescript(title)}"
            return [*self._prefix, script]
        if self._style == "toast":
            return [*self._prefix, _toast_script(title, body)]
        return [*self._prefix, "--", title, body]

    def send(self, notice: Notice) -> str | None:
        try:
            proc = subprocess.run(
                self.argv(notice.title, notice.body),
                capture_output=True,
                text=True,
                timeout=DESKTOP_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return str(exc)
        if proc.returncode != 0:
            return (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        return None


@dataclass(frozen=True)
class MessageStyle:
    language: str
    skill: str


def message_for(
    code: str, event: str, summary: str, catalogue: Catalogue, style: MessageStyle
) -> tuple[str, str]:
    """Title and body: the alert's summary plus the catalogue's explanation of its code."""
    entry = catalogue.entry(code, style.language, style.skill)
    if event == "closed":
        name = entry.title if entry else code
        return _("Resolved: {title}").format(title=name), _(
            "This is back to normal. Nothing more to do."
        )
    if entry is None:
        return summary, summary
    lines = [summary, entry.why]
    if entry.steps:
        lines.append(_("First: {step}").format(step=entry.steps[0].text))
    return entry.title, "\n".join(lines)


@dataclass
class Notifier:
    """Delivers queued alert events to the configured channels."""

    store: AlertStore
    channels: Mapping[str, Channel]
    catalogue: Catalogue
    style: MessageStyle
    tz: tzinfo
    quiet: QuietHours | None = None

    def enqueue(self, alert_id: int, event: str, at: float) -> None:
        """Queue *event* for every channel; a recovery only goes where the alert went
        (a channel that was never told it was down is not told it is back)."""
        shown = {key: channel.shown for key, channel in self.channels.items()}
        if event == "closed":
            told = self.store.delivered_to(alert_id, "opened")
            for key in set(shown) - told:
                self.store.cancel(alert_id, "opened", key)
            shown = {k: v for k, v in shown.items() if k in told}
        if shown:
            self.store.enqueue(alert_id, event, shown, at)

    def deliver_due(self, now: float) -> int:
        """Try every due delivery once; returns how many were delivered."""
        quiet = self.quiet is not None and self.quiet.contains(now, self.tz)
        delivered = 0
        for item in self.store.pending(now):
            channel = self.channels.get(item.channel_key)
            alert = self.store.get(item.alert_id)
            if channel is None or alert is None:
                continue  # a channel configured by another run, or a removed alert
            if channel.disturbs and (
                quiet or (item.event == "opened" and self.store.snoozed_until(alert.code, now))
            ):
                continue  # held back, delivered when the quiet hours or the snooze end
            title, body = message_for(
                alert.code, item.event, alert.summary, self.catalogue, self.style
            )
            at = alert.closed_at if item.event == "closed" and alert.closed_at else alert.opened_at
            notice = Notice(title, body, alert.code, item.event, alert.segment, at, alert.id)
            error = _send(channel, notice)
            self.store.record(item, now, error)
            delivered += error is None
        return delivered


def _send(channel: Channel, notice: Notice) -> str | None:
    try:
        return channel.send(notice)
    except Exception as exc:  # never let one channel stop monitoring
        return f"{type(exc).__name__}: {exc}"


def failing(deliveries: Sequence[Delivery]) -> list[Delivery]:
    """Deliveries still waiting after at least one failed try (for ``monitor status``)."""
    return [d for d in deliveries if d.delivered_at is None and d.last_error]


def _masked_guess(url: str) -> str:
    scheme, _sep, rest = url.partition("://")
    return f"{scheme}://…" if rest else url


def _applescript(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toast_script(title: str, body: str) -> str:
    def ps(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    return (
        "[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, "
        "ContentType = WindowsRuntime] > $null; "
        "$t = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent("
        "[Windows.UI.Notifications.ToastTemplateType]::ToastText02); "
        "$x = $t.GetElementsByTagName('text'); "
        f"$x.Item(0).AppendChild($t.CreateTextNode({ps(title)})) > $null; "
        f"$x.Item(1).AppendChild($t.CreateTextNode({ps(body)})) > $null; "
        "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier('homecare')"
        ".Show([Windows.UI.Notifications.ToastNotification]::new($t))"
    )
