"""ICMP packet helpers and the echo/TCP series, against loopback only."""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homecare.probes.reach.icmp import (
    ICMP_ECHO_REPLY,
    ICMP_ECHO_REQUEST,
    build_echo,
    checksum,
    icmp_series,
    parse_echo_reply,
    tcp_series,
)


def test_checksum_known_vectors() -> None:
    # RFC 1071 worked example: 0001 f203 f4f5 f6f7 sums to ddf2, complement 220d
    assert checksum(bytes.fromhex("0001f203f4f5f6f7")) == 0x220D
    assert checksum(b"") == 0xFFFF
    assert checksum(b"\x00\x00") == 0xFFFF
    assert checksum(b"\xff\xff") == 0x0000
    # odd length is padded with a zero byte
    assert checksum(b"\x01") == checksum(b"\x01\x00") == 0xFEFF


def test_build_echo_has_a_valid_checksum_and_fields() -> None:
    packet = build_echo(0x1234, 7, b"homecare")
    icmp_type, code, _csum, ident, seq = struct.unpack("!BBHHH", packet[:8])
    assert (icmp_type, code, ident, seq) == (ICMP_ECHO_REQUEST, 0, 0x1234, 7)
    assert packet[8:] == b"homecare"
    assert checksum(packet) == 0  # a correct checksum makes the whole sum zero


def _as_reply(request: bytes) -> bytes:
    return bytes([ICMP_ECHO_REPLY]) + request[1:]


def _ip_header(ihl_words: int = 5) -> bytes:
    return bytes([0x40 | ihl_words]) + bytes(ihl_words * 4 - 1)


@given(st.integers(0, 0xFFFF), st.integers(0, 0xFFFF), st.binary(max_size=64))
def test_build_parse_round_trip(ident: int, seq: int, payload: bytes) -> None:
    reply = _as_reply(build_echo(ident, seq, payload))
    assert parse_echo_reply(reply, raw=False) == (ident, seq)
    assert parse_echo_reply(_ip_header() + reply, raw=True) == (ident, seq)
    assert parse_echo_reply(_ip_header(6) + reply, raw=True) == (ident, seq)


def test_parse_rejects_requests_and_short_packets() -> None:
    request = build_echo(1, 1, b"")
    assert parse_echo_reply(request, raw=False) is None
    assert parse_echo_reply(b"\x00\x00\x00", raw=False) is None
    assert parse_echo_reply(b"", raw=True) is None
    assert parse_echo_reply(_ip_header(), raw=True) is None  # header but no ICMP


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80), st.booleans())
def test_parse_garbage_never_raises(packet: bytes, raw: bool) -> None:
    result = parse_echo_reply(packet, raw)
    assert result is None or (isinstance(result, tuple) and len(result) == 2)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=7))
def test_parse_truncated_icmp_is_none(packet: bytes) -> None:
    assert parse_echo_reply(packet, raw=False) is None
    assert parse_echo_reply(_ip_header() + packet, raw=True) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="raw ICMP sockets need root")
def test_icmp_series_to_loopback() -> None:
    series = icmp_series("127.0.0.1", 3, 1.0, 0.0, time.monotonic() + 3)
    assert series is not None
    assert series.method == "icmp-raw"
    assert series.sent == 3
    assert series.received == 3
    assert len(series.rtts_ms) == 3
    assert all(0 <= rtt < 1000 for rtt in series.rtts_ms)
    assert series.error is None


def test_icmp_series_respects_the_deadline() -> None:
    series = icmp_series("127.0.0.1", 5, 1.0, 0.0, time.monotonic() - 1)
    if series is None:
        pytest.skip("no ICMP socket available to this user")
    assert series.sent == 0
    assert series.received == 0


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP listener on 127.0.0.1 that accepts and closes connections."""
    srv = socket.create_server(("127.0.0.1", 0))
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _addr = srv.accept()
            except OSError:
                continue
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield srv.getsockname()[1]
    stop.set()
    thread.join(1)
    srv.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_tcp_series_counts_refusals_as_answers() -> None:
    series = tcp_series("127.0.0.1", _closed_port(), 3, 0.5, 0.0, time.monotonic() + 3)
    assert series.method == "tcp-connect"
    assert (series.sent, series.received) == (3, 3)
    assert len(series.rtts_ms) == 3
    assert series.error is None


def test_tcp_series_to_listening_port(listener: int) -> None:
    series = tcp_series("127.0.0.1", listener, 3, 0.5, 0.0, time.monotonic() + 3)
    assert (series.sent, series.received) == (3, 3)
    assert series.error is None


def test_tcp_series_honours_the_interval(listener: int) -> None:
    started = time.monotonic()
    series = tcp_series("127.0.0.1", listener, 3, 0.5, 0.1, time.monotonic() + 3)
    assert series.received == 3
    assert time.monotonic() - started >= 0.25


def test_tcp_series_stops_at_the_deadline(listener: int) -> None:
    series = tcp_series("127.0.0.1", listener, 100, 0.5, 0.05, time.monotonic() + 0.3)
    assert 1 <= series.sent < 100
    assert series.received == series.sent
