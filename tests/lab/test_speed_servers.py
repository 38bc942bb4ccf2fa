"""Loopback tests of the speed servers (no namespaces, no root needed)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from homecare_lab.ookla_server import OoklaSettings, image_size, make_ookla_server

from homecare.collector.fast_http import MIB
from homecare.collector.librespeed import make_librespeed_server


def _serve(server: Any) -> Iterator[int]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def libre() -> Iterator[int]:
    yield from _serve(make_librespeed_server("127.0.0.1", 0))


@pytest.fixture
def ookla() -> Iterator[int]:
    yield from _serve(make_ookla_server("127.0.0.1", 0, OoklaSettings(test_length_s=2)))


def _get(port: int, path: str, method: str = "GET", body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


@pytest.mark.parametrize("chunks", [1, 3, 7])
def test_garbage_streams_exactly_cksize_mebibytes(libre: int, chunks: int) -> None:
    status, headers, body = _get(libre, f"/garbage.php?ckSize={chunks}&r=0.5")
    assert status == 200
    assert len(body) == chunks * MIB == int(headers["content-length"])
    assert headers["cache-control"].startswith("no-store")


def test_garbage_default_and_cap(libre: int) -> None:
    assert len(_get(libre, "/backend/garbage.php")[2]) == 4 * MIB
    status, headers, _ = _get(libre, "/garbage.php?ckSize=999999", method="HEAD")
    assert status == 200 and int(headers["content-length"]) == 1024 * MIB


def test_garbage_is_incompressible(libre: int) -> None:
    import zlib

    body = _get(libre, "/garbage.php?ckSize=1")[2]
    assert len(zlib.compress(body)) > 0.99 * len(body)


def test_empty_discards_uploads_on_a_kept_alive_connection(libre: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", libre, timeout=10)
    for size in (0, 1, 5 * MIB + 17):
        conn.request("POST", "/empty.php", body=b"x" * size)
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == b""
    conn.request("GET", "/empty.php?cors=true")  # ping uses GET
    assert conn.getresponse().status == 200
    conn.close()


def test_empty_discards_chunked_uploads(libre: int) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"y" * 100_000

    conn = http.client.HTTPConnection("127.0.0.1", libre, timeout=10)
    # encode_chunked: http.client frames the chunks itself (with only the
    # header set it would send them raw, which no server can parse)
    conn.request("POST", "/empty.php", body=chunks(),
                 headers={"Transfer-Encoding": "chunked"}, encode_chunked=True)  # fmt: skip
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read() == b""
    # the whole chunked body was consumed: the same connection still works
    conn.request("GET", "/getIP.php")
    again = conn.getresponse()
    assert again.status == 200 and b"127.0.0.1" in again.read()
    conn.close()


def test_getip_reports_the_client_address(libre: int) -> None:
    status, headers, body = _get(libre, "/getIP.php?isp=true")
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert json.loads(body) == {"processedString": "127.0.0.1", "rawIspInfo": ""}


def test_unknown_path_is_404(libre: int) -> None:
    assert _get(libre, "/nope")[0] == 404


def test_librespeed_download_is_fast_on_loopback(libre: int) -> None:
    """Four parallel streams must reach well over 2 Gbit/s on loopback."""
    total = [0]
    lock = threading.Lock()

    def pull() -> None:
        sock = socket.create_connection(("127.0.0.1", libre))
        sock.sendall(b"GET /garbage.php?ckSize=256 HTTP/1.1\r\nHost: x\r\n\r\n")
        buf = memoryview(bytearray(1 << 20))
        got = 0
        while got < 256 * MIB:
            n = sock.recv_into(buf)
            if not n:
                break
            got += n
        sock.close()
        with lock:
            total[0] += got

    start = time.perf_counter()
    threads = [threading.Thread(target=pull) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    gbit = total[0] * 8 / (time.perf_counter() - start) / 1e9
    print(f"loopback download: {gbit:.1f} Gbit/s")
    assert gbit >= 2.0


def test_ookla_endpoints(ookla: int) -> None:
    assert _get(ookla, "/speedtest/latency.txt?x=1.0")[2] == b"test=test"
    assert len(_get(ookla, "/speedtest/random350x350.jpg?x=1")[2]) == image_size(350)
    status, _, body = _get(ookla, "/speedtest/upload.php", method="POST", body=b"z" * 123_456)
    assert status == 200 and body == b"size=123456"


def test_speedtest_cli_parses_config_and_servers_and_runs(
    ookla: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real speedtest module talks to the loopback server only.

    speedtest-cli hard-codes www.speedtest.net / c.speedtest.net; its request
    builder is wrapped so those names point at 127.0.0.1 (what /etc/hosts does
    inside the virtual home). Any other host would fail the test.
    """
    import speedtest

    real_build = speedtest.build_request
    seen: list[str] = []

    def loopback_build(url: str, *args: Any, **kwargs: Any) -> Any:
        for name in ("www.speedtest.net", "c.speedtest.net"):
            url = url.replace(f"://{name}/", f"://127.0.0.1:{ookla}/")
        if url.startswith("://"):
            url = url.replace("://", f"http://127.0.0.1:{ookla}/", 1).replace(
                f"{ookla}//", f"{ookla}/"
            )
        seen.append(url)
        assert f"127.0.0.1:{ookla}" in url, url
        return real_build(url, *args, **kwargs)

    monkeypatch.setattr(speedtest, "build_request", loopback_build)
    st = speedtest.Speedtest(timeout=5)
    assert st.config["client"]["ip"] == "127.0.0.1"
    assert st.config["length"] == {"upload": 2, "download": 2}
    servers = st.get_servers()
    (only,) = [s for group in servers.values() for s in group]
    assert only["url"] == f"http://127.0.0.1:{ookla}/speedtest/upload.php"
    best = st.get_best_server()
    assert best["id"] == "4242" and best["latency"] < 1000
    down = st.download()
    up = st.upload(pre_allocate=False)
    assert down > 100e6 and up > 50e6  # loopback: far beyond any home line
    assert st.results.bytes_received > 0 and st.results.bytes_sent > 0
