"""Built-in history metrics: the figures every home gets a baseline for."""

from __future__ import annotations

from homecare.advise.history_advice import BUILTIN_METRICS, Metric
from homecare.hookspecs import hookimpl


@hookimpl
def homecare_history_metrics() -> list[Metric]:
    return list(BUILTIN_METRICS)
