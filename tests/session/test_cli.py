"""``homecare session list|show|compare|verify|resume`` on stored sessions.

Nothing here measures; the commands still run in a network namespace of
their own (only loopback) when ``unshare`` can make one, so a mistake could
never probe the host's network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from homecare.models.session import SessionState
from homecare.session.compare import compare
from homecare.session.report import build_document
from homecare.session.store import SessionStore

from .sessions import session


def _homecare(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    prefix = ["unshare", "--net"] if shutil.which("unshare") else []
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "homecare", "session", *args],
        env={"HOMECARE_HOME": str(home), "PATH": "/usr/bin:/bin", "COLUMNS": "150",
             "HOMECARE_LANG": "en"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    if prefix and proc.returncode != 0 and proc.stderr.startswith("unshare"):
        pytest.skip(f"cannot make a network namespace: {proc.stderr.strip()}")
    return proc


@pytest.fixture
def home(tmp_path: Path) -> Path:
    root = tmp_path / "hc"
    with SessionStore.open(root / "data" / "sessions.sqlite3") as store:
        before = session(session_id="1" * 32, dns_ok=False, signal=-72)
        store.create(before.model_copy(update={"steps": []}), "", {})
        for i, step in enumerate(before.steps):
            store.add_step(before.id, i, step)
        after = session(session_id="2" * 32, fixes=("Moved the router",))
        after = after.model_copy(update={"before_session": before.id})
        store.create(after.model_copy(update={"steps": []}), "", {})
        for i, step in enumerate(after.steps):
            store.add_step(after.id, i, step)
        half = session(session_id="3" * 32).model_copy(
            update={"steps": [], "state": SessionState.IN_PROGRESS}
        )
        store.create(half, "not = [valid", {"plan_path": "gone.toml"})
    return root


def test_list_show_and_compare(home: Path) -> None:
    listed = _homecare(home, "list")
    assert listed.returncode == 0, listed.stderr
    assert all(c * 12 in listed.stdout for c in "123") and "in_progress" in listed.stdout
    shown = _homecare(home, "show", "2222")
    assert shown.returncode == 0, shown.stderr
    assert "Moved the router" in shown.stdout and "Before and after" in shown.stdout
    compared = _homecare(home, "compare", "1111", "2222")
    assert compared.returncode == 0
    dns_row = next(line for line in compared.stdout.splitlines() if " dns " in line)
    assert "fail →" in dns_row and "pass" in dns_row
    assert "-72 dBm" not in compared.stdout and "-72" in compared.stdout


def test_unknown_ids_finished_sessions_and_bad_stored_plans(home: Path) -> None:
    assert _homecare(home, "show", "9999").returncode == 2
    finished = _homecare(home, "resume", "1111")
    assert finished.returncode == 2 and "is finished" in finished.stderr
    broken = _homecare(home, "resume", "3333")
    assert broken.returncode == 3 and "gone.toml" in broken.stderr
    assert len(broken.stderr.strip().splitlines()) == 1


def test_verify_exit_codes(tmp_path: Path, home: Path) -> None:
    doc = build_document(session(), compare(session(), session()), Ed25519PrivateKey.generate())
    good = tmp_path / "good.json"
    good.write_bytes(doc)
    ok = _homecare(home, "verify", str(good))
    assert ok.returncode == 0 and "signature valid" in ok.stdout
    bad = tmp_path / "bad.json"
    bad.write_bytes(doc.replace(b'"kitchen"', b'"attic"', 1))
    refused = _homecare(home, "verify", str(bad))
    assert refused.returncode == 1
    assert "does not match its signed digest" in refused.stderr
    assert _homecare(home, "verify", str(tmp_path / "missing.json")).returncode == 4
