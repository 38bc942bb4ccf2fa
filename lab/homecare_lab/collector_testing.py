"""A collector on 127.0.0.1 in a background thread, for tests and the bench.

``start_local_collector()`` migrates a database (a temporary SQLite file
unless a URL is given), creates one token per role and serves the API on a
free port. For the virtual home, run the real command inside the provider
namespace instead (see docs/collector.md, "End-to-end").
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from homecare.collector.app import create_app
from homecare.collector.db import make_engine, sqlite_url
from homecare.collector.migrate import upgrade
from homecare.collector.server import RunningServer, start_background
from homecare.collector.settings import CollectorSettings
from homecare.collector.tokens import ROLES, create_token


@dataclass
class LocalCollector:
    engine: Engine
    server: RunningServer
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, role: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)

    def stop(self) -> None:
        self.server.stop()
        self.engine.dispose()


def start_local_collector(
    database_url: str | None = None,
    *,
    provider: str = "acme",
    host: str = "127.0.0.1",
    port: int = 0,
    **settings: Any,
) -> LocalCollector:
    if database_url is None:
        database_url = sqlite_url(str(Path(tempfile.mkdtemp(prefix="collector-")) / "c.sqlite3"))
    engine = make_engine(database_url)
    upgrade(engine)
    app = create_app(CollectorSettings(database_url=database_url, **settings), engine)
    server = start_background(app, host, port)
    return LocalCollector(
        engine, server, {role: create_token(engine, role, provider) for role in ROLES}
    )
