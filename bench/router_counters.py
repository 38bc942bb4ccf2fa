"""How well the router's counters see the line: IGD byte counters against iperf3.

In the virtual home (miniupnpd in the router namespace), each run reads the
IGD's WAN byte counters from the laptop, moves a fixed amount through the
router with iperf3 (the reference: bytes the receiver counted), and reads
the counters again. Printed: the ratio counter delta / iperf3 bytes
(frames with their headers: a little above 1.0), and the time one counter
reading takes, each as median and spread (min..max) of 5 runs, beside the
iperf3 goodput measured in the same run.

Run as root: ``nice .venv/bin/python bench/router_counters.py [--mbytes 8]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from homecare_lab import HomeSpec, VirtualHome
from homecare_lab import addresses as A
from homecare_lab.spec import WanSpec

RUNS = 5

READER = r"""
import json, sys, time
from homecare.probes.router.igd import IgdClient, find_igd
device = find_igd(None, sys.argv[1], 1.5, time.monotonic() + 6)
client = IgdClient(device)
for line in sys.stdin:
    t = time.monotonic()
    rx, tx = client.byte_counters()
    print(json.dumps({"rx": rx, "tx": tx, "read_s": time.monotonic() - t}), flush=True)
"""


def spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.4f}  (min {min(values):.4f} .. max {max(values):.4f})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mbytes", type=int, default=8)
    args = parser.parse_args()
    home = VirtualHome(HomeSpec(name="bench-igd", wan=WanSpec(down_mbit=50, up_mbit=20))).start()
    try:
        server = home.spawn("provider", ["iperf3", "-s", "-B", A.IPERF])
        time.sleep(0.5)
        reader = subprocess.Popen(
            ["ip", "netns", "exec", home.laptop_ns, sys.executable, "-c", READER, home.router_ip],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert reader.stdin is not None and reader.stdout is not None

        def read() -> dict[str, float]:
            assert reader.stdin is not None and reader.stdout is not None
            reader.stdin.write("\n")
            reader.stdin.flush()
            value: dict[str, float] = json.loads(reader.stdout.readline())
            return value

        ratios, reads, goodputs = [], [], []
        for _ in range(RUNS):
            before = read()
            got = home.run_in_laptop(
                ["iperf3", "-c", A.IPERF, "-R", "-n", f"{args.mbytes}M", "-J"], timeout=120
            )
            end = json.loads(got.stdout)["end"]["sum_received"]
            after = read()
            delta = (int(after["rx"]) - int(before["rx"])) % 2**32
            ratios.append(delta / end["bytes"])
            reads += [before["read_s"], after["read_s"]]
            goodputs.append(end["bits_per_second"] / 1e6)
        reader.kill()
        home.stop(server)
        print(f"IGD counter delta / iperf3 received bytes ({args.mbytes} MB, {RUNS} runs):")
        print(f"  ratio            {spread(ratios)}")
        print(f"  one reading (s)  {spread(reads)}")
        print(f"  reference: iperf3 goodput (Mbit/s) {spread(goodputs)}")
    finally:
        home.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
