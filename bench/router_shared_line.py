"""The shared-line figure against a known other download, in the virtual home.

Each run is ``homecare check speed router`` on the laptop while the
"kids-pc" device receives a constant UDP stream through the router (iperf3
``-u -R -b 10M``: UDP does not back off, so its rate over the speed test's
window is known; the reference is what iperf3 itself counted as received,
loss taken off). Printed for 5 runs each, as median and spread (min..max):
the router probe's ``other_down_mbit`` with that stream and with a quiet
LAN, the iperf3 reference, and the speed test's own download, all from the
same runs. The other stream's figure includes its IP/UDP headers, the
reference counts UDP payload (about 3 % less).

Run as root: ``nice .venv/bin/python bench/router_shared_line.py``.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from homecare_lab import HomeSpec, VirtualHome
from homecare_lab import addresses as A
from homecare_lab.provider_profile import lab_homecare_home, provider_profile_toml
from homecare_lab.spec import DeviceSpec, WanSpec

RUNS = 5
OTHER_MBIT = 10
DOWN, UP = 60.0, 20.0


def spread(values: list[float]) -> str:
    if not values:
        return "no values"
    return (
        f"median {statistics.median(values):6.2f}  (min {min(values):.2f} .. max {max(values):.2f})"
    )


def check(home: VirtualHome, hc_home: Path, provider: Path) -> dict[str, Any]:
    proc = home.run_in_laptop(
        [sys.executable, "-m", "homecare", "check", "--json", "--no-save", "speed", "router"],
        env={"HOMECARE_HOME": str(hc_home), "HOMECARE_PROVIDER": str(provider)},
        timeout=180,
    )
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def figures(report: dict[str, Any]) -> tuple[float | None, float | None]:
    by_probe = {o["probe"]: o for o in report["observations"]}
    router = (by_probe["router"].get("data") or {}).get("during_speed_test") or {}
    speed = (by_probe["speed"].get("data") or {}).get("download") or {}
    return router.get("other_down_mbit"), speed.get("mbit")


def main() -> int:
    spec = HomeSpec(
        name="bench-shared",
        wan=WanSpec(down_mbit=DOWN, up_mbit=UP, queue_ms=20),
        devices=(DeviceSpec(name="kids-pc", kind="laptop", vendor="dell"),),
    )
    home = VirtualHome(spec).start()
    tmp = Path(tempfile.mkdtemp(prefix="hc-bench-shared-", dir="/tmp"))
    tmp.chmod(0o755)
    try:
        hc_home = lab_homecare_home(tmp)
        provider = tmp / "provider.toml"
        provider.write_text(provider_profile_toml(WanSpec(down_mbit=DOWN, up_mbit=UP)))
        server = home.spawn("provider", ["iperf3", "-s", "-B", A.IPERF])
        time.sleep(0.5)
        quiet, busy, reference, test_down = [], [], [], []
        for _ in range(RUNS):
            other, down = figures(check(home, hc_home, provider))
            if other is not None:
                quiet.append(other)
            stream = home.spawn(
                "kids-pc",
                ["iperf3", "-c", A.IPERF, "-u", "-R", "-b", f"{OTHER_MBIT}M", "-t", "45", "-J"],
            )
            time.sleep(1.5)
            other, down = figures(check(home, hc_home, provider))
            out, _err = stream.communicate(timeout=90)
            end = json.loads(out)["end"]["sum"]
            reference.append(end["bits_per_second"] * (1 - end["lost_percent"] / 100) / 1e6)
            if other is not None:
                busy.append(other)
            if down is not None:
                test_down.append(down)
        home.stop(server)
        print(f"Other devices' downstream during the speed test (Mbit/s), {RUNS} runs each:")
        print(f"  with a {OTHER_MBIT} Mbit/s UDP stream  {spread(busy)}")
        print(f"  reference: iperf3 received      {spread(reference)}")
        print(f"  quiet LAN                       {spread(quiet)}")
        print(f"  the speed test's own download   {spread(test_down)}")
    finally:
        home.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
