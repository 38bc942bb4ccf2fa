"""Captive portal, IPv6 and path MTU probes on loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from homecare.models import HostData, Interface, InterfaceAddress, Observation, ProbeStatus, Route
from homecare.probes.base import ProbeContext
from homecare.probes.captive.probe import CaptivePortalProbe
from homecare.probes.ipv6.probe import Ipv6Probe, global_v6
from homecare.probes.latency.probe import LatencyProbe
from homecare.probes.mtu.probe import MtuProbe
from homecare.profiles.provider import ProviderProfile


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        if self.path == "/generate_204":
            self.send_response(204)
            self.end_headers()
        elif self.path == "/portal":
            self.send_response(302)
            self.send_header("Location", "http://192.168.1.1:8080/login")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/page":
            body = b"<html>please log in</html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            time.sleep(10)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def ctx(seconds: float = 6.0, host: HostData | None = None, **sections: object) -> ProbeContext:
    raw = {"targets": {"internet_hosts": ["127.0.0.1"]}, **sections}
    results = {}
    if host is not None:
        results["host"] = Observation(probe="host", area="host", status=ProbeStatus.OK, data=host)
    return ProbeContext(
        deadline=time.monotonic() + seconds, quick=False, privileged=True,
        provider=ProviderProfile.model_validate(raw), results=results,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("path", "captive", "status"),
    [("/generate_204", False, 204), ("/portal", True, 302), ("/page", True, 200)],
)
def test_captive(base: str, path: str, captive: bool, status: int) -> None:
    # only the provider's URL (on loopback): never the platform's real endpoints
    targets = {"internet_hosts": ["127.0.0.1"], "captive_url": base + path,
               "captive_platform_checks": []}  # fmt: skip
    data = CaptivePortalProbe().run(ctx(targets=targets))
    assert data.captive is captive and data.status == status and data.error is None


def test_captive_check_server_silent_is_an_error_not_a_portal(base: str) -> None:
    targets = {"internet_hosts": ["127.0.0.1"], "captive_url": base + "/hang",
               "captive_platform_checks": []}  # fmt: skip
    started = time.monotonic()
    data = CaptivePortalProbe().run(ctx(seconds=1.5, targets=targets))
    assert time.monotonic() - started < 2.5
    assert data.captive is False and data.error


def test_ipv6_addresses_and_unreachable_target() -> None:
    host = HostData(
        os="linux",
        interfaces=[Interface(name="eth0", kind="wired", is_up=True, addresses=[
            InterfaceAddress(family="ipv6", address="fe80::1%eth0"),
            InterfaceAddress(family="ipv6", address="2a00:1450::5"),
        ])],
        default_routes=[Route(family="ipv6", gateway="fe80::1")],
    )  # fmt: skip
    assert global_v6(host) == ["2a00:1450::5"]
    # ::1 on a closed port refuses at once: reachable (a refusal is an answer)
    data = Ipv6Probe().run(ctx(host=host, quality={"ipv6_target": "::1"},
                               targets={"internet_hosts": ["127.0.0.1"], "tcp_port": 9}))  # fmt: skip
    assert data.default_route and data.reachable is True and data.rtt_ms is not None
    data = Ipv6Probe().run(ctx(host=HostData(os="linux"), quality={"ipv6_target": "::1"}))
    assert data.reachable is None and data.error


def test_mtu_on_loopback_is_the_ceiling() -> None:
    data = MtuProbe().run(ctx())
    assert data.path_mtu == 1500 and not data.blackhole and data.method == "icmp"


def test_latency_probe_on_loopback() -> None:
    host = HostData(os="linux", default_routes=[Route(family="ipv4", gateway="127.0.0.2")])
    started = time.monotonic()
    data = LatencyProbe().run(ctx(host=host, quality={"latency_count": 50}))
    assert time.monotonic() - started < 3
    assert [s.role for s in data.series] == ["gateway", "internet"]
    for s in data.series:
        assert s.stats.sent == 50 and s.stats.received == 50 and s.stats.loss == 0
        assert s.stats.median_ms is not None and s.stats.median_ms < 5
