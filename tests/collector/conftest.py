"""Collector fixtures: a migrated database (SQLite, and PostgreSQL when the
server binaries are installed), tokens, and the app served on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from homecare_lab.pgtemp import PrivatePostgres, find_bin_dir
from sqlalchemy import Engine

from homecare.collector.app import create_app
from homecare.collector.db import make_engine, sqlite_url
from homecare.collector.migrate import upgrade
from homecare.collector.server import RunningServer, start_background
from homecare.collector.settings import CollectorSettings
from homecare.collector.tokens import create_token


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    if find_bin_dir() is None:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    if shutil.which("runuser") is None:
        pytest.skip("runuser not available to start PostgreSQL as an unprivileged user")
    with PrivatePostgres(fsync=False) as pg:
        yield pg.url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return sqlite_url(str(tmp_path_factory.mktemp("db") / "c.sqlite3"))
    url: str = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    with engine.begin() as conn:  # a clean schema for each test
        from sqlalchemy import text

        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@dataclass
class Collector:
    engine: Engine
    server: RunningServer
    ingest: str
    support: str
    analyst: str
    other_support: str

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)


def start_collector(url: str, **overrides: object) -> Collector:
    settings = CollectorSettings(database_url=url, **overrides)  # type: ignore[arg-type]
    engine = make_engine(url)
    upgrade(engine)
    server = start_background(create_app(settings, engine))
    return Collector(
        engine,
        server,
        ingest=create_token(engine, "ingest", "acme"),
        support=create_token(engine, "support", "acme"),
        analyst=create_token(engine, "analyst", "acme"),
        other_support=create_token(engine, "support", "othernet"),
    )


@pytest.fixture
def collector(db_url: str) -> Iterator[Collector]:
    c = start_collector(db_url, rate_per_s=0)
    yield c
    c.server.stop()
    c.engine.dispose()
