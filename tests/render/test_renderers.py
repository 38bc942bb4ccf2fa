"""One Report through every renderer: JSON round trip, plain, console, Markdown."""

from __future__ import annotations

import io
import re

import pytest

from homecare.models import Report
from homecare.render.base import RenderOptions
from homecare.render.console import ConsoleRenderer
from homecare.render.json_out import JsonRenderer
from homecare.render.markdown import MarkdownRenderer
from homecare.render.plain import PlainRenderer

from ..factories import sample_report

ANSI = re.compile(r"\x1b\[")
SYMBOLS = "✔✖⚠ℹ"
BOX = re.compile("[\u2500-\u257f]")


def render(renderer: object, report: Report, **options: object) -> str:
    out = io.StringIO()
    renderer.render(report, RenderOptions(**options), out)  # type: ignore[attr-defined, arg-type]
    return out.getvalue()


@pytest.fixture(scope="module")
def report() -> Report:
    return sample_report(skill="expert")


@pytest.fixture(scope="module")
def beginner_report() -> Report:
    return sample_report(skill="beginner")


def test_json_round_trip(report: Report) -> None:
    text = render(JsonRenderer(), report)
    assert Report.model_validate_json(text) == report


def test_plain_has_no_escapes_symbols_or_boxes(report: Report) -> None:
    text = render(PlainRenderer(), report, color=True, symbols=True, verbosity="detailed")
    assert not ANSI.search(text)
    assert not any(s in text for s in SYMBOLS)
    assert not BOX.search(text)
    assert report.verdict.summary in text
    assert "Critical: Websites cannot be found by name" in text
    assert "Advice id: " in text
    assert "Support code" not in text  # the real one only comes from sharing
    assert "homecare share" in text
    assert "Step 1: " in text


def test_console_without_color_has_no_escapes(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = render(ConsoleRenderer(), report, color=True, width=100)
    assert ANSI.search(coloured), "the positive control should be coloured"
    text = render(ConsoleRenderer(), report, color=False, width=100)
    assert not ANSI.search(text)
    assert report.verdict.summary in text


def test_console_without_symbols(report: Report) -> None:
    text = render(ConsoleRenderer(), report, color=False, symbols=False, width=100)
    assert not any(s in text for s in SYMBOLS)
    with_symbols = render(ConsoleRenderer(), report, color=False, symbols=True, width=100)
    assert "✖" in with_symbols


@pytest.mark.parametrize("width", [40, 60, 100])
def test_console_respects_width(report: Report, width: int) -> None:
    text = render(
        ConsoleRenderer(),
        report,
        color=False,
        width=width,
        verbosity="detailed",
        show_commands=True,
        skill="expert",
    )
    lines = text.splitlines()
    assert len(lines) > 10
    too_long = [line for line in lines if len(line) > width]
    assert too_long == []


@pytest.mark.parametrize("renderer", [ConsoleRenderer(), PlainRenderer(), MarkdownRenderer()])
def test_brief_shows_fewer_lines_than_detailed(report: Report, renderer: object) -> None:
    brief = render(renderer, report, color=False, width=100, verbosity="brief")
    detailed = render(renderer, report, color=False, width=100, verbosity="detailed")
    assert len(brief.splitlines()) < len(detailed.splitlines())
    assert "Just a note." not in brief  # info findings are left out when brief
    assert "Just a note." in detailed


@pytest.mark.parametrize("renderer", [ConsoleRenderer(), PlainRenderer(), MarkdownRenderer()])
def test_expert_sees_commands_beginner_does_not(
    report: Report, beginner_report: Report, renderer: object
) -> None:
    expert = render(renderer, report, color=False, width=200, skill="expert", show_commands=True)
    beginner = render(renderer, beginner_report, color=False, width=200, skill="beginner")
    assert "$ " in expert
    assert "$ " not in beginner


def test_markdown_structure(report: Report) -> None:
    text = render(MarkdownRenderer(), report, verbosity="detailed")
    assert text.startswith("# homecare check 01234567\n")
    assert "## Critical: Websites cannot be found by name" in text
    assert "`dns.failing`" in text
    assert "| What | Result |" in text


def test_notes_for_probes_that_did_not_run(report: Report) -> None:
    normal = render(PlainRenderer(), report, verbosity="normal")
    detailed = render(PlainRenderer(), report, verbosity="detailed")
    brief = render(PlainRenderer(), report, verbosity="brief")
    assert "Slow: timed out (No answer)" in normal
    # a skipped probe is shown with its reason, by what it measures, not its code name
    assert "Wi-Fi: skipped (no adapter)" in normal
    assert "Wi-Fi: skipped (no adapter)" in detailed
    assert "skipped" not in brief


def test_healthy_report_renders(report: Report) -> None:
    healthy = sample_report(findings=[])
    assert healthy.verdict.healthy
    text = render(PlainRenderer(), healthy)
    assert text.startswith("Everything we checked looks healthy.")
    console = render(ConsoleRenderer(), healthy, color=False, width=80)
    assert "✔ Everything we checked looks healthy." in console
