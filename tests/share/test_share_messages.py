"""What ``homecare share`` says (issue 12 item 8): DO_NOT_TRACK named, a refused
token is a setting to fix, automatic sharing set from the CLI, and a devices
inventory after a check does not replace the check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from homecare_lab.collector_testing import LocalCollector, start_local_collector

from homecare.cli.app import run
from homecare.cli.run_context import open_run
from homecare.collector.db import count_uploads
from homecare.share.service import load_report, maybe_auto_share
from homecare.store.history import History
from homecare.store.profile import load_profile

from .reports import simple_report


@pytest.fixture
def collector() -> Iterator[LocalCollector]:
    c = start_local_collector(rate_per_s=0)
    yield c
    c.stop()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collector: LocalCollector) -> Path:
    for var in ("DO_NOT_TRACK", "HOMECARE_PROVIDER", "HOMECARE_LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOMECARE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HOMECARE_COLLECTOR_URL", collector.url)
    monkeypatch.setenv("HOMECARE_COLLECTOR_TOKEN", collector.tokens["ingest"])
    monkeypatch.setenv("LANG", "C")
    with History.open(open_run().env.home.history_db) as h:
        h.save(simple_report())
    return tmp_path / "home"


def test_do_not_track_is_named_when_consent_is_on(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["share", "--on"]) == 0
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    capsys.readouterr()
    assert run(["share"]) == 2
    err = capsys.readouterr().err
    assert "DO_NOT_TRACK" in err and "Sharing is off" not in err


def test_a_refused_token_is_a_setting_to_fix(
    home: Path, collector: LocalCollector, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    assert run(["share", "--on"]) == 0
    monkeypatch.setenv("HOMECARE_COLLECTOR_TOKEN", "not-the-token")
    capsys.readouterr()
    assert run(["share"]) == 3
    captured = capsys.readouterr()
    assert "refused" in captured.err and "HOMECARE_COLLECTOR_TOKEN" in captured.err
    assert "when your provider can be reached" not in captured.out + captured.err
    assert count_uploads(collector.engine) == (0, 0)
    assert run(["share", "--flush"]) == 3
    # once the token is right, the queued check goes
    monkeypatch.setenv("HOMECARE_COLLECTOR_TOKEN", collector.tokens["ingest"])
    assert run(["share", "--flush"]) == 0
    assert count_uploads(collector.engine)[0] == 1


def test_automatic_sharing_can_be_set_from_the_cli(home: Path) -> None:
    assert maybe_auto_share(open_run(), simple_report()) is None
    assert run(["share", "--auto"]) == 0
    consent = load_profile(home / "config" / "profile.toml").consent
    assert consent.share is True and consent.auto_share is True
    assert maybe_auto_share(open_run(), simple_report()) is not None
    assert run(["share", "--manual"]) == 0
    assert load_profile(home / "config" / "profile.toml").consent.auto_share is False


def test_a_devices_inventory_does_not_replace_the_check(home: Path) -> None:
    check = simple_report()
    inventory = simple_report().model_copy(
        update={
            "id": "f" * 32,
            "areas": ["devices", "host"],
            "created_at": check.created_at + timedelta(minutes=5),
        }
    )
    with History.open(open_run().env.home.history_db) as h:
        h.save(inventory)
    assert load_report(open_run(), None).id == check.id
    assert load_report(open_run(), inventory.id[:8]).id == inventory.id
    assert datetime.now(UTC) > check.created_at


def test_setup_share_means_each_check_is_shared(home: Path) -> None:
    # "Share an anonymous copy of each check": it stored consent and shared nothing
    assert run(["setup", "--share", "--yes"]) == 0
    consent = load_profile(home / "config" / "profile.toml").consent
    assert consent.share is True and consent.auto_share is True
    assert maybe_auto_share(open_run(), simple_report()) is not None
    assert run(["setup", "--no-share", "--yes"]) == 0
    assert load_profile(home / "config" / "profile.toml").consent.auto_share is False
