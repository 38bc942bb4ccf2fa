"""Collector databases for tests: payloads stored straight in, as ingest
stores them (validated, support code from the upload id), without going
through HTTP; and a PostgreSQL schema emptied and migrated for one test."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, text

from homecare.collector.db import insert_upload, make_engine
from homecare.collector.migrate import upgrade
from homecare.share.payload import UploadPayload
from homecare.share.support_code import from_upload_id


def store_one(
    engine: Engine,
    payload: dict[str, Any],
    provider: str = "acme",
    source_net: str | None = None,
    defer_rollups: bool = False,
) -> bool:
    """Store one payload; False when this provider has that upload id already."""
    model = UploadPayload.model_validate(payload)
    return insert_upload(
        engine,
        upload_id=model.upload_id,
        provider=provider,
        installation_id=model.installation_id,
        support_code=from_upload_id(model.upload_id),
        created_at=model.created_at,
        payload_json=model.model_dump_json(),
        source_net=source_net,
        defer_rollups=defer_rollups,
    )


def store(engine: Engine, items: Iterable[dict[str, Any]], provider: str = "acme") -> None:
    for payload in items:
        store_one(engine, payload, provider)


def fresh_postgres(pg_url: str) -> Engine:
    """An engine on the session's private cluster with an empty, migrated
    ``public`` schema (what an earlier test left there is gone)."""
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine
