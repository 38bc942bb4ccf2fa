"""Self-test of the virtual home: it must be exactly what its spec says.

Everything is measured from inside the laptop namespace with independent
tools (iperf3, arp-scan, python-zeroconf, raw SSDP, a UDP loss probe), never
with homecare's own probes: the home is the yardstick those are tested with.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from typing import Any

import pytest
from homecare_lab import HomeSpec, VirtualHome, WanSpec, catalogue_devices
from homecare_lab import addresses as A
from homecare_lab.netns import list_namespaces
from homecare_lab.state import STATE_DIR

pytestmark = pytest.mark.e2e

PY = sys.executable
MEASURE = [PY, "-m", "homecare_lab.measure"]
N_DEVICES = 50
WAN = WanSpec(down_mbit=40.0, up_mbit=10.0, queue_ms=50.0)


def measure(home: VirtualHome, *args: str, timeout: float = 60) -> Any:
    proc = home.run_in_laptop([*MEASURE, *args], timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def arp_scan(home: VirtualHome) -> dict[str, str]:
    """ip -> mac of every host answering ARP on the laptop's LAN."""
    proc = home.run_in_laptop(
        ["arp-scan", "-I", "eth0", "-q", "-x", "-r", "2", home.spec.lan.subnet], timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    seen = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and re.fullmatch(r"[\d.]+", parts[0]):
            seen[parts[0]] = parts[1].lower()
    return seen


@pytest.fixture(scope="module")
def home(module_virtual_home: Any) -> VirtualHome:
    spec = HomeSpec(name="selftest", wan=WAN, devices=tuple(catalogue_devices(N_DEVICES)))
    built: VirtualHome = module_virtual_home(spec)
    return built


# ----------------------------------------------------------------------------- build & LAN


def test_fifty_device_home_comes_up_fast(home: VirtualHome) -> None:
    assert len(home.spec.devices) == N_DEVICES
    assert home.timings["up_s"] < 20, home.timings


def test_laptop_gets_address_by_dhcp_and_lease_is_recorded(home: VirtualHome) -> None:
    start, end = home.spec.dhcp_range()
    ip = home.laptop_ip
    assert ip is not None
    assert (
        tuple(map(int, start.split(".")))
        <= tuple(map(int, ip.split(".")))
        <= tuple(map(int, end.split(".")))
    )
    leases = home.dhcp_leases()
    assert {"mac": home.laptop_mac, "ip": ip} in [{"mac": x["mac"], "ip": x["ip"]} for x in leases]
    route = home.run_in_laptop(["ip", "route", "show", "default"]).stdout
    assert f"via {home.router_ip}" in route


def test_arp_scan_sees_every_device(home: VirtualHome) -> None:
    seen = arp_scan(home)
    for dev in home.ground_truth()["devices"]:
        assert seen.get(dev["ip"]) == dev["mac"], dev["name"]
    assert seen.get(home.router_ip) == home.router_mac
    assert len(seen) == N_DEVICES + 1  # devices + router, nothing else


def test_macs_carry_real_vendor_ouis_and_randomized_ones(home: VirtualHome) -> None:
    devices = home.ground_truth()["devices"]
    orgs = {d["vendor_org"] for d in devices if d["vendor_org"]}
    for org in ("Apple, Inc.", "Hewlett Packard", "Sonos, Inc.", "Google, Inc.", "Dell Inc."):
        assert org in orgs
    assert any(d["randomized_mac"] for d in devices)
    # arp-scan's own IEEE table agrees on the vendor of an OUI'd device.
    proc = home.run_in_laptop(["arp-scan", "-I", "eth0", "-r", "2", devices[0]["ip"]], timeout=30)
    assert "Apple, Inc." in proc.stdout


def test_zeroconf_browse_sees_every_advertised_service(home: VirtualHome) -> None:
    truth = home.ground_truth()["devices"]
    expected = {
        (s["type"], s["name"]): (d["ip"], s["port"], s["txt"]) for d in truth for s in d["services"]
    }
    types = sorted({t for t, _ in expected})
    found = measure(home, "mdns-browse", *types, "--timeout", "3")
    got = {(f["type"], f["name"]): f for f in found if f.get("resolved")}
    missing = set(expected) - set(got)
    assert not missing, f"{len(missing)} services not found, e.g. {sorted(missing)[:5]}"
    assert set(got) == set(expected)
    for key, (ip, port, txt) in expected.items():
        assert got[key]["addresses"] == [ip]
        assert got[key]["port"] == port
        assert got[key]["txt"] == txt
    cast = [v for k, v in got.items() if k[0] == "_googlecast._tcp"]
    assert cast and {"md", "fn", "id"} <= set(cast[0]["txt"])


def test_ssdp_search_finds_every_upnp_device(home: VirtualHome) -> None:
    truth = {d["ip"]: d["ssdp"] for d in home.ground_truth()["devices"] if d["ssdp"]}
    found = measure(home, "ssdp-search", "--timeout", "2.5")
    got = {f["from"]: f for f in found}
    lan = home.ground_truth()["lan"]
    if home.spec.igd:  # the router's miniupnpd is the home's Internet Gateway Device
        assert lan["router_ip"] in got
        assert "InternetGatewayDevice" in str(got.pop(lan["router_ip"]))
    assert set(got) == set(truth)
    for ip, ssdp in truth.items():
        assert got[ip]["friendlyName"] == ssdp["friendly_name"]
        assert got[ip]["manufacturer"] == ssdp["manufacturer"]
        assert got[ip]["modelName"] == ssdp["model_name"]
        assert got[ip]["UDN"] == f"uuid:{ssdp['uuid']}"


def test_printer_tcp_ports_answer_and_closed_ports_refuse(home: VirtualHome) -> None:
    printer = next(d for d in home.ground_truth()["devices"] if d["kind"] == "printer")
    for port in (631, 9100):
        assert measure(home, "tcp-connect", printer["ip"], str(port))["open"], port
    assert not measure(home, "tcp-connect", printer["ip"], "23")["open"]


# ----------------------------------------------------------------------------- WAN & provider


def test_dns_resolves_test_names_and_nxdomain_for_the_rest(home: VirtualHome) -> None:
    assert measure(home, "dns-lookup", "example.com")["addresses"] == [A.INTERNET]
    assert measure(home, "dns-lookup", "connectivity.homecare.test")["addresses"] == [
        A.CONNECTIVITY
    ]
    missing = measure(home, "dns-lookup", "no-such-name.example.org")
    assert not missing["ok"]
    assert "not known" in missing["error"] or "No address" in missing["error"]
    # speedtest-cli's names come from the laptop's /etc/hosts (the lab's).
    assert measure(home, "dns-lookup", "www.speedtest.net")["addresses"] == [A.OOKLA]


def test_internet_host_answers_ping_and_tcp(home: VirtualHome) -> None:
    assert measure(home, "ping", A.INTERNET)["received"] == 3
    assert measure(home, "tcp-connect", A.INTERNET, "443")["open"]
    page = measure(home, "http-get", "http://example.com/")
    assert page["status"] == 200


def test_nat_hides_the_lan_behind_the_wan_address(home: VirtualHome) -> None:
    got = measure(home, "http-get", f"http://{A.LIBRESPEED}/getIP.php")
    assert json.loads(got["body"]) == {"processedString": A.WAN_ROUTER, "rawIspInfo": ""}


def test_connectivity_check_answers_204(home: VirtualHome) -> None:
    assert measure(home, "http-get", A.CHECK_URL)["status"] == 204


def _iperf(home: VirtualHome, reverse: bool, seconds: int = 4) -> tuple[float, int]:
    """iperf3's goodput, the first second left out (slow start and the shaper's burst)."""
    args = ["iperf3", "-c", A.IPERF, "-t", str(seconds), "-O", "1", "-J"]
    args += ["-R"] if reverse else []
    for _attempt in range(3):
        proc = home.run_in_laptop(args, timeout=60)
        result = json.loads(proc.stdout)
        if "Connection refused" not in str(result.get("error", "")):
            break
        time.sleep(0.5)  # the server is between two tests
    assert "error" not in result, result.get("error")
    mss = int(result["start"].get("tcp_mss_default") or 1448)
    return float(result["end"]["sum_received"]["bits_per_second"]), mss


def _wait_listening(home: VirtualHome, where: str, port: int, timeout: float = 10.0) -> None:
    """Wait until a server in *where* listens on *port* (a busy machine is slow)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = home.run_in(where, ["ss", "-Hltn", f"sport = :{port}"]).stdout
        if out.strip():
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} in {where}")


def test_iperf3_rate_matches_spec_in_both_directions(home: VirtualHome) -> None:
    server = home.spawn("provider", ["iperf3", "-s", "-B", A.IPERF])
    try:
        for reverse, spec_mbit in ((False, WAN.up_mbit), (True, WAN.down_mbit)):
            # iperf3 serves one test at a time and re-listens after each
            _wait_listening(home, "provider", 5201)
            goodput, mss = _iperf(home, reverse)
            # tbf shapes Ethernet frames; iperf3 counts TCP payload. Convert back:
            # frame = payload + TCP(20) + timestamps(12) + IP(20) + Ethernet(14).
            on_wire = goodput * (mss + 66) / mss
            ratio = on_wire / (spec_mbit * 1e6)
            print(
                f"iperf3 {'down' if reverse else 'up'}: goodput {goodput / 1e6:.2f} Mbit/s, "
                f"on wire {on_wire / 1e6:.2f} Mbit/s, ratio to spec {ratio:.3f}"
            )
            assert 0.95 <= ratio <= 1.05, (reverse, ratio)
            assert 0.92 <= goodput / (spec_mbit * 1e6) <= 1.0
    finally:
        home.stop(server)


def test_loss_matches_spec_in_both_directions(home: VirtualHome) -> None:
    server = home.spawn("provider", [*MEASURE, "loss-server", "--bind", A.IPERF])
    assert server.stdout is not None and server.stdout.readline().strip() == b"ready"
    home.degrade_wan(loss_down_pct=5.0, loss_up_pct=5.0)
    try:
        for direction in ("up", "down"):
            # 5000 packets: at 5 % the binomial sigma is 0.31 points, so the
            # 1-point tolerance is > 3 sigma (2000 packets would be only 2 sigma).
            r = measure(home, "loss-client", A.IPERF, "--direction", direction,
                        "--count", "5000", "--gap-us", "400")  # fmt: skip
            print(f"loss {direction}: {r['loss_pct']:.2f} % (spec 5 %)")
            assert abs(r["loss_pct"] - 5.0) <= 1.0, r
        assert home.ground_truth()["faults"]["wan_degraded"]["loss_up_pct"] == 5.0
    finally:
        home.restore_wan()
        home.stop(server)
    assert "wan_degraded" not in home.ground_truth()["faults"]


def test_wan_rate_can_be_degraded_at_run_time(home: VirtualHome) -> None:
    server = home.spawn("provider", ["iperf3", "-s", "-B", A.IPERF])
    home.degrade_wan(down_mbit=8.0)
    try:
        _wait_listening(home, "provider", 5201)
        # 8 s: a receiver the busy machine held back reads a burst late; over a
        # longer window that burst weighs less (4 s read 1.067 on a loaded host)
        goodput, mss = _iperf(home, reverse=True, seconds=8)
        assert 0.95 <= goodput * (mss + 66) / mss / 8e6 <= 1.05
    finally:
        home.restore_wan()
        home.stop(server)


def test_speedtest_cli_runs_against_the_provider_server(home: VirtualHome) -> None:
    proc = home.run_in_laptop([PY, "-m", "speedtest", "--json"], timeout=90)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["server"]["host"] == A.OOKLA_SERVER_HOST
    assert result["client"]["ip"] == A.WAN_ROUTER
    # speedtest-cli is coarse; it must still land near the shaped rates.
    assert 0.5 * WAN.down_mbit * 1e6 < result["download"] < 1.1 * WAN.down_mbit * 1e6
    assert 0.5 * WAN.up_mbit * 1e6 < result["upload"] < 1.1 * WAN.up_mbit * 1e6


# ----------------------------------------------------------------------------- faults


def test_dns_down_fails_lookups_while_internet_ip_answers(home: VirtualHome) -> None:
    home.dns_down()
    try:
        r = measure(home, "dns-lookup", "homecare.test")
        assert not r["ok"], r
        assert measure(home, "ping", A.INTERNET)["received"] == 3
    finally:
        home.dns_up()
    assert measure(home, "dns-lookup", "homecare.test")["ok"]


def test_router_down_makes_gateway_unreachable(home: VirtualHome) -> None:
    home.router_down()
    try:
        assert measure(home, "ping", home.router_ip, "--count", "2")["received"] == 0
        assert home.ground_truth()["faults"]["router_down"]
    finally:
        home.router_up()
    assert measure(home, "ping", home.router_ip)["received"] == 3


def test_wan_down_keeps_lan_but_cuts_internet(home: VirtualHome) -> None:
    home.wan_down()
    try:
        assert measure(home, "ping", home.router_ip)["received"] == 3
        assert measure(home, "ping", A.INTERNET, "--count", "2")["received"] == 0
    finally:
        home.wan_up()
    assert measure(home, "ping", A.INTERNET)["received"] == 3


def test_captive_portal_replaces_the_204(home: VirtualHome) -> None:
    home.captive_portal_on()
    try:
        r = measure(home, "http-get", A.CHECK_URL)
        assert r["status"] != 204
        assert r["status"] == 302 and "/login" in r["headers"]["location"]
        login = measure(home, "http-get", r["headers"]["location"])
        assert login["status"] == 200 and "login" in login["body"].lower()
        assert not measure(home, "tcp-connect", A.INTERNET, "443")["open"]
    finally:
        home.captive_portal_off()
    assert measure(home, "http-get", A.CHECK_URL)["status"] == 204


def test_device_disappears_and_returns(home: VirtualHome) -> None:
    victim = home.spec.devices[5]
    home.device_disappears(victim.name)
    try:
        seen = arp_scan(home)
        assert victim.ip not in seen
        assert len(seen) == N_DEVICES  # everyone else still there (+ router)
        assert not next(d for d in home.ground_truth()["devices"] if d["name"] == victim.name)[
            "present"
        ]
    finally:
        home.device_returns(victim.name)
    assert arp_scan(home).get(victim.ip or "") == victim.mac


# ----------------------------------------------------------------------------- lifecycle


def _our_processes(run_id: str) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if f"hc{run_id}" in line or f" {run_id}" in line]


def test_teardown_restores_host_exactly(virtual_home: Any, host_network_snapshot: Any) -> None:
    before = host_network_snapshot()
    home = virtual_home(HomeSpec(name="tiny", devices=tuple(catalogue_devices(3))))
    assert set(home.namespaces()) <= set(list_namespaces())
    home.close()
    assert host_network_snapshot() == before
    assert not _our_processes(home.run_id)
    assert not (STATE_DIR / f"{home.run_id}.json").exists()
    assert not home.workdir.exists()
    assert home.timings["down_s"] < 10


def test_killed_run_is_cleaned_by_the_next_start(
    virtual_home: Any, host_network_snapshot: Any
) -> None:
    before = host_network_snapshot()
    script = textwrap.dedent(
        """
        import sys, time
        from homecare_lab import HomeSpec, VirtualHome, catalogue_devices
        home = VirtualHome(HomeSpec(name="doomed", devices=tuple(catalogue_devices(2)))).start()
        print(home.run_id, flush=True)
        time.sleep(600)
        """
    )
    child = subprocess.Popen([PY, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    run_id = child.stdout.readline().strip()
    assert run_id, "child did not build its home"
    assert any(ns.startswith(f"hc{run_id}-") for ns in list_namespaces())
    os.kill(child.pid, signal.SIGKILL)  # no chance to clean up
    child.wait()
    assert (STATE_DIR / f"{run_id}.json").exists()
    home = virtual_home(HomeSpec(name="next"))  # its start cleans the dead run
    assert not any(ns.startswith(f"hc{run_id}-") for ns in list_namespaces())
    assert not (STATE_DIR / f"{run_id}.json").exists()
    assert not _our_processes(run_id)
    home.close()
    assert host_network_snapshot() == before


def test_sigterm_tears_the_home_down(host_network_snapshot: Any) -> None:
    from homecare_lab.requirements import why_unavailable

    reason = why_unavailable()
    if reason:
        pytest.skip(reason)
    before = host_network_snapshot()
    script = textwrap.dedent(
        """
        import time
        from homecare_lab import HomeSpec, VirtualHome
        with VirtualHome(HomeSpec(name="term")) as home:
            print(home.run_id, flush=True)
            time.sleep(600)
        """
    )
    child = subprocess.Popen([PY, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    run_id = child.stdout.readline().strip()
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=20) != 0
    assert not any(ns.startswith(f"hc{run_id}-") for ns in list_namespaces())
    assert not _our_processes(run_id)
    assert host_network_snapshot() == before
