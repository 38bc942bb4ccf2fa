"""TCP_INFO parsing against the kernel's own counters on loopback."""

from __future__ import annotations

import socket
import sys
import threading
import time

import pytest

from homecare.probes.speed.tcp_info import (
    abort,
    acked_bytes,
    tcp_info,
    unacked_bytes,
    unread_bytes,
)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="TCP_INFO layout is Linux's")


def _pair() -> tuple[socket.socket, socket.socket, socket.socket]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    client = socket.create_connection(srv.getsockname())
    conn, _ = srv.accept()
    return srv, client, conn


def test_bytes_acked_and_received_match_what_moved() -> None:
    srv, client, conn = _pair()
    try:
        payload = b"x" * 1_234_567
        got = bytearray()

        def read() -> None:
            while len(got) < len(payload):
                got.extend(conn.recv(65536))

        t = threading.Thread(target=read)
        t.start()
        client.sendall(payload)
        t.join(5)
        time.sleep(0.05)
        info = tcp_info(client)
        assert info is not None
        assert info.bytes_acked == len(payload) + 1  # the SYN counts one
        assert info.bytes_sent >= len(payload)
        assert info.min_rtt_us > 0
        peer = tcp_info(conn)
        assert peer is not None and peer.bytes_received == len(payload)
        assert acked_bytes(client, len(payload)) == len(payload)
        assert unacked_bytes(client) == 0
    finally:
        for s in (client, conn, srv):
            s.close()


def test_unread_peer_leaves_unacked_bytes_and_abort_resets() -> None:
    srv, client, conn = _pair()
    try:
        client.setblocking(False)
        written = 0
        try:
            while True:
                written += client.send(b"y" * 65536)
        except BlockingIOError:
            pass
        time.sleep(0.05)
        acked = acked_bytes(client, written)
        assert acked < written
        abort(client)
        conn.settimeout(2)
        with pytest.raises(ConnectionResetError):
            while conn.recv(1 << 20):
                pass
    finally:
        conn.close()
        srv.close()


def test_unread_bytes_is_what_arrived_and_was_not_read_yet() -> None:
    srv, client, conn = _pair()
    try:
        conn.sendall(b"x" * 5000)
        deadline = time.monotonic() + 2
        while unread_bytes(client) < 5000 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert unread_bytes(client) == 5000
        assert len(client.recv(2000)) == 2000
        assert unread_bytes(client) == 3000
    finally:
        for s in (client, conn, srv):
            s.close()
    assert unread_bytes(client) == 0  # a closed socket: unknown, not an error
