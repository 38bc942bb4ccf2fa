"""Merge every source into one inventory, keyed by MAC (by IP when no MAC is known).

The neighbour table / ARP sweep gives the skeleton (IP and MAC); leases add
host names; mDNS and SSDP add names, models and services. A device found
only by mDNS or SSDP (say, beyond a Wi-Fi extender that proxies ARP) keeps
its IP as key. Also the pure helpers the caller needs: comparing with the
previous inventory and applying the user's nicknames.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from homecare.models.devices import Device, DevicesData, Service
from homecare.probes.discovery import oui
from homecare.probes.discovery.classify import Signals, classify
from homecare.probes.discovery.mdns import txt_model
from homecare.probes.discovery.records import Lease, MdnsService, Neighbour, SsdpDevice

MAX_SERVICES_PER_DEVICE = 32


@dataclass(frozen=True)
class Sources:
    """Raw results of every discovery source for one run."""

    neighbours: Sequence[Neighbour] = ()
    neighbour_source: str = "arp"
    mdns: Sequence[MdnsService] = ()
    ssdp: Sequence[SsdpDevice] = ()
    leases: Sequence[Lease] = ()
    self_ip: str | None = None
    self_mac: str | None = None
    gateway_ip: str | None = None


@dataclass
class _Draft:
    key: str
    mac: str | None = None
    ipv4: list[str] = field(default_factory=list)
    ipv6: list[str] = field(default_factory=list)
    hostnames: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    upnp_types: list[str] = field(default_factory=list)
    manufacturer: str | None = None
    sources: list[str] = field(default_factory=list)

    def add(self, attr: str, value: str | None) -> None:
        if value:
            values: list[str] = getattr(self, attr)
            if value not in values:
                values.append(value)


def _family(ip: str) -> int | None:
    try:
        return ipaddress.ip_address(ip.split("%")[0]).version
    except ValueError:
        return None


def _strip_local(name: str | None) -> str | None:
    if not name:
        return None
    name = name.rstrip(".")
    return name.removesuffix(".local") or None


def _sort_key(d: Device) -> tuple[int, int, str]:
    try:
        ip = int(ipaddress.IPv4Address(d.ipv4[0])) if d.ipv4 else 1 << 33
    except ValueError:
        ip = 1 << 33
    return (0 if d.is_gateway else 1, ip, d.key)


class _Merger:
    def __init__(self) -> None:
        self.drafts: dict[str, _Draft] = {}
        self.ip_to_key: dict[str, str] = {}

    def bind(self, ip: str, mac: str | None, source: str) -> _Draft:
        """The draft for this IP (creating it); a MAC claims an IP-keyed draft."""
        key = self.ip_to_key.get(ip)
        if mac:
            if key is not None and key != mac and key in self.drafts and not self.drafts[key].mac:
                # An IP-only draft turns out to belong to this MAC: fold it in.
                old = self.drafts.pop(key)
                draft = self.drafts.setdefault(mac, _Draft(key=mac, mac=mac))
                for attr in ("ipv4", "ipv6", "hostnames", "models", "upnp_types", "sources"):
                    for v in getattr(old, attr):
                        draft.add(attr, v)
                draft.services.extend(old.services)
                draft.manufacturer = draft.manufacturer or old.manufacturer
                for ip_ in old.ipv4 + old.ipv6:
                    self.ip_to_key[ip_] = mac
            key = mac
        elif key is None:
            key = ip
        draft = self.drafts.setdefault(key, _Draft(key=key, mac=mac))
        draft.add("ipv4" if _family(ip) == 4 else "ipv6", ip)
        draft.add("sources", source)
        self.ip_to_key.setdefault(ip, key)
        return draft

    def find(self, addresses: Iterable[str]) -> str | None:
        for ip in addresses:
            key = self.ip_to_key.get(ip.split("%")[0])
            if key:
                return key
        return None


def merge(sources: Sources, vendor_of: Callable[[str], str | None] = oui.lookup) -> list[Device]:
    """One :class:`Device` per MAC (or IP), classified, gateway and self marked."""
    m = _Merger()
    for n in sources.neighbours:
        if n.mac:
            m.bind(n.ip, n.mac, sources.neighbour_source)
    if sources.self_ip:
        m.bind(sources.self_ip, sources.self_mac, "self")
    for lease in sources.leases:
        if lease.mac or lease.ip in m.ip_to_key:
            m.bind(lease.ip, lease.mac, "dhcp-lease").add("hostnames", lease.hostname)

    by_server: dict[str, list[MdnsService]] = {}
    for svc in sources.mdns:
        by_server.setdefault((svc.server or svc.instance).lower(), []).append(svc)
    for group in by_server.values():
        addrs = [a.split("%")[0] for s in group for a in s.addresses]
        v4 = [a for a in addrs if _family(a) == 4]
        key = m.find(addrs)
        if key is None:
            if not v4:
                continue
            draft = m.bind(v4[0], None, "mdns")
        else:
            draft = m.drafts[key]
            draft.add("sources", "mdns")
        for a in addrs:
            draft.add("ipv4" if _family(a) == 4 else "ipv6", a)
            m.ip_to_key.setdefault(a, draft.key)
        for svc in group:
            draft.add("hostnames", _strip_local(svc.server))
            draft.add("models", txt_model(svc.txt))
            if len(draft.services) < MAX_SERVICES_PER_DEVICE:
                kept = {k: v for k, v in svc.txt.items() if k in _KEPT_TXT}
                draft.services.append(
                    Service(
                        source="mdns",
                        type=svc.type,
                        name=svc.instance,
                        port=svc.port,
                        properties=kept,
                    )
                )

    for dev in sources.ssdp:
        draft = m.bind(dev.ip, None, "ssdp")
        desc = dev.description
        st = next((r.st for r in dev.responses if r.st), None)
        server = next((r.server for r in dev.responses if r.server), None)
        props: dict[str, str] = {}
        if server:
            props["server"] = server
        if desc:
            draft.add("upnp_types", desc.device_type)
            draft.add("models", desc.model_name)
            draft.manufacturer = draft.manufacturer or desc.manufacturer
            for k, v in (
                ("manufacturer", desc.manufacturer),
                ("model", desc.model_name),
                ("model_number", desc.model_number),
            ):
                if v:
                    props[k] = v
        for r in dev.responses:
            if r.st and r.st.startswith("urn:") and ":device:" in r.st:
                draft.add("upnp_types", r.st)
        if len(draft.services) < MAX_SERVICES_PER_DEVICE:
            draft.services.append(
                Service(
                    source="ssdp",
                    type=(desc.device_type if desc else None) or st or "upnp",
                    name=desc.friendly_name if desc else None,
                    properties=props,
                )
            )

    return sorted((_finish(d, sources, vendor_of) for d in m.drafts.values()), key=_sort_key)


_KEPT_TXT = frozenset({"md", "ty", "model", "fn", "am", "mdl", "usb_mfg", "usb_mdl", "product"})


def _finish(d: _Draft, sources: Sources, vendor_of: Callable[[str], str | None]) -> Device:
    randomized = oui.is_randomized(d.mac) if d.mac else False
    vendor = vendor_of(d.mac) if d.mac else None
    is_gateway = bool(sources.gateway_ip and sources.gateway_ip in d.ipv4)
    is_self = bool(
        (sources.self_ip and sources.self_ip in d.ipv4)
        or (sources.self_mac and d.mac == sources.self_mac)
    )
    hostname = d.hostnames[0] if d.hostnames else None
    dtype, why = classify(
        Signals(
            vendor=vendor or d.manufacturer,
            hostname=hostname,
            models=tuple(d.models),
            service_types=tuple(s.type for s in d.services if s.source == "mdns"),
            upnp_types=tuple(d.upnp_types),
            is_gateway=is_gateway,
            randomized_mac=randomized,
        )
    )
    return Device(
        key=d.key,
        mac=d.mac,
        ipv4=sorted(d.ipv4, key=lambda a: ipaddress.ip_address(a)),
        ipv6=d.ipv6,
        vendor=vendor or d.manufacturer,
        hostname=hostname,
        model=d.models[0] if d.models else None,
        type=dtype,
        type_evidence=why,
        randomized_mac=randomized,
        services=d.services,
        sources=d.sources,
        is_gateway=is_gateway,
        is_self=is_self,
    )


def compare(previous: Sequence[Device], current: Sequence[Device]) -> tuple[list[str], list[str]]:
    """(keys new since *previous*, keys of *previous* not seen now).

    A device behind a randomized MAC that changed its address but kept its
    host name is matched by name, so a phone rotating its private address
    is not reported as a stranger every week.
    """
    prev_keys = {d.key for d in previous}
    cur_keys = {d.key for d in current}
    prev_random_names = {
        d.hostname.lower(): d.key for d in previous if d.randomized_mac and d.hostname
    }
    new: list[str] = []
    matched_prev: set[str] = set()
    for d in current:
        if d.key in prev_keys:
            continue
        old = prev_random_names.get(d.hostname.lower()) if d.hostname and d.randomized_mac else None
        if old is not None:
            matched_prev.add(old)
            continue
        new.append(d.key)
    missing = [d.key for d in previous if d.key not in cur_keys and d.key not in matched_prev]
    return new, missing


def apply_comparison(data: DevicesData, previous: Sequence[Device] | None) -> DevicesData:
    """A copy of *data* with ``new_since_last``/``missing_since_last`` filled.

    With no previous inventory (first run) nothing is new: everything would be.
    """
    if previous is None:
        return data.model_copy(update={"new_since_last": [], "missing_since_last": []})
    new, missing = compare(previous, data.devices)
    return data.model_copy(update={"new_since_last": new, "missing_since_last": missing})


def apply_nicknames(devices: Sequence[Device], nicknames: Mapping[str, str]) -> list[Device]:
    """Copies of *devices* with the user's nicknames (keyed by device key or MAC)."""
    out: list[Device] = []
    for d in devices:
        nick = nicknames.get(d.key) or (nicknames.get(d.mac) if d.mac else None)
        out.append(d.model_copy(update={"nickname": nick}) if nick else d)
    return out
