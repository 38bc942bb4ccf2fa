"""Loading of the recorded tool outputs under ``fixtures/``."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_text(relative: str) -> str:
    """A recorded tool output, exactly as the tool printed it."""
    return (FIXTURES / relative).read_text(encoding="utf-8")
