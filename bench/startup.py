"""Start-up cost of ``homecare --help`` against ``python -c "import typer"``.

Prints the median wall time of each over N runs and their ratio; the target
is a ratio of at most 2.5 (heavy libraries such as scapy must stay out of the
start-up path).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 15
TARGET = 2.5


def median_wall(argv: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    py = sys.executable
    subprocess.run([py, "-m", "homecare", "--help"], check=True, capture_output=True)  # warm caches
    base = median_wall([py, "-c", "import typer"])
    ours = median_wall([py, "-m", "homecare", "--help"])
    ratio = ours / base
    heavy = subprocess.run(
        [
            py,
            "-c",
            "import sys; from homecare.cli.app import run; "
            "print(','.join(m for m in ('scapy','zeroconf','speedtest','pydantic','psutil','dns') "
            "if m in sys.modules))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"import typer:     {base * 1000:7.1f} ms (median of {RUNS})")
    print(f"homecare --help:  {ours * 1000:7.1f} ms (median of {RUNS})")
    print(f"ratio:            {ratio:7.2f}  (target <= {TARGET})")
    print(f"heavy modules imported at start-up: {heavy or 'none'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
