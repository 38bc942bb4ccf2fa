"""ARP sweep and neighbour-table sweep against a tiny namespace home (root only)."""

from __future__ import annotations

import json
from typing import Any

import pytest

#: packets go only inside the namespace home the mini_home fixture builds
pytestmark = pytest.mark.e2e

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


@pytest.mark.parametrize("user", [None, "nobody"])
def test_check_devices_in_a_namespace(mini_home: Any, user: str | None) -> None:
    """``homecare check devices`` (the one flow) on a LAN the test built."""
    import sys

    from homecare_lab.provider_profile import lab_homecare_home
    from homecare_lab.runs import nobody_cannot_run_homecare, observation, open_workdir

    if user and (why := nobody_cannot_run_homecare()):
        pytest.skip(why)
    argv = [sys.executable, "-m", "homecare", "check", "devices", "--json", "--no-save", "--quick"]
    with open_workdir() as workdir:
        hc_home = lab_homecare_home(workdir)
        for path in (hc_home, *hc_home.rglob("*")):
            path.chmod(0o777 if path.is_dir() else 0o666)
        # exit 1 (findings: this LAN has no internet) is a finished check; 2 and up is not
        stdout = mini_home.run_args(
            argv, user=user, extra_env={"HOMECARE_HOME": str(hc_home)}, ok_codes=(0, 1)
        )
    report = json.loads(stdout)
    obs = observation(report, "devices")
    out = {**obs["data"], "elapsed_s": obs["duration_s"]}
    assert out["method"] == ("arp-sweep" if user is None else "neighbour-table")
    assert out["subnet"] == "10.77.0.0/24"
    by_ip = {d["ipv4"][0]: d for d in out["devices"]}
    expected = _expected(mini_home)
    for ip, mac in expected.items():
        assert by_ip[ip]["mac"] == mac
    assert by_ip["10.77.0.100"]["is_gateway"] and by_ip["10.77.0.100"]["type"] == "router"
    assert by_ip[ME_IP]["is_self"]
    assert by_ip["10.77.0.102"]["vendor"] == "Sonos"
    assert by_ip["10.77.0.104"]["randomized_mac"] and by_ip["10.77.0.104"]["vendor"] is None
    assert len(out["devices"]) == len(expected) + 1
    assert out["elapsed_s"] < 10
