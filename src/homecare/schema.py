"""The published JSON schema of ``homecare check --json``.

Generated from the models so it cannot drift; ``schema/report-v1.json`` is
the committed copy consumers pin to, and a test keeps the two equal.
Regenerate with ``python -m homecare.schema > schema/report-v1.json``; the
technician's signed session report has its own, ``python -m homecare.schema
session > schema/session-v1.json``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from homecare.models import SCHEMA_VERSION, Report

SCHEMA_ID = f"https://homecare.invalid/schema/report-v{SCHEMA_VERSION}.json"
SESSION_SCHEMA_ID = "https://homecare.invalid/schema/session-v1.json"


def report_schema() -> dict[str, Any]:
    schema = Report.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def session_schema() -> dict[str, Any]:
    from homecare.models.session import SessionDocument

    schema = SessionDocument.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SESSION_SCHEMA_ID,
        **schema,
    }


def render_schema(which: str = "report") -> str:
    schema = session_schema() if which == "session" else report_schema()
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_schema(sys.argv[1] if len(sys.argv) > 1 else "report"))
