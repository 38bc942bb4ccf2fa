"""What the HTTP stream engine (or ndt7's one connection) costs in CPU, on loopback,
against a baseline tree.

The speed accuracy bench (``speed_accuracy.py``) shows the engine's figure
against iperf3 through the virtual home, where the machine's other work
moves every figure. This bench isolates the client's own cost: a LibreSpeed
server (``homecare.collector.librespeed``) on 127.0.0.1 in its own process,
and ``run_streams`` with 16 streams in a child process per run, which
reports its rate and its CPU seconds (user + system, every thread). On
loopback nothing shapes the line, so client and server share the two cores
and a cheaper client moves more bytes: the figures are CPU seconds per
gigabyte and Mbit/s. ``--baseline DIR`` runs the same child from another
source tree (a git worktree of an earlier commit) in alternating runs.

Only loopback is used. Run: ``nice .venv/bin/python bench/stream_cpu.py
[--reps 5] [--seconds 5] [--streams 16] [--baseline /tmp/hc-base]
[--server librespeed|ookla|ndt7]`` (``ookla``: the lab's speedtest.net server,
its images on kept-alive connections, as the speedtest.net engine asks;
``ndt7``: the lab's ndt7 server and the ndt7 engine's single WebSocket, where
``--streams`` does not apply).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from homecare.probes.speed.engine import MeasureBudget
from homecare.probes.speed.streams import StreamPlan, run_streams
url, direction, seconds, streams = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
if sys.argv[5] == "ookla":  # speedtest.net's images on kept-alive connections
    plan = StreamPlan(download_url=lambda: url + "random4000x4000.jpg",
                      upload_url=lambda: url + "upload.php", upload_request_bytes=4 << 20,
                      keep_alive=True)
else:
    plan = StreamPlan(download_url=lambda: url + "garbage.php?ckSize=1024",
                      upload_url=lambda: url + "empty.php")
budget = MeasureBudget(deadline=time.monotonic() + seconds + 3, max_duration_s=seconds,
                       warmup_s=0.5, max_bytes=10**13, streams=streams, stable_samples=10**6,
                       stable_tolerance=0.0)
before = resource.getrusage(resource.RUSAGE_SELF)
r = run_streams(direction, plan, budget, lambda _m: None)
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print(json.dumps({"mbit": r.mbit, "bytes": r.bytes, "cpu_s": cpu, "error": r.error,
                  "file": __import__("homecare").__file__}))
"""

#: the ndt7 engine's one connection against the lab's ndt7 server
CHILD_NDT7 = r"""
import json, resource, sys, time
from homecare.probes.speed.engine import MeasureBudget
from homecare.probes.speed.ndt7 import Ndt7Engine
base, direction, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
engine = Ndt7Engine(base + "v2/nearest/ndt/ndt7", secure=False)
ws = base.replace("http://", "ws://")
engine.urls = {"download": ws + "ndt/v7/download", "upload": ws + "ndt/v7/upload"}
budget = MeasureBudget(deadline=time.monotonic() + seconds + 3, max_duration_s=seconds,
                       warmup_s=0.5, max_bytes=10**13, streams=1, stable_samples=10**6,
                       stable_tolerance=0.0)
before = resource.getrusage(resource.RUSAGE_SELF)
r = engine.measure(direction, budget, lambda _m: None)
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print(json.dumps({"mbit": r.mbit, "bytes": r.bytes, "cpu_s": cpu, "error": r.error,
                  "file": __import__("homecare").__file__}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_child(
    url: str, direction: str, seconds: float, streams: int, tree: Path | None, server: str
) -> dict[str, object]:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = f"{tree}/src"
    child = CHILD_NDT7 if server == "ndt7" else CHILD
    proc = subprocess.run(
        [sys.executable, "-c", child, url, direction, str(seconds), str(streams), server],
        capture_output=True, text=True, env=env, timeout=seconds + 30, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"child failed: {proc.stderr[-1500:]}")
    doc: dict[str, object] = json.loads(proc.stdout)
    return doc


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--streams", type=int, default=16)
    ap.add_argument("--baseline", type=Path, default=None)
    ap.add_argument("--server", choices=["librespeed", "ookla", "ndt7"], default="librespeed")
    args = ap.parse_args(argv)
    port = free_port()
    module = {
        "librespeed": "homecare.collector.librespeed",
        "ookla": "homecare_lab.ookla_server",
        "ndt7": "homecare_lab.ndt7_server",
    }[args.server]
    server = subprocess.Popen(
        [sys.executable, "-m", module, "--bind", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        time.sleep(1.0)
        trees: list[tuple[str, Path | None]] = [("this tree", None)]
        if args.baseline is not None:
            trees.append(("baseline", args.baseline))
        figures: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for rep in range(args.reps):
            for direction in ("download", "upload"):
                for name, tree in trees:
                    doc = run_child(url, direction, args.seconds, args.streams, tree, args.server)
                    mbit = float(doc["mbit"] or 0)  # type: ignore[arg-type]
                    cpu = float(doc["cpu_s"])  # type: ignore[arg-type]
                    gbytes = int(doc["bytes"]) / 1e9  # type: ignore[call-overload]
                    per_gb = cpu / gbytes if gbytes else float("inf")
                    figures.setdefault((name, direction), []).append((mbit, per_gb))
                    print(f"rep {rep + 1} {direction:<8} {name:<9} {mbit:8.0f} Mbit/s  "
                          f"{per_gb:.3f} CPU s/GB  (load {os.getloadavg()[0]:.1f})"
                          + (f"  [{doc['error']}]" if doc["error"] else ""), flush=True)  # fmt: skip
        what = "one ndt7 connection" if args.server == "ndt7" else f"{args.streams} streams"
        print(f"\nmedian (min..max) over the repetitions, {what} on loopback")
        for (name, direction), rows in figures.items():
            rates = [r[0] for r in rows]
            costs = [r[1] for r in rows]
            print(f"{direction:<8} {name:<9} {statistics.median(rates):8.0f} Mbit/s "
                  f"({min(rates):.0f}..{max(rates):.0f})  {statistics.median(costs):.3f} CPU s/GB "
                  f"({min(costs):.3f}..{max(costs):.3f})")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"(children's CPU in all: {usage.ru_utime + usage.ru_stime:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
