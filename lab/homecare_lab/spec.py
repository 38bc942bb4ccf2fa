"""The declarative description of a virtual home: dataclasses plus TOML loading.

A test asks for the home it needs (how many devices, which vendors and
services, how fast and lossy the WAN is) and the lab builds exactly that.
``HomeSpec.resolved()`` fills in what the spec leaves open (device addresses,
MACs from vendor OUIs, locally-administered MACs) deterministically, so the
ground truth a test compares against is known before anything is built.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from homecare_lab.oui import VENDOR_OUIS

_T = TypeVar("_T")

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
_MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


class SpecError(ValueError):
    """The home description is inconsistent or malformed."""


@dataclass(frozen=True)
class ServiceSpec:
    """One DNS-SD service a device advertises over mDNS."""

    type: str  # e.g. "_ipp._tcp"
    port: int
    name: str | None = None  # instance name; defaults to the device's friendly name
    txt: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SsdpSpec:
    """A UPnP root device answering SSDP M-SEARCH and serving a description XML."""

    friendly_name: str
    manufacturer: str
    model_name: str
    device_type: str = "urn:schemas-upnp-org:device:Basic:1"
    model_number: str = ""
    port: int = 49152
    uuid: str | None = None  # filled by resolution from the device name


@dataclass(frozen=True)
class DeviceSpec:
    """A device on the home LAN."""

    name: str  # unique, lowercase [a-z0-9-]
    kind: str = "generic"  # phone, tv, printer, speaker, camera, laptop, iot, …
    vendor: str | None = None  # key of homecare_lab.oui.VENDOR_OUIS
    mac: str | None = None  # explicit MAC wins over vendor / randomized
    randomized_mac: bool = False  # locally-administered address (private Wi-Fi MAC)
    ip: str | None = None  # static address; None = next free static address
    hostname: str | None = None
    friendly_name: str | None = None
    services: tuple[ServiceSpec, ...] = ()
    ssdp: SsdpSpec | None = None
    tcp_ports: tuple[int, ...] = ()

    @property
    def display_name(self) -> str:
        return self.friendly_name or self.name


@dataclass(frozen=True)
class LanSpec:
    """The home LAN behind the router."""

    subnet: str = "192.168.77.0/24"
    dhcp_start: int = 100  # host numbers inside the subnet
    dhcp_end: int = 199
    domain: str = "home.lan"
    lease_time: str = "12h"


@dataclass(frozen=True)
class WanSpec:
    """The shaped uplink between router and provider.

    Rates are link rates (what ``tc tbf`` enforces on the WAN veth); loss is
    the per-direction share of packets dropped at random.  ``queue_ms`` sizes
    the shaper's queue: a long queue is what makes bufferbloat real.
    """

    down_mbit: float = 100.0
    up_mbit: float = 20.0
    loss_down_pct: float = 0.0
    loss_up_pct: float = 0.0
    queue_ms: float = 50.0
    queue_limit_bytes: int | None = None  # overrides queue_ms when set
    #: base round trip added by a user-space delay line (there is no netem);
    #: 0 builds the home without one. Changeable at run time only if built > 0.
    rtt_ms: float = 0.0


@dataclass(frozen=True)
class LaptopSpec:
    """The machine homecare runs on."""

    dhcp: bool = True
    ip: str | None = None  # used when dhcp is false (default: host number 2)
    mac: str | None = None
    vendor: str = "intel"
    hostname: str = "homecare-laptop"


@dataclass(frozen=True)
class HomeSpec:
    """A whole home: LAN, WAN, laptop and devices."""

    name: str = "home"
    lan: LanSpec = field(default_factory=LanSpec)
    wan: WanSpec = field(default_factory=WanSpec)
    laptop: LaptopSpec = field(default_factory=LaptopSpec)
    devices: tuple[DeviceSpec, ...] = ()
    #: the router answers UPnP IGD (a real miniupnpd), as most home routers do
    igd: bool = True

    # -- derived addressing ----------------------------------------------------------

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(self.lan.subnet, strict=True)

    @property
    def router_ip(self) -> str:
        return str(self.network.network_address + 1)

    @property
    def laptop_static_ip(self) -> str:
        return self.laptop.ip or str(self.network.network_address + 2)

    def dhcp_range(self) -> tuple[str, str]:
        base = self.network.network_address
        return str(base + self.lan.dhcp_start), str(base + self.lan.dhcp_end)

    def device(self, name: str) -> DeviceSpec:
        for d in self.devices:
            if d.name == name:
                return d
        raise KeyError(name)

    # -- resolution -------------------------------------------------------------------

    def resolved(self) -> HomeSpec:
        """Validate and fill every device's address, MAC, hostname and UPnP uuid."""
        from homecare_lab.catalog import with_placeholders

        net = self.network
        if net.prefixlen > 26:
            raise SpecError(f"LAN {net} is too small for a home")
        if not 2 < self.lan.dhcp_start <= self.lan.dhcp_end < net.num_addresses - 1:
            raise SpecError("DHCP range must lie inside the LAN, above the router")
        if self.wan.down_mbit <= 0 or self.wan.up_mbit <= 0:
            raise SpecError("WAN rates must be positive")
        for pct in (self.wan.loss_down_pct, self.wan.loss_up_pct):
            if not 0 <= pct < 100:
                raise SpecError("loss must be a percentage in [0, 100)")
        reserved = {self.router_ip}
        if not self.laptop.dhcp:
            reserved.add(self.laptop_static_ip)
        used_ips = set(reserved)
        used_macs: set[str] = set()
        names: set[str] = set()
        explicit = [d.ip for d in self.devices if d.ip]
        for fixed_ip in explicit:
            if ipaddress.IPv4Address(fixed_ip) not in net:
                raise SpecError(f"{fixed_ip} is outside {net}")
            if fixed_ip in used_ips:
                raise SpecError(f"address {fixed_ip} is used twice")
            used_ips.add(fixed_ip)
        free = (str(h) for h in self._static_hosts() if str(h) not in used_ips)
        out: list[DeviceSpec] = []
        for d in self.devices:
            if not _NAME_RE.match(d.name):
                raise SpecError(f"device name {d.name!r} must match {_NAME_RE.pattern}")
            if d.name in names:
                raise SpecError(f"device name {d.name!r} is used twice")
            names.add(d.name)
            ip = d.ip
            if ip is None:
                try:
                    ip = next(free)
                except StopIteration:
                    raise SpecError("no static addresses left for devices") from None
            mac = self._mac_for(d, used_macs)
            used_macs.add(mac)
            ssdp = d.ssdp
            if ssdp is not None and ssdp.uuid is None:
                ssdp = replace(ssdp, uuid=_stable_uuid(self.name, d.name))
            dev = replace(d, ip=ip, mac=mac, hostname=d.hostname or d.name, ssdp=ssdp)
            out.append(with_placeholders(dev))
        return replace(self, devices=tuple(out))

    def _static_hosts(self) -> list[ipaddress.IPv4Address]:
        base = self.network.network_address
        last = self.network.num_addresses - 2
        low = range(10, self.lan.dhcp_start)
        high = range(self.lan.dhcp_end + 1, last + 1)
        return [base + i for i in (*low, *high)]

    def _mac_for(self, d: DeviceSpec, used: set[str]) -> str:
        if d.mac:
            mac = d.mac.lower()
            if not _MAC_RE.match(mac):
                raise SpecError(f"bad MAC {d.mac!r} for {d.name}")
            if int(mac[:2], 16) & 1:
                raise SpecError(f"MAC {mac} of {d.name} is a multicast address")
            if mac in used:
                raise SpecError(f"MAC {mac} is used twice")
            return mac
        salt = 0
        while True:
            digest = hashlib.sha256(f"{self.name}/{d.name}/{salt}".encode()).digest()
            if d.randomized_mac or d.vendor is None:
                # Locally administered, unicast: what phones use as private addresses.
                first = (digest[0] & 0xFC) | 0x02
                octets = [first, *digest[1:6]]
            else:
                if d.vendor not in VENDOR_OUIS:
                    raise SpecError(f"unknown vendor {d.vendor!r} for {d.name}")
                oui = VENDOR_OUIS[d.vendor][0]
                octets = [*bytes.fromhex(oui), *digest[:3]]
            mac = ":".join(f"{o:02x}" for o in octets)
            if mac not in used:
                return mac
            salt += 1

    # -- loading ----------------------------------------------------------------------

    @classmethod
    def from_toml(cls, path: str | Path) -> HomeSpec:
        with Path(path).open("rb") as fh:
            return cls.from_dict(tomllib.load(fh))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HomeSpec:
        """Build a spec from parsed TOML (see docs/virtual-home.md for the format)."""
        from homecare_lab.catalog import catalogue_devices, template_device

        _reject_unknown(
            data, {"name", "lan", "wan", "laptop", "devices", "generate", "igd"}, "home"
        )
        devices: list[DeviceSpec] = []
        for raw in data.get("devices", []):
            devices.append(_device_from_dict(raw, template_device))
        gen = data.get("generate")
        if gen is not None:
            _reject_unknown(gen, {"devices", "start"}, "generate")
            taken = {d.name for d in devices}
            extra = catalogue_devices(int(gen.get("devices", 0)), start=int(gen.get("start", 1)))
            devices.extend(d for d in extra if d.name not in taken)
        return cls(
            name=str(data.get("name", "home")),
            lan=_dataclass_from(LanSpec, data.get("lan", {}), "lan"),
            wan=_dataclass_from(WanSpec, data.get("wan", {}), "wan"),
            laptop=_dataclass_from(LaptopSpec, data.get("laptop", {}), "laptop"),
            devices=tuple(devices),
            igd=bool(data.get("igd", True)),
        )


def _stable_uuid(home: str, device: str) -> str:
    h = hashlib.sha256(f"upnp/{home}/{device}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _reject_unknown(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise SpecError(f"unknown key(s) in [{where}]: {', '.join(sorted(unknown))}")


def _dataclass_from(cls: type[_T], data: Mapping[str, Any], where: str) -> _T:
    fields = set(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    _reject_unknown(data, fields, where)
    return cls(**data)


def _device_from_dict(raw: Mapping[str, Any], template_device: Any) -> DeviceSpec:
    raw = dict(raw)
    template = raw.pop("template", None)
    services = raw.pop("services", None)
    ssdp = raw.pop("ssdp", None)
    tcp_ports = raw.pop("tcp_ports", None)
    _reject_unknown(raw, set(DeviceSpec.__dataclass_fields__), "devices")
    if "name" not in raw:
        raise SpecError("every [[devices]] entry needs a name")
    base: DeviceSpec = (
        template_device(str(template), raw["name"]) if template else DeviceSpec(name=raw["name"])
    )
    dev = replace(base, **raw)
    if services is not None:
        dev = replace(dev, services=tuple(_service_from_dict(s) for s in services))
    if ssdp is not None:
        dev = replace(dev, ssdp=_dataclass_from(SsdpSpec, ssdp, "devices.ssdp"))
    if tcp_ports is not None:
        dev = replace(dev, tcp_ports=tuple(int(p) for p in tcp_ports))
    return dev


def _service_from_dict(raw: Mapping[str, Any]) -> ServiceSpec:
    _reject_unknown(raw, set(ServiceSpec.__dataclass_fields__), "devices.services")
    txt = {str(k): str(v) for k, v in dict(raw.get("txt", {})).items()}
    return ServiceSpec(type=str(raw["type"]), port=int(raw["port"]), name=raw.get("name"), txt=txt)


def services_of(devices: Sequence[DeviceSpec]) -> list[tuple[str, ServiceSpec]]:
    """Every (device name, service) pair, for ground truth and tests."""
    return [(d.name, s) for d in devices for s in d.services]
