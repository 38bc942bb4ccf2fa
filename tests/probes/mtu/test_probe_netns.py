"""Path MTU through a router with a smaller next hop, in namespaces this test
creates (addresses 10.200.x exist only inside them) and removes afterwards:
with "fragmentation needed" answered the MTU is learned; with it dropped the
probe finds the same MTU and calls it a black hole."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

pytestmark = [
    pytest.mark.e2e,  # probes sent inside namespaces this module builds
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("ip") is None or shutil.which("nft") is None,
        reason="needs root, ip and nft to build network namespaces",
    ),
]

PROBE = """
import json, time
from homecare.probes.base import ProbeContext
from homecare.probes.mtu.probe import MtuProbe
from homecare.profiles.provider import ProviderProfile
p = ProviderProfile.model_validate({"targets": {"internet_hosts": ["10.200.1.2"]}})
ctx = ProbeContext(deadline=time.monotonic() + 8, quick=False, provider=p, privileged=True)
print(MtuProbe().run(ctx).model_dump_json())
"""


def sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=10)


@pytest.fixture
def path_1400() -> Iterator[tuple[str, str]]:
    tag = secrets.token_hex(3)
    a, r, b = f"hcmtu-a-{tag}", f"hcmtu-r-{tag}", f"hcmtu-b-{tag}"
    try:
        for ns in (a, r, b):
            sh("ip", "netns", "add", ns)
        sh("ip", "-n", a, "link", "add", "va", "type", "veth", "peer", "name", "ra", "netns", r)
        sh("ip", "-n", r, "link", "add", "rb", "type", "veth", "peer", "name", "vb", "netns", b)
        sh("ip", "-n", r, "link", "set", "rb", "mtu", "1400")
        sh("ip", "-n", b, "link", "set", "vb", "mtu", "1400")
        for ns, dev, addr in ((a, "va", "10.200.0.1/30"), (r, "ra", "10.200.0.2/30"),
                              (r, "rb", "10.200.1.1/30"), (b, "vb", "10.200.1.2/30")):  # fmt: skip
            sh("ip", "-n", ns, "addr", "add", addr, "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
        for ns in (a, r, b):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", a, "route", "add", "default", "via", "10.200.0.2")
        sh("ip", "-n", b, "route", "add", "default", "via", "10.200.1.1")
        sh("ip", "netns", "exec", r, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        yield a, r
    finally:
        for ns in (a, r, b):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


def run_probe(ns: str) -> dict[str, object]:
    proc = subprocess.run(
        ["ip", "netns", "exec", ns, sys.executable, "-c", PROBE],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def test_pmtud_working_finds_1400_without_black_hole(path_1400: tuple[str, str]) -> None:
    client, _router = path_1400
    data = run_probe(client)
    assert data["path_mtu"] == 1400 and data["blackhole"] is False, data


def test_frag_needed_dropped_is_a_black_hole(path_1400: tuple[str, str]) -> None:
    client, router = path_1400
    subprocess.run(
        ["ip", "netns", "exec", router, "nft", "-f", "-"],
        input="table inet hcmtu {\n  chain out {\n    type filter hook output priority 0;\n"
        "    icmp type destination-unreachable icmp code frag-needed drop\n  }\n}\n",
        text=True, check=True, capture_output=True,
    )  # fmt: skip
    data = run_probe(client)
    assert data["path_mtu"] == 1400 and data["blackhole"] is True, data
