"""The anonymized session the collector receives: each step's check goes
through the same anonymizer as a shared check, and the whole is signed.

Only figures, verdicts, closed vocabularies and hashes leave: room names are
restricted to ``[a-z0-9_-]`` when typed, fixes are scrubbed to known words,
and each step's Report becomes an :class:`~homecare.share.payload.UploadPayload`.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from homecare.share.payload import UploadPayload

SESSION_UPLOAD_VERSION: Literal[1] = 1
_TOKEN = r"^[A-Za-z0-9_.:+/@ -]{1,64}$"  # noqa: S105 (a pattern)
_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
Status = Literal["pass", "warn", "fail"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricOut(_Model):
    metric: str = Field(pattern=r"^[a-z0-9_.]{1,60}$")
    value: float | bool | str | None = None
    status: Status


class StepOut(_Model):
    key: str = Field(pattern=_TOKEN)
    step_id: str = Field(pattern=_TOKEN)
    room: str | None = Field(default=None, pattern=_TOKEN)
    status: Status
    metrics: list[MetricOut] = Field(default_factory=list, max_length=50)
    check: UploadPayload


class SessionUpload(_Model):
    schema_version: Literal[1] = SESSION_UPLOAD_VERSION
    upload_id: str = Field(pattern=_UUID)
    installation_id: str = Field(pattern=r"^[0-9a-f]{8,64}$")
    job_id: str | None = Field(default=None, pattern=_TOKEN)
    plan_id: str = Field(pattern=_TOKEN)
    plan_version: str = Field(pattern=_TOKEN)
    created_at: datetime
    status: Status
    before_upload_id: str | None = Field(default=None, pattern=_UUID)
    fixes: list[str] = Field(default_factory=list, max_length=20)
    steps: list[StepOut] = Field(default_factory=list, max_length=100)


class SignedSessionUpload(_Model):
    """What ``POST /v1/sessions`` takes: the upload and the technician's signature."""

    upload: SessionUpload
    signature: dict[str, Any]


if __name__ == "__main__":
    sys.stdout.write(json.dumps(SignedSessionUpload.model_json_schema(), indent=2) + "\n")
