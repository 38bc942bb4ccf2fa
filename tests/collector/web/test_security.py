"""Sessions and forms: CSRF tokens, cookie flags, security headers, no open
redirect, a removed token ends its sessions, lookups limited per agent and
audited."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import delete

from homecare.collector import audit
from homecare.collector.db import sqlite_url, tokens
from homecare.collector.tokens import create_token, digest, revoke_token

from ..conftest import Collector, start_collector
from ..payloads import payload
from .browserless import csrf_of, login_client
from .conftest import upload


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Collector, str]]:
    url = sqlite_url(str(tmp_path_factory.mktemp("sec") / "c.sqlite3"))
    c = start_collector(
        url, rate_per_s=0, lookup_rate_per_s=0.01, lookup_burst=3, token_cache_ttl_s=0.0
    )
    code = upload(c, payload(1))
    try:
        yield c, code
    finally:
        c.server.stop()
        c.engine.dispose()


def test_forms_need_their_csrf_token(limited: tuple[Collector, str]) -> None:
    c, _code = limited
    with httpx.Client(base_url=c.url, timeout=10) as anon:
        # a login posted from elsewhere has neither the pre-login cookie nor its token
        r = anon.post("/login", data={"token": c.support, "csrf": "forged"})
        assert r.status_code == 400 and "homecare_session" not in r.cookies
    with login_client(c.url, c.support) as client:
        page = client.get("/desk/")
        token = csrf_of(page.text)
        assert client.post("/web/language", data={"language": "de"}).status_code == 400
        assert (
            client.post("/web/language", data={"language": "de", "csrf": "x" * 32}).status_code
            == 400
        )
        assert client.post("/logout", data={"csrf": "nope"}).status_code == 400
        r = client.post("/web/language", data={"language": "de", "csrf": token, "back": "/desk/"})
        assert r.status_code == 303
        assert 'lang="de"' in client.get("/desk/").text
        assert client.post("/logout", data={"csrf": token}).status_code == 303
        assert client.get("/desk/").status_code == 303  # logged out


def test_cookie_flags_headers_and_no_open_redirect(limited: tuple[Collector, str]) -> None:
    c, _code = limited
    with httpx.Client(base_url=c.url, timeout=10, follow_redirects=False) as client:
        form = client.get("/login")
        assert "script-src" not in form.headers["content-security-policy"]  # none at all
        assert "default-src 'none'" in form.headers["content-security-policy"]
        assert form.headers["x-frame-options"] == "DENY"
        r = client.post(
            "/login",
            data={"token": c.support, "csrf": csrf_of(form.text), "next": "//evil.example/desk/"},
        )
        assert r.status_code == 303 and r.headers["location"] == "/desk/"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert c.support not in cookie  # the token itself never goes into the cookie
        r = client.post(
            "/web/language",
            data={
                "language": "es",
                "csrf": csrf_of(client.get("/desk/").text),
                "back": "https://evil.example/",
            },
        )
        assert r.headers["location"] == "/desk/"


def test_lookups_are_limited_per_agent_and_audited(limited: tuple[Collector, str]) -> None:
    c, code = limited
    second = create_token(c.engine, "support", "acme")
    with login_client(c.url, c.support) as one, login_client(c.url, second) as two:
        statuses = [one.get("/desk/", params={"code": code.lower()}).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert one.get("/desk/", params={"code": code}).headers["retry-after"]
        assert two.get("/desk/", params={"code": code}).status_code == 200  # own budget
    events = audit.recent(c.engine, "support.lookup")
    mine = [e for e in events if e["actor"] == digest(c.support)[:12]]
    assert sum(1 for e in mine if str(e["detail"]).startswith(f"desk: {code} found")) == 3
    assert any(e["detail"] == "desk: rate limited" for e in mine)


@pytest.mark.parametrize("how", ["revoked", "deleted"])
def test_removed_token_ends_the_session(limited: tuple[Collector, str], how: str) -> None:
    c, _code = limited
    token = create_token(c.engine, "analyst", "acme")
    with login_client(c.url, token) as client:
        assert client.get("/console/").status_code == 200
        if how == "revoked":
            assert revoke_token(c.engine, token) == 1
        else:
            with c.engine.begin() as conn:
                conn.execute(delete(tokens).where(tokens.c.token_hash == digest(token)))
        r = client.get("/console/")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    with login_client(c.url, token) as client:  # and it cannot log in again
        assert client.get("/console/").status_code == 303
