"""What a rule is and what it sees.

Rules are pure: observations (and the home's history) in, findings out. They
never measure and never print.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

from homecare.models import Finding, Observation, Report
from homecare.profiles.provider import ProviderProfile

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class RuleContext:
    observations: Mapping[str, Observation]
    provider: ProviderProfile
    #: the home's earlier checks, newest first (the baseline rules compare with)
    history: Sequence[Report] = field(default_factory=tuple)

    def data(self, kind: type[T]) -> T | None:
        """The first payload of this type among successful observations."""
        for obs in self.observations.values():
            if isinstance(obs.data, kind):
                return obs.data
        return None


@runtime_checkable
class Rule(Protocol):
    """``codes`` lists every finding code the rule can emit, so tests can
    prove each one has guidance in every language."""

    @property
    def name(self) -> str: ...

    @property
    def codes(self) -> tuple[str, ...]: ...

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]: ...
