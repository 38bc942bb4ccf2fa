"""Benchmark device discovery on a 50-device virtual home (root only).

Prints, for 3 runs: homecare's discovery time (``homecare check devices
--json``, the devices probe's own duration) vs ``arp-scan
--localnet`` with its defaults, whether homecare found every device arp-scan
found, and every advertised mDNS service; then the unprivileged run's
completeness. Exit status 1 when a target is missed:

* homecare time <= arp-scan time + 2 s, in every run;
* every device arp-scan finds, 3 runs out of 3;
* every advertised mDNS service;
* unprivileged completeness >= 95 %.

Usage: sudo .venv/bin/python bench/discovery.py [--devices 50] [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import Any

from homecare_lab import HomeSpec, VirtualHome, catalogue_devices
from homecare_lab.runs import discover_devices, open_workdir


def timed(home: VirtualHome, argv: list[str]) -> tuple[float, str]:
    start = time.monotonic()
    proc = home.run_in_laptop(argv, timeout=120)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {proc.stderr}")
    return elapsed, proc.stdout


def arp_scan(home: VirtualHome) -> tuple[float, dict[str, str]]:
    elapsed, out = timed(home, ["arp-scan", "--localnet", "-I", "eth0"])
    seen = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and re.fullmatch(r"\d+\.\d+\.\d+\.\d+", parts[0]):
            seen[parts[0]] = parts[1].lower()
    return elapsed, seen


def homecare(home: VirtualHome, unprivileged: bool = False) -> tuple[float, dict[str, Any]]:
    """``homecare check devices`` as a customer runs it; wall time and the inventory."""
    with open_workdir() as workdir:
        start = time.monotonic()
        data = discover_devices(home, workdir, unprivileged=unprivileged)
        return time.monotonic() - start, data


def mdns_services(data: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (s["type"], s["name"])
        for d in data["devices"]
        for s in d["services"]
        if s["source"] == "mdns"
    }


def truth_services(truth: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (s["type"].removesuffix(".").removesuffix(".local"), s["name"])
        for d in truth["devices"]
        for s in d["services"]
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    spec = HomeSpec(name="discbench", devices=tuple(catalogue_devices(args.devices)))
    ok = True
    with VirtualHome(spec) as home:
        truth = home.ground_truth()
        want_macs = {d["mac"].lower() for d in truth["devices"]} | {truth["lan"]["router_mac"]}
        want_services = truth_services(truth)
        print(
            f"home: {len(truth['devices'])} devices + router, "
            f"{len(want_services)} mDNS services, subnet {truth['lan']['subnet']}"
        )
        print(
            f"{'run':>3} {'arp-scan s':>10} {'homecare s':>10} {'probe s':>8} "
            f"{'arp-scan found':>14} {'homecare has all':>16} {'mDNS svc':>9}"
        )
        for run in range(1, args.runs + 1):
            t_arp, seen = arp_scan(home)
            t_hc, data = homecare(home)
            macs = {d["mac"] for d in data["devices"] if d["mac"]}
            missing = set(seen.values()) - macs
            got_services = mdns_services(data) & want_services
            run_ok = not missing and t_hc <= t_arp + 2.0 and got_services == want_services
            ok = ok and run_ok
            print(
                f"{run:>3} {t_arp:>10.2f} {t_hc:>10.2f} {data['elapsed_s']:>8.2f} "
                f"{len(seen):>14} {('yes' if not missing else f'no {sorted(missing)}'):>16} "
                f"{len(got_services):>4}/{len(want_services):<4}"
            )
            if got_services != want_services:
                print("   missing mDNS:", sorted(want_services - got_services)[:10])
        t_np, data = homecare(home, unprivileged=True)
        macs = {d["mac"] for d in data["devices"] if d["mac"]}
        found = len(want_macs & macs)
        ratio = found / len(want_macs)
        print(
            f"unprivileged ({data['method']}): {found}/{len(want_macs)} = {ratio:.1%} "
            f"in {t_np:.2f} s"
        )
        ok = ok and ratio >= 0.95
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
