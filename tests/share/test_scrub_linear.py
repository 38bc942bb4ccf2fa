"""scrub_text stays linear on hostile input (issue 14 item 8).

A captive portal controls the ``Location`` header that reaches the scrubber;
before the fix 10 KB took 1.6 s and 100 KB took 114 s. The inputs below are
the shapes that made the old patterns backtrack; each gets 1 MB and must be
done well within a second even on a busy machine.
"""

from __future__ import annotations

import json
import subprocess
import sys

from homecare.share.scrub import MAX_INPUT, looks_identifying, scrub_text

TIMER = """
import json, time
from homecare.share.scrub import looks_identifying, scrub_text
MB = 1_000_000
HOSTILE = {
    "no-space": "a" * MB,
    "at-signs": "a@" * (MB // 2),
    "colons": "a:" * (MB // 2),
    "dots": "1.1." * (MB // 4),
    "url": "http://" + "a" * MB,
    "path": "/" + "a/" * (MB // 2),
    "long-words": ("a" * 200 + " ") * (MB // 201),
    "dotted-words": ("a." * 100 + " ") * (MB // 201),
}
out = {}
for name, text in HOSTILE.items():
    started = time.perf_counter()
    scrub_text(text)
    looks_identifying(text)
    out[name] = time.perf_counter() - started
print(json.dumps(out))
"""


def test_one_megabyte_of_hostile_text_is_fast() -> None:
    # In a child with a deadline: the quadratic version would run for hours.
    proc = subprocess.run(
        [sys.executable, "-c", TIMER], capture_output=True, text=True, timeout=30, check=True
    )
    times: dict[str, float] = json.loads(proc.stdout)
    assert len(times) == 8
    slow = {name: t for name, t in times.items() if t >= 1.0}
    assert not slow, slow


def test_results_are_unchanged_by_tokenising() -> None:
    assert scrub_text("Connection refused by 10.0.0.1:443") == "connection refused by [ip]"
    assert scrub_text("connect to (10.0.0.1) failed") == "connect to [ip] failed"
    assert scrub_text("lookup printer.lan: timed out") == "lookup [name] timed out"
    assert scrub_text("mail alice@example.com failed") == "[email] failed"
    assert scrub_text("GET http://portal.example/login?u=bob timed out") == "[url] timed out"


def test_a_token_longer_than_any_word_is_dropped_whole() -> None:
    sneaky = "x" * 300 + ".hans-schmidt.example"
    assert scrub_text(f"lookup {sneaky} failed") == "lookup [name] failed"
    assert looks_identifying(sneaky)


def test_only_the_start_of_the_text_is_read() -> None:
    text = "timeout " + "z " * MAX_INPUT + "refused"
    assert scrub_text(text) == "timeout"


def test_long_tokens_get_the_placeholder_of_their_shape() -> None:
    pad = "a" * 300
    assert scrub_text(f"GET http://portal.example/{pad} failed") == "[url] failed"
    assert scrub_text(f"mail {pad}@example.com failed") == "[email] failed"
    assert scrub_text(f"open /home/{pad} failed") == "[path] failed"
    assert scrub_text(f"open C:\\Users\\{pad} failed") == "[path] failed"
    assert scrub_text(f"refused {pad} now") == "refused"
