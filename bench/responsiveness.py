"""Responsiveness benchmark on the virtual home (root, network namespaces).

The nq engine's working latency (60000 / RPM, per direction) against the
lab's own loaded-latency figure in the same run: the median ICMP round trip
to the internet host while iperf3 (8 streams) loads the same direction.
Apple's ``networkQuality`` and ``goresponsiveness`` are not available here,
so iperf3 plus ping is the reference.

Cases: a clean line (5 ms queue, no base RTT), the same at a 30 ms base
round trip (the lab's delay line), and a long queue (200 ms tbf queue)
without and with the base round trip (with it the download's shaper sits on
the delay hop, where the download queue fills; without it, on the sending
server's own host, TCP Small Queues keep it short).
Each case runs 5 times; the table shows the median and min..max of both
figures and of their ratio. Run it under ``nice``: the machine is shared.

    sudo .venv/bin/python bench/responsiveness.py [--runs 5]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from connection_quality import data_of, provider_toml, run_inside

#: (name, tbf queue in ms, base round trip in ms)
CASES: tuple[tuple[str, float, float], ...] = (
    ("clean", 5.0, 0.0),
    ("rtt30", 5.0, 30.0),
    ("queue200", 200.0, 0.0),
    ("q200rtt30", 200.0, 30.0),
)
DOWN, UP = 50.0, 20.0


def reference_ms(home: Any, download: bool) -> float | None:
    """Median ping to the internet host while iperf3 loads one direction; None
    when iperf3 failed (then the pings measured an idle line). A one-off
    server per measurement: a long-lived one stayed busy after a client hung."""
    from homecare_lab import addresses

    server = home.spawn("provider", ["iperf3", "-s", "-1", "-B", addresses.IPERF])
    time.sleep(0.5)
    argv = ["iperf3", "-c", addresses.IPERF, "-t", "7", "-P", "8"] + (["-R"] if download else [])
    load = home.spawn("laptop", argv)
    ok, out = False, ""
    try:
        time.sleep(2.5)  # past slow start: the queue has filled
        out = home.run_in_laptop(
            ["busybox", "ping", "-c", "20", "-i", "0.2", addresses.INTERNET], timeout=30
        ).stdout
        load.wait(20)
        ok = load.returncode == 0
    except subprocess.TimeoutExpired:
        print("note: iperf3 did not end on time; reference dropped", file=sys.stderr)
    finally:
        home.stop(load)
        home.stop(server)
    if not ok:
        print("note: iperf3 failed; reference dropped", file=sys.stderr)
        return None
    rtts = [float(x) for x in re.findall(r"time=([\d.]+) ms", out)]
    return statistics.median(rtts) if rtts else None


def nq_ms(home: Any, provider: Path) -> dict[str, tuple[float | None, str | None]]:
    speed = data_of(run_inside(home, provider, "--areas", "speed", timeout=150), "speed")
    out: dict[str, tuple[float | None, str | None]] = {}
    for d in ("download", "upload"):
        r = (speed.get(d) or {}).get("responsiveness") or {}
        rpm = r.get("rpm")
        out[d] = (60000 / rpm if rpm else None, r.get("confidence"))
    return out


def spread(values: list[float], nd: int = 1) -> str:
    if not values:
        return "n/a"
    med, lo, hi = statistics.median(values), min(values), max(values)
    return f"{med:7.{nd}f} ({lo:.{nd}f}..{hi:.{nd}f})"


def run_case(name: str, queue_ms: float, rtt_ms: float, runs: int, tmp: Path) -> list[str]:
    from homecare_lab import HomeSpec, VirtualHome, addresses
    from homecare_lab.spec import WanSpec

    provider = provider_toml(
        tmp, engines=["nq"], nq_config_url=addresses.NQ_CONFIG_URL, duration_s=8.0
    )
    spec = HomeSpec(
        name=f"rpm{name[:4]}",
        wan=WanSpec(down_mbit=DOWN, up_mbit=UP, queue_ms=queue_ms, rtt_ms=rtt_ms),
    )
    ref: dict[str, list[float]] = {"download": [], "upload": []}
    got: dict[str, list[float]] = {"download": [], "upload": []}
    ratio: dict[str, list[float]] = {"download": [], "upload": []}
    conf: dict[str, list[str]] = {"download": [], "upload": []}
    with VirtualHome(spec) as home:
        for _ in range(runs):
            engine = nq_ms(home, provider)
            for d in ("download", "upload"):
                r = reference_ms(home, d == "download")
                ms, level = engine[d]
                conf[d].append(level or "-")
                if r is not None:
                    ref[d].append(r)
                if ms is not None:
                    got[d].append(ms)
                if r and ms:
                    ratio[d].append(ms / r)
    rows = []
    for d in ("download", "upload"):
        levels = ",".join(conf[d])
        rows.append(
            f"{name:9s} {d:8s} {spread(ref[d])}  {spread(got[d])}  "
            f"{spread(ratio[d], 2)}  n={len(ratio[d])}  conf={levels}"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cases", default=",".join(c[0] for c in CASES))
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="hc-bench-rpm-", dir="/tmp"))
    tmp.chmod(0o755)
    wanted = set(args.cases.split(","))
    lines = []
    try:
        for name, queue_ms, rtt_ms in CASES:
            if name in wanted:
                lines += run_case(name, queue_ms, rtt_ms, args.runs, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"WAN {DOWN:g}/{UP:g} Mbit/s; {args.runs} runs per case; shared 2-core machine")
    print("working latency in ms: reference = median ping under iperf3 -P 8, nq = 60000 / RPM")
    print("case      dir      reference med (min..max)  nq med (min..max)      ratio nq/ref")
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
