"""Guidance keeps the catalogue's step numbers, fills commands with what the
check saw, and keeps a phone number on one line."""

from __future__ import annotations

import io

from homecare.advise.catalogue import Catalogue
from homecare.advise.guidance import build_guidance, command_values, fill
from homecare.models import Finding, Observation, ProbeStatus, Segment, Severity
from homecare.render.base import RenderOptions
from homecare.render.console import ConsoleRenderer

from ..factories import host, sample_report


def dns_failing() -> Finding:
    return Finding(
        code="dns.failing", severity=Severity.CRITICAL, segment=Segment.ROUTER, summary="x"
    )


def test_hidden_steps_keep_the_numbers_of_the_rest() -> None:
    (g,) = build_guidance([dns_failing()], Catalogue.load(), "en", "beginner", lambda _c: {1})
    assert [s.number for s in g.steps] == [2]


def test_commands_are_filled_with_the_gateway_and_resolver_seen() -> None:
    values = command_values(
        [Observation(probe="host", area="host", status=ProbeStatus.OK, data=host())]
    )
    assert values == {"GATEWAY": "192.168.1.1", "RESOLVER": "192.168.1.1"}
    (g,) = build_guidance([dns_failing()], Catalogue.load(), "en", "expert", values=values)
    commands = [s.command for s in g.steps if s.command]
    assert commands and not any("RESOLVER" in c for c in commands)
    assert "dig example.com @192.168.1.1" in commands
    assert fill("ping -c 5 GATEWAY", {}) == "ping -c 5 GATEWAY"  # unknown: left as written


def test_wrapped_steps_hang_and_the_phone_stays_whole() -> None:
    report = sample_report(skill="beginner")
    report.guidance = build_guidance(
        report.findings, Catalogue.load(), "en", "beginner", support_phone="+1 555 0100"
    )
    out = io.StringIO()
    ConsoleRenderer().render(report, RenderOptions(color=False, width=40), out)
    lines = out.getvalue().splitlines()
    assert any("+1\u00a0555\u00a00100" in line for line in lines)
    first = next(i for i, line in enumerate(lines) if line.lstrip().startswith("1. "))
    assert lines[first + 1].startswith("     ")  # the second line of step 1 is indented
