"""Built-in probes. Imports stay light: heavy libraries load inside ``run``."""

from __future__ import annotations

from homecare.hookspecs import hookimpl
from homecare.probes.base import Probe
from homecare.probes.discovery.probe import DevicesProbe
from homecare.probes.dns.probe import DnsProbe
from homecare.probes.host.probe import HostProbe
from homecare.probes.reach.probe import ReachabilityProbe
from homecare.probes.wifi.probe import WifiProbe


@hookimpl
def homecare_probes() -> list[Probe]:
    return [HostProbe(), ReachabilityProbe(), DnsProbe(), WifiProbe(), DevicesProbe()]
