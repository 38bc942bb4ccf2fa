"""The lab's measuring tools, exercised on loopback (no root needed)."""

from __future__ import annotations

import socket
import subprocess
import sys

from homecare_lab.measure import _checksum, loss_client


def test_icmp_checksum_matches_known_value() -> None:
    # Echo request, id 1, seq 1, no payload: checksum 0xf7fd.
    assert _checksum(bytes([8, 0, 0, 0, 0, 1, 0, 1])) == 0xF7FD


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_loss_probe_counts_every_packet_on_a_lossless_path() -> None:
    port = _free_udp_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "homecare_lab.measure", "loss-server", "--bind", "127.0.0.1",
         "--port", str(port), "--lifetime", "30"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == b"ready"
        for direction in ("up", "down"):
            r = loss_client("127.0.0.1", port, 300, direction, gap_us=200)
            assert r["sent"] == 300 and r["received"] == 300 and r["loss_pct"] == 0.0
    finally:
        server.kill()
        server.wait()
