"""The real ``homecare-collector serve`` with several workers serves the pages,
and a session made on one worker holds on the others (one signing key for
the process group, or the one in HOMECARE_COLLECTOR_SESSION_SECRET)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from homecare.collector.db import make_engine, sqlite_url
from homecare.collector.migrate import upgrade
from homecare.collector.tokens import create_token

from .browserless import login_client


def wait_ready(base: str, timeout: float = 30.0) -> None:
    """The socket is announced before the workers have started: wait for them."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@pytest.mark.parametrize("secret", [None, "a-shared-secret-for-all-instances"])
def test_session_holds_across_workers(tmp_path: Path, secret: str | None) -> None:
    db = tmp_path / "c.sqlite3"
    engine = make_engine(sqlite_url(str(db)))
    upgrade(engine)
    token = create_token(engine, "analyst", "acme")
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if k != "HOMECARE_COLLECTOR_SESSION_SECRET"}
    if secret:
        env["HOMECARE_COLLECTOR_SESSION_SECRET"] = secret
    proc = subprocess.Popen(
        [sys.executable, "-m", "homecare.collector", "serve", "--db", str(db), "--host",
         "127.0.0.1", "--port", "0", "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
        assert url, "no listening line"
        wait_ready(url.group(0))
        with login_client(url.group(0), token) as client:
            # new connections land on either worker; every one must accept the cookie
            statuses = set()
            for _ in range(12):
                client.headers["Connection"] = "close"
                statuses.add(client.get("/console/").status_code)
            assert statuses == {200}
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
