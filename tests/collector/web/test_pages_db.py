"""Desk and console on both databases (SQLite and a private PostgreSQL
cluster on a unix socket): the same story, and the console's suppressed
numbers equal the JSON API's, filtered and not."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from ..conftest import Collector, start_collector
from .browserless import login_client
from .conftest import SMALL_VENDOR, seed


@pytest.fixture
def seeded_db(db_url: str) -> Iterator[tuple[Collector, dict[str, str]]]:
    c = start_collector(db_url, rate_per_s=0, source_rate_per_s=0, trusted_proxies=("127.0.0.1",))
    try:
        yield c, seed(c)
    finally:
        c.server.stop()
        c.engine.dispose()


def overall(csv_text: str) -> str:
    rows = csv.DictReader(io.StringIO(csv_text))
    return next(
        r["value"] for r in rows if r["section"] == "overall" and r["metric"] == "installations"
    )


def test_desk_and_console_on_each_database(seeded_db: tuple[Collector, dict[str, str]]) -> None:
    c, codes = seeded_db
    with login_client(c.url, c.support) as desk:
        page = desk.get("/desk/", params={"code": codes["newest"].replace("-", " ").lower()})
        assert page.status_code == 200
        assert page.text.count("<time ") == 4  # the home's four checks
        assert (
            codes["session_after"]
            in desk.get("/desk/", params={"code": codes["visited_home"]}).text
        )
    with c.client(c.analyst) as api, login_client(c.url, c.analyst) as console:
        for query in ({}, {"router_vendor": "AVM"}, {"since": "2026-05-01"}):
            doc = api.get("/v1/insights", params=query).json()
            html = console.get("/console/", params=query).text
            assert f'<dd id="overall-installations">{doc["installations"]}</dd>' in html
            exported = console.get("/console/export.csv", params=query).text
            assert overall(exported) == str(doc["installations"])
            assert SMALL_VENDOR not in html and SMALL_VENDOR not in exported
