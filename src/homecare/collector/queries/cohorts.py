"""The insights document, computed in the database and k-suppressed.

Public entry point for the JSON API, the CLI, the export and the console::

    cohort_insights(engine, provider, filters=Filters(), k=10) -> dict

*provider* is the caller's provider (None: all, for the admin CLI);
*filters* a :class:`~homecare.collector.queries.filters.Filters`; *k* is
raised to :data:`MIN_K`. Suppressed counts are ``None``. Keys: ``k``,
``filters``, ``installations``, ``uploads``, ``findings_by_cohort`` (per
dimension: ``cohorts`` [value, installations, findings{code: n},
top_findings] and ``totals``), ``speeds_vs_plan`` (by plan tier),
``speeds_by`` (per dimension), ``findings_by_week``, ``hour_of_day``,
``device_mix``, ``feedback_by_finding``, ``offers``.

Suppression inside one document is :mod:`.document`'s; a document with
dimension filters is checked against its parent and sibling documents too
(:mod:`.family`), so no subtraction across two filters gives a hidden count
away.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import Engine

from homecare.collector.queries import rolled, sql
from homecare.collector.queries.document import DIMENSIONS, build
from homecare.collector.queries.family import publish
from homecare.collector.queries.filters import Filters
from homecare.collector.queries.runner import run_sections

MIN_K = 10
__all__ = ["DIMENSIONS", "MIN_K", "cohort_insights"]


def cohort_insights(
    engine: Engine,
    provider: str | None,
    filters: Filters | None = None,
    k: int = MIN_K,
    parallel: int = 4,
    rollups: bool | None = None,
) -> dict[str, Any]:
    """The k-anonymous insights document for *provider*'s uploads matching
    *filters*; *parallel* connections on PostgreSQL (see :mod:`.runner`).

    *rollups*: read the roll-up tables (:mod:`homecare.collector.rollups`);
    None picks them for one provider's unfiltered document, the only one they
    can answer (they keep no dates, and the per-provider key keeps an
    installation's mean speeds per provider). Both paths give one document."""
    filters = filters or Filters()
    k = max(int(k), MIN_K)
    can_roll = provider is not None and not filters.as_dict()
    if rollups and not can_roll:
        raise ValueError("the roll-ups answer only one provider's unfiltered document")
    if can_roll if rollups is None else rollups:
        assert provider is not None
        found = rolled.assemble(run_sections(engine, rolled.sections(provider), parallel))
        return build(found, k, filters.as_dict())

    # one request's documents share their rows: a family's siblings and the
    # parents of several filters overlap
    read: dict[Filters, dict[str, Any]] = {}
    made: dict[Filters, dict[str, Any]] = {}

    def rows(flt: Filters) -> dict[str, Any]:
        if flt not in read:
            raw = {
                name: partial(fn, filters=flt, provider=provider)
                for name, fn in sql.SECTIONS.items()
            }
            read[flt] = run_sections(engine, raw, parallel)
        return read[flt]

    def published(flt: Filters) -> dict[str, Any]:
        if flt not in made:
            unfiltered = provider is not None and not flt.as_dict()
            made[flt] = (
                cohort_insights(engine, provider, flt, k, parallel)
                if unfiltered
                else publish(flt, k, rows, published)
            )
        return made[flt]

    return publish(filters, k, rows, published)
