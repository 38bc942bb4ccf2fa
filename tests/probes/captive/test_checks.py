"""Captive portal from several independent checks (issue 13).

HTTP servers on 127.0.0.1 play the provider's and the platform's
connectivity endpoints; the provider profile points only at literal loopback
addresses, so no real URL is ever fetched. A 200 instead of a 204, a DNS
filter's block page or one unreachable host is not a portal; a redirect, a
login page, or checks that agree are.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from homecare.models.connection import CaptiveCheckResult
from homecare.probes.base import ProbeContext
from homecare.probes.captive.judge import is_portal, platform_checks, verdict_of
from homecare.probes.captive.probe import CaptivePortalProbe, checks_for
from homecare.profiles.provider import CaptiveCheck, ProviderProfile, Targets

LOGIN = (b"<html><title>Guest Wi-Fi</title><form action=/auth method=post>"
         b"<input name=user><input type=password name=pw></form></html>")  # fmt: skip
PAGES: dict[str, tuple[int, bytes, dict[str, str]]] = {
    "/generate_204": (204, b"", {}),
    "/success.txt": (200, b"success\n", {}),
    "/hotspot-detect.html": (200, b"<HTML><BODY>Success</BODY></HTML>", {}),
    "/blank200": (200, b"", {}),
    "/blocked": (403, b"<html>Blocked by your DNS filter</html>", {}),
    "/redirect": (302, b"", {"Location": "http://127.0.0.1:1/login"}),
    "/login": (200, LOGIN, {}),
    "/hijack": (200, b"<html><p>Welcome to the hotel network</p></html>", {}),
    "/broken": (503, b"down", {}),
}
CLOSED = "http://127.0.0.1:9/generate_204"  # discard port: nothing listens


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        status, body, headers = PAGES.get(self.path, (404, b"no", {}))
        self.send_response(status)
        for key, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def servers() -> Iterator[list[str]]:
    """Three independent servers (separate ports on loopback)."""
    running = []
    for _ in range(3):
        srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        running.append(srv)
    yield [f"http://127.0.0.1:{s.server_address[1]}" for s in running]
    for srv in running:
        srv.shutdown()
        srv.server_close()


def probe(provider: str, *platform: CaptiveCheck, expect: int = 204) -> object:
    targets = {
        "internet_hosts": ["127.0.0.1"],
        "captive_url": provider,
        "captive_expect_status": expect,
        "captive_platform_checks": [c.model_dump() for c in platform],
    }
    ctx = ProbeContext(
        deadline=time.monotonic() + 6, quick=False, privileged=False,
        provider=ProviderProfile.model_validate({"targets": targets}), results={},
    )  # fmt: skip
    return CaptivePortalProbe().run(ctx)


def android(base: str, path: str = "/generate_204") -> CaptiveCheck:
    return CaptiveCheck(url=base + path)


def apple(base: str, path: str = "/hotspot-detect.html") -> CaptiveCheck:
    return CaptiveCheck(url=base + path, expect_status=200, expect_body="Success")


def firefox(base: str, path: str = "/success.txt") -> CaptiveCheck:
    return CaptiveCheck(url=base + path, expect_status=200, expect_body="success")


def verdicts(data: object) -> list[str]:
    return [c.verdict for c in data.checks]  # type: ignore[attr-defined]


def test_a_free_internet_is_no_portal(servers: list[str]) -> None:
    a, b, c = servers
    data = probe(a + "/generate_204", apple(b), firefox(c))
    assert verdicts(data) == ["ok", "ok", "ok"]
    assert data.captive is False and data.error is None  # type: ignore[attr-defined]


def test_a_200_instead_of_204_from_one_check_is_no_portal(servers: list[str]) -> None:
    """The old false 'critical': one check server answering an empty 200."""
    a, b, c = servers
    data = probe(a + "/blank200", apple(b), firefox(c))
    assert verdicts(data) == ["unexpected", "ok", "ok"]
    assert data.captive is False  # type: ignore[attr-defined]


def test_a_dns_filter_block_page_or_an_unreachable_host_is_no_portal(servers: list[str]) -> None:
    a, b, c = servers
    data = probe(a + "/generate_204", apple(b, "/blocked"), CaptiveCheck(url=CLOSED))
    assert verdicts(data) == ["ok", "unexpected", "error"]
    assert data.captive is False  # type: ignore[attr-defined]
    data = probe(a + "/broken", firefox(c))  # the provider's check server is down
    assert verdicts(data) == ["error", "ok"] and data.captive is False  # type: ignore[attr-defined]


def test_a_redirect_is_a_portal_even_alone(servers: list[str]) -> None:
    a, b, c = servers
    data = probe(a + "/redirect", apple(b), firefox(c))
    assert data.captive is True  # type: ignore[attr-defined]
    assert data.status == 302 and data.location == "http://127.0.0.1:1/login"  # type: ignore[attr-defined]


def test_a_login_page_is_a_portal(servers: list[str]) -> None:
    a, b, c = servers
    data = probe(a + "/generate_204", apple(b, "/login"), firefox(c))
    assert verdicts(data) == ["ok", "login_page", "ok"]
    assert data.captive is True and data.url == b + "/login"  # type: ignore[attr-defined]


def test_checks_that_agree_are_a_portal_and_one_ok_contradicts(servers: list[str]) -> None:
    a, b, c = servers
    data = probe(a + "/hijack", apple(b, "/hijack"), firefox(c, "/hijack"))
    assert verdicts(data) == ["unexpected"] * 3 and data.captive is True  # type: ignore[attr-defined]
    data = probe(a + "/hijack", apple(b, "/hijack"), firefox(c))
    assert data.captive is False  # type: ignore[attr-defined]


def test_nothing_answering_is_an_error_not_a_portal() -> None:
    data = probe(CLOSED, CaptiveCheck(url="http://127.0.0.1:9/x"))
    assert verdicts(data) == ["error", "error"]
    assert data.captive is False and data.error  # type: ignore[attr-defined]


def test_the_platforms_own_checks_are_the_default() -> None:
    def urls(platform: str) -> list[str]:
        return [c.url for _src, c in checks_for(Targets(), platform)]

    assert "http://connectivitycheck.gstatic.com/generate_204" in urls("linux")
    assert "http://captive.apple.com/hotspot-detect.html" in urls("darwin")
    assert "http://www.msftconnecttest.com/connecttest.txt" in urls("win32")
    assert all(len(urls(p)) == 3 for p in ("linux", "darwin", "win32"))
    assert [s for s, _c in checks_for(Targets(), "linux")] == ["provider", "platform", "platform"]
    assert checks_for(Targets(captive_platform_checks=[]), "linux")[1:] == []
    assert len(platform_checks("freebsd")) == 2


def test_verdicts_and_agreement() -> None:
    plain = CaptiveCheck(url="http://127.0.0.1/x")
    assert verdict_of(plain, 204, None, b"") == "ok"
    assert verdict_of(plain, 204, None, b"x") == "unexpected"  # a 204 has no body
    assert verdict_of(plain, 307, "http://portal/", b"") == "redirect"
    assert verdict_of(plain, 302, None, b"") == "unexpected"
    assert verdict_of(plain, 502, None, b"") == "error"
    assert verdict_of(plain, 200, None, b"Please sign in to continue") == "login_page"

    def r(v: str) -> CaptiveCheckResult:
        return CaptiveCheckResult(url="u", source="platform", expected_status=204, verdict=v)  # type: ignore[arg-type]

    assert not is_portal([r("unexpected")])
    assert not is_portal([r("unexpected"), r("error")])
    assert is_portal([r("unexpected"), r("unexpected"), r("error")])
    assert not is_portal([r("unexpected"), r("unexpected"), r("ok")])
