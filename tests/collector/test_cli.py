"""``homecare-collector`` admin commands against a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from homecare.collector.cli import main
from homecare.collector.db import make_engine, sqlite_url
from homecare.collector.migrate import upgrade
from homecare.share.support_code import from_upload_id

from . import databases
from .payloads import payload
from .test_insights import seeded


def store(db: Path, items: list[dict[str, Any]]) -> None:
    engine = make_engine(sqlite_url(str(db)))
    upgrade(engine)
    databases.store(engine, items)
    engine.dispose()


def test_token_create_prints_token_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.sqlite3"
    assert main(["token", "create", "--role", "ingest", "--provider", "acme", "--db", str(db)]) == 0
    out = capsys.readouterr()
    token = out.out.strip()
    assert token.startswith("hct_") and len(token) > 40
    assert token not in db.read_bytes().decode("latin-1")


def test_show_renders_plain_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.sqlite3"
    p = payload(codes=("wifi.signal.weak", "dns.slow"), down=42.0, feedback=3)
    store(db, [p])
    code = from_upload_id(p["upload_id"])
    assert main(["show", code.lower().replace("-", ""), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert code in out and "wifi.signal.weak" in out and "problem in: wifi" in out
    assert "down 42.0" in out and "\x1b[" not in out
    assert main(["show", "HC-2222-2222", "--db", str(db)]) in (1, 2)


def test_insights_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.sqlite3"
    store(db, seeded())
    assert main(["insights", "--json", "--db", str(db)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["installations"] == 35
    assert main(["insights", "--csv", "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith("section,dimension,cohort,metric,value,hidden\n")
    assert main(["insights", "--k", "5", "--db", str(db)]) == 2


def test_show_remote_through_api(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from homecare_lab.collector_testing import start_local_collector

    c = start_local_collector(sqlite_url(str(tmp_path / "r.sqlite3")), rate_per_s=0)
    try:
        p = payload(codes=("dns.slow",))
        with c.client("ingest") as client:
            assert client.post("/v1/uploads", json=p).status_code == 201
        code = from_upload_id(p["upload_id"])
        assert main(["show", code, "--url", c.url, "--token", c.tokens["support"]]) == 0
        assert "dns.slow" in capsys.readouterr().out
        assert main(["show", code, "--url", c.url, "--token", c.tokens["ingest"]]) == 1
    finally:
        c.stop()
