"""The upload payload: the only shape that ever leaves the machine.

The collector validates against this same model (it depends on the payload,
never on probes), and ``schema/upload-v1.json`` is its committed JSON schema.
Every string field is either a hash, a closed vocabulary, or a value the
anonymizer has already scrubbed; ``extra="forbid"`` keeps additions deliberate.
Regenerate the schema with ``python -m homecare.share.payload > schema/upload-v1.json``.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from homecare.share.router_payload import LineOut, RouterOut
from homecare.vocabulary import Skill

UPLOAD_SCHEMA_VERSION: Literal[1] = 1
UPLOAD_SCHEMA_ID = f"https://homecare.invalid/schema/upload-v{UPLOAD_SCHEMA_VERSION}.json"

_TOKEN = r"^[A-Za-z0-9_.:+/ -]{1,64}$"  # noqa: S105 (a pattern, not a password)
_HEX = r"^[0-9a-f]{8,64}$"
_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

Severity = Literal["info", "warning", "problem", "critical"]
Segment = Literal["device", "wifi", "lan", "router", "provider", "internet", "unknown"]
#: Scrubbed free text: known words and placeholders, no control characters.
_SCRUBBED = r"^[A-Za-z0-9 .:/+_\[\]-]{1,160}$"
_NAME = r"^[a-z][a-z0-9_-]{0,39}$"
_SERVICE_TYPE = r"^(_[a-z0-9-]{1,30}\._(tcp|udp)|urn:[a-z-]{1,40}:(device|service):[A-Za-z0-9_-]{1,40}:[0-9]{1,3})$"
#: Free text that anyone holding the public ingest token can send is
#: constrained here, so a desk's terminal or page never receives control
#: characters, a forged line or a host name through these fields.
ScrubbedText = Annotated[str, StringConstraints(pattern=_SCRUBBED)]
EvidenceKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]
EvidenceNumber = Annotated[float, Field(allow_inf_nan=False, gt=-1_000_000, lt=1_000_000)]
EvidenceInt = Annotated[int, Field(gt=-1_000_000, lt=1_000_000)]
EvidenceValue = bool | EvidenceInt | EvidenceNumber | ScrubbedText | None
AreaName = Annotated[str, StringConstraints(pattern=_NAME)]
ServiceType = Annotated[str, StringConstraints(pattern=_SERVICE_TYPE)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HashedId(_Model):
    """A MAC or BSSID: the vendor prefix kept for analysis, the rest an HMAC."""

    oui: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$",
        description="Vendor prefix; None for locally administered (randomized) addresses.",
    )
    id: str = Field(
        pattern=_HEX, description="HMAC-SHA256 with the installation secret, truncated."
    )


class Cohort(_Model):
    """What analysts group by."""

    plan_tier: str | None = Field(default=None, pattern=_TOKEN)
    plan_down_mbps: float | None = Field(default=None, ge=0)
    plan_up_mbps: float | None = Field(default=None, ge=0)
    router_vendor: str | None = Field(default=None, pattern=_TOKEN)
    connection_type: Literal["wifi", "wired", "none", "unknown"] = "unknown"
    wifi_band: Literal["2.4GHz", "5GHz", "6GHz"] | None = None
    os_family: Literal["linux", "macos", "windows", "other"] = "other"


class VerdictOut(_Model):
    healthy: bool
    segment: Segment | None = None


class FindingOut(_Model):
    code: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    severity: Severity
    segment: Segment
    evidence: dict[EvidenceKey, EvidenceValue] = Field(
        default_factory=dict,
        max_length=32,
        description="Numbers, booleans and scrubbed vocabulary only.",
    )


class ProbeOut(_Model):
    probe: str = Field(pattern=_NAME)
    area: str = Field(pattern=_NAME)
    status: Literal["ok", "failed", "timeout", "skipped"]
    duration_s: float = Field(ge=0)
    error: ScrubbedText | None = Field(default=None, description="Scrubbed: known words only.")


class NetworkOut(_Model):
    gateway_rtt_ms: float | None = None
    gateway_loss: float | None = Field(default=None, ge=0, le=1)
    internet_rtt_ms: float | None = None
    internet_loss: float | None = Field(default=None, ge=0, le=1)
    ping_method: str | None = Field(default=None, pattern=_TOKEN)
    dns_ok: int = Field(default=0, ge=0)
    dns_failed: int = Field(default=0, ge=0)
    dns_median_ms: float | None = None


class WifiOut(_Model):
    ssid: HashedId | None = None
    bssid: HashedId | None = None
    band: Literal["2.4GHz", "5GHz", "6GHz"] | None = None
    channel: int | None = None
    channel_width_mhz: int | None = None
    signal_dbm: int | None = None
    noise_dbm: int | None = None
    tx_rate_mbps: float | None = None
    standard: str | None = Field(default=None, pattern=_TOKEN)
    security: str | None = Field(default=None, pattern=_TOKEN)
    networks_seen: int = Field(default=0, ge=0)
    recommended_channel: int | None = None


class DeviceOut(_Model):
    id: HashedId | None = None
    vendor: str | None = Field(default=None, pattern=_TOKEN)
    kind: str = Field(pattern=r"^[a-z-]{1,20}$")
    randomized_mac: bool = False
    is_gateway: bool = False
    is_self: bool = False
    service_types: list[ServiceType] = Field(
        default_factory=list, max_length=32, description="Allow-listed standard types only."
    )


class SpeedsOut(_Model):
    download_mbps: float | None = Field(default=None, ge=0)
    upload_mbps: float | None = Field(default=None, ge=0)
    latency_ms: float | None = Field(default=None, ge=0)
    jitter_ms: float | None = Field(default=None, ge=0)


class OfferOut(_Model):
    shown: str | None = Field(default=None, pattern=_TOKEN)
    taken: bool | None = None


class AdviceShownOut(_Model):
    code: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    escalated: bool = False


class StepsTriedOut(_Model):
    code: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    steps: list[int] = Field(
        default_factory=list,
        max_length=50,
        description="Catalogue step numbers (1-based) the person did.",
    )


class AdviceOut(_Model):
    """Which guidance was shown, at which skill level, and what was already
    tried: codes and numbers only, so the desk can show the same advice from
    its own catalogue (in the agent's language) without any customer text."""

    skill: Skill | None = None
    shown: list[AdviceShownOut] = Field(default_factory=list, max_length=200)
    tried: list[StepsTriedOut] = Field(default_factory=list, max_length=200)


class UploadPayload(_Model):
    """One anonymized check, as the collector stores it."""

    schema_version: Literal[1] = UPLOAD_SCHEMA_VERSION
    upload_id: str = Field(
        pattern=_UUID, description="Client-generated; the collector stores it once."
    )
    installation_id: str = Field(pattern=_HEX, description="Derived from the local secret.")
    created_at: datetime = Field(description="When the check ran, truncated to the minute.")
    homecare_version: str = Field(pattern=_TOKEN)
    provider: str | None = Field(default=None, pattern=_TOKEN)
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}$")
    areas: list[AreaName] = Field(default_factory=list, max_length=32)
    quick: bool = False
    cohort: Cohort = Field(default_factory=Cohort)
    verdict: VerdictOut
    findings: list[FindingOut] = Field(default_factory=list, max_length=200)
    probes: list[ProbeOut] = Field(default_factory=list, max_length=100)
    network: NetworkOut = Field(default_factory=NetworkOut)
    wifi: WifiOut | None = None
    devices: list[DeviceOut] = Field(default_factory=list, max_length=2000)
    speeds: SpeedsOut | None = None
    feedback_score: int | None = Field(default=None, ge=1, le=5)
    offer: OfferOut | None = None
    advice: AdviceOut | None = None
    router: RouterOut | None = Field(default=None, description="Which router, read how; no names.")
    line: LineOut | None = Field(default=None, description="The access line's figures.")
    public_network: str | None = Field(
        default=None, description="The public address reduced to /24 (IPv4) or /48 (IPv6)."
    )


def upload_schema() -> dict[str, Any]:
    schema = UploadPayload.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": UPLOAD_SCHEMA_ID,
        **schema,
    }


def render_upload_schema() -> str:
    return json.dumps(upload_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_upload_schema())
