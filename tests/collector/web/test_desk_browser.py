"""The support desk in real headless Chromium: log in, look a code up typed
the way a caller reads it, see the story and the timeline, switch language,
all with the keyboard; axe-core finds nothing serious; reflows at 200 %."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import Seeded
from .helpers import axe_violations, login, no_horizontal_scroll, shot, tab_to


def sloppy(code: str) -> str:
    """'HC-7KQ4-M2XA' as typed from the phone: lower case, spaces, no dashes."""
    body = code.replace("-", "")
    return f" {body[:2].lower()} {body[2:6].lower()}  {body[6:]} "


def test_desk_lookup_timeline_language(
    seeded: Seeded, browser: Any, artifacts: Path, axe_source: str
) -> None:
    context = browser.new_context(bypass_csp=True)  # so axe can be injected
    page = context.new_page()
    try:
        login(page, seeded.url, seeded.collector.support)
        assert page.url.endswith("/desk/")
        # autofocus is applied once the page has loaded, which a busy machine delays
        page.wait_for_function("() => document.activeElement?.id === 'code'", timeout=15_000)
        page.keyboard.type(sloppy(seeded.codes["newest"]))
        with page.expect_navigation():
            page.keyboard.press("Enter")

        assert page.locator("h2#verdict-h").inner_text() == f"Check {seeded.codes['newest']}"
        assert "problem in: Wi-Fi" in page.locator(".verdict").inner_text()
        findings = page.locator("section[aria-labelledby=findings-h] tbody tr")
        assert findings.count() == 2
        assert "signal_dbm = -75" in findings.first.inner_text()
        advice = page.locator("section[aria-labelledby=advice-h]").inner_text()
        assert "Skill level: intermediate" in advice and "already tried" in advice
        assert "2 of 5" in page.locator(".facts").inner_text()
        timeline = page.locator("ol.timeline li")
        assert timeline.count() == 4  # this check and three earlier ones
        assert seeded.codes["earlier0"] in page.locator("ol.timeline").inner_text()
        script = page.locator(".script li").all_inner_texts()
        assert any("Wi-Fi" in line for line in script) and len(script) >= 3
        assert any("1 open alert from your home" in line for line in script)
        assert (
            "No technician session"
            in page.locator("section[aria-labelledby=sessions-h]").inner_text()
        )
        alerts = page.locator("section[aria-labelledby=alerts-h] li")
        assert alerts.count() == 2
        assert "monitor.wifi.weak" in alerts.first.inner_text()
        assert "still open" in alerts.first.inner_text()
        assert "back to normal 2026-05-02 03:25" in alerts.nth(1).inner_text()
        shot(page, artifacts, "desk-en")
        assert axe_violations(page, axe_source) == []

        # switch the language with the keyboard: skip link, then the language list
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "language"
        page.keyboard.type("Espa")
        page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("html").get_attribute("lang") == "es"
        assert page.locator("h1").inner_text() == "Servicio de asistencia"
        assert page.locator("h2#verdict-h").inner_text().endswith(seeded.codes["newest"])
        shot(page, artifacts, "desk-es")

        # an earlier check of the timeline, followed with the keyboard
        tab_to(page, f"e => e.textContent === '{seeded.codes['earlier0']}'")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert seeded.codes["earlier0"] in page.locator("h2#verdict-h").inner_text()
    finally:
        context.close()


def test_desk_reflows_at_200_percent(seeded: Seeded, browser: Any, artifacts: Path) -> None:
    # 200 % zoom of a 1280 px window: a 640 CSS px viewport at twice the pixel density
    context = browser.new_context(viewport={"width": 640, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    try:
        login(page, seeded.url, seeded.collector.support)
        page.goto(f"{seeded.url}/desk/?code={seeded.codes['newest']}")
        assert no_horizontal_scroll(page)
        shot(page, artifacts, "desk-200pct")
    finally:
        context.close()


def test_bad_code_and_unknown_code_explained(seeded: Seeded, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        login(page, seeded.url, seeded.collector.support)
        good = seeded.codes["newest"]
        wrong_check = good[:-1] + ("2" if good[-1] != "2" else "3")
        page.goto(f"{seeded.url}/desk/?code={wrong_check}")
        assert "not a valid support code" in page.locator("main").inner_text(), page.content()
        page.goto(f"{seeded.url}/desk/?code=HC-2222-2222")
        text = page.locator("body").inner_text()
        assert "valid support code" in text or "No check with this code" in text
    finally:
        context.close()


def test_open_a_technician_session_from_the_home(
    seeded: Seeded, browser: Any, artifacts: Path, axe_source: str
) -> None:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{seeded.url}/login?lang=de")
        assert axe_violations(page, axe_source) == []  # the login page
        login(page, seeded.url, seeded.collector.support)
        page.goto(f"{seeded.url}/desk/?code={seeded.codes['visited_home']}")
        sessions = page.locator("section[aria-labelledby=sessions-h] li")
        assert sessions.count() == 2
        assert "JOB-42" in sessions.first.inner_text()
        with page.expect_navigation():
            page.locator(
                f"section[aria-labelledby=sessions-h] a[href$='{seeded.codes['session_after']}']"
            ).click()
        assert seeded.codes["session_after"] in page.locator("h2#tech-h").inner_text()
        assert "Ana Técnica" in page.locator(".facts").inner_text()
        compare = page.locator("section[aria-labelledby=compare-h]").inner_text()
        assert seeded.codes["session_before"] in compare
        dns = page.locator("section[aria-labelledby=compare-h] tr", has_text="dns").first
        assert "fail" in dns.inner_text() and "pass" in dns.inner_text()
        steps = page.locator("section[aria-labelledby=steps-h]").inner_text()
        assert "What the technician fixed" in steps  # the fix, scrubbed to known words
        assert "Restarted" not in steps
        assert page.locator("section[aria-labelledby=job-h] li").count() == 2
        shot(page, artifacts, "desk-session")
        assert axe_violations(page, axe_source) == []
    finally:
        context.close()


def test_the_accessibility_check_can_fail(browser: Any, axe_source: str) -> None:
    """The axe helper reports real problems (so an empty list above means something)."""
    page = browser.new_page()
    try:
        page.set_content(
            '<html><body><input id="x"><p style="color:#bbb;background:#fff">faint</p>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></body></html>'
        )
        found = {v["id"] for v in axe_violations(page, axe_source)}
        assert {"label", "image-alt"} <= found
    finally:
        page.close()
