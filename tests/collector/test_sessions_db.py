"""Technician sessions by installation (migration 0007): stored with the
column, found by equality, rows stored before 0007 backfilled from their
document, and on PostgreSQL the lookup uses the index."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select, text

from homecare.collector.db import make_engine
from homecare.collector.migrate import MIGRATIONS_DIR, upgrade
from homecare.collector.sessions_db import (
    find_sessions_by_installation,
    insert_session,
    tech_sessions,
)
from homecare.collector.web.related import find_related

from .databases import fresh_postgres

HOME_A, HOME_B = "a1" * 16, "b2" * 16


def _upload(n: int, installation: str) -> dict[str, object]:
    when = datetime(2026, 5, 1, tzinfo=UTC) + timedelta(minutes=n)
    return {
        "upload_id": f"{n:08x}-0000-4000-8000-000000000000",
        "installation_id": installation,
        "created_at": when.isoformat(),
        "plan_id": "fibre-install",
        "status": "pass",
        "steps": [],
    }


def _store(engine: Engine, n: int, installation: str, provider: str = "acme") -> None:
    upload = _upload(n, installation)
    assert insert_session(
        engine, provider=provider, upload=upload, support_code=f"HC{n:010d}",
        technician="Sam", document_json=json.dumps({"upload": upload}, sort_keys=True),
    )  # fmt: skip


def _migrate_to(engine: Engine, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_sessions_are_found_by_installation_and_provider(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    for n in range(6):
        _store(engine, n, HOME_A if n % 2 == 0 else HOME_B)
    _store(engine, 99, HOME_A, provider="othernet")
    found = find_sessions_by_installation(engine, "acme", HOME_A)
    assert [s.id[:8] for s in found] == ["00000004", "00000002", "00000000"]  # newest first
    assert all(s.document["upload"]["installation_id"] == HOME_A for s in found)
    assert find_sessions_by_installation(engine, "acme", "c3" * 16) == []
    related = find_related(engine, "acme", "HC0000000000", HOME_B)
    assert related.sessions is not None
    assert [s.session_id[:8] for s in related.sessions] == ["00000005", "00000003", "00000001"]
    engine.dispose()


def test_rows_stored_before_0007_are_backfilled_from_their_document(db_url: str) -> None:
    engine = make_engine(db_url)
    _migrate_to(engine, "0006")
    now = datetime(2026, 5, 1, tzinfo=UTC)
    with engine.begin() as conn:  # as 0003..0006 stored them: no installation column
        for n, doc in enumerate(
            [
                json.dumps({"upload": _upload(0, HOME_A)}, sort_keys=True),
                json.dumps({"upload": _upload(1, HOME_B)}, sort_keys=True),
                json.dumps({"upload": {"upload_id": "x"}}),  # no installation
                "not json",
            ]
        ):
            conn.execute(
                text(
                    "INSERT INTO tech_sessions (provider, id, support_code, technician,"
                    " created_at, received_at, document) VALUES ('acme', :id, 'HC', 'Sam',"
                    " :now, :now, :doc)"
                ),
                {"id": f"s{n}", "now": now + timedelta(minutes=n), "doc": doc},
            )
    upgrade(engine)
    with engine.connect() as conn:
        rows = dict(
            conn.execute(
                select(tech_sessions.c.id, tech_sessions.c.installation_id).order_by(
                    tech_sessions.c.id
                )
            ).all()
        )
    assert rows == {"s0": HOME_A, "s1": HOME_B, "s2": None, "s3": None}
    assert [s.id for s in find_sessions_by_installation(engine, "acme", HOME_B)] == ["s1"]
    engine.dispose()


def test_postgresql_finds_an_installations_sessions_through_the_index(pg_url: str) -> None:
    engine = fresh_postgres(pg_url)
    with engine.begin() as conn:  # 20,000 sessions of 4,000 installations, generated in SQL
        conn.execute(
            text("""
            INSERT INTO tech_sessions (provider, id, support_code, technician, installation_id,
              created_at, received_at, document)
            SELECT 'acme', 's' || g, 'HC', 'Sam', md5((g % 4000)::text), ts, ts,
                   '{"upload": {"installation_id": "' || md5((g % 4000)::text) || '"}}'
            FROM (SELECT g, timestamptz '2026-01-01' + g * interval '1 minute' AS ts
                  FROM generate_series(1, 20000) g) s""")
        )
        conn.execute(text("ANALYZE tech_sessions"))
        home = conn.execute(text("SELECT md5('7')")).scalar_one()
        stmt = (
            select(tech_sessions.c.id)
            .where(tech_sessions.c.provider == "acme", tech_sessions.c.installation_id == home)
            .order_by(tech_sessions.c.received_at.desc())
            .limit(20)
        )
        compiled = stmt.compile(conn, compile_kwargs={"literal_binds": True})
        plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {compiled}")))
    assert "tech_sessions_installation" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert len(find_sessions_by_installation(engine, "acme", home)) == 5
    engine.dispose()
