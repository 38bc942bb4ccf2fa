"""The request line and Host header every HTTP speed engine sends."""

from __future__ import annotations

import pytest

from homecare.probes.speed.engine import EngineError
from homecare.probes.speed.http_streams import Endpoint, request_head


@pytest.mark.parametrize(
    ("url", "authority"),
    [
        ("http://speed.example.net/garbage", "speed.example.net"),
        ("http://speed.example.net:8080/garbage", "speed.example.net:8080"),
        ("https://speed.example.net/x", "speed.example.net"),
        ("https://speed.example.net:80/x", "speed.example.net:80"),
        ("http://[2001:db8::1]:8080/x", "[2001:db8::1]:8080"),
        ("http://192.0.2.7/x", "192.0.2.7"),
    ],
)
def test_host_header_names_the_port_unless_it_is_the_schemes_own(url: str, authority: str) -> None:
    ep = Endpoint.parse(url)
    head = request_head("GET", ep, ep.path).decode()
    assert head.startswith(f"GET {ep.path} HTTP/1.1\r\nHost: {authority}\r\n")
    assert head.endswith("\r\n\r\n")


@pytest.mark.parametrize("url", ["ftp://x/y", "http:///nohost", "http://x:99999/"])
def test_unusable_addresses_are_one_clear_error(url: str) -> None:
    with pytest.raises(EngineError, match="Not a usable speed test address"):
        Endpoint.parse(url)
