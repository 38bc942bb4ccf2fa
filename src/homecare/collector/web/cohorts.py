"""Filter choices for the analyst console.

The console's numbers are :func:`homecare.collector.queries.cohort_insights`,
the query layer behind ``GET /v1/insights``, so page, export and API cannot
disagree. What the console adds is that a filter may only name a cohort the
unfiltered insights show (at least k installations and not hidden as a
complement), so neither the form nor a hand-made URL can look inside a
cohort below k.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from homecare.collector.queries import Filters
from homecare.collector.queries.filters import DIMENSION_FILTERS


def visible_values(doc: dict[str, Any]) -> dict[str, list[str]]:
    """Per dimension, the cohorts the document shows (installations not hidden)."""
    return {
        d: [
            c["value"]
            for c in doc["findings_by_cohort"].get(d, {}).get("cohorts", [])
            if c["installations"] is not None
        ]
        for d in DIMENSION_FILTERS
    }


def hidden_choice(flt: Filters, choices: dict[str, list[str]]) -> str | None:
    """The first dimension whose filter value is not a visible cohort."""
    for dim in DIMENSION_FILTERS:
        wanted = getattr(flt, dim)
        if wanted is not None and wanted not in choices.get(dim, []):
            return dim
    return None


class ChoiceCache:
    """Filter choices per provider for *ttl* seconds, so a filtered page costs
    one insights query, not two. A choice that went stale can only name a
    cohort whose filtered figures are k-suppressed all the same."""

    def __init__(self, ttl: float = 60.0) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, dict[str, list[str]]]] = {}

    def get(self, provider: str) -> dict[str, list[str]] | None:
        hit = self._cache.get(provider)
        return hit[1] if hit and hit[0] > time.monotonic() else None

    def put(self, provider: str, choices: dict[str, list[str]]) -> None:
        with self._lock:
            if len(self._cache) > 1000:
                self._cache.clear()
            self._cache[provider] = (time.monotonic() + self._ttl, choices)
