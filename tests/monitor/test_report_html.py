"""The monthly report: escaped, self-contained, large type in high contrast, and
rendered by a real headless Chromium that may load nothing but the file itself."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from homecare_lab.browser import artifacts_dir, headless_chromium, why_no_browser

from homecare.i18n import activate
from homecare.monitor.period import Period, load_period
from homecare.render.monthly_html import render_monthly
from homecare.store.samples import Sample, SampleStore

from .test_trends import MADRID, NOW, record_month

HOSTILE = '<script>alert(1)</script><img src="http://198.51.100.1/x.png">\x1b[31m'


@pytest.fixture
def period(tmp_path: Path) -> Iterator[Period]:
    with SampleStore.open(tmp_path / "h.sqlite3") as store:
        record_month(store, {h: 0.4 for h in range(19, 23)})
        down = [
            Sample(ts=NOW - 3 * 86400 + k * 60, kind="light", router_ok=True, internet_ok=False)
            for k in range(5)
        ]
        store.add_many(down)
        yield load_period(store, now=NOW, days=30, tz=MADRID)


def page(period: Period, theme: str = "default", lang: str = "en") -> str:
    activate(lang)
    try:
        return render_monthly(
            period, tz=MADRID, language=lang, theme=theme, provider=HOSTILE, plan_down_mbit=100.0
        )
    finally:
        activate("en")


def test_escaped_cleaned_and_self_contained(period: Period) -> None:
    html = page(period)
    assert "<script" not in html and "<img" not in html and "\x1b" not in html
    assert "&lt;script&gt;" in html
    assert not re.search(r"<[a-zA-Z][^>]*\s(?:src|href|action)\s*=", html)
    assert "url(" not in html and "@import" not in html
    assert "default-src 'none'" in html
    assert html.count("<svg") == 3
    assert "19–23 h" in html  # the evening finding, in words
    assert "Your line this month" in html


def test_names_the_slow_upload_hours_in_the_persons_language(tmp_path: Path) -> None:
    with SampleStore.open(tmp_path / "up.sqlite3") as store:
        record_month(store, {h: 0.4 for h in range(19, 23)}, up_ratio_at={h: 0.3 for h in (7, 8)})
        both = load_period(store, now=NOW, days=30, tz=MADRID)
    html = page(both)
    assert "19–23 h your download falls" in html and "7–9 h your upload falls" in html
    assert html.index("your download falls") < html.index("your upload falls")
    assert "su subida baja" in page(both, lang="es")


def test_in_the_persons_language(period: Period) -> None:
    html = page(period, lang="de")
    assert '<html lang="de">' in html


def _gate(url: str, requested: list[str]) -> Any:
    """A route handler that lets only *url* itself load and records every request."""

    def gate(route: Any) -> None:
        requested.append(route.request.url)
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    return gate


@pytest.mark.skipif(why_no_browser() is not None, reason=str(why_no_browser()))
def test_chromium_renders_it_offline_in_both_themes(period: Period, tmp_path: Path) -> None:
    sizes: dict[str, float] = {}
    requested: list[str] = []
    with headless_chromium() as browser:
        for theme in ("default", "high-contrast"):
            html = tmp_path / f"report-{theme}.html"
            html.write_text(page(period, theme), encoding="utf-8")
            url = html.as_uri()

            tab = browser.new_page(viewport={"width": 1000, "height": 1400})
            tab.route("**/*", _gate(url, requested))
            tab.goto(url)
            tab.wait_for_load_state("load")
            assert tab.locator("h1").inner_text() == "Your line this month"
            assert tab.locator("svg rect").count() > 30
            assert tab.locator("svg rect.low").count() >= 4  # the slow evening hours
            assert tab.locator("tbody tr").count() == 1  # the one outage
            sizes[theme] = float(
                tab.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            )
            colours = tab.evaluate(
                "[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]"
            )
            if theme == "high-contrast":
                assert colours == ["rgb(255, 255, 255)", "rgb(0, 0, 0)"]
            shot = artifacts_dir() / f"monitor-report-{theme}.png"
            tab.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            shutil.copy(html, artifacts_dir() / html.name)
            tab.close()
    assert all(u.startswith("file://") and u.endswith(".html") for u in requested), requested
    assert len(requested) == 2
    assert sizes["high-contrast"] >= 1.3 * sizes["default"]
