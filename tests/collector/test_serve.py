"""The real ``homecare-collector serve`` process: announces its URL, serves the
API, optionally the LibreSpeed endpoints; migrations are safe to run twice and
concurrently."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from homecare.collector.db import make_engine
from homecare.collector.migrate import MIGRATIONS_DIR, upgrade
from homecare.collector.tokens import create_token

from .payloads import payload


def test_serve_process_with_speedtest(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "homecare.collector", "serve", "--db", str(db), "--host",
         "127.0.0.1", "--port", "0", "--speedtest-port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        speed_line = proc.stderr.readline()
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line)
        port = re.search(r"port (\d+)", speed_line)
        assert url and port, (line, speed_line)
        engine = make_engine(f"sqlite+pysqlite:///{db}")
        token = create_token(engine, "ingest", "acme")
        with httpx.Client(base_url=url.group(0), timeout=10) as c:
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
