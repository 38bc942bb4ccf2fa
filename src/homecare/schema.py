"""The published JSON schema of ``homecare check --json``.

Generated from the models so it cannot drift; ``schema/report-v1.json`` is
the committed copy consumers pin to, and a test keeps the two equal.
Regenerate with ``python -m homecare.schema > schema/report-v1.json``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from homecare.models import SCHEMA_VERSION, Report

SCHEMA_ID = f"https://homecare.invalid/schema/report-v{SCHEMA_VERSION}.json"


def report_schema() -> dict[str, Any]:
    schema = Report.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def render_schema() -> str:
    return json.dumps(report_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_schema())
