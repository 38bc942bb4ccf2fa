"""Built-in diagnosis rules."""

from __future__ import annotations

from homecare.diagnose.base import Rule
from homecare.diagnose.connectivity_rules import CONNECTIVITY_RULES
from homecare.hookspecs import hookimpl


@hookimpl
def homecare_rules() -> list[Rule]:
    return list(CONNECTIVITY_RULES)
