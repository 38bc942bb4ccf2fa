"""Delivery rules: quiet hours and snoozes hold the person's notifications back
(never the provider's feed), an alert that recovered before anyone was told
stays silent, and the desktop commands say what they should."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest

from homecare.advise.catalogue import Catalogue
from homecare.monitor.alerts import QuietHours
from homecare.monitor.notify import Channel, DesktopChannel, MessageStyle, Notice, Notifier
from homecare.store.alerts import AlertStore
from homecare.store.samples import SampleStore

MIDNIGHT = 1_700_006_400.0  # 00:00 UTC
QUIET = QuietHours.parse("22:00-07:00")


class Recorder:
    def __init__(self, key: str, disturbs: bool = True) -> None:
        self.key, self.shown, self.disturbs = key, key, disturbs
        self.got: list[tuple[str, str]] = []

    def send(self, notice: Notice) -> str | None:
        self.got.append((notice.event, notice.code))
        return None


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AlertStore]:
    with SampleStore.open(tmp_path / "h.sqlite3") as samples:
        yield AlertStore(samples)


def notifier(store: AlertStore, *channels: Channel, quiet: QuietHours | None = QUIET) -> Notifier:
    return Notifier(
        store,
        {c.key: c for c in channels},
        Catalogue.load(),
        MessageStyle("en", "beginner"),
        UTC,
        quiet,
    )


def test_quiet_hours_hold_the_person_back_but_not_the_provider(store: AlertStore) -> None:
    person, provider = Recorder("person"), Recorder("collector", disturbs=False)
    n = notifier(store, person, provider)
    alert = store.open_alert("monitor.outage.internet", "provider", "down", {}, MIDNIGHT + 3600)
    assert alert is not None
    n.enqueue(alert, "opened", MIDNIGHT + 3600)
    n.deliver_due(MIDNIGHT + 3600)  # 01:00: quiet
    assert person.got == [] and provider.got == [("opened", "monitor.outage.internet")]
    n.deliver_due(MIDNIGHT + 8 * 3600)  # 08:00: the held notification goes out
    assert person.got == [("opened", "monitor.outage.internet")]
    n.deliver_due(MIDNIGHT + 9 * 3600)
    assert len(person.got) == 1 and len(provider.got) == 1  # once each


def test_recovered_before_anyone_was_told_stays_silent(store: AlertStore) -> None:
    person = Recorder("person")
    n = notifier(store, person)
    alert = store.open_alert("monitor.loss.high", None, "lossy", {}, MIDNIGHT + 3600)
    assert alert is not None
    n.enqueue(alert, "opened", MIDNIGHT + 3600)
    store.close_alert("monitor.loss.high", MIDNIGHT + 4000)
    n.enqueue(alert, "closed", MIDNIGHT + 4000)
    n.deliver_due(MIDNIGHT + 12 * 3600)
    assert person.got == []


def test_snooze_holds_new_alerts_of_that_kind(store: AlertStore) -> None:
    person = Recorder("person")
    n = notifier(store, person, quiet=None)
    store.snooze("monitor.dns.failing", MIDNIGHT + 7200)
    alert = store.open_alert("monitor.dns.failing", None, "names", {}, MIDNIGHT)
    assert alert is not None
    n.enqueue(alert, "opened", MIDNIGHT)
    n.deliver_due(MIDNIGHT + 60)
    assert person.got == []
    n.deliver_due(MIDNIGHT + 7300)
    assert person.got == [("opened", "monitor.dns.failing")]


def test_desktop_commands() -> None:
    argv = DesktopChannel(["notify-send", "--app-name=homecare"], "notify-send").argv("T", "-B")
    assert argv == ["notify-send", "--app-name=homecare", "--", "T", "-B"]
    mac = DesktopChannel(["osascript", "-e"], "osascript").argv('Say "hi"', "a\\b")
    assert mac[-1] == 'display notification "a\\\\b" with title "Say \\"hi\\""'
    win = DesktopChannel(["powershell", "-Command"], "toast").argv("It's down", "x")
    assert "CreateTextNode('It''s down')" in win[-1]


def test_desktop_found_on_path_and_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "args"
    tool = tmp_path / "notify-send"
    tool.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {log}\n')
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    found = DesktopChannel.find("Linux")
    assert found is not None
    assert found.send(Notice("Title", "Body", "c", "opened", None, 0.0, 1)) is None
    assert log.read_text().splitlines() == ["--app-name=homecare", "--", "Title", "Body"]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert DesktopChannel.find("Linux") is None


class Failing(Recorder):
    def send(self, notice: Notice) -> str | None:
        self.got.append((notice.event, notice.code))
        return "HTTP 500"


def test_recovery_goes_only_where_the_alert_went(store: AlertStore) -> None:
    good, bad = Recorder("good"), Failing("bad")
    n = notifier(store, good, bad, quiet=None)
    alert = store.open_alert("monitor.outage.internet", "provider", "down", {}, MIDNIGHT)
    assert alert is not None
    n.enqueue(alert, "opened", MIDNIGHT)
    n.deliver_due(MIDNIGHT)
    store.close_alert("monitor.outage.internet", MIDNIGHT + 20)
    n.enqueue(alert, "closed", MIDNIGHT + 20)
    n.deliver_due(MIDNIGHT + 7200)  # long after every backoff
    assert good.got == [
        ("opened", "monitor.outage.internet"),
        ("closed", "monitor.outage.internet"),
    ]
    assert bad.got == [("opened", "monitor.outage.internet")]  # tried once, then nothing to say
    assert store.pending(MIDNIGHT + 1e6) == []
