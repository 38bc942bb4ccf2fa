"""Debian's Chromium, headless, for every test that renders a page or a report.

One launcher, so every browser test runs with the same flags: no background
networking, no component updates, no sync (Chromium would otherwise reach
out to Google at start-up on a network that is not ours), and only what the
test routes to it. ``playwright install`` cannot download a browser here, so
playwright drives Debian's ``/usr/bin/chromium`` through ``executable_path``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("HOMECARE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def why_no_browser() -> str | None:
    """The reason browser tests must skip here, or None when they can run."""
    if not CHROMIUM.exists():
        return f"Debian's chromium is not installed at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "python playwright is not installed (pip install playwright)"
    return None


@contextlib.contextmanager
def headless_chromium() -> Iterator[Any]:
    """A launched playwright Browser on Debian's Chromium, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def artifacts_dir() -> Path:
    """Where screenshots and rendered reports are kept for a person to look at."""
    default = Path(tempfile.gettempdir()) / "homecare-test-artifacts"
    folder = Path(os.environ.get("HOMECARE_TEST_ARTIFACTS", str(default)))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
