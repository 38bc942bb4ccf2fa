"""Only an inventory worth comparing with is saved: the first, or one that changed."""

from __future__ import annotations

from homecare.engine import NO_STATE
from homecare.models import DevicesData, Observation, ProbeStatus, Report
from homecare.monitor.build import inventory_changed

from .helpers import report


def with_devices(new: list[str] | None = None, missing: list[str] | None = None) -> Report:
    base = report()
    data = DevicesData(method="arp", new_since_last=new or [], missing_since_last=missing or [])
    obs = Observation(probe="devices", area="devices", status=ProbeStatus.OK, data=data)
    return base.model_copy(update={"observations": [*base.observations, obs]})


class Remembers:
    def __init__(self, reports: list[Report]) -> None:
        self._reports = reports

    def recent_reports(self, limit: int = 10) -> list[Report]:
        return self._reports[:limit]

    def device_names(self) -> dict[str, str]:
        return {}

    def steps_done(self, code: str) -> set[int]:
        return set()


def test_first_inventory_is_saved_then_only_changes() -> None:
    assert inventory_changed(with_devices(), NO_STATE)  # nothing to compare with yet
    state = Remembers([with_devices()])
    assert not inventory_changed(with_devices(), state)  # the same again: not saved
    assert inventory_changed(with_devices(new=["aa:bb:cc:dd:ee:ff"]), state)
    assert inventory_changed(with_devices(missing=["aa:bb:cc:dd:ee:ff"]), state)
    assert not inventory_changed(report(), NO_STATE)  # no inventory at all
