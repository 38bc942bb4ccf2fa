"""The HTML report: escaped, self-contained, and rendered by a real headless Chromium
that is allowed to load nothing but the file itself."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from homecare_lab.browser import artifacts_dir, headless_chromium, why_no_browser

from homecare.session.compare import compare
from homecare.session.html import render_html

from .sessions import session

HOSTILE = '<script>alert(1)</script><img src="http://198.51.100.1/x.png">\x1b[31m'


def _page() -> str:
    before = session(dns_ok=False, signal=-72)
    after = session(session_id="b" * 32, fixes=(HOSTILE, "Moved the router"), job="JOB-<7>")
    after = after.model_copy(update={"support_code": "ABCD-EFGH-J"})
    return render_html(after, compare(before, after), public_key="KEYKEY")


def test_every_string_is_escaped_and_cleaned() -> None:
    page = _page()
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\x1b" not in page and "[31m" not in page
    assert "JOB-&lt;7&gt;" in page and "ABCD-EFGH-J" in page


def test_nothing_external_is_referenced() -> None:
    page = _page()
    assert not re.search(r"<[a-zA-Z][^>]*\s(?:src|href|action)\s*=", page)
    assert "@import" not in page and "url(" not in page
    assert "size: A4" in page
    assert "<svg" in page  # the per-room chart is inline


@pytest.mark.skipif(why_no_browser() is not None, reason=str(why_no_browser()))
def test_chromium_renders_it_offline_and_prints_a4(tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    html.write_text(_page(), encoding="utf-8")
    url = html.as_uri()
    requested: list[str] = []

    def gate(route: Any) -> None:
        requested.append(route.request.url)
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    with headless_chromium() as browser:
        page = browser.new_page(viewport={"width": 794, "height": 1123})
        page.route("**/*", gate)
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.locator("#overall").inner_text() == "pass"
        assert page.locator("#steps tbody tr").count() == 2 + 3 + 3
        assert page.locator("#room-chart rect").count() == 2 + 2 * 2
        assert page.locator("#fixes li").first.inner_text() == HOSTILE.replace("\x1b[31m", "")
        assert page.locator("script").count() == 0
        shot = artifacts_dir() / "session-report.png"
        page.screenshot(path=str(shot), full_page=True)
        pdf = page.pdf(format="A4", print_background=True)
    assert requested == [url]
    assert shot.stat().st_size > 10_000
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 3
    shutil.copy(html, artifacts_dir() / "session-report.html")


def test_the_page_is_in_the_customers_language() -> None:
    from homecare.i18n import current_language

    before = current_language()
    page = render_html(session().model_copy(update={"language": "de"}))
    assert 'lang="de"' in page and "Technikerbericht" in page and "bestanden" in page
    spanish = render_html(session().model_copy(update={"language": "es"}))
    assert "Informe del técnico" in spanish and "Señal y velocidad por habitación" in spanish
    assert current_language() == before  # the run's own language is left as it was
