"""The pure parts of the pages: session cookies, the script, charts, export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from homecare.advise.catalogue import Catalogue
from homecare.collector.db import StoredUpload
from homecare.collector.export import Row, rows_of, to_csv
from homecare.collector.tokens import Principal
from homecare.collector.web.auth import SessionCodec, language_from_header, new_session
from homecare.collector.web.charts import BAR_WIDTH, bar_chart
from homecare.collector.web.related import Related
from homecare.collector.web.script import say_next
from homecare.collector.web.story import build_story

from ..payloads import payload

WHO = Principal("ab" * 32, "support", "acme")


def test_session_cookie_round_trip_and_tampering() -> None:
    codec = SessionCodec(b"k" * 32)
    session = new_session(WHO, "de")
    raw = codec.dump(session)
    assert codec.load(raw) == session
    assert codec.load(raw[:-2] + ("A" if raw[-2] != "A" else "B") + raw[-1]) is None
    assert SessionCodec(b"other" * 8).load(raw) is None
    assert codec.load("") is None and codec.load("garbage") is None


@pytest.mark.parametrize(
    ("header", "language"),
    [("es-ES,es;q=0.9", "es"), ("fr-FR, de;q=0.5", "de"), ("fr", "en"), (None, "en")],
)
def test_language_from_header(header: str | None, language: str) -> None:
    assert language_from_header(header) == language


def story(body: dict[str, Any], language: str = "en") -> Any:
    found = [StoredUpload("id", "HC-2222-2222", datetime(2026, 5, 2, tzinfo=UTC), body)]
    return build_story(found, [], Related(), Catalogue.load(), language)


def test_script_follows_what_was_tried() -> None:
    body = payload(0, codes=("wifi.signal.weak",), feedback=1)
    body["advice"] = {"skill": "beginner", "shown": [{"code": "wifi.signal.weak"}],
                      "tried": [{"code": "wifi.signal.weak", "steps": [1]}]}  # fmt: skip
    s = story(body)
    lines = say_next(s, "en")
    assert lines[0].startswith("Thank you. I can see the check you ran on 2026-05-01 12:30 UTC")
    assert "Wi-Fi" in lines[1]
    first, second = s.advice[0].steps[0], s.advice[0].steps[1]
    assert first.tried and not second.tried
    assert any(first.text in line for line in lines)  # "you already tried ..."
    assert any(line.endswith(second.text) for line in lines)  # "let us try ..."
    assert lines[-1] == "I am sorry the advice did not help last time."
    assert say_next(story(body, "es"), "es")[0].startswith("Gracias.")


def test_script_for_a_healthy_home_and_escalated_advice() -> None:
    healthy = say_next(story(payload(0, codes=())), "en")
    assert "looked fine" in healthy[1] and len(healthy) == 3
    body = payload(0, codes=("wifi.signal.weak",))
    body["advice"] = {"skill": "expert", "shown": [{"code": "wifi.signal.weak", "escalated": True}]}
    assert "I will take it from here" in " ".join(say_next(story(body), "en"))


def test_bar_chart_scales_and_hides() -> None:
    chart = bar_chart("t", [("a", 50.0), ("b", 100.0), ("c", None)], "%")
    assert [b.width for b in chart.bars] == [BAR_WIDTH / 2, BAR_WIDTH, 0.0]
    assert [b.text for b in chart.bars] == ["50%", "100%", "<k"]
    assert bar_chart("empty", []).bars == ()


def doc() -> dict[str, Any]:
    return {
        "installations": 40, "uploads": 90,
        "findings_by_cohort": {"router_vendor": {
            "cohorts": [
                {"value": "+AVM", "installations": 25, "findings": {"x.y": 12}},
                {"value": "Tiny", "installations": None, "findings": {"x.y": None}},
            ],
            "totals": {"x.y": None},
        }},
        "speeds_vs_plan": [], "speeds_by": {}, "device_mix": {"by_kind": {"phone": 30, "tv": None}},
        "feedback_by_finding": {}, "offers": {"kit": {"shown": 20, "taken": None}},
        "findings_by_week": {"codes": [], "weeks": []}, "hour_of_day": [{"hour": 3, "installations": None}],
    }  # fmt: skip


def test_export_never_names_a_hidden_cohort_and_defuses_formulas() -> None:
    rows = rows_of(doc())
    assert all(r.cohort != "Tiny" for r in rows)
    assert Row("devices", "by_kind", "phone", "installations", 30.0, False) in rows
    assert all(r.cohort != "tv" for r in rows)
    taken = next(r for r in rows if r.metric == "taken")
    assert taken.value is None and taken.hidden
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows))))
    avm = next(r for r in parsed if r["section"] == "cohort")
    assert avm["cohort"] == "'+AVM" and avm["value"] == "25"
    assert next(r for r in parsed if r["section"] == "hour")["value"] == ""
