"""The ``devices`` probe: who is on the home network.

Runs the sources concurrently (ARP or neighbour sweep, mDNS, SSDP, each in
its own thread) within the run's remaining time, reads DHCP leases when this
machine is the router, and merges it all into one inventory. Nicknames and
the comparison with the previous inventory belong to the caller (see
:func:`~homecare.probes.discovery.inventory.apply_comparison` and
:func:`~homecare.probes.discovery.inventory.apply_nicknames`).
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from homecare.i18n import _
from homecare.models.devices import DevicesData
from homecare.models.host import HostData
from homecare.probes.base import ProbeContext, ProbeSkipped
from homecare.probes.discovery import arp_sweep, dhcp_servers, leases, mdns, neighbours, ssdp
from homecare.probes.discovery.dhcp_servers import DhcpOffer
from homecare.probes.discovery.inventory import Sources, merge
from homecare.probes.discovery.records import Lease, MdnsService, Neighbour, SsdpDevice

#: Largest subnet swept in full: /22 is 1022 addresses, a few seconds of ARP.
MAX_SWEEP_PREFIX = 22


@dataclass(frozen=True)
class Lan:
    """The LAN as the host probe saw it."""

    interface: str
    ip: str
    prefix_len: int
    mac: str | None
    gateway: str | None

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Interface(f"{self.ip}/{self.prefix_len}").network


def lan_from_host(host: HostData) -> Lan | None:
    """Primary interface, its IPv4 address and prefix, and the IPv4 gateway."""
    iface = next((i for i in host.interfaces if i.name == host.primary_interface), None)
    if iface is None:
        return None
    addr = next(
        (a for a in iface.addresses if a.family == "ipv4" and a.prefix_len is not None), None
    )
    if addr is None or addr.prefix_len is None:
        return None
    mac = next((a.address for a in iface.addresses if a.family == "mac"), None) or iface.mac
    gateway = next(
        (
            r.gateway
            for r in host.default_routes
            if r.family == "ipv4" and r.interface in (None, iface.name)
        ),
        None,
    )
    return Lan(iface.name, addr.address, addr.prefix_len, mac, gateway)


def sweep_targets(lan: Lan) -> tuple[list[str], str, str | None]:
    """Addresses to sweep, the swept network as text, and a note if it was cut down."""
    net = lan.network
    if net.prefixlen >= 31:
        return [], str(net), None
    note = None
    if net.prefixlen < MAX_SWEEP_PREFIX:
        swept = ipaddress.IPv4Interface(f"{lan.ip}/{MAX_SWEEP_PREFIX}").network
        note = _(
            "The subnet {subnet} has {count} addresses, more than homecare sweeps; "
            "only the {swept} around this computer was swept."
        ).format(subnet=net, count=net.num_addresses, swept=swept)
        net = swept
    return [str(h) for h in net.hosts()], str(net), note


class DevicesProbe:
    """Inventory of the devices on the LAN (``homecare check devices``)."""

    name = "devices"
    area = "devices"
    requires: tuple[str, ...] = ("host",)
    #: run beside it in a targeted check, so a dead router is not blamed elsewhere
    supporting: tuple[str, ...] = ("reachability",)
    timeout_s = 12.0

    def __init__(
        self,
        ssdp_target: tuple[str, int] = ssdp.SSDP_GROUP,
        lease_files: tuple[Iterable[Path], Iterable[Path]] | None = None,
        use_scapy: bool = False,
    ) -> None:
        self.ssdp_target = ssdp_target
        self.lease_files = lease_files
        self.use_scapy = use_scapy

    def run(self, ctx: ProbeContext) -> DevicesData:
        host_obs = ctx.results.get("host")
        host = host_obs.data if host_obs is not None else None
        if not isinstance(host, HostData):
            raise ProbeSkipped(_("No information about this computer's network interfaces."))
        lan = lan_from_host(host)
        if lan is None:
            raise ProbeSkipped(_("This computer has no IPv4 address on a local network."))
        return discover(lan, ctx, self.ssdp_target, self.lease_files, self.use_scapy)


def discover(
    lan: Lan,
    ctx: ProbeContext,
    ssdp_target: tuple[str, int] = ssdp.SSDP_GROUP,
    lease_files: tuple[Iterable[Path], Iterable[Path]] | None = None,
    use_scapy: bool = False,
) -> DevicesData:
    """Run every source in parallel against *lan* and merge the results."""
    start = time.monotonic()
    budget = min(ctx.remaining(), DevicesProbe.timeout_s)
    deadline = start + max(0.5, budget - 0.3)
    targets, subnet, size_note = sweep_targets(lan)
    mdns_wait = min(1.5 if ctx.quick else 2.5, budget * 0.5)
    ssdp_wait = min(1.5 if ctx.quick else 2.0, budget * 0.4)
    notes: list[str] = [size_note] if size_note else []

    ctx.progress(_("Looking for devices on {subnet}").format(subnet=subnet))
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="homecare-disc") as pool:
        dhcp_f: Future[list[DhcpOffer]] | None = None
        if ctx.privileged and lan.mac:
            dhcp_f = pool.submit(
                dhcp_servers.find_servers, lan.interface, lan.mac, min(3.0, budget * 0.3)
            )
        sweep_f: Future[tuple[list[Neighbour], str, str]] = pool.submit(
            _sweep, lan, targets, deadline, ctx.privileged, use_scapy
        )
        mdns_f: Future[tuple[list[MdnsService], int]] = pool.submit(
            mdns.browse, lan.ip, mdns_wait, deadline
        )
        ssdp_f: Future[list[SsdpDevice]] = pool.submit(
            ssdp.discover, lan.ip, ssdp_wait, deadline, ssdp_target
        )
        # Each source is contained: whatever one device sends to one of them
        # (a malformed mDNS type, an XML description in an unknown
        # encoding) costs that source and a note, never the inventory.
        lease_list: list[Lease] = []
        lease_paths: list[str] = []
        try:
            lease_list, lease_paths = (
                leases.read_leases(*lease_files) if lease_files else leases.read_leases()
            )
        except Exception as exc:
            notes.append(_("Reading the DHCP leases failed: {error}").format(error=_why(exc)))
        try:
            found, method, how = sweep_f.result()
        except Exception as exc:
            found, method, how = [], "neighbour-table", "proc"
            notes.append(_("The address sweep failed: {error}").format(error=_why(exc)))
        mdns_services: list[MdnsService] = []
        try:
            mdns_services, dropped = mdns_f.result()
            if dropped:
                notes.append(
                    _("{count} mDNS announcements were ignored (too many to keep).").format(
                        count=dropped
                    )
                )
        except Exception as exc:
            notes.append(_("mDNS browsing failed: {error}").format(error=_why(exc)))
        ssdp_devices: list[SsdpDevice] = []
        try:
            ssdp_devices = ssdp_f.result()
        except Exception as exc:
            notes.append(_("SSDP search failed: {error}").format(error=_why(exc)))

        servers: list[str] | None = None
        if dhcp_f is not None:
            try:
                servers = [o.server_id for o in dhcp_f.result()]
            except Exception as exc:
                notes.append(_("The DHCP server check failed: {error}").format(error=_why(exc)))

    method_note = _method_note(method, how, subnet, len(targets))
    if lease_paths:
        notes.append(_("DHCP leases read from {files}.").format(files=", ".join(lease_paths)))
    devices = merge(
        Sources(
            neighbours=found,
            neighbour_source="arp" if method == "arp-sweep" else "neighbour-table",
            mdns=mdns_services,
            ssdp=ssdp_devices,
            leases=_on_lan(lease_list, lan),
            self_ip=lan.ip,
            self_mac=lan.mac.lower() if lan.mac else None,
            gateway_ip=lan.gateway,
        )
    )
    return DevicesData(
        method=method,
        method_note=" ".join([method_note, *notes]),
        subnet=subnet,
        devices=devices,
        dhcp_servers=servers,
    )


def _why(exc: BaseException) -> str:
    """One short line for a note: the message, or the exception's name."""
    text = " ".join(str(exc).split())[:160]
    return text or type(exc).__name__


def _on_lan(items: list[Lease], lan: Lan) -> list[Lease]:
    """IPv4 leases outside this subnet (a guest network, say) are left out."""
    out = []
    for lease in items:
        try:
            addr = ipaddress.ip_address(lease.ip)
        except ValueError:
            continue
        if addr.version == 6 or addr in lan.network:
            out.append(lease)
    return out


def _sweep(
    lan: Lan, targets: list[str], deadline: float, privileged: bool, use_scapy: bool
) -> tuple[list[Neighbour], str, str]:
    """(neighbours, method, how the table was read)."""
    if privileged and targets:
        try:
            found = arp_sweep.sweep(
                lan.interface, lan.ip, lan.mac, targets, deadline, use_scapy=use_scapy
            )
            # What the kernel already knows costs nothing and covers a device
            # that happened to miss both passes.
            table, _how = neighbours.read_table(lan.interface)
            known = {n.ip for n in found}
            wanted = set(targets)
            found += [n for n in table if n.mac and n.ip not in known and n.ip in wanted]
            return found, "arp-sweep", "arp"
        except PermissionError:
            pass
    found, how = neighbours.sweep(targets, lan.interface, lan.ip, deadline)
    return found, "neighbour-table", how


def _method_note(method: str, how: str, subnet: str, count: int) -> str:
    if method == "arp-sweep":
        return _("ARP sweep of {subnet} ({count} addresses).").format(subnet=subnet, count=count)
    source = "ip neigh" if how == "ip" else "/proc/net/arp"
    return _(
        "Without administrator rights homecare cannot send ARP itself: it made the system "
        "resolve each of the {count} addresses of {subnet} and read its neighbour table "
        "({source}). Run as administrator (sudo) for a full ARP sweep, which also finds "
        "devices that stay silent to this."
    ).format(count=count, subnet=subnet, source=source)
