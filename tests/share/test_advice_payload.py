"""The advice part of the upload: codes, skill and step numbers only, so the
support desk can show what the customer saw without any of their text."""

from __future__ import annotations

import json

from homecare.models import Guidance, GuidanceStep
from homecare.share.anonymize import anonymize
from homecare.share.payload import UploadPayload

from .reports import simple_report

SECRET = b"s" * 32


def test_advice_records_skill_shown_codes_and_tried_steps() -> None:
    report = simple_report().model_copy(
        update={
            "guidance": [
                Guidance(
                    code="dns.slow",
                    title="Secret title text",
                    why="why",
                    steps=[GuidanceStep(text="My router at 192.168.1.1")],
                    escalated=True,
                )
            ]
        }
    )
    payload = anonymize(
        report, SECRET, skill="expert", steps_tried={"dns.slow": {2, 1}, "wifi.signal.weak": {1}}
    ).model_dump(mode="json")
    assert payload["advice"] == {
        "skill": "expert",
        "shown": [{"code": "dns.slow", "escalated": True}],
        "tried": [{"code": "dns.slow", "steps": [1, 2]}],  # only findings of this check
    }
    text = json.dumps(payload)
    assert "Secret title" not in text and "192.168" not in text
    UploadPayload.model_validate(payload)


def test_no_skill_no_advice_section() -> None:
    assert anonymize(simple_report(), SECRET).model_dump(mode="json")["advice"] is None
    assert (
        anonymize(simple_report(), SECRET, skill="guru").model_dump(mode="json")["advice"] is None
    )
