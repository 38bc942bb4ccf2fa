"""The request line and Host header every HTTP speed engine sends, and the one
connect every engine (and nq's timed one) goes through."""

from __future__ import annotations

import socket
import threading

import pytest

from homecare.probes.speed.engine import EngineError
from homecare.probes.speed.http_streams import Endpoint, connect, open_tcp, request_head


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


def test_open_tcp_connects_without_nagle_and_names_the_server_on_refusal() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        sock = open_tcp("127.0.0.1", port, "http://lab:1", 2.0)
        with sock:
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
            assert sock.gettimeout() == 2.0
    # the listener is closed: nothing listens on that port any more
    with pytest.raises(EngineError, match=r"Cannot connect .* http://lab:1: "):
        open_tcp("127.0.0.1", port, "http://lab:1", 2.0)


def test_connect_over_https_to_a_plain_server_is_one_tls_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        ep = Endpoint.parse(f"https://127.0.0.1:{port}/")

        def answer_garbage() -> None:
            peer, _addr = listener.accept()
            with peer:
                peer.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

        t = threading.Thread(target=answer_garbage)
        t.start()
        with pytest.raises(EngineError, match=r"Secure connection to https://127\.0\.0\.1"):
            connect(ep, 2.0)
        t.join()
