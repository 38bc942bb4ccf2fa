"""Built-in diagnosis rules."""

from __future__ import annotations

from homecare.diagnose.base import Rule
from homecare.diagnose.connectivity_rules import CONNECTIVITY_RULES
from homecare.diagnose.device_rules import DEVICE_RULES
from homecare.diagnose.quality_rules import QUALITY_RULES
from homecare.diagnose.router_rules import ROUTER_RULES
from homecare.diagnose.speed_rules import SPEED_RULES
from homecare.diagnose.wifi_rules import WIFI_RULES
from homecare.hookspecs import hookimpl


@hookimpl
def homecare_rules() -> list[Rule]:
    return [
        *CONNECTIVITY_RULES,
        *QUALITY_RULES,
        *SPEED_RULES,
        *WIFI_RULES,
        *DEVICE_RULES,
        *ROUTER_RULES,
    ]
