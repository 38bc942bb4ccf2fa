"""ARP sweep and neighbour-table sweep against a tiny namespace home (root only)."""

from __future__ import annotations

import json
from typing import Any

import pytest

ME_IP = "10.77.0.10"
ME_MAC = "02:77:00:00:00:10"


def _expected(home: Any) -> dict[str, str]:
    return {home.device_ip(i): mac for i, mac in enumerate(home.macs)}


@pytest.mark.parametrize("use_scapy", [False, True])
def test_arp_sweep(mini_home: Any, use_scapy: bool) -> None:
    code = f"""
import json, time
from homecare.probes.discovery.arp_sweep import sweep
targets = [f"10.77.0.{{i}}" for i in range(1, 255)]
t = time.monotonic()
found = sweep("eth0", "{ME_IP}", "{ME_MAC}", targets, time.monotonic() + 10, use_scapy={use_scapy})
print(json.dumps({{"t": time.monotonic() - t, "found": {{n.ip: n.mac for n in found}}}}))
"""
    out = json.loads(mini_home.run(code))
    assert out["found"] == _expected(mini_home)
    assert out["t"] < 5.0


def test_neighbour_sweep_unprivileged(mini_home: Any) -> None:
    code = f"""
import json, time
from homecare.probes.discovery.neighbours import sweep
targets = [f"10.77.0.{{i}}" for i in range(1, 255)]
t = time.monotonic()
found, how = sweep(targets, "eth0", "{ME_IP}", time.monotonic() + 15)
print(json.dumps({{"t": time.monotonic() - t, "how": how, "found": {{n.ip: n.mac for n in found}}}}))
"""
    out = json.loads(mini_home.run(code, user="nobody"))
    assert out["how"] == "ip"
    assert out["found"] == _expected(mini_home)
