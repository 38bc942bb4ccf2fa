"""Connection-quality benchmark on the virtual home (root, network namespaces).

Measures, in one run, against what the lab enforces:
  * loss at 0 %, 1 % and 3 % random WAN drop, 20 default-size checks each:
    how often the reported 99 % interval contains the configured loss
    (target: >= 19 of 20 at 1 % and 3 %) and how many loss findings a clean
    line gets (target: none in 20 at 0 %),
  * loss with 1 % and 5 % random WAN drop over many probes (within 0.5 points),
  * bufferbloat flagged with a 200 ms tbf queue and not with 5 ms,
  * full check with both speed directions <= 30 s, --quick <= 15 s,
  * client CPU (< 25 % of a core) and peak RSS (< 80 MiB) at 1 Gbit/s.

Every figure is printed, also when a target is missed.

``--inside PROVIDER.toml [--quick] [--areas a,b]`` is the driver the
benchmarks and the e2e tests run *inside* the laptop namespace: it calls
``homecare.engine.run_check`` (the one flow ``homecare check --json`` runs,
with every built-in probe and rule) and prints the report with the wall
time, CPU time and peak RSS of the process that ran it.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- inside the laptop


def inside(provider_path: str, quick: bool, areas: Sequence[str], budget: float) -> dict[str, Any]:
    from homecare.advise.catalogue import Catalogue
    from homecare.engine import CheckRequest, run_check
    from homecare.plugins import get_plugin_manager
    from homecare.profiles.provider import load_provider

    provider = load_provider(provider_path)
    pm = get_plugin_manager(load_entry_points=False)
    started = time.monotonic()
    cpu0 = time.process_time()
    outcome = run_check(
        CheckRequest(areas=list(areas), quick=quick, budget_s=budget), pm, provider,
        Catalogue.load(),
    )  # fmt: skip
    wall = time.monotonic() - started
    cpu = time.process_time() - cpu0
    report: dict[str, Any] = outcome.report.model_dump(mode="json")
    report["wall_s"] = round(wall, 3)
    report["cpu_s"] = round(cpu, 3)
    report["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return report


# --------------------------------------------------------------------------- outside (root)


def provider_toml(tmp: Path, quality: dict[str, Any] | None = None, **speed: Any) -> Path:
    """A provider profile pointing at the lab's provider addresses."""
    from homecare_lab import addresses

    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in speed.items())
    if quality:
        extra += "[quality]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in quality.items())
    tmp.mkdir(parents=True, exist_ok=True)
    tmp.chmod(0o755)
    path = tmp / "lab-quality.toml"
    path.write_text(
        f"""name = "Lab ISP"
[targets]
internet_hosts = ["{addresses.INTERNET}"]
dns_names = ["example.com", "homecare.test"]
provider_resolver = "{addresses.RESOLVER}"
captive_url = "{addresses.CHECK_URL}"
captive_expect_status = 204
[thresholds]
ping_count = 4
ping_timeout_s = 0.5
dns_timeout_s = 1.0
[speed]
librespeed_urls = ["http://{addresses.LIBRESPEED}/"]
{extra}"""
    )
    path.chmod(0o644)
    return path


def run_inside(
    home: Any,
    provider: Path,
    *args: str,
    timeout: float = 90,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    proc = home.run_in_laptop(
        [sys.executable, str(Path(__file__).resolve()), "--inside", str(provider), *args],
        timeout=timeout,
        env=env,
    )
    if proc.returncode != 0 or not proc.stdout.startswith("{"):
        raise RuntimeError(f"driver failed ({proc.returncode}): {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def data_of(report: dict[str, Any], probe: str) -> dict[str, Any]:
    obs = next(o for o in report["observations"] if o["probe"] == probe)
    data = obs.get("data") or {}
    values = data.get("values", data) if data.get("kind") == "generic" else data
    if not values:
        raise AssertionError(f"{probe}: {obs['status']} {obs.get('message')}")
    return dict(values)


def codes(report: dict[str, Any]) -> set[str]:
    return {f["code"] for f in report["findings"]}


LOSS_CODES = {"lan.loss", "lan.loss.sustained", "internet.loss", "internet.loss.sustained"}


def loss_coverage(home: Any, provider: Path, runs: int, line: Any) -> bool:
    """Default-size latency checks at 0, 1 and 3 % WAN drop: does the reported
    interval contain the configured loss, and does a clean line stay clean?"""
    ok = True
    for pct in (0.0, 1.0, 3.0):
        home.degrade_wan(loss_down_pct=pct, loss_up_pct=0.0)
        inside_count = findings = unclear = 0
        measured: list[float] = []
        sent = 0
        for _ in range(runs):
            r = run_inside(home, provider, "--areas", "latency")
            inet = next(s for s in data_of(r, "latency")["series"] if s["role"] == "internet")
            st = inet["stats"]
            sent = st["sent"]
            measured.append(100 * st["loss"])
            inside_count += st["loss_low"] <= pct / 100 <= st["loss_high"]
            findings += bool(codes(r) & LOSS_CODES)
            unclear += any(c.endswith(".loss.unclear") for c in codes(r))
        med = statistics.median(measured)
        spread = f"{min(measured):.1f}-{max(measured):.1f}%"
        if pct == 0.0:
            good = findings == 0
            line(f"loss 0 %: loss findings in {runs} checks ({sent} probes)",
                 f"{findings} (median {med:.1f}%, {spread})", good)  # fmt: skip
        else:
            good = inside_count >= runs - 1 if runs == 20 else inside_count >= 0.95 * runs
            line(f"loss {pct:.0f} %: interval holds it, of {runs} ({sent} probes)",
                 f"{inside_count} (median {med:.1f}%, {spread}; "
                 f"{findings} findings, {unclear} unclear)", good)  # fmt: skip
        ok &= good
    home.restore_wan()
    return ok


def bench(args: argparse.Namespace) -> int:
    import tempfile

    from homecare_lab import HomeSpec, VirtualHome
    from homecare_lab.spec import WanSpec

    tmp = Path(tempfile.mkdtemp(prefix="hc-bench-q-", dir="/tmp"))
    tmp.chmod(0o755)
    ok = True

    def line(name: str, value: str, good: bool) -> None:
        nonlocal ok
        ok &= good
        print(f"{name:<52} {value:<34} {'ok' if good else 'MISSED'}", flush=True)

    spec = HomeSpec(name="bq", wan=WanSpec(down_mbit=100, up_mbit=50, queue_ms=20))
    with VirtualHome(spec) as home:
        prov = provider_toml(tmp, duration_s=6.0, quick_duration_s=3.0)
        ok &= loss_coverage(home, prov, args.coverage_runs, line)
        if args.only_coverage:
            print("ALL TARGETS MET" if ok else "SOME TARGETS MISSED")
            return 0
        # The loss figure is a binomial estimate: its spread is sqrt(p(1-p)/n).
        # 100 probes (the default check) give about ±2.2 points at 5 %, so the
        # 0.5-point target is checked with many probes (2 ms apart), and the
        # default-size runs are printed beside it for what a customer sees.
        many = provider_toml(tmp / "many", quality={"latency_count": 2000,
                                                    "latency_interval_ms": 2.0})  # fmt: skip
        for pct in (1.0, 5.0):
            home.degrade_wan(loss_down_pct=pct, loss_up_pct=0.0)
            sent = lost = 0
            for _ in range(args.loss_runs):
                r = run_inside(home, many, "--areas", "latency")
                inet = next(s for s in data_of(r, "latency")["series"] if s["role"] == "internet")
                sent += inet["stats"]["sent"]
                lost += inet["stats"]["sent"] - inet["stats"]["received"]
            measured = 100 * lost / max(sent, 1)
            spread = 100 * (pct / 100 * (1 - pct / 100) / max(sent, 1)) ** 0.5
            line(f"loss with {pct:.0f}% WAN drop ({sent} probes)",
                 f"{measured:.2f}% (±{spread:.2f} 1σ)", abs(measured - pct) <= 0.5)  # fmt: skip
            small = []
            for _ in range(3):
                r = run_inside(home, prov, "--areas", "latency")
                inet = next(s for s in data_of(r, "latency")["series"] if s["role"] == "internet")
                small.append(100 * inet["stats"]["loss"])
            print(f"{'  default check (3 runs)':<52} "
                  f"{', '.join(f'{x:.0f}%' for x in small)} (binomial ±"
                  f"{100 * (pct / 100 * (1 - pct / 100) / inet['stats']['sent']) ** 0.5:.1f} 1σ "
                  "per run)", flush=True)  # fmt: skip
        home.restore_wan()
        for queue_ms, expect in ((200.0, True), (5.0, False)):
            home.degrade_wan(queue_ms=queue_ms)
            r = run_inside(home, prov, "--areas", "speed")
            sp = data_of(r, "speed")
            flagged = "latency.bufferbloat" in codes(r)
            line(f"bufferbloat, tbf queue {queue_ms:.0f} ms",
                 f"+{sp.get('bufferbloat_ms')} ms grade {sp.get('bufferbloat_grade')} "
                 f"RPM {sp.get('rpm')}", flagged == expect)  # fmt: skip
        home.restore_wan()
        r = run_inside(home, prov)
        line("full check wall time (both directions)", f"{r['wall_s']:.1f} s", r["wall_s"] <= 30)
        rq = run_inside(home, prov, "--quick")
        line("--quick check wall time", f"{rq['wall_s']:.1f} s", rq["wall_s"] <= 15)
        home.degrade_wan(down_mbit=1000, up_mbit=1000, queue_ms=20)
        r = run_inside(home, prov, "--areas", "speed")
        sp = data_of(r, "speed")
        speed_s = next(o for o in r["observations"] if o["probe"] == "speed")["duration_s"]
        down = (sp.get("download") or {}).get("mbit")
        up = (sp.get("upload") or {}).get("mbit")
        cpu_pct = 100 * r["cpu_s"] / max(r["wall_s"], 0.001)
        line("1 Gbit/s: measured down / up", f"{down} / {up} Mbit/s in {speed_s:.1f} s", bool(down))
        line("1 Gbit/s: client CPU (whole process, incl. latency)",
             f"{cpu_pct:.1f}% of a core", cpu_pct < 25)  # fmt: skip
        line("1 Gbit/s: peak RSS", f"{r['max_rss_mib']:.1f} MiB", r["max_rss_mib"] < 80)
    print("ALL TARGETS MET" if ok else "SOME TARGETS MISSED")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--inside", metavar="PROVIDER", help="run the probes here and print JSON")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--areas", default="")
    ap.add_argument("--budget", type=float, default=45.0)
    ap.add_argument("--loss-runs", type=int, default=4, help="runs of 2000 loss probes")
    ap.add_argument("--coverage-runs", type=int, default=20, help="default checks per loss level")
    ap.add_argument("--only-coverage", action="store_true", help="only the interval coverage")
    args = ap.parse_args(argv)
    if args.inside:
        sys.path.insert(0, str(ROOT / "src"))
        areas = [a for a in args.areas.split(",") if a]
        budget = 15.0 if args.quick and args.budget == 45.0 else args.budget
        print(json.dumps(inside(args.inside, args.quick, areas, budget)))
        return 0
    return bench(args)


if __name__ == "__main__":
    raise SystemExit(main())
