"""The real ``homecare-collector serve`` process: announces its URL, serves the
API, optionally the LibreSpeed endpoints; migrations are safe to run twice and
concurrently."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from homecare.collector.db import count_uploads, make_engine
from homecare.collector.migrate import MIGRATIONS_DIR, upgrade
from homecare.collector.tokens import create_token

from .payloads import payload


def test_serve_process_with_speedtest(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    proc, url = _serve(db, "--speedtest-port", "0")
    try:
        assert proc.stderr is not None
        speed_line = proc.stderr.readline()
        port = re.search(r"port (\d+)", speed_line)
        assert port, speed_line
        engine = make_engine(f"sqlite+pysqlite:///{db}")
        token = create_token(engine, "ingest", "acme")
        with httpx.Client(base_url=url, timeout=10) as c:
            assert c.get("/healthz").json() == {"status": "ok"}
            r = c.post("/v1/uploads", json=payload(), headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 201
        r = httpx.get(f"http://127.0.0.1:{port.group(1)}/backend/getIP.php", timeout=10)
        assert r.json()["processedString"] == "127.0.0.1"
        engine.dispose()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(15)


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def test_migrations_idempotent_and_concurrent(db_url: str) -> None:
    engine = make_engine(db_url)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            upgrade(engine)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    upgrade(engine)
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == head_revision()
    engine.dispose()


def _serve(db: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "homecare.collector",
            "serve",
            "--db",
            str(db),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    found = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
    assert found, proc.stderr.read() if proc.stderr else ""
    return proc, found.group(0)


def test_graceful_shutdown_drains_an_upload_in_flight(tmp_path: Path) -> None:
    """SIGTERM while an upload's body is half sent: the upload completes and is stored."""
    import socket
    from urllib.parse import urlsplit

    db = tmp_path / "c.sqlite3"
    proc, url = _serve(db)
    engine = make_engine(f"sqlite+pysqlite:///{db}")
    token = create_token(engine, "ingest", "acme")
    body = json.dumps(payload()).encode()
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=20)
    try:
        sock.sendall(
            b"POST /v1/uploads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body[:100]
        )
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert proc.poll() is None  # still draining
        sock.sendall(body[100:])
        answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    finally:
        sock.close()
        proc.wait(20)
    assert count_uploads(engine) == (1, 1)
    engine.dispose()


def test_serve_with_two_workers(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    proc, url = _serve(db, "--workers", "2")
    try:
        engine = make_engine(f"sqlite+pysqlite:///{db}")
        token = create_token(engine, "ingest", "acme")
        with httpx.Client(base_url=url, timeout=20) as c:
            deadline = time.monotonic() + 30
            while True:  # the workers start after the parent announced the socket
                try:
                    assert c.get("/healthz").status_code == 200
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline
            codes = [
                c.post(
                    "/v1/uploads", json=payload(n), headers={"Authorization": f"Bearer {token}"}
                ).status_code
                for n in range(20)
            ]
        assert codes == [201] * 20
        assert count_uploads(engine) == (20, 20)
        engine.dispose()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
