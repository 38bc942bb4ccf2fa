"""The analyst console: ``/console/`` (tables and charts) and its exports.

Numbers come from :func:`homecare.collector.queries.cohort_insights`, the
query layer behind ``GET /v1/insights``, with the same filters;
filter choices are only the cohorts the unfiltered insights show, and a
filter naming any other value is refused, so neither the form nor the URL
can be used to look at a cohort below k.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from homecare.collector import audit
from homecare.collector.api.deps import source_of
from homecare.collector.export import rows_of, to_csv, to_parquet
from homecare.collector.queries import BadFilter, Filters, cohort_insights
from homecare.collector.queries.filters import DIMENSION_FILTERS
from homecare.collector.rollup_queue import fold_all
from homecare.collector.web.auth import WebError, WebSession
from homecare.collector.web.charts import BarChart, bar_chart
from homecare.collector.web.cohorts import hidden_choice, visible_values
from homecare.collector.web.pages import require
from homecare.collector.web.state import SECURITY_HEADERS, render, web_state
from homecare.i18n import N_

router = APIRouter()
DIMENSIONS = DIMENSION_FILTERS


@dataclass(frozen=True)
class ConsoleData:
    k: int
    doc: dict[str, Any]
    choices: dict[str, list[str]]
    flt: Filters


async def _data(request: Request, session: WebSession) -> ConsoleData:
    st = web_state(request)
    k = st.api.settings.min_k
    provider = session.provider
    try:
        flt = Filters.from_params(request.query_params)
    except BadFilter:
        raise WebError(
            400, N_("That filter is not valid. Dates are written as YYYY-MM-DD.")
        ) from None
    # the API's insights budget and audit trail: a page view is a query too
    key = f"insights:{session.token_hash}"
    if await run_in_threadpool(st.api.limits.insights.take, key, 1.0) > 0:
        raise WebError(429, N_("Too many queries. Please wait a moment and try again."))
    await run_in_threadpool(
        audit.record,
        st.api.engine,
        "insights.query",
        provider=provider,
        actor=session.token_hash,
        source=source_of(request),
        detail="console " + " ".join(f"{a}={b}" for a, b in flt.as_dict().items()),
    )

    def run() -> ConsoleData:
        fold_all(st.api.engine)  # the roll-ups include every stored upload
        choices = st.choices.get(provider)
        if flt == Filters() or choices is None:
            unfiltered = cohort_insights(st.api.engine, provider, Filters(), k)
            choices = visible_values(unfiltered)
            st.choices.put(provider, choices)
            if flt == Filters():
                return ConsoleData(k, unfiltered, choices, flt)
        if hidden_choice(flt, choices) is not None:
            raise WebError(400, N_("That cohort has fewer than {k} installations."), k=str(k))
        return ConsoleData(k, cohort_insights(st.api.engine, provider, flt, k), choices, flt)

    return await run_in_threadpool(run)


def charts(data: ConsoleData) -> dict[str, BarChart]:
    doc = data.doc
    out = {
        "speed_by_tier": bar_chart(
            N_("Median download, % of plan, by plan tier"),
            [(s["plan_tier"], s["median_down_pct_of_plan"]) for s in doc["speeds_vs_plan"]],
            "%",
        ),
        "hour": bar_chart(
            N_("Installations checking, by hour of day (UTC)"),
            [(f"{h['hour']:02d}", h["installations"]) for h in doc["hour_of_day"]],
        ),
        "feedback": bar_chart(
            N_("Mean feedback score (1 to 5) by finding"),
            [(c, fb["mean_score"]) for c, fb in doc["feedback_by_finding"].items()],
        ),
        "offers": bar_chart(
            N_("Offers taken, installations"), [(o, v["taken"]) for o, v in doc["offers"].items()]
        ),
    }
    weeks = doc["findings_by_week"]
    for code in weeks["codes"]:
        out[f"week_{code}"] = bar_chart(
            code, [(w["week"], w["findings"].get(code)) for w in weeks["weeks"]], translate=False
        )
    for dim in DIMENSIONS:
        totals = doc["findings_by_cohort"].get(dim, {}).get("totals", {})
        top = sorted(((c, n) for c, n in totals.items() if n), key=lambda i: -(i[1] or 0))[:8]
        out[f"findings_{dim}"] = bar_chart(N_("Top findings, installations"), top)
        out[f"speed_{dim}"] = bar_chart(
            N_("Median download, % of plan"),
            [
                (g.get("value", g.get("plan_tier", "")), g["median_down_pct_of_plan"])
                for g in doc["speeds_by"].get(dim, [])
            ],
            "%",
        )
    return out


@router.get("/console/", include_in_schema=False)
async def console(request: Request) -> Response:
    session = await require(request, "analyst")
    data = await _data(request, session)
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
    data = await _data(request, session)
    body = to_csv(rows_of(data.doc))
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
    data = await _data(request, session)
    body = await run_in_threadpool(to_parquet, data.doc)
    return Response(
        body,
        media_type="application/vnd.apache.parquet",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": 'attachment; filename="homecare-insights.parquet"',
        },
    )
