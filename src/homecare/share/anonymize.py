"""Report → upload payload, dropping or hashing everything that identifies.

A pure function: the caller passes the secret and any facts that live outside
the report (feedback score, plan, offer), so tests can drive it with generated
reports. What leaves: finding codes, severities, segments, numbers, closed
vocabularies, keyed hashes of MACs/SSIDs/BSSIDs with the vendor prefix kept.
What never leaves: IP addresses (the public one at most as a /24 or /48), host
names, nicknames, service instance names, interface names, SSIDs, file paths,
user names, and any free text that is not made of known words.
"""

from __future__ import annotations

import ipaddress
import math
import re
import statistics
from collections.abc import Iterable, Mapping
from typing import Any

from homecare.models import (
    DevicesData,
    DnsData,
    Finding,
    GenericData,
    HostData,
    Observation,
    ReachabilityData,
    Report,
    WifiData,
    answer_times,
)
from homecare.models.connection import SpeedData
from homecare.share.allowlists import mdns_type, oui_vendor, ssdp_type
from homecare.share.payload import (
    AdviceOut,
    AdviceShownOut,
    Cohort,
    DeviceOut,
    FindingOut,
    HashedId,
    NetworkOut,
    OfferOut,
    ProbeOut,
    SpeedsOut,
    StepsTriedOut,
    UploadPayload,
    VerdictOut,
    WifiOut,
)
from homecare.share.router_payload import router_out
from homecare.share.scrub import looks_identifying, scrub_text, token
from homecare.share.secret import installation_id, keyed_hash, upload_id_for
from homecare.vocabulary import SKILLS

_MAC = re.compile(r"^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$")
#: Area and probe names: no dots, so a plugin's "alice-laptop.lan" is "other".
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_KEY = re.compile(r"^[a-z0-9_]{1,40}$")
_CODE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
#: Larger numbers can be identifiers (an IPv4 address or a phone number as an
#: integer, a serial, a timestamp) rather than measurements; they stay local.
MAX_EVIDENCE_NUMBER = 1_000_000
#: Evidence strings passed as-is: closed vocabularies the models define.
_SAFE_VALUES = frozenset(
    {
        "device",
        "wifi",
        "lan",
        "router",
        "provider",
        "internet",
        "unknown",
        "info",
        "warning",
        "problem",
        "critical",
        "ok",
        "failed",
        "timeout",
        "skipped",
        "2.4GHz",
        "5GHz",
        "6GHz",
        "wired",
        "none",
        "gateway",
        "icmp-raw",
        "icmp-dgram",
        "tcp-connect",
        "open",
        "owe",
        "wep",
        "wpa",
        "wpa/wpa2",
        "wpa2",
        "wpa2/wpa3",
        "wpa3",
        "wpa2-enterprise",
        "wpa3-enterprise",
        "ccmp",
        "gcmp",
        "tkip",
        "802.11a/b/g",
        "wifi4",
        "wifi5",
        "wifi6",
        "wifi6e",
        "wifi7",
    }
)
_SPEED_KEYS = {
    "download_mbps": "download_mbps",
    "upload_mbps": "upload_mbps",
    "latency_ms": "latency_ms",
    "ping_ms": "latency_ms",
    "jitter_ms": "jitter_ms",
}


def anonymize(
    report: Report,
    secret: bytes,
    *,
    plan_tier: str | None = None,
    plan_down_mbps: float | None = None,
    plan_up_mbps: float | None = None,
    feedback_score: int | None = None,
    offer_shown: str | None = None,
    offer_taken: bool | None = None,
    public_ip: str | None = None,
    skill: str | None = None,
    steps_tried: Mapping[str, Iterable[int]] | None = None,
) -> UploadPayload:
    """The upload payload for *report*: the validated model (``model_dump(mode="json")``
    gives what goes on the wire)."""
    host = _first(report, HostData)
    wifi = _first(report, WifiData)
    devices = _first(report, DevicesData)
    speed = _first(report, SpeedData)
    if isinstance(speed, SpeedData):
        plan_down_mbps = plan_down_mbps if plan_down_mbps is not None else speed.plan_down_mbit
        plan_up_mbps = plan_up_mbps if plan_up_mbps is not None else speed.plan_up_mbit
    offer_shown = offer_shown if offer_shown is not None else report.offer_shown
    wifi_out = _wifi(wifi, secret) if isinstance(wifi, WifiData) else None
    device_list = [_device(d, secret) for d in devices.devices] if devices else []
    router_vendor = next((d.vendor for d in device_list if d.is_gateway and d.vendor), None)
    router, line = router_out(report)  # line figures and counters; no names or addresses
    payload = UploadPayload(
        upload_id=upload_id_for(secret, report.id),
        installation_id=installation_id(secret),
        created_at=report.created_at.replace(second=0, microsecond=0),
        homecare_version=token(report.homecare_version) or "unknown",
        provider=token(report.provider),
        language=report.language if re.fullmatch(r"[a-z]{2,3}", report.language) else "en",
        areas=[a for a in report.areas if _safe_name(a)][:32],
        quick=report.quick,
        cohort=Cohort(
            plan_tier=token(plan_tier),
            plan_down_mbps=plan_down_mbps,
            plan_up_mbps=plan_up_mbps,
            router_vendor=router_vendor,
            connection_type=host.connection if isinstance(host, HostData) else "unknown",
            wifi_band=wifi_out.band if wifi_out else None,
            os_family=_os_family(host.os) if isinstance(host, HostData) else "other",
        ),
        verdict=VerdictOut(
            healthy=report.verdict.healthy,
            segment=report.verdict.segment.value if report.verdict.segment else None,
        ),
        findings=[_finding(f) for f in report.findings],
        probes=[_probe(o) for o in report.observations],
        network=_network(report),
        wifi=wifi_out,
        devices=device_list,
        speeds=_speeds(report),
        feedback_score=feedback_score,
        offer=OfferOut(shown=token(offer_shown), taken=offer_taken)
        if offer_shown is not None
        else None,
        advice=_advice(report, skill, steps_tried),
        public_network=coarse_network(public_ip),
        router=router,
        line=line,
    )
    return payload


def _advice(
    report: Report, skill: str | None, steps_tried: Mapping[str, Iterable[int]] | None
) -> AdviceOut | None:
    """Codes and step numbers of the advice (never its text); None when the
    caller did not say which skill level the advice was written for."""
    if skill not in SKILLS:
        return None
    codes = {f.code for f in report.findings}
    tried = steps_tried or {}
    return AdviceOut.model_validate(
        {
            "skill": skill,
            "shown": [
                AdviceShownOut(code=g.code, escalated=g.escalated)
                for g in report.guidance
                if _CODE.fullmatch(g.code)
            ],
            "tried": [
                StepsTriedOut(code=code, steps=sorted({n for n in tried[code] if 0 < n < 100}))
                for code in sorted(tried)
                if code in codes and _CODE.fullmatch(code) and tried[code]
            ],
        }
    )


def hash_mac(secret: bytes, mac: str) -> HashedId | None:
    """Keep the vendor prefix unless the address is locally administered."""
    norm = mac.strip().lower().replace("-", ":")
    if not _MAC.fullmatch(norm):
        return None
    first = int(norm[:2], 16)
    oui = None if first & 0x02 else norm[:8]
    return HashedId(oui=oui, id=keyed_hash(secret, "mac", norm))


def coarse_network(address: str | None) -> str | None:
    """A public address reduced to its /24 or /48; private or invalid: None."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if not ip.is_global:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _first(report: Report, kind: type[Any]) -> Any:
    return report.data_of(kind)


def _os_family(os_name: str) -> Any:
    low = os_name.lower()
    for key, family in (
        ("linux", "linux"),
        ("darwin", "macos"),
        ("mac", "macos"),
        ("windows", "windows"),
    ):
        if key in low:
            return family
    return "other"


def _finding(f: Finding) -> FindingOut:
    evidence: dict[str, Any] = {}
    for key, value in f.evidence.items():
        if not _KEY.fullmatch(key):
            continue
        clean = _evidence_value(value)
        if clean is not None:
            evidence[key] = clean
    return FindingOut(
        code=f.code, severity=f.severity.value, segment=f.segment.value, evidence=evidence
    )


def _safe_name(name: str) -> bool:
    return bool(_NAME.fullmatch(name)) and not looks_identifying(name)


def _evidence_value(value: Any) -> bool | int | float | str | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if not math.isfinite(value) or abs(value) >= MAX_EVIDENCE_NUMBER:
            return None
        return value
    if isinstance(value, str):
        if value in _SAFE_VALUES:
            return value
        return scrub_text(value)
    if isinstance(value, list | tuple) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        return len(value)  # how many, not which
    return None


def _probe(o: Observation) -> ProbeOut:
    return ProbeOut(
        probe=o.probe if _safe_name(o.probe) else "other",
        area=o.area if _safe_name(o.area) else "other",
        status=o.status.value,
        duration_s=max(0.0, round(o.duration_s, 3)),
        error=scrub_text(o.message),
    )


def _network(report: Report) -> NetworkOut:
    fields: dict[str, Any] = {}
    reach = _first(report, ReachabilityData)
    if isinstance(reach, ReachabilityData):
        for ping in reach.pings:
            rtt = round(statistics.median(ping.rtts_ms), 2) if ping.rtts_ms else None
            fields.setdefault(f"{ping.role}_rtt_ms", rtt)
            fields.setdefault(f"{ping.role}_loss", round(ping.loss, 4))
            fields.setdefault("ping_method", ping.method)
    dns = _first(report, DnsData)
    if isinstance(dns, DnsData) and dns.lookups:
        fields["dns_ok"] = sum(1 for lk in dns.lookups if lk.ok)
        fields["dns_failed"] = sum(1 for lk in dns.lookups if not lk.ok)
        times = answer_times(dns.lookups)
        fields["dns_median_ms"] = round(statistics.median(times), 2) if times else None
    return NetworkOut(**fields)


def _wifi(data: WifiData, secret: bytes) -> WifiOut:
    link = data.link
    band = link.band if link else None
    recommended = next((c.recommended for c in data.channels if c.band == band), None)
    if link is None or not link.connected:
        return WifiOut(networks_seen=len(data.networks), recommended_channel=recommended)
    ssid = HashedId(id=keyed_hash(secret, "ssid", link.ssid)) if link.ssid else None
    return WifiOut(
        ssid=ssid,
        bssid=hash_mac(secret, link.bssid) if link.bssid else None,
        band=band,
        channel=link.channel,
        channel_width_mhz=link.channel_width_mhz,
        signal_dbm=link.signal_dbm,
        noise_dbm=link.noise_dbm,
        tx_rate_mbps=link.tx_rate_mbps,
        standard=link.standard,
        security=link.security if link.security in _SAFE_VALUES else None,
        networks_seen=len(data.networks),
        recommended_channel=recommended,
    )


def _device(d: Any, secret: bytes) -> DeviceOut:
    services: list[str] = []
    for s in d.services:
        kept = mdns_type(s.type) if s.source == "mdns" else ssdp_type(s.type)
        if kept is not None:
            services.append(kept)
    return DeviceOut(
        id=hash_mac(secret, d.mac) if d.mac else None,
        vendor=_vendor(oui_vendor(d.mac)),
        kind=d.type,
        randomized_mac=d.randomized_mac,
        is_gateway=d.is_gateway,
        is_self=d.is_self,
        service_types=sorted(set(services)),
    )


def _vendor(vendor: str | None) -> str | None:
    """The OUI table's name for the device's MAC, never the device's own
    ``vendor`` field (which can be a UPnP ``manufacturer`` such as "Hans
    Schmidt"); reduced to the schema's characters, and dropped if it still
    looks like an address or a host name."""
    value = token(vendor)
    return None if value is None or looks_identifying(value) else value


def _speeds(report: Report) -> SpeedsOut | None:
    """Figures of the speed probe, or numeric speed values a plugin reported."""
    values: dict[str, float] = {}
    for obs in report.observations:
        data = obs.data
        if isinstance(data, SpeedData):
            if data.download and data.download.mbit is not None:
                values.setdefault("download_mbps", round(data.download.mbit, 2))
            if data.upload and data.upload.mbit is not None:
                values.setdefault("upload_mbps", round(data.upload.mbit, 2))
            idle = [x.stats for x in data.latency if x.phase == "idle"]
            if idle and idle[0].median_ms is not None:
                values.setdefault("latency_ms", idle[0].median_ms)
            if idle and idle[0].jitter_ms is not None:
                values.setdefault("jitter_ms", idle[0].jitter_ms)
        elif isinstance(data, GenericData) and "speed" in f"{obs.area} {obs.probe}":
            for key, target in _SPEED_KEYS.items():
                raw = data.values.get(key)
                if isinstance(raw, int | float) and not isinstance(raw, bool) and raw >= 0:
                    values.setdefault(target, float(raw))
    return SpeedsOut(**values) if values else None
