"""Sharing survives its own damaged files (issue 14 items 7 and 9).

* The key is created atomically: a process killed while creating it leaves
  no key or a whole one, never the 0-byte file that made ``share --off``
  unable to erase anything.
* A damaged key is reported, and the deletion is queued all the same.
* One odd spool or stats file is moved aside by its own path; a check never
  fails because of sharing; orphaned temp files are cleaned.

No network: the collector URL is a closed port on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from homecare.cli.app import run
from homecare.cli.run_context import open_run
from homecare.share.secret import (
    INSTALLATION_FILE,
    SECRET_FILE,
    installation_id,
    load_or_create_secret,
)
from homecare.share.service import maybe_auto_share
from homecare.share.spool import ORPHAN_AGE_S, STATS_FILE, Outcome, SendResult, Spool
from homecare.store.history import History
from homecare.store.profile import load_profile, save_profile

from .reports import simple_report

CLOSED_PORT_URL = "http://127.0.0.1:9/"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("DO_NOT_TRACK", "HOMECARE_PROVIDER", "HOMECARE_LANG", "HOMECARE_COLLECTOR_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOMECARE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LANG", "C")
    with History.open(open_run().env.home.history_db) as h:
        h.save(simple_report())
    return tmp_path / "home"


KILL_WHILE_CREATING = """
import os, signal, sys
from pathlib import Path
import homecare.share.secret as secret
real = secret.secrets.token_bytes
def die(n):
    os.kill(os.getpid(), signal.SIGKILL)
    return real(n)
secret.secrets.token_bytes = die
secret.load_or_create_secret(Path(sys.argv[1]))
"""


def test_a_process_killed_while_creating_the_key_leaves_no_partial_key(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", KILL_WHILE_CREATING, str(tmp_path)], check=False)
    assert proc.returncode == -signal.SIGKILL
    assert not (tmp_path / SECRET_FILE).exists()
    key = load_or_create_secret(tmp_path)  # the next run simply creates one
    assert len(key) == 32
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o777 == 0o600
    assert (tmp_path / INSTALLATION_FILE).read_text().strip() == installation_id(key)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_off_with_a_damaged_key_reports_it_and_queues_the_deletion(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["share", "--on"]) == 0
    assert run(["share", "--show"]) == 0  # creates the key (and records the id)
    state = home / "state"
    inst = (state / INSTALLATION_FILE).read_text().strip()
    (state / SECRET_FILE).write_bytes(b"")  # what a crash used to leave
    capsys.readouterr()
    assert run(["share", "--off"]) == 0
    out = capsys.readouterr().out
    assert "damaged" in out
    assert json.loads((state / "pending-delete.json").read_text()) == [inst]
    assert load_profile(home / "config" / "profile.toml").consent.share is False
    assert not (state / SECRET_FILE).exists()
    assert list(state.glob(f"{SECRET_FILE}.corrupt-*"))
    # sharing can start again, with a new installation
    assert run(["share", "--on"]) == 0
    assert run(["share", "--show"]) == 0
    assert (state / INSTALLATION_FILE).read_text().strip() != inst


def test_share_with_a_damaged_key_is_one_line_and_exit_4(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["share", "--on"]) == 0
    (home / "state").mkdir(parents=True, exist_ok=True)
    (home / "state" / SECRET_FILE).write_text("zz\n")
    capsys.readouterr()
    assert run(["share", "--show"]) == 4
    (line,) = capsys.readouterr().err.splitlines()
    assert "damaged" in line and "share --off" in line


def _spool(tmp_path: Path) -> Spool:
    return Spool(tmp_path / "spool")


def _payload(n: int) -> dict[str, Any]:
    return {"upload_id": f"00000000-0000-8000-8000-{n:012d}", "n": n}


@pytest.mark.parametrize(
    "content",
    [b"[]", b'{"id": "x"}', b'{"id": 5, "payload": {}, "spooled_at": 1}', b"\xff\xfe", b"{"],
)
def test_an_odd_spool_file_is_moved_aside_by_its_own_path(tmp_path: Path, content: bytes) -> None:
    s = _spool(tmp_path)
    s.add(_payload(1))
    odd = s.dir / "not-an-envelope.json"
    odd.write_bytes(content)
    sent: list[Any] = []

    def deliver(payload: dict[str, Any]) -> SendResult:
        sent.append(payload)
        return SendResult(Outcome.DELIVERED)

    report = s.flush(deliver)
    assert [p["n"] for p in sent] == [1] and len(report.delivered) == 1
    assert not odd.exists()
    (aside,) = s.dir.glob("not-an-envelope.json.corrupt-*")
    assert aside.read_bytes() == content
    assert s.stats()["dropped_damaged"] == 1
    assert s.flush(lambda p: SendResult(Outcome.DELIVERED)).delivered == []


@pytest.mark.parametrize(
    "content",
    [b"[1, 2]", b'{"blocked_until": "soon", "delivered": "many"}', b'"x"', b"{"],
)
def test_an_odd_stats_file_does_not_stop_sharing(tmp_path: Path, content: bytes) -> None:
    s = _spool(tmp_path)
    s.add(_payload(1))
    (s.dir / STATS_FILE).write_bytes(content)
    report = s.flush(lambda p: SendResult(Outcome.DELIVERED))
    assert len(report.delivered) == 1
    assert s.stats()["delivered"] == 1


def test_orphaned_temp_files_are_cleaned_but_a_fresh_one_is_left(tmp_path: Path) -> None:
    s = _spool(tmp_path)
    s.add(_payload(1))
    old = s.dir / ".abc.json.k2j3h4"
    fresh = s.dir / ".def.json.9x8y7z"
    old.write_text("{half")
    fresh.write_text("{half")
    past = time.time() - ORPHAN_AGE_S - 60
    os.utime(old, (past, past))
    s.flush(lambda p: SendResult(Outcome.DELIVERED))
    assert not old.exists() and fresh.exists()


def test_a_check_never_fails_because_of_sharing(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOMECARE_COLLECTOR_URL", CLOSED_PORT_URL)
    session = open_run()
    profile = session.person.with_consent(share=True)
    profile.consent.auto_share = True
    save_profile(session.env.home.profile_file, profile)
    session = open_run()
    spool = session.env.home.spool_dir
    spool.mkdir(parents=True, exist_ok=True)
    (spool / "odd.json").write_text("[]")
    (spool / STATS_FILE).write_text('{"blocked_until": "never"}')
    code = maybe_auto_share(session, simple_report())
    assert code is not None  # spooled; sending failed quietly
    assert list(spool.glob("odd.json.corrupt-*"))
    (session.env.home.state_dir / SECRET_FILE).write_text("")
    assert maybe_auto_share(session, simple_report()) is None


def test_a_damaged_deletion_queue_is_kept_aside_and_the_new_request_queued(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["share", "--on"]) == 0
    assert run(["share", "--show"]) == 0
    state = home / "state"
    inst = (state / INSTALLATION_FILE).read_text().strip()
    (state / "pending-delete.json").write_text('{"not": "a list"}')
    assert run(["share", "--off"]) == 0
    assert json.loads((state / "pending-delete.json").read_text()) == [inst]
    (aside,) = state.glob("pending-delete.json.corrupt-*")
    assert aside.read_text() == '{"not": "a list"}'


def test_off_also_removes_payloads_kept_aside(tmp_path: Path) -> None:
    s = _spool(tmp_path)
    s.add(_payload(1))
    (s.dir / "odd.json").write_text("[]")
    s.pending()
    assert list(s.dir.glob("odd.json.corrupt-*"))
    s.purge()
    assert [p.name for p in s.dir.glob("*.json*")] == [STATS_FILE]  # counters only
