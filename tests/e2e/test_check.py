"""`homecare check` end to end in the virtual home: healthy and broken homes.

homecare runs as a real process in the laptop namespace, with a provider
profile pointing at the lab's own provider addresses, and its JSON output is
checked against the published schema and against what the lab broke.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest
from homecare_lab import HomeSpec, VirtualHome, addresses
from homecare_lab.provider_profile import lab_homecare_home, write_provider_file
from homecare_lab.runs import AS_NOBODY
from homecare_lab.spec import WanSpec

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schema" / "report-v1.json").read_text())


@pytest.fixture(scope="module")
def home(module_virtual_home: HomeFactory) -> Iterator[VirtualHome]:
    # a short WAN queue: a healthy line shows no bufferbloat
    yield module_virtual_home(HomeSpec(name="check", wan=WanSpec(queue_ms=5)))


@pytest.fixture(scope="module")
def provider_file(shared_tmp: Path) -> Path:
    short = {"ping_count": 4, "ping_timeout_s": 0.5, "dns_timeout_s": 1.0}
    return write_provider_file(shared_tmp, WanSpec(), thresholds=short)


def run_check(
    home: VirtualHome, provider_file: Path, tmp_path: Path, *args: str, unprivileged: bool = False
) -> tuple[int, dict[str, object], str]:
    hc_home = lab_homecare_home(tmp_path)
    prefix = list(AS_NOBODY) if unprivileged else []
    if unprivileged:
        for path in (hc_home, *hc_home.rglob("*")):
            path.chmod(0o777 if path.is_dir() else 0o666)
    proc = home.run_in_laptop(
        [*prefix, sys.executable, "-m", "homecare", "check", "--quick", "--json", *args],
        env={"HOMECARE_HOME": str(hc_home), "HOMECARE_PROVIDER": str(provider_file)},
        timeout=60,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout.startswith("{"), (proc.returncode, proc.stderr)
    report = json.loads(proc.stdout)
    jsonschema.validate(report, SCHEMA)
    return proc.returncode, report, proc.stderr


def codes(report: dict[str, object]) -> set[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {f["code"] for f in findings}


def test_healthy_home(home: VirtualHome, provider_file: Path, tmp_path: Path) -> None:
    rc, report, _err = run_check(home, provider_file, tmp_path)
    assert rc == 0, report["findings"]
    assert report["verdict"]["healthy"] is True  # type: ignore[index]
    host = next(o for o in report["observations"] if o["probe"] == "host")  # type: ignore[attr-defined]
    assert host["data"]["default_routes"][0]["gateway"] == home.router_ip
    assert host["data"]["resolvers"] == [home.router_ip]
    reach = next(o for o in report["observations"] if o["probe"] == "reachability")  # type: ignore[attr-defined]
    pings = {p["role"]: p for p in reach["data"]["pings"]}
    assert pings["gateway"]["received"] == pings["gateway"]["sent"] > 0
    assert pings["internet"]["received"] > 0
    assert pings["gateway"]["method"] == "icmp-raw"
    dns = next(o for o in report["observations"] if o["probe"] == "dns")  # type: ignore[attr-defined]
    system = [lk for lk in dns["data"]["lookups"] if lk["resolver"] is None]
    assert system and all(lk["ok"] for lk in system)
    assert addresses.INTERNET in system[0]["addresses"]


def test_unprivileged_user_falls_back_and_says_so(
    home: VirtualHome, provider_file: Path, shared_tmp: Path
) -> None:
    # no ICMP datagram sockets for anyone in the laptop namespace: TCP timing
    home.run_in_laptop(["sysctl", "-qw", "net.ipv4.ping_group_range=1 0"])
    rc, report, _err = run_check(
        home, provider_file, shared_tmp / "tcp", "connectivity", unprivileged=True
    )
    assert rc == 0, report["findings"]
    assert report["privileged"] is False
    reach = next(o for o in report["observations"] if o["probe"] == "reachability")  # type: ignore[attr-defined]
    assert {p["method"] for p in reach["data"]["pings"]} == {"tcp-connect"}
    assert "TCP" in reach["data"]["method_note"]
    assert all(p["received"] > 0 for p in reach["data"]["pings"])
    # ICMP datagram sockets allowed (as on most desktops): unprivileged ICMP
    home.run_in_laptop(["sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"])
    try:
        rc, report, _err = run_check(
            home, provider_file, shared_tmp / "dgram", "connectivity", unprivileged=True
        )
    finally:
        home.run_in_laptop(["sysctl", "-qw", "net.ipv4.ping_group_range=1 0"])
    reach = next(o for o in report["observations"] if o["probe"] == "reachability")  # type: ignore[attr-defined]
    assert {p["method"] for p in reach["data"]["pings"]} == {"icmp-dgram"}
    assert all(p["received"] == p["sent"] > 0 for p in reach["data"]["pings"])


def test_targeted_run_only_runs_that_area(
    home: VirtualHome, provider_file: Path, tmp_path: Path
) -> None:
    rc, report, _err = run_check(home, provider_file, tmp_path, "dns")
    assert rc == 0
    # reachability comes along so a dead router is not blamed on the provider's DNS
    probes = {o["probe"] for o in report["observations"]}  # type: ignore[attr-defined]
    assert probes == {"host", "dns", "dns_quality", "reachability"}
    assert report["areas"] == ["dns", "host"]


def test_dns_broken_while_ip_works(home: VirtualHome, provider_file: Path, tmp_path: Path) -> None:
    home.dns_down()
    try:
        rc, report, _err = run_check(home, provider_file, tmp_path)
    finally:
        home.dns_up()
    assert rc == 1
    assert "dns.failing" in codes(report)
    assert "provider.no_internet" not in codes(report)
    finding = next(f for f in report["findings"] if f["code"] == "dns.failing")  # type: ignore[attr-defined]
    assert finding["segment"] == "provider"  # the provider's resolver is down, not the router
    assert report["verdict"]["segment"] == "provider"  # type: ignore[index]
    guidance = {g["code"] for g in report["guidance"]}  # type: ignore[attr-defined]
    assert "dns.failing" in guidance


def test_gateway_unreachable(home: VirtualHome, provider_file: Path, tmp_path: Path) -> None:
    home.router_down()
    try:
        rc, report, _err = run_check(home, provider_file, tmp_path)
    finally:
        home.router_up()
    assert rc == 1
    assert "router.unreachable" in codes(report)
    assert report["verdict"]["segment"] == "router"  # type: ignore[index]
    assert "dns.failing" not in codes(report)  # a symptom, not a second diagnosis


def test_wan_down_blames_the_provider(
    home: VirtualHome, provider_file: Path, tmp_path: Path
) -> None:
    home.wan_down()
    try:
        rc, report, _err = run_check(home, provider_file, tmp_path)
    finally:
        home.wan_up()
    assert rc == 1
    assert "provider.no_internet" in codes(report)
    assert "router.unreachable" not in codes(report)
    assert report["verdict"]["segment"] == "provider"  # type: ignore[index]


def test_console_and_plain_output_in_the_home(
    home: VirtualHome, provider_file: Path, tmp_path: Path
) -> None:
    hc_home = lab_homecare_home(tmp_path)
    env = {"HOMECARE_HOME": str(hc_home), "HOMECARE_PROVIDER": str(provider_file)}
    proc = home.run_in_laptop(
        [sys.executable, "-m", "homecare", "check", "--quick", "--plain"], env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "healthy" in proc.stdout
    assert "\x1b[" not in proc.stdout and "✔" not in proc.stdout
    listed = home.run_in_laptop([sys.executable, "-m", "homecare", "history"], env=env)
    assert listed.returncode == 0 and "healthy" in listed.stdout
