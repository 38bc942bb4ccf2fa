"""The collector API on both databases: tokens, limits, validation, duplicates,
support lookups and deletion."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

import pytest

from homecare.collector.db import count_uploads
from homecare.share.support_code import from_upload_id

from .conftest import Collector, start_collector
from .payloads import installation, payload


def test_upload_then_duplicate_is_one_row(collector: Collector) -> None:
    p = payload()
    with collector.client(collector.ingest) as c:
        first = c.post("/v1/uploads", json=p)
        again = c.post("/v1/uploads", json=p)
    assert first.status_code == 201, first.text
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert first.json()["support_code"] == from_upload_id(p["upload_id"])
    assert count_uploads(collector.engine) == (1, 1)


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer"])
def test_wrong_or_missing_token_is_401(collector: Collector, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    with collector.client() as c:
        r = c.post("/v1/uploads", json=payload(), headers=headers)
    assert r.status_code == 401
    assert count_uploads(collector.engine) == (0, 0)


def test_support_token_cannot_upload(collector: Collector) -> None:
    with collector.client(collector.support) as c:
        assert c.post("/v1/uploads", json=payload()).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        json.dumps({**payload(), "hostname": "alice-laptop"}).encode(),
        json.dumps({**payload(), "upload_id": "123"}).encode(),
        json.dumps(
            {**payload(), "findings": [{"code": "X", "severity": "bad", "segment": "wifi"}]}
        ).encode(),
        json.dumps({k: v for k, v in payload().items() if k != "verdict"}).encode(),
    ],
)
def test_invalid_payload_is_422_and_not_stored(collector: Collector, body: bytes) -> None:
    with collector.client(collector.ingest) as c:
        r = c.post("/v1/uploads", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert count_uploads(collector.engine) == (0, 0)


def test_oversized_body_with_length_is_413(collector: Collector) -> None:
    with collector.client(collector.ingest) as c:
        r = c.post("/v1/uploads", content=b"x" * (600 * 1024))
    assert r.status_code == 413


def test_oversized_chunked_body_is_413_before_it_is_read(collector: Collector) -> None:
    """Raw socket: send headers and a few chunks of a body announced as endless;
    the 413 must arrive while the client is still sending."""
    parts = urlsplit(collector.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    sock.sendall(
        b"POST /v1/uploads HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/json\r\n"
        + f"Authorization: Bearer {collector.ingest}\r\n\r\n".encode()
    )
    chunk = b"a" * 65536
    sent = 0
    response = b""
    sock.settimeout(0.05)
    for _ in range(200):  # up to 12.5 MiB; the limit is 512 KiB
        try:
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            break
        try:
            response += sock.recv(65536)
        except (TimeoutError, BlockingIOError):
            continue
        if response:
            break
    sock.settimeout(5)
    try:
        while b"\r\n\r\n" not in response:
            data = sock.recv(65536)
            if not data:
                break
            response += data
    except (TimeoutError, ConnectionResetError):
        pass
    sock.close()
    assert response.startswith(b"HTTP/1.1 413"), response[:100]
    assert sent < 2 * 1024 * 1024
    assert count_uploads(collector.engine) == (0, 0)


def test_rate_limit_429_with_retry_after(db_url: str) -> None:
    c = start_collector(db_url, rate_per_s=0.5, burst=2)
    try:
        with c.client(c.ingest) as client:
            codes = [client.post("/v1/uploads", json=payload()).status_code for _ in range(3)]
            limited = client.post("/v1/uploads", json=payload())
        assert codes[:2] == [201, 201]
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1
        assert count_uploads(c.engine)[0] == 2
    finally:
        c.server.stop()


def test_support_lookup_tolerant_and_scoped(collector: Collector) -> None:
    p = payload(codes=("wifi.signal.weak", "dns.slow"))
    code = from_upload_id(p["upload_id"])
    with collector.client(collector.ingest) as c:
        assert c.post("/v1/uploads", json=p).status_code == 201
    spoken = code.lower().replace("-", " ")
    with collector.client(collector.support) as c:
        r = c.get(f"/v1/results/{spoken}")
        assert r.status_code == 200, r.text
        assert r.json()["payload"]["upload_id"] == p["upload_id"]
        assert r.json()["support_code"] == code
        bad = code[:-1] + ("2" if code[-1] != "2" else "3")
        assert c.get(f"/v1/results/{bad}").status_code == 400
    with collector.client(collector.other_support) as c:
        assert c.get(f"/v1/results/{code}").status_code == 404
    with collector.client(collector.ingest) as c:
        assert c.get(f"/v1/results/{code}").status_code == 403


def test_delete_installation(collector: Collector) -> None:
    with collector.client(collector.ingest) as c:
        for n in (1, 1, 2):
            assert c.post("/v1/uploads", json=payload(n)).status_code == 201
        r = c.delete(f"/v1/installations/{installation(1)}")
    assert r.status_code == 200 and r.json() == {"deleted": 2, "sessions": 0, "alert_events": 0}
    assert count_uploads(collector.engine) == (1, 1)


def test_insights_endpoint_needs_analyst_or_support(collector: Collector) -> None:
    with collector.client(collector.ingest) as c:
        assert c.get("/v1/insights").status_code == 403
    with collector.client(collector.analyst) as c:
        r = c.get("/v1/insights", params={"k": 2})
    assert r.status_code == 200 and r.json()["k"] == 10
    assert time.time() > 0
