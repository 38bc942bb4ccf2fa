"""One support code's whole story, as the desk shows it on one screen.

Everything here comes from the anonymized uploads (and, when those features
are installed, the technician sessions and alert feeds), so the desk sees what
the customer saw and nothing the customer did not share. The advice is looked
up again in the guidance catalogue at the customer's skill level, in the
*agent's* language: the payload holds finding codes and step numbers, never
the customer's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homecare.advise.catalogue import Catalogue
from homecare.collector.db import StoredUpload
from homecare.collector.web.queries import TimelineEntry
from homecare.collector.web.related import Related

_RANK = {"info": 0, "warning": 1, "problem": 2, "critical": 3}


@dataclass(frozen=True)
class AdviceStep:
    number: int
    text: str
    command: str | None
    tried: bool


@dataclass(frozen=True)
class AdviceView:
    code: str
    title: str
    why: str
    steps: tuple[AdviceStep, ...]
    escalated: bool
    call_support: str | None


@dataclass(frozen=True)
class Story:
    code: str
    matches: int
    received_at: datetime
    payload: dict[str, Any]
    findings: list[dict[str, Any]]
    skill: str | None
    advice: list[AdviceView]
    advice_recorded: bool
    timeline: list[TimelineEntry]
    related: Related
    pseudonym: str


def build_story(
    found: list[StoredUpload],
    timeline: list[TimelineEntry],
    related: Related,
    catalogue: Catalogue,
    language: str,
) -> Story:
    first = found[0]
    p = first.payload
    findings = sorted(p.get("findings", []), key=lambda f: -_RANK.get(f.get("severity", ""), 0))
    advice_doc = p.get("advice") or None
    skill = str(advice_doc["skill"]) if advice_doc and advice_doc.get("skill") else None
    advice = _advice(advice_doc, findings, catalogue, language, skill or "beginner")
    return Story(
        code=first.support_code,
        matches=len(found),
        received_at=first.received_at,
        payload=p,
        findings=findings,
        skill=skill,
        advice=advice,
        advice_recorded=advice_doc is not None,
        timeline=timeline,
        related=related,
        pseudonym=str(p.get("installation_id", ""))[:8],
    )


def _advice(
    doc: dict[str, Any] | None,
    findings: list[dict[str, Any]],
    catalogue: Catalogue,
    language: str,
    skill: str,
) -> list[AdviceView]:
    tried: dict[str, set[int]] = {}
    shown: list[tuple[str, bool]] = []
    if doc:
        for t in doc.get("tried", []):
            tried[str(t["code"])] = {int(n) for n in t.get("steps", [])}
        shown = [(str(s["code"]), bool(s.get("escalated"))) for s in doc.get("shown", [])]
    else:
        shown = [(str(f["code"]), False) for f in findings]
    out = []
    for code, escalated in shown:
        entry = catalogue.entry(code, language, skill)
        if entry is None:
            continue
        done = tried.get(code, set())
        steps = tuple(
            AdviceStep(n, s.text, s.command, n in done) for n, s in enumerate(entry.steps, 1)
        )
        out.append(AdviceView(code, entry.title, entry.why, steps, escalated, entry.call_support))
    return out
