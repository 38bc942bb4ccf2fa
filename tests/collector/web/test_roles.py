"""Every route of the collector, page or API, answers only the right role.

The routes are read from the app itself, so a new route without an entry
here still has to refuse anonymous callers, and a known one is checked with
every role's token (bearer) and, for pages, with every role's session.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import pytest

from homecare.collector.db import sqlite_url

from ..conftest import Collector, start_collector
from ..payloads import payload
from .browserless import login_client
from .conftest import upload

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/web/static/web.css"),
    ("GET", "/openapi.json"),  # the API's own description (no data; the pages are not in it)
}
#: routes that need a session of any role (and a CSRF token)
SESSION = {("POST", "/logout"), ("POST", "/web/language")}
ROLES: dict[tuple[str, str], set[str]] = {
    ("POST", "/v1/uploads"): {"ingest"},
    ("DELETE", "/v1/installations/{installation_id}"): {"ingest"},
    ("POST", "/v1/installations/{installation_id}/alerts"): {"ingest"},
    ("GET", "/v1/installations/{installation_id}/alerts"): {"support"},
    ("POST", "/v1/sessions"): {"ingest"},
    ("GET", "/v1/sessions"): {"support"},
    ("GET", "/v1/sessions/{support_code}"): {"support"},
    ("GET", "/v1/results/{support_code}"): {"support"},
    ("GET", "/v1/insights"): {"support", "analyst"},
    ("GET", "/desk/"): {"support"},
    ("GET", "/console/"): {"analyst"},
    ("GET", "/console/export.csv"): {"analyst"},
    ("GET", "/console/export.parquet"): {"analyst"},
}
PAGES = {key for key in ROLES if not key[1].startswith("/v1/")}


@pytest.fixture(scope="module")
def roles_collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Collector, str]]:
    url = sqlite_url(str(tmp_path_factory.mktemp("roles") / "c.sqlite3"))
    c = start_collector(url, rate_per_s=0)
    code = upload(c, payload(1))
    try:
        yield c, code
    finally:
        c.server.stop()
        c.engine.dispose()


def walk(items: Iterable[Any]) -> Iterator[tuple[str, str]]:
    """(method, path) of every route, through included routers (no prefixes are used)."""
    for route in items:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from walk(nested.routes)
        elif isinstance(getattr(route, "path", None), str) and getattr(route, "methods", None):
            yield from ((m, route.path) for m in sorted(route.methods) if m != "HEAD")


def routes(c: Collector) -> list[tuple[str, str]]:
    app: Any = c.server.server.config.app
    while not hasattr(app, "routes"):  # the server may wrap the app (e.g. to drain on exit)
        app = app.app
    return sorted(set(walk(app.routes)))


def concrete(path: str, code: str) -> str:
    return (
        path.replace("{support_code}", code)
        .replace("{installation_id}", "00000000deadbeef")
        .replace("{", "")
        .replace("}", "")
    )


#: required query parameters (FastAPI answers 422 before the route runs without them)
QUERY = {"/v1/sessions": {"job_id": "JOB-1"}}


def call(client: httpx.Client, method: str, path: str) -> httpx.Response:
    params = QUERY.get(path, {}) if method == "GET" else {}
    return client.request(
        method, path, params=params, content=b"{}" if method in ("POST", "PUT") else None
    )


def test_every_route_refuses_anonymous_callers(roles_collector: tuple[Collector, str]) -> None:
    c, code = roles_collector
    found = routes(c)
    assert set(ROLES) | PUBLIC | SESSION <= set(found), "a route this test knows is gone"
    with httpx.Client(base_url=c.url, timeout=10, follow_redirects=False) as anon:
        for method, path in found:
            if (method, path) in PUBLIC:
                continue
            r = call(anon, method, concrete(path, code))
            if (method, path) in PAGES:
                assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
            elif (method, path) in SESSION:  # refused: to the login page, or a form error
                assert r.status_code == 400 or r.headers["location"].startswith("/login"), path
            else:
                assert r.status_code in (400, 401, 403), (method, path, r.status_code)


@pytest.mark.parametrize(("method", "path"), sorted(ROLES))
@pytest.mark.parametrize("role", ["ingest", "support", "analyst"])
def test_bearer_tokens_by_role(
    roles_collector: tuple[Collector, str], method: str, path: str, role: str
) -> None:
    c, code = roles_collector
    token = {"ingest": c.ingest, "support": c.support, "analyst": c.analyst}[role]
    with c.client(token) as client:
        r = call(client, method, concrete(path, code))
    if role in ROLES[(method, path)]:
        assert r.status_code not in (401, 403), (role, path, r.text[:200])
    else:
        assert r.status_code == 403, (role, path, r.status_code)


@pytest.mark.parametrize("path", sorted(p for _, p in PAGES))
@pytest.mark.parametrize("role", ["support", "analyst"])
def test_page_sessions_by_role(
    roles_collector: tuple[Collector, str], path: str, role: str
) -> None:
    c, _code = roles_collector
    token = c.support if role == "support" else c.analyst
    with login_client(c.url, token) as client:
        r = client.get(path)
    if role in ROLES[("GET", path)]:
        assert r.status_code == 200, (role, path)
    else:
        assert r.status_code == 403, (role, path)


def test_ingest_token_and_other_provider_cannot_log_in(
    roles_collector: tuple[Collector, str],
) -> None:
    c, code = roles_collector
    with login_client(c.url, c.ingest) as client:
        assert client.get("/desk/").status_code == 303  # no session was given
    with login_client(c.url, "hct_" + "x" * 43) as client:
        assert client.get("/console/").status_code == 303
    # a support agent of another provider sees nothing of acme's
    with login_client(c.url, c.other_support) as client:
        r = client.get("/desk/", params={"code": code})
        assert r.status_code == 404
