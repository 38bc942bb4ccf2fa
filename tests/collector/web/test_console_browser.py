"""The analyst console in real headless Chromium: filter a cohort, export CSV
and Parquet (read back with pyarrow, and DuckDB when installed), the same
suppressed numbers as the JSON API, and no cohort below k anywhere."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from .conftest import SMALL_VENDOR, Seeded
from .helpers import axe_violations, login, no_horizontal_scroll, shot, tab_to


def api_insights(seeded: Seeded, **filters: str) -> dict[str, Any]:
    with seeded.collector.client(seeded.collector.analyst) as client:
        doc: dict[str, Any] = client.get("/v1/insights", params=filters).json()
        return doc


def cohort_cells(page: Any, dimension: str) -> dict[str, list[str]]:
    rows = page.locator(f"table.cohorts[data-dimension={dimension}] tbody tr")
    out = {}
    for i in range(rows.count()):
        cells = [c.strip() for c in rows.nth(i).locator("th, td").all_inner_texts()]
        out[cells[0]] = cells[1:]
    return out


def test_console_matches_api_filters_and_exports(
    seeded: Seeded, browser: Any, artifacts: Path, axe_source: str
) -> None:
    context = browser.new_context(bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    try:
        login(page, seeded.url, seeded.collector.analyst)
        assert page.url.endswith("/console/")
        body = page.locator("body").inner_text()
        assert SMALL_VENDOR not in body and "gig-1000" not in body and "6GHz" not in body
        # the same suppressed numbers as GET /v1/insights
        doc = api_insights(seeded)
        assert page.locator("#overall-installations").inner_text() == str(doc["installations"])
        for dim, table in doc["findings_by_cohort"].items():
            shown = cohort_cells(page, dim)
            for cohort in table["cohorts"]:
                n = cohort["installations"]
                if n is None:  # hidden cohorts are not even named on the page
                    assert cohort["value"] not in shown, (dim, cohort)
                    continue
                assert shown[cohort["value"]][0] == str(n), (dim, cohort)
                codes = list(table["totals"])
                for code, cell in zip(codes, shown[cohort["value"]][1:], strict=True):
                    v = cohort["findings"][code]
                    assert cell == ("<k" if v is None else str(v)), (dim, cohort["value"], code)
        assert axe_violations(page, axe_source) == []
        shot(page, artifacts, "console-all")

        # filter with the keyboard only: router vendor AVM, then Apply
        tab_to(page, "e => e.id === 'f-router_vendor'")
        page.keyboard.type("AVM")
        assert page.locator("#f-router_vendor").input_value() == "AVM"
        tab_to(page, "e => e.textContent === 'Apply filters'")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "router_vendor=AVM" in page.url
        avm = api_insights(seeded, router_vendor="AVM")["installations"]
        assert avm is not None and avm >= 10
        assert page.locator("#overall-installations").inner_text() == str(avm)
        assert "Zyxel" not in cohort_cells(page, "router_vendor")
        shot(page, artifacts, "console-avm")

        with page.expect_download() as dl:
            page.locator("#export-csv").click()
        csv_path = artifacts / "insights-avm.csv"
        dl.value.save_as(str(csv_path))
        rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
        overall = next(
            r for r in rows if r["section"] == "overall" and r["metric"] == "installations"
        )
        assert overall["value"] == str(avm)
        with page.expect_download() as dl:
            page.locator("#export-parquet").click()
        pq_path = artifacts / "insights-avm.parquet"
        dl.value.save_as(str(pq_path))
        table = pq.read_table(pq_path).to_pylist()
        assert len(table) == len(rows)
        assert_never_below_k(table, doc["k"])
        assert all(r["cohort"] != SMALL_VENDOR for r in table)
        with duckdb.connect() as conn:
            n = conn.execute(
                "SELECT value FROM read_parquet(?) "
                "WHERE section = 'overall' AND metric = 'installations'",
                [str(pq_path)],
            ).fetchone()
        assert n == (float(avm),)
    finally:
        context.close()


def assert_never_below_k(rows: list[dict[str, Any]], k: int) -> None:
    """No installation count in 1..k-1 (medians and scores are not counts)."""
    for r in rows:
        if r["metric"] in (
            "median_down_mbps",
            "median_up_mbps",
            "median_down_pct_of_plan",
            "mean_score",
        ):
            continue
        v = r["value"]
        assert v is None or v == 0 or v >= k, r


def test_unfiltered_export_never_below_k(seeded: Seeded) -> None:
    with seeded.collector.client(seeded.collector.analyst) as client:
        for query in ("", "?connection_type=wifi", "?router_vendor=AVM&since=2026-05-01"):
            r = client.get(f"/console/export.parquet{query}")
            assert r.status_code == 200
            rows = pq.read_table(io.BytesIO(r.content)).to_pylist()
            assert_never_below_k(rows, 10)
            assert all(SMALL_VENDOR not in r["cohort"] for r in rows)
            page = client.get(f"/console/{query}").text
            assert SMALL_VENDOR not in page
            for n in re.findall(r'<td class="n">(\d+)</td>', page):
                assert int(n) == 0 or int(n) >= 10


@pytest.mark.parametrize("query", ["router_vendor=TinyCo", "wifi_band=6GHz", "plan_tier=nope"])
def test_filter_on_a_small_cohort_refused(seeded: Seeded, query: str) -> None:
    with seeded.collector.client(seeded.collector.analyst) as client:
        for path in ("/console/", "/console/export.csv", "/console/export.parquet"):
            r = client.get(f"{path}?{query}")
            assert r.status_code == 400, (path, query)
            assert SMALL_VENDOR not in r.text


def test_console_reflows_at_200_percent(seeded: Seeded, browser: Any, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 640, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    try:
        login(page, seeded.url, seeded.collector.analyst)
        assert no_horizontal_scroll(page)
        shot(page, artifacts, "console-200pct")
    finally:
        context.close()
