"""The ``wifi`` probe: the Wi-Fi link, its neighbours and, on a router, its clients."""

from __future__ import annotations

from collections.abc import Callable

from homecare.i18n import _
from homecare.models.wifi import WifiData
from homecare.probes.base import ProbeContext, ProbeSkipped
from homecare.probes.wifi.collect import NO_SOURCE, collect_wifi


class WifiProbe:
    """Observes Wi-Fi through whatever tool the OS offers; never triggers a scan."""

    name: str = "wifi"
    area: str = "wifi"
    requires: tuple[str, ...] = ()
    #: run beside it in a targeted check, so a dead router is not blamed elsewhere
    supporting: tuple[str, ...] = ("reachability",)
    timeout_s: float = 5.0

    def __init__(self, collector: Callable[[float], WifiData] | None = None) -> None:
        self._collector = collector or (lambda budget: collect_wifi(budget_s=budget))

    def run(self, ctx: ProbeContext) -> WifiData:
        budget = min(self.timeout_s, max(ctx.remaining(), 0.5))
        ctx.progress(_("Looking at the Wi-Fi link"))
        data = self._collector(budget)
        if data.source == NO_SOURCE:
            raise ProbeSkipped(
                data.note or _("No Wi-Fi adapter or Wi-Fi tool found on this device.")
            )
        return data
