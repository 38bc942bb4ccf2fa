"""The public face of homecare for plugin authors: import from here, not from internals.

Everything named in ``__all__`` is kept stable within a major version (a
rename gets a deprecation period); the rest of ``homecare.*`` may change in
any release. The package ships ``py.typed``, so a plugin type-checks
against these names. See docs/plugins.md for the hooks and a worked example.
"""

from __future__ import annotations

from homecare.advise.history_advice import Metric, evidence_metric
from homecare.diagnose.base import Rule, RuleContext
from homecare.hookspecs import hookimpl
from homecare.i18n import N_, _, ngettext
from homecare.models import (
    Finding,
    GenericData,
    Observation,
    ProbeStatus,
    Report,
    Segment,
    Severity,
)
from homecare.probes.base import Probe, ProbeContext, ProbeSkipped
from homecare.render.base import Renderer, RenderOptions

__all__ = [
    "N_",
    "Finding",
    "GenericData",
    "Metric",
    "Observation",
    "Probe",
    "ProbeContext",
    "ProbeSkipped",
    "ProbeStatus",
    "RenderOptions",
    "Renderer",
    "Report",
    "Rule",
    "RuleContext",
    "Segment",
    "Severity",
    "_",
    "evidence_metric",
    "hookimpl",
    "ngettext",
]
