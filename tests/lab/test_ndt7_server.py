"""The lab's ndt7 server checked by M-Lab's own client (``@m-lab/ndt7`` under
Node, lab/ndt7-client) and against the spec's handshake rules, on loopback."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from homecare_lab.ndt7_server import background_ndt7_server

CLIENT_DIR = Path(__file__).resolve().parents[2] / "lab" / "ndt7-client"
SPEC_FIELDS = {"BytesAcked", "BytesReceived", "BytesSent", "BytesRetrans", "ElapsedTime",
               "MinRTT", "RTT", "RTTVar", "BusyTime", "RWndLimited", "SndBufLimited"}  # fmt: skip


@pytest.fixture(scope="module")
def mlab_client() -> Path:
    """M-Lab's client installed from the lock file (``npm ci``) once."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("needs node and npm for M-Lab's @m-lab/ndt7 client")
    modules = CLIENT_DIR / "node_modules"
    if not ((modules / "@m-lab" / "ndt7").is_dir() and (modules / "ws").is_dir()):
        proc = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=CLIENT_DIR,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
    return CLIENT_DIR / "run.js"


def run_mlab_client(script: Path, locate: str) -> dict[str, Any]:
    proc = subprocess.run(
        ["node", str(script), locate],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return doc


def test_mlab_client_measures_both_directions(mlab_client: Path) -> None:
    with background_ndt7_server(duration_s=3.0) as locate:
        doc = run_mlab_client(mlab_client, locate)
    assert doc["errors"] == [] and doc["code"] == 0, doc
    assert doc["server"] == "ndt-lab"
    down, up = doc["download"], doc["upload"]
    assert down["LastClientMeasurement"]["MeanClientMbps"] > 100
    server_down = down["LastServerMeasurement"]
    assert server_down["Test"] == "download" and server_down["Origin"] == "server"
    assert set(server_down["TCPInfo"]) >= SPEC_FIELDS
    assert {"Client", "Server", "StartTime"} <= set(server_down["ConnectionInfo"])
    # the upload: the client library's own figure, and the server's kernel count
    # (what ndt7 reports an upload from) against what the server read
    assert up["LastClientMeasurement"]["MeanClientMbps"] > 100
    last_up = up["LastServerMeasurement"]
    assert last_up["Test"] == "upload"
    tcp_received = last_up["TCPInfo"]["BytesReceived"]
    assert tcp_received > 10_000_000
    # the server's application may lag its kernel by a receive buffer (MBs)
    assert 0 < last_up["AppInfo"]["NumBytes"] <= tcp_received


def _upgrade(locate: str, path: str, protocol: str | None) -> int:
    port = urlsplit(locate).port
    assert port is not None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "DOdm+5/Cm3WwvhfcAlhJoQ==",
    }  # fmt: skip
    if protocol:
        headers["Sec-WebSocket-Protocol"] = protocol
    conn.request("GET", path, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def test_handshake_rules_of_the_spec() -> None:
    with background_ndt7_server() as locate:
        ndt7 = "net.measurementlab.ndt.v7"
        assert _upgrade(locate, "/ndt/v7/download", ndt7) == 101
        assert _upgrade(locate, "/ndt/v7/upload?client_name=x", ndt7) == 101
        assert _upgrade(locate, "/ndt/v7/download", None) == 400
        assert _upgrade(locate, "/ndt/v7/download", "chat") == 400
        assert _upgrade(locate, "/ndt/v7/download?" + "a=b&" * 1100, ndt7) == 400
        assert _upgrade(locate, "/ndt/v7/other", ndt7) == 404
