# ruff: noqa: F811  (the canned/home fixtures are imported from test_cli)
"""``homecare monitor``, ``alerts``, ``history trends`` and ``report`` through the CLI,
with canned probes (no packet leaves the machine) and a real local HTTP endpoint
on 127.0.0.1 for the notifications."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from homecare.cli.app import run
from homecare.status import ExitStatus
from homecare.store.alerts import AlertStore
from homecare.store.samples import SampleStore

from ..factories import reach
from .test_cli import Canned, canned, home  # noqa: F401  (fixtures)

FAST = ["--every", "1", "--no-speed", "--no-wifi", "--no-discovery", "--no-desktop"]


class Endpoint:
    """An HTTP endpoint on loopback answering every POST with *status*."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.bodies: list[dict[str, object]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.bodies.append(json.loads(body))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint_500() -> Iterator[Endpoint]:
    e = Endpoint(500)
    yield e
    e.close()


def db(home: Path) -> Path:
    return home / "data" / "history.sqlite3"


def test_monitor_runs_for_a_while_and_status_tells(
    canned: Canned, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["monitor", "run", *FAST, "--for", "2.5"]) == 0
    out = capsys.readouterr().out
    assert "router ok, internet ok" in out
    with SampleStore.open(db(home)) as store:
        assert store.count() == 3
    assert run(["monitor", "status"]) == 0
    status = capsys.readouterr().out
    assert "No monitor is running." in status and "Last sample" in status
    assert "0 open alert(s)." in status


def test_failing_notification_url_is_retried_and_never_stops_monitoring(
    canned: Canned, home: Path, endpoint_500: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    canned.data["reachability"] = reach(inet_received=0)
    refused = "json://127.0.0.1:9/"  # nothing listens on the discard port
    argv = ["monitor", "run", *FAST, "--for", "5.5", "--alert-after", "2"]
    assert run([*argv, "--notify", endpoint_500.url, "--notify", refused]) == 0
    out = capsys.readouterr().out
    assert "ALERT #1 monitor.outage.internet" in out
    with SampleStore.open(db(home)) as store:
        assert store.count() == 6  # every sample was taken although delivery failed
        deliveries = AlertStore(store).deliveries()
    assert len(deliveries) == 2
    assert all(d.delivered_at is None and d.attempts == 1 and d.last_error for d in deliveries)
    assert len(endpoint_500.bodies) == 1  # the next try waits (backoff), it is not hammered
    assert run(["monitor", "status"]) == 0
    status = capsys.readouterr().out
    assert "1 open alert(s). #1 monitor.outage.internet" in status
    assert status.count("Not delivered yet to json://127.0.0.1:") == 2


def test_alerts_list_ack_snooze_and_bad_duration(
    canned: Canned, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    canned.data["reachability"] = reach(inet_received=0)
    assert run(["monitor", "run", *FAST, "--for", "3.5", "--alert-after", "2"]) == 0
    capsys.readouterr()
    assert run(["alerts"]) == 0
    assert "#1  monitor.outage.internet  open since" in capsys.readouterr().out
    assert run(["alerts", "ack", "1"]) == 0
    assert run(["alerts", "snooze", "1", "2h"]) == 0
    capsys.readouterr()
    assert run(["alerts", "list"]) == 0
    listed = capsys.readouterr().out
    assert "acknowledged" in listed and "snoozed until" in listed
    assert run(["alerts", "snooze", "1", "soon"]) == ExitStatus.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "30m, 2h, 1d or 1w" in err
    assert run(["alerts", "ack", "99"]) == ExitStatus.USAGE


def test_trends_and_report_from_the_cli(
    canned: Canned, home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(["history", "trends", "--plain"]) == 0
    assert "No samples yet" in capsys.readouterr().out
    assert run(["monitor", "run", *FAST, "--for", "1.5"]) == 0
    assert run(["history", "trends", "--plain", "--days", "1"]) == 0
    assert "Outages: 0" in capsys.readouterr().out
    page = tmp_path / "out" / "report.html"
    assert run(["report", "--html", str(page), "--theme", "high-contrast"]) == 0
    assert "--base: 22px" in page.read_text()


def test_provider_feed_only_with_consent_and_without_do_not_track(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from homecare.cli.monitor_cmd import _collector_channel
    from homecare.cli.run_context import open_run
    from homecare.context import Environment

    provider = home / "isp.toml"
    provider.write_text('name = "ISP"\ncollector_url = "http://127.0.0.1:9"\n')
    monkeypatch.setenv("HOMECARE_PROVIDER", str(provider))
    profile = home / "config" / "profile.toml"
    profile.parent.mkdir(parents=True, exist_ok=True)
    assert _collector_channel(open_run(env=Environment())) is None  # never asked
    profile.write_text("[consent]\nshare = false\n")
    assert _collector_channel(open_run(env=Environment())) is None
    profile.write_text("[consent]\nshare = true\n")
    assert _collector_channel(open_run(env=Environment())) is not None
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    assert _collector_channel(open_run(env=Environment())) is None
