"""The published session schema is the models' schema, and signed reports validate."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema  # type: ignore[import-untyped,unused-ignore]

from homecare.schema import render_schema, session_schema
from homecare.session.compare import compare
from homecare.session.keys import load_or_create_key
from homecare.session.report import build_document

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session"))
from sessions import session  # type: ignore[import-not-found,unused-ignore]

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema" / "session-v1.json"


def test_committed_session_schema_matches_models() -> None:
    assert SCHEMA_FILE.read_text() == render_schema("session"), (
        "schema/session-v1.json is stale: run "
        "`python -m homecare.schema session > schema/session-v1.json` and review the diff"
    )


def test_signed_report_validates_and_extra_fields_do_not(tmp_path: Path) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    before, after = session(dns_ok=False), session(session_id="b" * 32)
    doc = json.loads(build_document(after, compare(before, after), load_or_create_key(tmp_path)))
    jsonschema.validate(doc, schema)
    doc["session"]["surprise"] = 1
    assert not jsonschema.Draft202012Validator(schema).is_valid(doc)


def test_session_schema_is_versioned() -> None:
    assert session_schema()["properties"]["schema_version"]["const"] == 1
