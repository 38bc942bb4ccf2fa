"""The analyst console: ``/console/`` (tables and charts) and its exports.

Numbers come from :func:`homecare.collector.insights.compute_insights`, the
function behind ``GET /v1/insights``, over the uploads the filters select;
filter choices are only the cohorts the unfiltered insights show, and a
filter naming any other value is refused, so neither the form nor the URL
can be used to look at a cohort below k.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from homecare.collector import db
from homecare.collector.insights import DIMENSIONS, compute_insights
from homecare.collector.web.auth import WebError
from homecare.collector.web.charts import BarChart, bar_chart
from homecare.collector.web.cohorts import (
    CohortFilter,
    apply_filter,
    extra_sections,
    visible_values,
)
from homecare.collector.web.export import rows_of, to_csv, to_parquet
from homecare.collector.web.pages import require
from homecare.collector.web.state import SECURITY_HEADERS, render, web_state
from homecare.i18n import N_

router = APIRouter()


@dataclass(frozen=True)
class ConsoleData:
    k: int
    doc: dict[str, Any]
    extra: dict[str, Any]
    choices: dict[str, list[str]]
    flt: CohortFilter


def _filter_from(request: Request) -> CohortFilter:
    q = request.query_params
    values: dict[str, Any] = {d: (q.get(d) or None) for d in DIMENSIONS}
    for name in ("since", "until"):
        raw = q.get(name)
        try:
            values[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise WebError(400, N_("Dates are written as YYYY-MM-DD.")) from None
    return CohortFilter(**values)


async def _data(request: Request, provider: str) -> ConsoleData:
    st = web_state(request)
    k = st.api.settings.min_k
    flt = _filter_from(request)

    def run() -> ConsoleData:
        payloads = list(db.iter_payloads(st.api.engine, provider))
        unfiltered = compute_insights(payloads, k)
        choices = visible_values(unfiltered)
        for dim, wanted in flt.values().items():
            if wanted is not None and wanted not in choices[dim]:
                raise WebError(400, N_("That cohort has fewer than {k} installations."), k=str(k))
        if flt.is_empty():
            return ConsoleData(k, unfiltered, extra_sections(payloads, k), choices, flt)
        chosen = apply_filter(payloads, flt)
        return ConsoleData(k, compute_insights(chosen, k), extra_sections(chosen, k), choices, flt)

    return await run_in_threadpool(run)


def charts(data: ConsoleData) -> dict[str, BarChart]:
    doc, extra = data.doc, data.extra
    out = {
        "speed_by_tier": bar_chart(
            N_("Median download, % of plan, by plan tier"),
            [(s["plan_tier"], s["median_down_pct_of_plan"]) for s in doc["speeds_vs_plan"]],
            "%",
        ),
        "hour": bar_chart(
            N_("Installations checking, by hour of day (UTC)"),
            [(f"{h:02d}", n) for h, n in extra["hour_of_day"].items()],
        ),
        "feedback": bar_chart(
            N_("Mean feedback score (1 to 5) by finding"),
            [(c, fb["mean_score"]) for c, fb in doc["feedback_by_finding"].items()],
        ),
        "offers": bar_chart(
            N_("Offers taken, installations"), [(o, v["taken"]) for o, v in doc["offers"].items()]
        ),
    }
    for dim in DIMENSIONS:
        totals = doc["findings_by_cohort"][dim]["totals"]
        top = sorted(((c, n) for c, n in totals.items() if n), key=lambda i: -(i[1] or 0))[:8]
        out[f"findings_{dim}"] = bar_chart(N_("Top findings, installations"), top)
        out[f"speed_{dim}"] = bar_chart(
            N_("Median download, % of plan"),
            [(g["value"], g["median_down_pct_of_plan"]) for g in extra["speeds_by_dimension"][dim]],
            "%",
        )
    return out


@router.get("/console/", include_in_schema=False)
async def console(request: Request) -> Response:
    session = await require(request, "analyst")
    data = await _data(request, session.provider)
    return render(
        request,
        "console.html",
        session.language,
        session,
        data=data,
        charts=charts(data),
        dimensions=DIMENSIONS,
        query=str(request.url.query),
    )


@router.get("/console/export.csv", include_in_schema=False)
async def export_csv(request: Request) -> Response:
    session = await require(request, "analyst")
    data = await _data(request, session.provider)
    body = to_csv(rows_of(data.doc, data.extra))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": 'attachment; filename="homecare-insights.csv"',
        },
    )


@router.get("/console/export.parquet", include_in_schema=False)
async def export_parquet(request: Request) -> Response:
    session = await require(request, "analyst")
    data = await _data(request, session.provider)
    body = await run_in_threadpool(to_parquet, rows_of(data.doc, data.extra))
    return Response(
        body,
        media_type="application/vnd.apache.parquet",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": 'attachment; filename="homecare-insights.parquet"',
        },
    )
