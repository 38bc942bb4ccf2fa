"""``scripts/virtual-home``: build a virtual home, run a command on its laptop, tear down.

Lets a person try homecare safely: ``scripts/virtual-home -- homecare check``
runs the check inside the laptop namespace of a throw-away home network and
prints the ground truth (devices, addresses, services, WAN shaping) beside
it, so the diagnosis can be compared with what is really there.  The exit
code is the command's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from homecare_lab import netns
from homecare_lab.catalog import catalogue_devices
from homecare_lab.home import VirtualHome
from homecare_lab.provider_profile import provider_profile_toml
from homecare_lab.requirements import why_unavailable
from homecare_lab.spec import HomeSpec

FAULTS = ("dns-down", "router-down", "wan-down", "captive-portal", "device-gone:NAME")


def load_spec(path: str | None, devices: int | None) -> HomeSpec:
    if path:
        spec = HomeSpec.from_toml(path)
    else:
        default = Path(__file__).resolve().parents[2] / "profiles" / "homes" / "default.toml"
        spec = HomeSpec.from_toml(default) if default.is_file() else HomeSpec()
    if devices is not None:
        # --devices N: the spec's own devices plus N catalogue devices.
        taken = {x.name for x in spec.devices}
        extra = [d for d in catalogue_devices(devices) if d.name not in taken]
        spec = replace(spec, devices=(*spec.devices, *extra))
    return spec


def apply_fault(home: VirtualHome, fault: str) -> None:
    if fault == "dns-down":
        home.dns_down()
    elif fault == "router-down":
        home.router_down()
    elif fault == "wan-down":
        home.wan_down()
    elif fault == "captive-portal":
        home.captive_portal_on()
    elif fault.startswith("device-gone:"):
        home.device_disappears(fault.split(":", 1)[1])
    else:
        raise SystemExit(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")


def format_truth(truth: dict[str, Any]) -> str:
    """A human summary of the ground truth."""
    wan, lan, lap = truth["wan"], truth["lan"], truth["laptop"]
    lines = [
        f"== virtual home {truth['run_id']} (ground truth) ==",
        f"LAN {lan['subnet']}  router {lan['router_ip']} ({lan['router_mac']})  "
        f"DHCP {lan['dhcp_range'][0]}-{lan['dhcp_range'][1]}  domain {lan['domain']}",
        f"laptop {lap['ip']} ({lap['mac']}, {'DHCP' if lap['dhcp'] else 'static'})",
        f"WAN down {wan['down_mbit']:g} Mbit/s, up {wan['up_mbit']:g} Mbit/s, loss "
        f"{wan['loss_down_pct']:g}%/{wan['loss_up_pct']:g}% (down/up), queue "
        + (
            f"{wan['queue_limit_bytes']} B"
            if wan["queue_limit_bytes"]
            else f"{wan['queue_ms']:g} ms"
        ),
        f"resolver {truth['provider']['resolver']}  internet {truth['provider']['internet']}  "
        f"check {truth['provider']['connectivity_check']}",
        f"faults: {', '.join(truth['faults']) or 'none'}",
        f"devices ({len(truth['devices'])}):",
    ]
    for d in truth["devices"]:
        services = ", ".join(s["type"] for s in d["services"])
        extra = []
        if services:
            extra.append(f"mDNS {services}")
        if d["ssdp"]:
            extra.append("SSDP")
        if d["tcp_ports"]:
            extra.append("tcp " + ",".join(map(str, d["tcp_ports"])))
        vendor = d["vendor_org"] or ("randomized MAC" if d["randomized_mac"] else "?")
        gone = "" if d["present"] else "  [GONE]"
        lines.append(
            f"  {d['ip']:<15} {d['mac']}  {d['name']:<22} {d['kind']:<8} {vendor}"
            + (f"  ({'; '.join(extra)})" if extra else "")
            + gone
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    command: list[str] = []
    if "--" in args_in:
        cut = args_in.index("--")
        args_in, command = args_in[:cut], args_in[cut + 1 :]
    parser = argparse.ArgumentParser(
        prog="virtual-home",
        description="Build a virtual home network (namespaces), run COMMAND on its laptop.",
        epilog="example: scripts/virtual-home --devices 20 -- homecare check",
    )
    parser.add_argument("--spec", help="home spec TOML (default: profiles/homes/default.toml)")
    parser.add_argument("--devices", type=int, help="number of catalogue devices")
    parser.add_argument("--fault", action="append", default=[], help=f"one of {FAULTS}")
    parser.add_argument("--json", action="store_true", help="print ground truth as JSON")
    parser.add_argument("--user", help="run COMMAND as this user inside the laptop namespace")
    args = parser.parse_args(args_in)
    reason = why_unavailable()
    if reason:
        print(f"virtual-home: cannot run here: {reason}", file=sys.stderr)
        return 2
    spec = load_spec(args.spec, args.devices)
    with VirtualHome(spec) as home:
        for fault in args.fault:
            apply_fault(home, fault)
        truth = home.ground_truth()
        print(json.dumps(truth, indent=2) if args.json else format_truth(truth), flush=True)
        print(f"== up in {home.timings['up_s']:.1f} s; laptop namespace {home.laptop_ns} ==",
              flush=True)  # fmt: skip
        if not command:
            command = [os.environ.get("SHELL", "/bin/sh")] if sys.stdin.isatty() else ["true"]
        env = dict(os.environ)
        if "HOMECARE_PROVIDER" not in env:
            profile = home.workdir / "virtual-isp.toml"
            profile.write_text(provider_profile_toml(spec.wan))
            env["HOMECARE_PROVIDER"] = str(profile)
        if "HOMECARE_HOME" not in env:
            env["HOMECARE_HOME"] = str(home.workdir / "homecare-home")
        print(
            f"== homecare uses provider profile {env['HOMECARE_PROVIDER']} "
            f"and HOMECARE_HOME {env['HOMECARE_HOME']} ==",
            flush=True,
        )
        bindir = str(Path(sys.executable).parent)
        env["PATH"] = f"{bindir}:{env.get('PATH', '/usr/bin:/bin')}"
        cmd = ["runuser", "-u", args.user, "--", *command] if args.user else command
        print(f"== running in laptop: {' '.join(command)} ==", flush=True)
        rc = subprocess.run(netns.in_ns(home.laptop_ns, cmd), env=env, check=False).returncode
        print(f"== command exited {rc}; tearing down ==", flush=True)
    print(f"== down in {home.timings['down_s']:.1f} s ==")
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
