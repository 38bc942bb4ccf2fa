"""Browser steps shared by the desk and console tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SERIOUS = ("serious", "critical")


def login(page: Any, base: str, token: str, language: str = "en") -> None:
    """Log in with the keyboard only: the token field has focus on arrival."""
    page.set_default_timeout(10_000)
    page.goto(f"{base}/login?lang={language}")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'token'")
    page.keyboard.type(token)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def shot(page: Any, artifacts: Path, name: str) -> Path:
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations (WCAG 2.1 A/AA and best practice)."""
    page.evaluate(axe_source)
    result: dict[str, Any] = page.evaluate(
        """async () => await axe.run(document, {
              runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                              'best-practice']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def no_horizontal_scroll(page: Any) -> bool:
    return bool(
        page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    )


def tab_to(page: Any, test_js: str, limit: int = 80) -> None:
    """Press Tab until *test_js* (a function of the focused element) holds:
    proves the control is reachable without a mouse."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => ({test_js})(document.activeElement)"):
            return
    raise AssertionError(f"never reached by Tab: {test_js}")
