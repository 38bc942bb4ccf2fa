"""Run device discovery alone: ``python -m homecare.probes.discovery --json``.

For the virtual home's tests and benchmarks, and for debugging on a real
LAN: builds the host facts itself (interfaces from psutil, the default route
from the kernel) instead of running the whole check.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from homecare.i18n import _


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m homecare.probes.discovery")
    parser.add_argument("--interface", help=_("LAN interface (default: the primary one)"))
    parser.add_argument("--json", action="store_true", help=_("print the inventory as JSON"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--timeout", type=float, default=12.0)
    parser.add_argument(
        "--unprivileged", action="store_true", help=_("do not send ARP even as root")
    )
    parser.add_argument("--scapy", action="store_true", help=_("ARP through scapy"))
    args = parser.parse_args(argv)

    from homecare.models import HostData, Observation, ProbeStatus
    from homecare.probes.base import ProbeContext
    from homecare.probes.discovery.probe import DevicesProbe
    from homecare.probes.host.interfaces import read_interfaces
    from homecare.probes.host.probe import pick_primary
    from homecare.probes.host.routes import default_routes
    from homecare.profiles.provider import ProviderProfile

    began = time.monotonic()
    interfaces = read_interfaces()
    routes = default_routes()
    primary = (
        next((i for i in interfaces if i.name == args.interface), None)
        if args.interface
        else pick_primary(interfaces, routes)
    )
    host = HostData(
        os=sys.platform,
        interfaces=interfaces,
        default_routes=routes,
        primary_interface=primary.name if primary else None,
    )
    privileged = hasattr(os, "geteuid") and os.geteuid() == 0 and not args.unprivileged
    ctx = ProbeContext(
        deadline=time.monotonic() + args.timeout,
        quick=args.quick,
        provider=ProviderProfile(),
        privileged=privileged,
        results={"host": Observation(probe="host", area="host", status=ProbeStatus.OK, data=host)},
    )
    data = DevicesProbe(use_scapy=args.scapy).run(ctx)
    elapsed = time.monotonic() - began
    if args.json:
        out = data.model_dump(mode="json")
        out["elapsed_s"] = round(elapsed, 3)
        print(json.dumps(out, indent=2))
    else:
        print(data.method_note or data.method)
        for d in data.devices:
            flags = ("G" if d.is_gateway else " ") + ("S" if d.is_self else " ")
            print(
                f"{flags} {', '.join(d.ipv4):<16} {d.mac or '-':<17} {d.type:<12} "
                f"{d.vendor or '-':<24.24} {d.hostname or d.model or ''}"
            )
        print(
            _("{count} devices in {seconds:.1f} s").format(count=len(data.devices), seconds=elapsed)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
