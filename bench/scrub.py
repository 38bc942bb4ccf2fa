"""Time of ``share.scrub.scrub_text`` against input size, 1 KB .. 1 MB.

For each size and each input shape (a hostile captive-portal ``Location``
URL, text without spaces, ``a@`` repeated, realistic error text) prints the
median and spread (min..max) of 5 runs of

* ``scrub_text`` itself (which reads at most ``MAX_INPUT`` characters, so it
  levels off above 8 KB),
* its pattern pass over the *whole* input, without that cut, to show the
  patterns themselves are linear,
* a linear reference measured in the same run on the same input:
  ``str.lower().split()`` plus one ``re.findall`` of words.

The pattern/reference ratio staying flat as the size grows is what "linear"
means here; before issue 14 item 8 the time grew with the square of the size
(1.6 s at 10 KB, 114 s at 100 KB).

Usage: python bench/scrub.py
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable

from homecare.share.scrub import _scrub_token, scrub_text

RUNS = 5
SIZES = (1_000, 10_000, 100_000, 1_000_000)
_WORDS = re.compile(r"[a-z]+", re.I)


def shapes(size: int) -> dict[str, str]:
    error = "connect to 192.168.1.20:631 failed: connection refused by printer.lan "
    return {
        "portal-url": ("http://portal.example/login?next=" + "a%2F" * size)[:size],
        "no-spaces": "a" * size,
        "at-signs": ("a@" * size)[:size],
        "error-text": (error * (size // len(error) + 1))[:size],
    }


def reference(text: str) -> None:
    _WORDS.findall(" ".join(text.lower().split()))


def patterns_whole(text: str) -> None:
    " ".join(_scrub_token(tok) for tok in text.split())


def timed(fn: Callable[[str], object], text: str) -> list[float]:
    out = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn(text)
        out.append(time.perf_counter() - started)
    return out


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:9.3f} ms ({min(values) * 1000:.3f}..{max(values) * 1000:.3f})"


def main() -> int:
    print(f"scrub_text, median (min..max) of {RUNS} runs; reference: split + findall")
    print(
        f"{'shape':<11} {'size':>9}  {'scrub_text':<32} {'patterns, whole input':<32} "
        f"{'reference':<32} patterns/ref"
    )
    for size in SIZES:
        for name, text in shapes(size).items():
            ours = timed(scrub_text, text)
            whole = timed(patterns_whole, text)
            ref = timed(reference, text)
            ratio = statistics.median(whole) / max(statistics.median(ref), 1e-9)
            print(
                f"{name:<11} {size:>9}  {ms(ours):<32} {ms(whole):<32} {ms(ref):<32} {ratio:6.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
