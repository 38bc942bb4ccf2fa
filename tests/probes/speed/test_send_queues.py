"""Send queues of the namespace, read from /proc/net/tcp, on loopback."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import pytest

from homecare.probes.speed.send_queues import queued_bytes, wait_until_quiet

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="/proc/net/tcp is Linux's")


def test_a_peer_that_does_not_read_shows_as_queued_until_it_reads() -> None:
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    client = socket.create_connection(srv.getsockname())
    conn, _ = srv.accept()
    try:
        client.setblocking(False)
        written = 0
        try:
            while written < 8 * 1024 * 1024:
                written += client.send(b"z" * 65536)
        except BlockingIOError:
            pass
        time.sleep(0.05)
        before = queued_bytes()
        assert before is not None and before >= 256 * 1024
        started = time.monotonic()
        assert wait_until_quiet(time.monotonic() + 0.3, limit=128 * 1024) >= 128 * 1024
        assert time.monotonic() - started >= 0.3  # it waited for the queue
        conn.settimeout(2)
        got = 0
        while got < written:
            got += len(conn.recv(1 << 20))
        time.sleep(0.05)
        after = queued_bytes()
        assert after is not None and after < before
    finally:
        for s in (client, conn, srv):
            s.close()


def test_unknown_where_there_is_no_table(tmp_path: Path) -> None:
    assert queued_bytes((tmp_path / "missing",)) is None


def test_parses_the_kernel_format(tmp_path: Path) -> None:
    table = tmp_path / "tcp"
    table.write_text(
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000\n"
        "   1: 0100007F:A1B2 0100007F:1F90 01 00100000:00000000 01:00000014 00000000\n"
        "   2: 0100007F:A1B3 0100007F:1F90 04 00000400:00000000 01:00000014 00000000\n"
        "   3: 0100007F:A1B4 0100007F:1F90 06 00009999:00000000 01:00000014 00000000\n"
    )
    assert queued_bytes((table,)) == 0x100000 + 0x400  # TIME-WAIT and LISTEN hold nothing
