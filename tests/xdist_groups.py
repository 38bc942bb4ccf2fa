"""Which tests run one at a time when ``scripts/test`` spreads the suite over workers.

``scripts/test`` runs pytest with ``-n 4 --dist loadgroup`` (pytest-xdist):
most of the suite's time is spent waiting (on the virtual home's links and
daemons, on test servers, on a monitor's intervals), not on the two cores.
Each group below runs on one worker, its tests in order, while every other
test goes to whichever worker is free.

The groups are matched on node ids here, in the controller, by a scheduler of
our own (xdist's ``pytest_xdist_make_scheduler`` hook), because xdist 3.8
marks ``@pytest.mark.xdist_group`` tests by rewriting ``item._nodeid``, which
pytest 9.2 no longer reads: the markers silently group nothing.
``@pytest.mark.xdist_group`` still works wherever xdist's own suffix does.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

import pytest

#: group -> node id patterns (``fnmatch``, relative to the repository root)
SERIAL_GROUPS: dict[str, tuple[str, ...]] = {
    # They measure rates, round trips, RPM or queueing delay through the
    # virtual home (iperf3 goodput within 8 % of the spec, a 50-device home up
    # in 20 s, another device's download rate, the WAN counters during a
    # download, a weak Wi-Fi's loss and RTT): two at once would share the
    # same two cores and skew each other's numbers.
    "timing": (
        "tests/e2e/test_nq_responsiveness.py::*",
        "tests/e2e/test_speed_back_to_back.py::*",
        "tests/e2e/test_wan_delay.py::*",
        "tests/e2e/test_connection_quality.py::*",
        "tests/e2e/test_router_igd.py::*",
        "tests/e2e/test_router_mode.py::*",
        "tests/e2e/test_wifi_verdict.py::*",
        "tests/e2e/test_virtual_home.py::*",
        "tests/e2e/test_paced_echo_lossy.py::*",
        # the send queues of the whole namespace: beside the workers' loopback
        # speed tests the sum once grew from 61 to 67 MB while its own drained
        "tests/probes/speed/test_send_queues.py::test_a_peer_that_does_not_read_*",
    ),
    # Outages and blips are timed in the monitor's own intervals (seconds, not
    # rates): one monitor at a time, beside the timing group.
    "monitor": ("tests/e2e/test_monitor_e2e.py::*",),
    # mDNS on loopback (224.0.0.251:5353) is shared by every process on the
    # host: browsing at the same time, one test sees the other's services
    # (a second "Office Printer", 60 flood instances, refused types).
    "loopback-mdns": (
        "tests/probes/discovery/test_mdns.py::test_browse_*",
        "tests/probes/discovery/test_hostile_devices.py::test_browse_*",
    ),
}


def group_of(nodeid: str) -> str | None:
    """The serial group of the test ``nodeid``, or None when it may run anywhere."""
    for group, patterns in SERIAL_GROUPS.items():
        if any(fnmatchcase(nodeid, pattern) for pattern in patterns):
            return group
    return None


#: The groups ``scripts/test`` runs on their own, after the rest: tests that
#: measure rates and round trips read the machine's load as well as the
#: line's, so beside other workers they failed at their margins (an iperf3 at
#: 0.89 of a 200 Mbit/s line against 0.9, a router answer that took 3 s); the
#: loopback mDNS browses have 1.5-3 s windows, and beside four workers the
#: 60-instance flood once found none of its 10 in 1.5 s.
ALONE_GROUPS = ("timing", "loopback-mdns")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the alone groups' tests ``timing`` (``-m timing`` / ``-m "not timing"``)."""
    for item in items:
        if group_of(item.nodeid) in ALONE_GROUPS:
            item.add_marker(pytest.mark.timing)


@pytest.hookimpl(optionalhook=True, tryfirst=True)  # before xdist's own; only with xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` with ``SERIAL_GROUPS`` as groups (other modes: xdist's own)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling  # type: ignore[import-untyped]

    class SerialGroupScheduling(LoadGroupScheduling):  # type: ignore[misc]
        """A scope is a serial group's name, else xdist's own (the test, or its @group)."""

        def _split_scope(self, nodeid: str) -> str:
            group = group_of(nodeid)
            if group is not None:
                return group
            scope: str = super()._split_scope(nodeid)
            return scope

    return SerialGroupScheduling(config, log)
