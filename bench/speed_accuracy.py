"""Speed accuracy on the virtual home: homecare's engines against iperf3.

For each WAN rate (tc tbf on the router's WAN) and each direction, iperf3
(4 streams, 8 s, omitting the first second) and homecare's LibreSpeed engine
measure the same shaped path in the same run; the ratio
homecare ÷ iperf3 is printed with the target (0.97-1.03 at 50 and 500 Mbit/s,
>= 0.95 at 2 Gbit/s), and the speedtest-cli engine's ratio beside it. Every
figure is printed, also when a target is missed.

Run as root: ``.venv/bin/python bench/speed_accuracy.py [--rates 50,500,2000]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from connection_quality import data_of, provider_toml, run_inside


def iperf(home: Any, reverse: bool, seconds: int = 8, streams: int = 4) -> float | None:
    """Mbit/s received, by iperf3 from the laptop to the provider's iperf address."""
    from homecare_lab import addresses

    argv = ["iperf3", "-c", addresses.IPERF, "-t", str(seconds), "-O", "1",
            "-P", str(streams), "-J"]  # fmt: skip
    if reverse:
        argv.append("-R")
    proc = home.run_in_laptop(argv, timeout=seconds + 20)
    try:
        doc = json.loads(proc.stdout)
        return float(doc["end"]["sum_received"]["bits_per_second"]) / 1e6
    except (ValueError, KeyError):
        print(f"  iperf3 failed: {proc.stderr.strip()[:200]} {proc.stdout[:200]}", flush=True)
        return None


def engine_rates(home: Any, tmp: Path, engine: str) -> tuple[float | None, float | None, str]:
    prov = provider_toml(tmp, engines=[engine], duration_s=8.0)
    r = run_inside(home, prov, "--areas", "speed", timeout=120)
    sp = data_of(r, "speed")
    down = (sp.get("download") or {}).get("mbit")
    up = (sp.get("upload") or {}).get("mbit")
    errors = "; ".join(a["error"] for a in sp.get("attempts", []) if a.get("error"))
    return down, up, errors


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rates", default="50,500,2000", help="WAN rates in Mbit/s")
    args = ap.parse_args(argv)
    from homecare_lab import HomeSpec, VirtualHome, addresses
    from homecare_lab.spec import WanSpec

    tmp = Path(tempfile.mkdtemp(prefix="hc-bench-speed-", dir="/tmp"))
    tmp.chmod(0o755)
    rates = [float(x) for x in args.rates.split(",") if x]
    print(f"{'rate':>6} {'dir':<8} {'iperf3':>9} {'librespeed':>11} {'ratio':>6} {'target':<10} "
          f"{'speedtest':>10} {'ratio':>6}")  # fmt: skip
    missed = 0
    with VirtualHome(HomeSpec(name="bs", wan=WanSpec(down_mbit=rates[0], up_mbit=rates[0]))) as home:
        server = home.spawn("provider", ["iperf3", "-s", "-B", addresses.IPERF])
        time.sleep(0.5)
        try:
            for rate in rates:
                home.degrade_wan(down_mbit=rate, up_mbit=rate, queue_ms=20)
                ref_down = iperf(home, reverse=True)
                ref_up = iperf(home, reverse=False)
                ls_down, ls_up, ls_err = engine_rates(home, tmp, "librespeed")
                st_down, st_up, st_err = engine_rates(home, tmp, "speedtest")
                lo = 0.95 if rate >= 2000 else 0.97
                hi = 99.0 if rate >= 2000 else 1.03
                for d, ref, ours, other in (("down", ref_down, ls_down, st_down),
                                            ("up", ref_up, ls_up, st_up)):  # fmt: skip
                    ratio = ours / ref if ours and ref else None
                    sratio = other / ref if other and ref else None
                    good = ratio is not None and lo <= ratio <= hi
                    missed += not good
                    target = f">={lo}" if rate >= 2000 else f"{lo}-{hi}"
                    print(f"{rate:>6.0f} {d:<8} {ref or 0:>9.1f} {ours or 0:>11.1f} "
                          f"{(ratio or 0):>6.3f} {target:<10} {other or 0:>10.1f} "
                          f"{(sratio or 0):>6.3f} {'ok' if good else 'MISSED'}", flush=True)  # fmt: skip
                for name, err in (("librespeed", ls_err), ("speedtest", st_err)):
                    if err:
                        print(f"  {name} errors: {err}", flush=True)
        finally:
            home.stop(server)
    print("ALL TARGETS MET" if not missed else f"{missed} TARGET(S) MISSED")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
