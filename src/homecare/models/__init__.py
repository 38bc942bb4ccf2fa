"""The report model: the contract between probes, rules, advice and output."""

from __future__ import annotations

from homecare.models.common import ProbeStatus, Segment, Severity, Strict
from homecare.models.devices import Device, DevicesData, Service
from homecare.models.host import HostData, Interface, InterfaceAddress, InterfaceCounters, Route
from homecare.models.reachability import (
    DnsData,
    DnsLookup,
    PingResult,
    ReachabilityData,
    answer_times,
)
from homecare.models.report import (
    SCHEMA_VERSION,
    Finding,
    GenericData,
    Guidance,
    GuidanceStep,
    Observation,
    Report,
    Verdict,
)
from homecare.models.wifi import ChannelAdvice, WifiData, WifiLink, WifiNetwork, WifiStation

__all__ = [
    "SCHEMA_VERSION",
    "ChannelAdvice",
    "Device",
    "DevicesData",
    "DnsData",
    "DnsLookup",
    "Finding",
    "GenericData",
    "Guidance",
    "GuidanceStep",
    "HostData",
    "Interface",
    "InterfaceAddress",
    "InterfaceCounters",
    "Observation",
    "PingResult",
    "ProbeStatus",
    "ReachabilityData",
    "Report",
    "Route",
    "Segment",
    "Service",
    "Severity",
    "Strict",
    "Verdict",
    "WifiData",
    "WifiLink",
    "WifiNetwork",
    "WifiStation",
    "answer_times",
]
