"""Built-in probes. Imports stay light: heavy libraries load inside ``run``."""

from __future__ import annotations

from homecare.hookspecs import hookimpl
from homecare.probes.base import Probe
from homecare.probes.captive.probe import CaptivePortalProbe
from homecare.probes.discovery.probe import DevicesProbe
from homecare.probes.dns.probe import DnsProbe
from homecare.probes.dns_quality.probe import DnsQualityProbe
from homecare.probes.host.probe import HostProbe
from homecare.probes.ipv6.probe import Ipv6Probe
from homecare.probes.latency.probe import LatencyProbe
from homecare.probes.mtu.probe import MtuProbe
from homecare.probes.reach.probe import ReachabilityProbe
from homecare.probes.router.probe import RouterProbe
from homecare.probes.speed.probe import SpeedProbe
from homecare.probes.wifi.probe import WifiProbe


@hookimpl
def homecare_probes() -> list[Probe]:
    return [
        HostProbe(),
        ReachabilityProbe(),
        CaptivePortalProbe(),
        MtuProbe(),
        DnsProbe(),
        DnsQualityProbe(),
        LatencyProbe(),
        Ipv6Probe(),
        WifiProbe(),
        DevicesProbe(),
        SpeedProbe(),
        RouterProbe(),
    ]
