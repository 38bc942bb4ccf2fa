"""No page echoes payload text unescaped: every string field of stored uploads
(inserted directly, as a compromised or older client might have left them,
so the payload schema's patterns do not help) carries HTML and script, and
the desk and console pages show it only as text."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from homecare_lab.browser import headless_chromium
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecare.collector.db import insert_upload, sqlite_url
from homecare.share.support_code import from_upload_id

from ..conftest import Collector, start_collector
from ..payloads import installation, payload
from .browserless import login_client
from .conftest import skip_without_browser
from .helpers import login

SNIPPETS = (
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "'><svg onload=window.__pwned=1>",
    "</textarea></title><script>window.__pwned=1</script>",
    "<a href=javascript:window.__pwned=1>x</a>",
    "<!--",
)
IDENTITY = {"upload_id", "installation_id", "created_at"}
hostile = st.builds(
    lambda a, b, c: a + b + c,
    st.text(max_size=6),
    st.sampled_from(SNIPPETS),
    st.text(max_size=6),
)


def poison(value: Any, texts: Iterator[str], key: str = "") -> Any:
    """*value* with every string leaf (identity fields aside) replaced."""
    if isinstance(value, dict):
        return {k: poison(v, texts, k) for k, v in value.items()}
    if isinstance(value, list):
        return [poison(v, texts, key) for v in value]
    if isinstance(value, str) and key not in IDENTITY:
        return next(texts)
    return value


def base_payload() -> dict[str, Any]:
    body = payload(0, down=50.0, feedback=3, offer="mesh-kit", taken=True)
    body["advice"] = {
        "skill": "beginner",
        "shown": [{"code": "wifi.signal.weak"}],
        "tried": [{"code": "wifi.signal.weak", "steps": [1]}],
    }
    body["probes"] = [
        {"probe": "dns", "area": "dns", "status": "failed", "duration_s": 1.0, "error": "x"}
    ]
    body["devices"][0]["service_types"] = ["_http._tcp"]
    body["findings"][0]["evidence"]["note"] = "x"
    return body


def store(c: Collector, body: dict[str, Any], inst: str) -> str:
    body = {**body, "installation_id": inst, "upload_id": str(uuid.uuid4())}
    code = from_upload_id(body["upload_id"])
    insert_upload(
        c.engine,
        upload_id=body["upload_id"],
        provider="acme",
        installation_id=inst,
        support_code=code,
        created_at=datetime(2026, 5, 1, 12, 30, tzinfo=UTC),
        payload_json=json.dumps(body),
    )
    return code


@pytest.fixture(scope="module")
def hostile_collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collector]:
    url = sqlite_url(str(tmp_path_factory.mktemp("xss") / "c.sqlite3"))
    c = start_collector(url, rate_per_s=0, lookup_rate_per_s=0, insights_rate_per_s=0)
    try:
        yield c
    finally:
        c.server.stop()
        c.engine.dispose()


def assert_no_raw_snippet(html: str) -> None:
    for snippet in SNIPPETS:
        assert snippet not in html, snippet
    assert "__pwned=1>" not in html and 'onerror="' not in html


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(hostile, min_size=40, max_size=40))
def test_every_string_field_is_escaped(hostile_collector: Collector, texts: list[str]) -> None:
    c = hostile_collector
    body = poison(base_payload(), iter(texts * 3))
    tag = uuid.uuid4().hex[:8]
    codes = [store(c, copy.deepcopy(body), installation(f"{tag}-{i}")) for i in range(10)]
    with login_client(c.url, c.support) as desk:
        r = desk.get("/desk/", params={"code": codes[0]})
        assert r.status_code == 200, r.text[:300]
        assert_no_raw_snippet(r.text)
    with login_client(c.url, c.analyst) as console:
        r = console.get("/console/")
        assert r.status_code == 200
        assert_no_raw_snippet(r.text)


def record_dialog(seen: list[str], dialog: Any) -> None:
    seen.append(dialog.message)
    dialog.dismiss()


def test_hostile_upload_runs_no_script_in_chromium(
    hostile_collector: Collector, tmp_path: Path
) -> None:
    skip_without_browser()
    c = hostile_collector
    body = poison(base_payload(), iter(SNIPPETS * 40))
    codes = [store(c, copy.deepcopy(body), installation(f"browser-{i}")) for i in range(10)]
    with headless_chromium() as browser:
        for token, path in ((c.support, f"/desk/?code={codes[0]}"), (c.analyst, "/console/")):
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", partial(record_dialog, dialogs))
            login(page, c.url, token)
            page.goto(c.url + path)
            assert page.evaluate("() => window.__pwned") is None
            assert dialogs == []
            assert SNIPPETS[0] in page.locator("body").inner_text() or path == "/console/"
            page.close()
