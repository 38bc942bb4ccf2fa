"""The one query layer for insights (JSON API, CLI, export, console).

``cohort_insights(engine, provider, filters, k) -> dict``: see
:mod:`homecare.collector.queries.cohorts` for the document's keys and the
suppression rules; :class:`Filters` for what can be filtered.
"""

from homecare.collector.queries.cohorts import MIN_K, cohort_insights
from homecare.collector.queries.filters import BadFilter, Filters

__all__ = ["MIN_K", "BadFilter", "Filters", "cohort_insights"]
