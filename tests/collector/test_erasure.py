"""A customer's erasure (``DELETE /v1/installations/{id}``) removes everything
the collector holds about that installation: its uploads, its technician
sessions (indexed by installation since migration 0007) and its alert
events, on SQLite and PostgreSQL, and nothing of any other installation or
provider."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from homecare.collector.alerts_db import alert_events, insert_alert_event
from homecare.collector.cli import main as collector_main
from homecare.collector.db import count_uploads
from homecare.collector.sessions_db import find_sessions_by_installation, tech_sessions
from homecare.session.keys import public_key_text
from homecare.session.output import build_upload
from homecare.session.report import sign_body
from homecare.share.secret import installation_id

from .conftest import Collector
from .payloads import payload

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session"))
from sessions import session  # type: ignore[import-not-found,unused-ignore]

KEY = Ed25519PrivateKey.generate()
GONE_SECRET, KEPT_SECRET = bytes(range(32)), bytes(range(1, 33))
GONE, KEPT = installation_id(GONE_SECRET), installation_id(KEPT_SECRET)


def _signed_session(secret: bytes, session_id: str) -> dict[str, object]:
    s = session(session_id=session_id, job="JOB-7")
    return sign_body({"upload": build_upload(s, secret)}, KEY)


def _stored_home(collector: Collector, secret: bytes, inst: str, n: int) -> str:
    """A check, a technician's session and an alert event of one home; the
    session's support code."""
    with collector.client(collector.ingest) as http:
        assert (
            http.post("/v1/uploads", json={**payload(), "installation_id": inst}).status_code == 201
        )
        r = http.post("/v1/sessions", json=_signed_session(secret, f"{n}" * 32))
        assert r.status_code == 201, r.text
    for provider in ("acme", "othernet"):  # another provider's row of the same id stays
        assert insert_alert_event(
            collector.engine, provider=provider, installation_id=inst, alert_key=f"k{n}",
            event="opened", code="monitor.outage.internet", segment="provider",
            at=datetime(2026, 12, 1, tzinfo=UTC),
        )  # fmt: skip
    return str(r.json()["support_code"])


def _count(collector: Collector, table: object, inst: str) -> int:
    column = table.c  # type: ignore[attr-defined]
    stmt = select(func.count()).select_from(table).where(column.installation_id == inst)  # type: ignore[arg-type]
    with collector.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def test_deleting_an_installation_removes_its_sessions_and_alerts(collector: Collector) -> None:
    url = collector.engine.url.render_as_string(hide_password=False)
    assert collector_main(["technicians", "add", "Ana", public_key_text(KEY),
                           "--provider", "acme", "--database-url", url]) == 0  # fmt: skip
    gone_code = _stored_home(collector, GONE_SECRET, GONE, 1)
    kept_code = _stored_home(collector, KEPT_SECRET, KEPT, 2)
    assert len(find_sessions_by_installation(collector.engine, "acme", GONE)) == 1

    with collector.client(collector.ingest) as http:
        r = http.delete(f"/v1/installations/{GONE}")
    assert r.status_code == 200
    assert r.json() == {"deleted": 1, "sessions": 1, "alert_events": 1}

    assert find_sessions_by_installation(collector.engine, "acme", GONE) == []
    assert _count(collector, tech_sessions, GONE) == 0
    with collector.client(collector.support) as http:
        assert http.get(f"/v1/sessions/{gone_code}").status_code == 404
        assert http.get(f"/v1/installations/{GONE}/alerts").json()["events"] == []
        assert http.get(f"/v1/sessions/{kept_code}").status_code == 200
        assert len(http.get(f"/v1/installations/{KEPT}/alerts").json()["events"]) == 1
    with collector.client(collector.other_support) as http:  # not this provider's to erase
        assert len(http.get(f"/v1/installations/{GONE}/alerts").json()["events"]) == 1
    assert _count(collector, alert_events, GONE) == 1  # othernet's row only
    assert _count(collector, tech_sessions, KEPT) == 1
    assert count_uploads(collector.engine) == (1, 1)

    with collector.client(collector.ingest) as http:  # erasing again finds nothing
        again = http.delete(f"/v1/installations/{GONE}")
    assert again.json() == {"deleted": 0, "sessions": 0, "alert_events": 0}
