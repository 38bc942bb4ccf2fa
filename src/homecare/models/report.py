"""The contract every layer shares: one Report per check.

Probes produce Observations, rules produce Findings, the catalogue produces
Guidance; renderers, the history store and the anonymizer only read a Report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, model_validator

from homecare.models.common import ProbeStatus, Segment, Severity, Strict
from homecare.models.connection import (
    CaptiveData,
    DnsQualityData,
    Ipv6Data,
    LatencyData,
    MtuData,
    SpeedData,
)
from homecare.models.devices import DevicesData
from homecare.models.host import HostData
from homecare.models.reachability import DnsData, ReachabilityData
from homecare.models.router import RouterData
from homecare.models.wifi import WifiData

SCHEMA_VERSION: Literal[1] = 1


class GenericData(Strict):
    """Payload for plugin probes whose data has no built-in model."""

    kind: Literal["generic"] = "generic"
    values: dict[str, Any] = Field(default_factory=dict)


ObservationPayload = (
    HostData
    | ReachabilityData
    | DnsData
    | DevicesData
    | WifiData
    | LatencyData
    | SpeedData
    | DnsQualityData
    | CaptiveData
    | Ipv6Data
    | MtuData
    | RouterData
    | GenericData
)
BUILTIN_PAYLOADS = (
    HostData,
    ReachabilityData,
    DnsData,
    DevicesData,
    WifiData,
    LatencyData,
    SpeedData,
    DnsQualityData,
    CaptiveData,
    Ipv6Data,
    MtuData,
    RouterData,
    GenericData,
)
ObservationData = Annotated[ObservationPayload, Field(discriminator="kind")]


class Observation(Strict):
    """What one probe saw, or why it saw nothing."""

    probe: str
    area: str
    status: ProbeStatus
    duration_s: float = 0.0
    message: str | None = Field(
        default=None, description="Why a probe failed, timed out or skipped."
    )
    data: ObservationData | None = None


class Finding(Strict):
    """A diagnosis with a stable code that the catalogue and analysts key on."""

    code: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    severity: Severity
    segment: Segment
    summary: str = Field(description="One line in the user's language.")
    evidence: dict[str, Any] = Field(default_factory=dict)


class GuidanceStep(Strict):
    text: str
    command: str | None = None
    number: int | None = Field(
        default=None,
        description="The step's number in the catalogue entry; kept when done steps are "
        "hidden, so the numbers a person marks are the numbers they were shown.",
    )


class Guidance(Strict):
    """What this person should do about one finding."""

    code: str
    title: str
    why: str
    steps: list[GuidanceStep] = Field(default_factory=list)
    call_support: str | None = None
    advice_id: str | None = Field(
        default=None,
        description="The catalogue entry's id (e.g. A-D01). Not a support code: that comes "
        "from sharing the check ('homecare share').",
    )
    escalated: bool = False
    history_note: str | None = Field(
        default=None, description="How today compares with this home's usual figures."
    )

    @model_validator(mode="before")
    @classmethod
    def _renamed_id(cls, data: Any) -> Any:
        """Reports saved before the rename call the advice id ``support_code``."""
        if isinstance(data, dict) and "support_code" in data and "advice_id" not in data:
            data = {**data, "advice_id": data["support_code"]}
            del data["support_code"]
        return data


class Verdict(Strict):
    """Where the problem most likely is, in one segment, with the reasons."""

    segment: Segment | None = Field(
        default=None, description="None when nothing is wrong, or when it could not be told."
    )
    healthy: bool
    summary: str
    evidence: list[str] = Field(default_factory=list)
    severity: Severity | None = Field(
        default=None,
        description="The worst severity behind the verdict: warning is a tip (it works, it "
        "could be better), problem or critical a fault; None when healthy or not measured.",
    )


_DataT = TypeVar("_DataT", bound=BaseModel)


class Report(Strict):
    """One check, from the observations to the advice."""

    schema_version: Literal[1] = SCHEMA_VERSION
    id: str
    created_at: datetime
    homecare_version: str
    areas: list[str]
    quick: bool = False
    language: str = "en"
    provider: str | None = None
    privileged: bool = False
    observations: list[Observation] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    guidance: list[Guidance] = Field(default_factory=list)
    verdict: Verdict
    offer_shown: str | None = Field(
        default=None, description="Id of the provider offer shown with this check, if any."
    )

    def data_of(self, kind: type[_DataT]) -> _DataT | None:
        """The first observation payload of the given model type."""
        for obs in self.observations:
            if isinstance(obs.data, kind):
                return obs.data
        return None

    @property
    def worst_severity(self) -> Severity | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)
