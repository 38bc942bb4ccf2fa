"""The session's self-contained HTML report: one file, nothing fetched.

Styles and the per-room chart (inline SVG) are in the page itself, so it
opens offline, prints on A4, and cannot leak a visit to anyone. Every string
from the session (room names, fixes, finding summaries, job id) is cleaned of
control characters (the shared ``homecare.render.sanitize.clean_text``) and
HTML-escaped by Jinja2's autoescape. Labels come from
the interface catalogue, in the customer's language (the session's).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from homecare.i18n import _, activate, current_language
from homecare.models.session import Comparison, Session, StepStatus
from homecare.render.sanitize import clean_text
from homecare.session.metrics import METRICS

_TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class RoomBar:
    room: str
    signal_dbm: float | None
    download_mbit: float | None


def room_figures(session: Session) -> list[RoomBar]:
    """Signal and download per room, from the room loop's steps."""
    by_room: dict[str, dict[str, float | None]] = {}
    for step in session.steps:
        if step.room is None:
            continue
        figures = by_room.setdefault(step.room, {"signal": None, "down": None})
        for m in step.metrics:
            if isinstance(m.value, bool) or not isinstance(m.value, int | float):
                continue
            if m.metric == "wifi.signal_dbm":
                figures["signal"] = float(m.value)
            elif m.metric == "speed.download_mbit":
                figures["down"] = float(m.value)
    return [RoomBar(room, f["signal"], f["down"]) for room, f in by_room.items()]


def _labels() -> dict[str, str]:
    return {
        "title": _("Technician's report"),
        "job": _("Job"),
        "support_code": _("Support code"),
        "plan": _("Plan"),
        "started": _("Started"),
        "finished": _("Finished"),
        "result": _("Result"),
        "step": _("Step"),
        "room": _("Room"),
        "measured": _("Measured"),
        "threshold": _("Threshold"),
        "verdict": _("Verdict"),
        "findings": _("What the check found"),
        "fixes": _("What was fixed"),
        "no_fixes": _("Nothing was changed."),
        "chart": _("Signal and speed per room"),
        "signal": _("Wi-Fi signal (dBm)"),
        "download": _("Download (Mbit/s)"),
        "before_after": _("Before and after"),
        "before": _("Before"),
        "after": _("After"),
        "signed": _("Signed with key"),
        "not_measured": _("not measured"),
        "none": _("none"),
    }


def _status_labels() -> dict[str, str]:
    return {
        StepStatus.PASS.value: _("pass"),
        StepStatus.WARN.value: _("warn"),
        StepStatus.FAIL.value: _("fail"),
    }


def render_html(
    session: Session, comparison: Comparison | None = None, public_key: str | None = None
) -> str:
    """The page in the customer's language (the session's), whatever the run's is."""
    previous = current_language()
    activate(session.language)
    try:
        return _render(session, comparison, public_key)
    finally:
        activate(previous)


def _render(session: Session, comparison: Comparison | None, public_key: str | None) -> str:
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clean"] = lambda v: clean_text(str(v)) if v is not None else ""
    bars = room_figures(session)
    top_down = max([b.download_mbit or 0.0 for b in bars] + [1.0])
    template = env.get_template("session.html.j2")
    return template.render(
        s=session,
        comparison=comparison,
        public_key=public_key,
        t=_labels(),
        status=_status_labels(),
        overall=session.status.value,
        units={name: m.unit for name, m in METRICS.items()},
        bars=bars,
        top_down=top_down,
    )
