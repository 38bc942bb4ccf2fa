"""Shape a report's guidance for one person before a text renderer draws it.

The stored and ``--json`` report keep the full guidance; what a person reads
follows their persona: how many steps at once, whether the "why" is told,
and how today compares with the home's usual figures. Renderers draw ``why``,
so the history note is put in front of it here.
"""

from __future__ import annotations

from homecare.advise.personas import Persona
from homecare.models import Guidance, Report


def for_display(report: Report, persona: Persona) -> Report:
    """A copy of *report* whose guidance is shaped by *persona*."""
    guidance = [_shape(g, persona) for g in report.guidance]
    return report.model_copy(update={"guidance": guidance})


def _shape(g: Guidance, persona: Persona) -> Guidance:
    why = g.why if persona.show_why else ""
    if g.history_note:
        why = "\n".join(part for part in (g.history_note, why) if part)
    steps = g.steps[: persona.limit_steps(len(g.steps))]
    return g.model_copy(update={"why": why, "steps": steps, "history_note": None})
