"""``homecare share`` end to end on loopback: consent, --show, sending,
offline spooling, --flush, --off (purge + remote deletion) and a process
killed mid-upload that loses nothing and stores nothing twice."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from homecare_lab.collector_testing import LocalCollector, start_local_collector
from starlette.requests import Request
from starlette.responses import Response

from homecare.cli.app import run
from homecare.cli.run_context import open_run
from homecare.collector.app import create_app
from homecare.collector.db import count_uploads, make_engine, sqlite_url
from homecare.collector.migrate import upgrade
from homecare.collector.server import start_background
from homecare.collector.settings import CollectorSettings
from homecare.collector.tokens import create_token
from homecare.share.service import build_payload, maybe_auto_share
from homecare.share.support_code import from_upload_id
from homecare.store.history import History
from homecare.store.profile import load_profile, save_profile

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
    paths = open_run().env.home
    with History.open(paths.history_db) as h:
        h.save(simple_report())
    return tmp_path / "home"


def spool_files(home: Path) -> list[Path]:
    return [p for p in (home / "state" / "spool").glob("*.json") if p.name != "stats.json"]


def test_nothing_leaves_without_consent(
    home: Path, collector: LocalCollector, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["share", "--show"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["findings"][0]["code"] == "dns.slow"
    assert run(["share"]) == 2
    assert "homecare share --on" in capsys.readouterr().err
    assert count_uploads(collector.engine) == (0, 0) and spool_files(home) == []


def test_do_not_track_wins(
    home: Path, collector: LocalCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(["share", "--on"]) == 0
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    assert run(["share"]) == 2
    assert count_uploads(collector.engine) == (0, 0) and spool_files(home) == []


def test_share_prints_code_and_stores_once(
    home: Path, collector: LocalCollector, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["share", "--on"]) == 0
    profile = load_profile(home / "config" / "profile.toml")
    assert profile.consent.share is True and profile.consent.share_given_at is not None
    assert run(["share"]) == 0
    assert run(["share", "--id", simple_report().id[:8]]) == 0
    out = capsys.readouterr().out
    codes = [
        line.split(": ")[1] for line in out.splitlines() if line.startswith("Your support code")
    ]
    assert len(codes) == 2 and codes[0] == codes[1]
    assert count_uploads(collector.engine) == (1, 1)
    with collector.client("support") as c:
        assert c.get(f"/v1/results/{codes[0]}").status_code == 200
    assert spool_files(home) == []
    secret = home / "state" / "share-secret"
    assert secret.stat().st_mode & 0o777 == 0o600


def test_offline_then_flush(
    home: Path,
    collector: LocalCollector,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["share", "--on"]) == 0
    monkeypatch.setenv("HOMECARE_COLLECTOR_URL", "http://127.0.0.1:9")  # discard port: refused
    assert run(["share"]) == 0
    assert "Saved" in capsys.readouterr().out
    assert len(spool_files(home)) == 1
    monkeypatch.setenv("HOMECARE_COLLECTOR_URL", collector.url)
    assert run(["share", "--flush"]) == 0
    assert "Sent: 1" in capsys.readouterr().out
    assert spool_files(home) == [] and count_uploads(collector.engine) == (1, 1)


def test_off_purges_and_deletes_remotely(
    home: Path, collector: LocalCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(["share", "--on"]) == 0
    assert run(["share"]) == 0
    monkeypatch.setenv("HOMECARE_COLLECTOR_URL", "http://127.0.0.1:9")
    with History.open(home / "data" / "history.sqlite3") as h:
        h.save(simple_report("abcdefabcdefabcdefabcdefabcdefab"))
    assert run(["share"]) == 0 and len(spool_files(home)) == 1
    monkeypatch.setenv("HOMECARE_COLLECTOR_URL", collector.url)
    assert run(["share", "--off"]) == 0
    assert spool_files(home) == []
    assert count_uploads(collector.engine) == (0, 0)
    assert load_profile(home / "config" / "profile.toml").consent.share is False
    assert not (home / "state" / "share-secret").exists()  # a new installation id next time


def test_off_while_offline_retries_deletion_on_flush(
    home: Path, collector: LocalCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(["share", "--on"]) == 0
    assert run(["share"]) == 0
    monkeypatch.setenv("HOMECARE_COLLECTOR_URL", "http://127.0.0.1:9")
    assert run(["share", "--off"]) == 0
    assert count_uploads(collector.engine) == (1, 1)
    assert (home / "state" / "pending-delete.json").exists()
    monkeypatch.setenv("HOMECARE_COLLECTOR_URL", collector.url)
    assert run(["share", "--flush"]) == 0
    assert count_uploads(collector.engine) == (0, 0)
    assert not (home / "state" / "pending-delete.json").exists()


def test_maybe_auto_share(home: Path, collector: LocalCollector) -> None:
    session = open_run()
    assert maybe_auto_share(session, simple_report()) is None  # never asked
    person = session.person.with_consent(share=True)
    person = person.model_copy(
        update={"consent": person.consent.model_copy(update={"auto_share": True})}
    )
    save_profile(home / "config" / "profile.toml", person)
    code = maybe_auto_share(open_run(), simple_report())
    assert code is not None and count_uploads(collector.engine) == (1, 1)


def test_killed_mid_upload_loses_nothing_and_stores_once(home: Path, tmp_path: Path) -> None:
    """The collector stores the upload but answers slowly; the client is killed
    before the answer. A later --flush resends it: one row, empty spool."""
    url = sqlite_url(str(tmp_path / "slow.sqlite3"))
    engine = make_engine(url)
    upgrade(engine)
    app = create_app(CollectorSettings(database_url=url, rate_per_s=0), engine)

    @app.middleware("http")
    async def slow_answer(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        if request.url.path == "/v1/uploads":
            await asyncio.sleep(2.0)
        return response

    server = start_background(app)
    token = create_token(engine, "ingest", "acme")
    env = {
        **os.environ,
        "HOMECARE_HOME": str(home),
        "HOMECARE_COLLECTOR_URL": server.url,
        "HOMECARE_COLLECTOR_TOKEN": token,
    }
    try:
        assert run(["share", "--on"]) == 0
        proc = subprocess.Popen(
            [sys.executable, "-m", "homecare", "share"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while count_uploads(engine)[0] == 0:
            assert time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert len(spool_files(home)) == 1  # not acknowledged, so still spooled
        done = subprocess.run(
            [sys.executable, "-m", "homecare", "share", "--flush"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "Sent: 1" in done.stdout
        assert spool_files(home) == []
        assert count_uploads(engine) == (1, 1)
        with engine.connect() as conn:
            stored = conn.exec_driver_sql("SELECT id, support_code FROM uploads").one()
        expected = build_payload(open_run(), simple_report())["upload_id"]
        assert tuple(stored) == (expected, from_upload_id(expected))
    finally:
        server.stop()
        engine.dispose()


def test_off_with_a_damaged_key_still_erases_at_the_collector(
    home: Path, collector: LocalCollector, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14 item 7: a 0-byte key (a crash between create and write) used
    to make the deletion impossible; now it is reported and still sent."""
    assert run(["share", "--on"]) == 0
    assert run(["share"]) == 0
    assert count_uploads(collector.engine) == (1, 1)
    (home / "state" / "share-secret").write_bytes(b"")
    capsys.readouterr()
    assert run(["share", "--off"]) == 0
    out = capsys.readouterr().out
    assert "damaged" in out and "deleted the results" in out
    assert count_uploads(collector.engine) == (0, 0)
    assert not (home / "state" / "pending-delete.json").exists()
