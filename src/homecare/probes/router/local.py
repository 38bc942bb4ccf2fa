"""Router mode: homecare running on the Linux router itself.

Here nothing needs a password: the DHCP server's lease file names every LAN
device, ``iw dev IF station dump`` on each access-point radio says how well
the router hears each Wi-Fi client, the WAN interface's own counters give
the load, and conntrack's per-flow byte counts say which LAN device is using
the line right now. Only files and local commands are read; nothing is sent.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from homecare.models.router import RouterClient, WanCounters
from homecare.probes.discovery import leases as lease_files
from homecare.probes.router.reading import Reading
from homecare.probes.router.soap import RouterError

PROC_ROUTE = Path("/proc/net/route")
PROC_DEV = Path("/proc/net/dev")
IP_FORWARD = Path("/proc/sys/net/ipv4/ip_forward")
MAX_OUTPUT = 4 * 1024 * 1024
MAX_FLOWS = 65536
_FIELD = re.compile(r"(src|dst|bytes)=(\S+)")


def _run(argv: Sequence[str], timeout: float) -> str | None:
    """A local command's output, or None if it is missing, fails or says too much."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        proc = subprocess.run(
            list(argv), capture_output=True, timeout=max(0.2, timeout), check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0 or len(proc.stdout) > MAX_OUTPUT:
        return None
    return proc.stdout.decode("utf-8", errors="replace")


def default_route_interface(route_table: str) -> str | None:
    """The interface of the IPv4 default route, from ``/proc/net/route``."""
    for line in route_table.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[1] == "00000000":
            return parts[0]
    return None


def interface_counters(proc_dev: str, interface: str) -> tuple[int, int] | None:
    """(received, sent) bytes of *interface* from ``/proc/net/dev`` (64-bit)."""
    for line in proc_dev.splitlines()[2:]:
        name, sep, rest = line.partition(":")
        if not sep or name.strip() != interface:
            continue
        fields = rest.split()
        if len(fields) >= 9 and fields[0].isdigit() and fields[8].isdigit():
            return int(fields[0]), int(fields[8])
    return None


def looks_like_router() -> bool:
    """Forwarding on and a DHCP lease file present: homecare runs on the router."""
    try:
        forwarding = IP_FORWARD.read_text().strip() == "1"
    except OSError:
        return False
    files = (*lease_files.DNSMASQ_FILES, *lease_files.ODHCPD_FILES)
    return forwarding and any(p.is_file() for p in files)


def conntrack_per_device(
    text: str, lan: ipaddress.IPv4Network | ipaddress.IPv6Network | None
) -> dict[str, tuple[int, int]]:
    """Bytes (to the device, from the device) per LAN address, from ``conntrack -L``.

    Each flow line holds the original direction (``src`` = the LAN device)
    then the reply direction, each with its own ``bytes=`` when accounting
    is on (``net.netfilter.nf_conntrack_acct=1``).
    """
    usage: dict[str, list[int]] = {}
    for line in text.splitlines()[:MAX_FLOWS]:
        fields = _FIELD.findall(line)
        src = next((v for k, v in fields if k == "src"), None)
        counted = [int(v) for k, v in fields if k == "bytes" and v.isdigit()]
        if src is None or len(counted) < 2:
            continue
        try:
            addr = ipaddress.ip_address(src)
        except ValueError:
            continue
        if lan is not None and addr not in lan:
            continue
        if lan is None and not addr.is_private:
            continue
        entry = usage.setdefault(str(addr), [0, 0])
        entry[0] += counted[1]  # reply direction: towards the device
        entry[1] += counted[0]
    return {ip: (down, up) for ip, (down, up) in usage.items()}


class LocalRouter:
    """Reads this machine as the home's router."""

    def __init__(
        self,
        lease_paths: Iterable[Path] | None = None,
        wan_interface: str | None = None,
        lan_network: str | None = None,
        timeout: float = 3.0,
    ) -> None:
        self.lease_paths = list(lease_paths) if lease_paths is not None else None
        self.wan_interface = wan_interface
        self.lan = ipaddress.ip_network(lan_network, strict=False) if lan_network else None
        self.timeout = timeout

    def _wan(self) -> str | None:
        if self.wan_interface:
            return self.wan_interface
        try:
            return default_route_interface(PROC_ROUTE.read_text())
        except OSError:
            return None

    def byte_counters(self) -> tuple[int, int]:
        wan = self._wan()
        try:
            counters = interface_counters(PROC_DEV.read_text(), wan) if wan else None
        except OSError:
            counters = None
        if counters is None:
            raise RouterError("local: WAN interface counters unreadable")
        return counters

    def read(self) -> Reading:
        out = Reading(source="local", sample=self.byte_counters, counter_bits=64)
        try:
            out.uptime_s = int(float(Path("/proc/uptime").read_text().split()[0]))
        except (OSError, ValueError, IndexError):
            out.errors.append("local: uptime unreadable")
        wan = self._wan()
        out.wan_status = "Connected" if wan else "Disconnected"
        try:
            rx, tx = self.byte_counters()
            out.counters = WanCounters(bits=64, bytes_received=rx, bytes_sent=tx)
        except RouterError as exc:
            out.errors.append(str(exc))
        out.clients = self._clients()
        if not out.clients:
            out.errors.append("local: no DHCP leases found")
        return out

    def _clients(self) -> list[RouterClient]:
        if self.lease_paths is not None:
            found, _used = lease_files.read_leases(self.lease_paths, ())
        else:
            found, _used = lease_files.read_leases()
        by_mac: dict[str, RouterClient] = {}
        by_ip: dict[str, RouterClient] = {}
        for lease in found:
            client = RouterClient(mac=lease.mac, ip=lease.ip, hostname=lease.hostname)
            if lease.mac:
                by_mac[lease.mac] = client
            by_ip[lease.ip] = client
        self._stations(by_mac)
        flows = _run(["conntrack", "-L", "-f", "ipv4"], self.timeout)
        if flows is not None:
            for ip, (down, up) in conntrack_per_device(flows, self.lan).items():
                client = by_ip.setdefault(ip, RouterClient(ip=ip))
                client.down_bytes, client.up_bytes = down, up
        seen: set[int] = set()
        clients = []
        for client in [*by_mac.values(), *by_ip.values()]:
            if id(client) not in seen:
                seen.add(id(client))
                clients.append(client)
        return clients

    def _stations(self, by_mac: dict[str, RouterClient]) -> None:
        from homecare.probes.wifi.parsers.iw_dev import parse_iw_dev
        from homecare.probes.wifi.parsers.iw_station import parse_iw_station_dump

        listing = _run(["iw", "dev"], self.timeout)
        if listing is None:
            return
        for radio in [i for i in parse_iw_dev(listing) if i.is_ap][:8]:
            dump = _run(["iw", "dev", radio.name, "station", "dump"], self.timeout)
            for station in parse_iw_station_dump(dump or "", radio.band):
                client = by_mac.setdefault(station.mac, RouterClient(mac=station.mac))
                client.wifi = True
                client.radio = radio.name
                client.signal_dbm = (
                    float(station.signal_dbm) if station.signal_dbm is not None else None
                )
                client.tx_mbit = station.tx_rate_mbps
                client.rx_mbit = station.rx_rate_mbps
