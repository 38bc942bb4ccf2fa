"""What monitoring costs: CPU seconds and peak RSS per hour of ``homecare monitor run``.

In the virtual home (root, network namespaces), 5 runs of the real
``homecare monitor run --every E --for D`` (light checks only: reachability,
loss, DNS; no speed, Wi-Fi or discovery) as its own process in the laptop
namespace. Each run's CPU (user + system, from ``wait4``) and peak RSS are
read from the kernel; CPU per hour at the default one-minute interval is
extrapolated as (run CPU - ``--version`` CPU) / samples x 60 (the loop sleeps
in ``time.sleep`` in between). That is an upper bound: the one-time imports
of probes and rules are counted into the samples.

Reference, measured in the same run and the same way: ``homecare --version``
(the interpreter and CLI start-up) and one ``homecare check --quick
connectivity dns --no-save`` (the same flow once, as a process).

Median and spread (min..max) over the 5 runs. Run:
``nice .venv/bin/python bench/monitor_cost.py [--every 5] [--for 60]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import tomli_w
from homecare_lab import HomeSpec, VirtualHome
from homecare_lab.provider_profile import lab_homecare_home, provider_profile
from homecare_lab.spec import WanSpec

RUNS = 5


def measure(home: VirtualHome, argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(CPU seconds, peak RSS MiB, stdout) of one process in the laptop namespace."""
    cmd = [
        "ip",
        "netns",
        "exec",
        home.laptop_ns,
        "env",
        *[f"{k}={v}" for k, v in env.items()],
        *argv,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[3:]} failed ({proc.returncode}): {err[-400:]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def figures(values: list[float]) -> str:
    return f"median {statistics.median(values):7.2f}  (spread {min(values):.2f}..{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=float, default=5.0)
    parser.add_argument("--for", dest="for_s", type=float, default=60.0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="hc-bench-monitor-", dir="/tmp"))
    root.chmod(0o755)
    provider = root / "lab-isp.toml"
    profile = provider_profile(WanSpec())
    profile["thresholds"] = {"ping_count": 4, "ping_timeout_s": 0.5, "dns_timeout_s": 1.0}
    provider.write_text(tomli_w.dumps(profile))
    py = [sys.executable, "-m", "homecare"]
    results: dict[str, list[float]] = {k: [] for k in ("start_cpu", "check_cpu", "check_rss",
                                                       "run_cpu", "run_rss", "per_hour", "samples")}  # fmt: skip
    try:
        with VirtualHome(HomeSpec(name="moncost", wan=WanSpec(queue_ms=5))) as home:
            for run in range(RUNS):
                hc = lab_homecare_home(root / f"run{run}")
                env = {
                    "HOMECARE_HOME": str(hc),
                    "HOMECARE_PROVIDER": str(provider),
                    "HOMECARE_LANG": "en",
                }
                cpu, _rss, _ = measure(home, [*py, "--version"], env)
                results["start_cpu"].append(cpu)
                cpu, rss, _ = measure(home, [*py, "check", "--quick", "connectivity", "dns", "--no-save", "--json"], env)  # fmt: skip
                results["check_cpu"].append(cpu)
                results["check_rss"].append(rss)
                cpu, rss, out = measure(home, [*py, "monitor", "run", "--every", f"{args.every:g}",
                                               "--for", f"{args.for_s:g}", "--no-speed", "--no-wifi",
                                               "--no-discovery", "--no-desktop"], env)  # fmt: skip
                samples = sum(1 for line in out.splitlines() if " light " in line)
                results["run_cpu"].append(cpu)
                results["run_rss"].append(rss)
                results["samples"].append(samples)
                per_sample = (cpu - results["start_cpu"][-1]) / max(1, samples)
                results["per_hour"].append(per_sample * 60)
                print(f"run {run + 1}: {samples} samples, {cpu:.2f} CPU s, peak {rss:.0f} MiB")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"\nmonitor run --every {args.every:g} --for {args.for_s:g} (light checks), {RUNS} runs "
          "(machine shared with other sessions):")  # fmt: skip
    print(f"  reference: homecare --version CPU s        {figures(results['start_cpu'])}")
    print(f"  reference: one quick check CPU s           {figures(results['check_cpu'])}")
    print(f"  reference: one quick check peak RSS MiB    {figures(results['check_rss'])}")
    print(f"  monitor run CPU s                          {figures(results['run_cpu'])}")
    print(f"  monitor run peak RSS MiB                   {figures(results['run_rss'])}")
    print(f"  samples per run                            {figures(results['samples'])}")
    print(f"  CPU s per hour at --every 60 (extrapolated) {figures(results['per_hour'])}")


if __name__ == "__main__":
    main()
