"""Build and tear down a 50-device virtual home; print the figures.

Usage (root): .venv/bin/python bench/vhome_lifecycle.py [--devices N] [--rounds R]
Targets: up < 20 s, down < 10 s for 50 devices on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from homecare_lab import HomeSpec, VirtualHome, catalogue_devices
from homecare_lab.requirements import why_unavailable


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    reason = why_unavailable()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    spec = HomeSpec(name="bench", devices=tuple(catalogue_devices(args.devices)))
    services = sum(len(d.services) for d in spec.devices)
    ups, downs = [], []
    for i in range(args.rounds):
        home = VirtualHome(spec)
        t0 = time.monotonic()
        home.start()
        up = time.monotonic() - t0
        t1 = time.monotonic()
        home.close()
        down = time.monotonic() - t1
        ups.append(up)
        downs.append(down)
        print(f"round {i + 1}: up {up:.2f} s, down {down:.2f} s  "
              f"(links {home.timings['links_s']:.2f} s, daemons {home.timings['daemons_s']:.2f} s)")  # fmt: skip
    print(json.dumps({
        "devices": args.devices,
        "mdns_services": services,
        "up_s_median": round(statistics.median(ups), 2),
        "down_s_median": round(statistics.median(downs), 2),
        "up_s_max": round(max(ups), 2),
        "down_s_max": round(max(downs), 2),
    }))  # fmt: skip
    return 0 if max(ups) < 20 and max(downs) < 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
