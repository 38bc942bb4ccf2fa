"""Fixtures for the desk and console: a collector on 127.0.0.1 with a seeded
provider, and headless Debian Chromium driven by playwright.

Chromium runs with --disable-background-networking and loads pages from the
loopback collector only. Screenshots go to ``tests/collector/web/artifacts/``
(gitignored); the folder is printed at the end of the run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from homecare_lab.browser import headless_chromium, why_no_browser

from homecare.collector.db import sqlite_url

from ..conftest import Collector, start_collector
from ..payloads import installation, payload

HERE = Path(__file__).parent
ARTIFACTS = HERE / "artifacts"
# the one Chromium launcher and its flags (lab/homecare_lab/browser.py)
SMALL_VENDOR = "TinyCo"  # a cohort of 3 installations: must never show
SESSION_SECRET = bytes(range(32))  # the visited home's sharing key


@dataclass
class Seeded:
    collector: Collector
    codes: dict[str, str] = field(default_factory=dict)  # name -> support code

    @property
    def url(self) -> str:
        return self.collector.url


def sender(body: dict[str, Any]) -> str:
    """A documentation-range address of its own /24 per installation, passed as
    X-Forwarded-For from the trusted loopback proxy (text only: nothing is sent
    there), so each home counts as its own sender network."""
    n = int(body["installation_id"][:4], 16)
    return f"198.{18 + n % 2}.{n // 2 % 256}.7"


def upload(c: Collector, body: dict[str, Any]) -> str:
    with c.client(c.ingest) as client:
        r = client.post("/v1/uploads", json=body, headers={"X-Forwarded-For": sender(body)})
        assert r.status_code == 201, r.text
        code: str = r.json()["support_code"]
        return code


def seed(c: Collector) -> dict[str, str]:
    """14 AVM/5 GHz homes with weak Wi-Fi, 12 Zyxel/2.4 GHz homes with slow DNS,
    3 TinyCo/6 GHz homes (below k); home 0 has three checks over three weeks."""
    codes: dict[str, str] = {}
    for i in range(14):
        body = payload(i, down=60.0 + i, feedback=2 + i % 3, offer="mesh-kit", taken=i < 11)
        upload(c, body)
    for i in range(100, 112):
        body = payload(
            i, vendor="Zyxel", band="2.4GHz", tier="dsl-50", codes=("dns.slow",), down=30.0 + i % 7
        )
        body["cohort"]["plan_down_mbps"] = 50.0
        body["created_at"] = f"2026-05-{1 + i % 20:02d}T{(i * 5) % 24:02d}:15:00Z"
        upload(c, body)
    for i in range(200, 203):
        upload(c, payload(i, vendor=SMALL_VENDOR, band="6GHz", tier="gig-1000"))
    for week, day in enumerate(("2026-04-10", "2026-04-17")):
        body = payload(0, codes=("wifi.signal.weak",))
        body["created_at"] = f"{day}T08:0{week}:00Z"
        codes[f"earlier{week}"] = upload(c, body)
    newest = payload(0, codes=("wifi.signal.weak", "dns.slow"), feedback=2)
    newest["created_at"] = "2026-05-02T19:45:00Z"
    newest["advice"] = {
        "skill": "intermediate",
        "shown": [
            {"code": "wifi.signal.weak", "escalated": False},
            {"code": "dns.slow", "escalated": False},
        ],
        "tried": [{"code": "wifi.signal.weak", "steps": [1]}],
    }
    codes["newest"] = upload(c, newest)
    assert newest["installation_id"] == installation(0)
    seed_alerts(c, installation(0))
    codes.update(seed_sessions(c))
    return codes


def seed_alerts(c: Collector, inst: str) -> None:
    """Two monitoring alerts of home 0 through the alert feed API: the internet
    went down and came back; the Wi-Fi is still weak."""
    events = [
        ("a1a1a1a1a1a1a1a1", "opened", "monitor.internet.down", "provider", "2026-05-02T03:10:00Z"),
        ("a1a1a1a1a1a1a1a1", "closed", "monitor.internet.down", "provider", "2026-05-02T03:25:00Z"),
        ("b2b2b2b2b2b2b2b2", "opened", "monitor.wifi.weak", "wifi", "2026-05-02T19:00:00Z"),
    ]
    with c.client(c.ingest) as client:
        for key, event, code, segment, at in events:
            body = {"alert": key, "event": event, "code": code, "segment": segment, "at": at}
            r = client.post(f"/v1/installations/{inst}/alerts", json=body)
            assert r.status_code == 201, r.text


def seed_sessions(c: Collector) -> dict[str, str]:
    """A repair visit before and after (job JOB-42, signed by a registered
    technician through POST /v1/sessions) and a check from the same home."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "session"))
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from sessions import session  # type: ignore[import-not-found,unused-ignore]

    from homecare.collector.sessions_db import add_technician
    from homecare.session.keys import public_key_text
    from homecare.session.output import build_upload
    from homecare.session.report import sign_body
    from homecare.share.secret import installation_id

    key = Ed25519PrivateKey.generate()
    add_technician(c.engine, "acme", "Ana Técnica", public_key_text(key))
    before = session(session_id="1" * 32, job="JOB-42", dns_ok=False, signal=-72)
    after = session(session_id="2" * 32, job="JOB-42", fixes=("Restarted the router",))
    after = after.model_copy(update={"before_session": before.id})
    codes = {}
    with c.client(c.ingest) as client:
        for name, s in (("session_before", before), ("session_after", after)):
            body = sign_body({"upload": build_upload(s, SESSION_SECRET)}, key)
            r = client.post("/v1/sessions", json=body)
            assert r.status_code == 201, r.text
            codes[name] = r.json()["support_code"]
    check = payload("visited", codes=("dns.slow",))
    check["installation_id"] = installation_id(SESSION_SECRET)
    codes["visited_home"] = upload(c, check)
    return codes


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    url = sqlite_url(str(tmp_path_factory.mktemp("web") / "c.sqlite3"))
    c = start_collector(
        url,
        rate_per_s=0,
        session_secret="test-secret-" + "x" * 20,
        trusted_proxies=("127.0.0.1",),
        source_rate_per_s=0,
    )
    try:
        yield Seeded(c, seed(c))
    finally:
        c.server.stop()
        c.engine.dispose()


def skip_without_browser() -> None:
    if reason := why_no_browser():
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    skip_without_browser()
    with headless_chromium() as b:
        yield b


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from tests/collector/web/node_modules (``npm ci`` on first use)."""
    script = HERE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so axe-core cannot be installed")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0 or not script.exists():
            pytest.skip(f"npm ci for axe-core failed: {done.stderr.strip()[-200:]}")
    return script.read_text(encoding="utf-8")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if ARTIFACTS.is_dir() and any(ARTIFACTS.iterdir()):
        terminalreporter.write_line(f"desk/console screenshots: {ARTIFACTS}")
