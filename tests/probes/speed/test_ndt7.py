"""The ndt7 engine against the lab's spec-following ndt7 server on loopback
(M-Lab's own client checks the same server in tests/lab/test_ndt7_server.py)."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from homecare_lab.lab_ca import LabCA
from homecare_lab.ndt7_server import background_ndt7_server
from homecare_lab.nq_server import server_tls

from homecare.probes.speed.engine import EngineError, MeasureBudget
from homecare.probes.speed.ndt7 import CONSENT_NOTICE, Ndt7Engine


def budget(seconds: float = 2.5) -> MeasureBudget:
    return MeasureBudget(time.monotonic() + seconds + 2.0, seconds, 0.5, 10**12, 1, 100, 0.01)


@pytest.mark.parametrize("direction", ["download", "upload"])
def test_measures_the_lab_server(direction: str) -> None:
    with background_ndt7_server() as locate:
        engine = Ndt7Engine(locate, secure=False)
        assert engine.prepare(time.monotonic() + 3) == "M-Lab ndt-lab"
        messages: list[str] = []
        started = time.monotonic()
        result = engine.measure(direction, budget(), messages.append)  # type: ignore[arg-type]
    assert time.monotonic() - started < 5.0
    assert messages[0] == CONSENT_NOTICE and "IP address" in CONSENT_NOTICE
    assert result.error is None, result.error
    assert result.mbit is not None and result.mbit > 100
    assert result.counted == ("server" if direction == "upload" else "received")
    assert result.min_rtt_ms is not None and result.retransmitted is not None
    assert result.low_mbit is not None and result.high_mbit is not None


class _Locator(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    status = 429
    body = b""

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


@contextlib.contextmanager
def locator(status: int, body: bytes = b"") -> Iterator[str]:
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), type("L", (_Locator,), {"status": status, "body": body})
    )
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/v2/nearest/ndt/ndt7"
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (429, b"", r"busy \(HTTP 429\)"),
        (403, b"", "HTTP 403"),
        (200, b"not json", "no usable server"),
        (200, b'{"results": []}', "no usable server"),
        (200, b'{"results": [{"urls": {"wss:///ndt/v7/download": 1}}]}', "no usable server"),
    ],
)
def test_locate_failures_are_one_clear_error(status: int, body: bytes, words: str) -> None:
    with locator(status, body) as url, pytest.raises(EngineError, match=words):
        Ndt7Engine(url).prepare(time.monotonic() + 2)


def test_unreachable_locator_is_a_clear_error() -> None:
    with pytest.raises(EngineError, match="Cannot reach M-Lab"):
        Ndt7Engine("http://127.0.0.1:9/v2/nearest/ndt/ndt7").prepare(time.monotonic() + 2)


def test_measure_reports_a_refused_upgrade() -> None:
    with locator(403) as url:
        engine = Ndt7Engine(url, secure=False)
        port = urlsplit(url).port
        engine.urls = {
            "download": f"ws://127.0.0.1:{port}/ndt/v7/download",
            "upload": f"ws://127.0.0.1:{port}/ndt/v7/upload",
        }
        result = engine.measure("download", budget(1.0), lambda _m: None)
    assert result.mbit is None
    assert result.error is not None and "refused the test (HTTP 403)" in result.error


@pytest.fixture
def dns_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The system resolver never answers (no packet: getaddrinfo is replaced)."""
    release = threading.Event()

    def hang(*_a: object, **_k: object) -> object:
        release.wait(10)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    yield
    release.set()


@pytest.mark.usefixtures("dns_down")
def test_the_locator_lookup_is_bounded_when_dns_is_down() -> None:
    started = time.monotonic()
    with pytest.raises(EngineError, match="could not be looked up in time"):
        Ndt7Engine("https://locate.example.net/v2/nearest/ndt/ndt7").prepare(started + 0.5)
    assert time.monotonic() - started < 1.0


@pytest.mark.usefixtures("dns_down")
def test_the_server_lookup_is_bounded_when_dns_is_down() -> None:
    """websockets' open_timeout does not cover the lookup; ours does."""
    engine = Ndt7Engine("https://locate.example.net/v2/nearest/ndt/ndt7")
    engine.urls = {
        "download": "wss://ndt.example.net/ndt/v7/download",
        "upload": "wss://ndt.example.net/ndt/v7/upload",
    }
    started = time.monotonic()
    result = engine.measure("download", budget(0.0), lambda _m: None)  # 2 s left
    assert time.monotonic() - started < 2.5
    assert result.mbit is None
    assert result.error is not None and "could not be looked up in time" in result.error


@contextlib.contextmanager
def wss_engine(tmp_path: Path) -> Iterator[tuple[Ndt7Engine, LabCA]]:
    """The lab ndt7 server over wss with a lab CA's certificate for 127.0.0.1,
    and an engine pointed at it (trusting the CA is the test's choice)."""
    ca = LabCA(tmp_path / "ca", "lab")
    cert = ca.issue("ndt7", ("ndt7.homecare.test",), ("127.0.0.1",))
    with background_ndt7_server(tls=server_tls(str(cert.cert_file), str(cert.key_file))) as url:
        port = urlsplit(url).port
        engine = Ndt7Engine(url)
        engine.urls = {
            "download": f"wss://127.0.0.1:{port}/ndt/v7/download",
            "upload": f"wss://127.0.0.1:{port}/ndt/v7/upload",
        }
        yield engine, ca


def test_the_download_reads_frames_through_tls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """wss with a lab CA's certificate: the frame reader works on a TLS socket,
    whose decrypted bytes come in records, not in the server's frame sizes."""
    with wss_engine(tmp_path) as (engine, ca):
        monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
        down = engine.measure("download", budget(2.0), lambda _m: None)
        up = engine.measure("upload", budget(2.0), lambda _m: None)
    assert down.error is None and down.mbit is not None and down.mbit > 10, down
    assert up.error is None and up.mbit is not None and up.mbit > 10, up
    assert down.bytes > 1_000_000


def test_an_untrusted_certificate_is_one_clear_error(tmp_path: Path) -> None:
    with wss_engine(tmp_path) as (engine, _ca):  # nobody trusts it: no SSL_CERT_FILE
        down = engine.measure("download", budget(1.0), lambda _m: None)
    assert down.mbit is None
    assert down.error is not None and "not trusted" in down.error, down.error
