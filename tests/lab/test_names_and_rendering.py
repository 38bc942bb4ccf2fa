"""Names, configuration rendering and run records (no root needed)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from homecare_lab import HomeSpec, WanSpec, catalogue_devices, dnsmasq, shaping, state
from homecare_lab import addresses as A
from homecare_lab.names import IFNAMSIZ_MAX, RunNames, check_ifname, new_run_id


def test_run_ids_and_names() -> None:
    ids = {new_run_id() for _ in range(200)}
    assert len(ids) > 190
    names = RunNames(new_run_id())
    nss = names.all_namespaces(120)
    assert len(set(nss)) == 123
    assert all(RunNames.owns(ns, names.run_id) for ns in nss)
    other = "zzzzz" if names.run_id != "zzzzz" else "yyyyy"
    assert not RunNames.owns(nss[0], other)
    for i in (0, 9, 99, 999):
        assert len(names.device_port(i)) <= IFNAMSIZ_MAX
    with pytest.raises(ValueError):
        RunNames("BAD!")
    with pytest.raises(ValueError):
        check_ifname("x" * 16)


def test_router_dnsmasq_conf_stays_on_the_lan_bridge(tmp_path: Path) -> None:
    spec = HomeSpec(devices=tuple(catalogue_devices(3))).resolved()
    conf = dnsmasq.router_conf(spec, tmp_path)
    lines = set(conf.splitlines())
    assert {"bind-interfaces", "no-resolv", "no-hosts", "interface=br-lan"} <= lines
    assert f"server={A.RESOLVER}" in lines
    assert f"dhcp-leasefile={tmp_path / 'dnsmasq.leases'}" in lines
    assert "dhcp-range=192.168.77.100,192.168.77.199,255.255.255.0,12h" in lines
    assert all(str(tmp_path) in line for line in conf.splitlines() if "file" in line)
    hosts = dnsmasq.router_hosts(spec)
    assert f"{spec.devices[0].ip} {spec.devices[0].hostname}" in hosts


def test_provider_resolver_is_authoritative_only(tmp_path: Path) -> None:
    conf = dnsmasq.provider_conf(tmp_path).splitlines()
    assert "address=/#/" in conf and not any(x.startswith("server=") for x in conf)
    hosts = dnsmasq.provider_hosts()
    assert f"{A.INTERNET} example.com" in hosts
    assert f"{A.CONNECTIVITY} connectivity.homecare.test" in hosts


def test_dnsmasq_accepts_both_configs(tmp_path: Path) -> None:
    import shutil

    if not shutil.which("dnsmasq"):
        pytest.skip("dnsmasq not installed")
    spec = HomeSpec().resolved()
    for text in (dnsmasq.router_conf(spec, tmp_path), dnsmasq.provider_conf(tmp_path)):
        conf = tmp_path / "test.conf"
        conf.write_text(text)
        proc = subprocess.run(["dnsmasq", "--test", f"--conf-file={conf}"],
                              capture_output=True, text=True)  # fmt: skip
        assert proc.returncode == 0, proc.stderr


def test_tbf_args_carry_rate_and_queue() -> None:
    wan = WanSpec(down_mbit=50, up_mbit=10, queue_ms=300)
    args = shaping.tbf_args("wan0", 10, wan)
    assert args[:7] == ["tc", "qdisc", "replace", "dev", "wan0", "root", "tbf"]
    assert args[args.index("rate") + 1] == "10000000bit"
    assert args[args.index("latency") + 1] == "300ms"
    by_limit = shaping.tbf_args("wan0", 10, WanSpec(queue_limit_bytes=200_000))
    assert "limit" in by_limit and "latency" not in by_limit
    assert int(args[args.index("burst") + 1]) >= 4 * 1514


def test_loss_ruleset_uses_permille_numgen() -> None:
    text = shaping.loss_ruleset(WanSpec(loss_down_pct=5, loss_up_pct=0.3))
    assert 'iifname "wan0" numgen random mod 1000 < 50 drop' in text
    assert 'oifname "wan0" numgen random mod 1000 < 3 drop' in text
    none = shaping.loss_ruleset(WanSpec())
    assert "numgen" not in none and f"delete table inet {shaping.LOSS_TABLE}" in none


def test_nft_accepts_rulesets_syntax() -> None:
    import shutil

    if os.geteuid() != 0 or not shutil.which("nft"):
        pytest.skip("nft --check needs root")
    for text in (
        shaping.loss_ruleset(WanSpec(loss_down_pct=5, loss_up_pct=1)),
        shaping.nat_ruleset("192.168.77.0/24"),
        shaping.captive_ruleset("192.168.77.1"),
        shaping.dns_block_ruleset(),
    ):
        # --check parses against the *current* ruleset without committing anything.
        body = text.split("delete table inet hc_wan_loss\n")[-1]
        proc = subprocess.run(["nft", "--check", "-f", "-"], input=body,
                              capture_output=True, text=True)  # fmt: skip
        assert proc.returncode == 0, proc.stderr


def test_run_record_roundtrip_and_owner_liveness(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(state, "STATE_DIR", tmp_path)
    rec = state.RunRecord.new("abcde", str(tmp_path / "hcabcde-x"))
    rec.namespaces = ["hcabcde-router"]
    rec.save()
    loaded = state.RunRecord.load(tmp_path / "abcde.json")
    assert loaded == rec and loaded.owner_alive()
    dead = subprocess.Popen(["true"])
    dead.wait()
    loaded.owner_pid, loaded.owner_start = dead.pid, 1
    assert not loaded.owner_alive()


def test_kill_pids_only_hits_marked_processes() -> None:
    import time

    marked = subprocess.Popen(["sleep", "30"])
    while "sleep" not in state._cmdline(marked.pid):  # until exec has happened
        time.sleep(0.01)
    try:
        state.kill_pids([marked.pid], marker="zzmark-not-there", grace_s=0.2)
        assert marked.poll() is None
        state.kill_pids([marked.pid], marker="sleep", grace_s=1)
        assert marked.wait(timeout=5) is not None
    finally:
        if marked.poll() is None:
            marked.kill()
