"""Which Wi-Fi tools to ask, in which order, and how to merge their answers.

Linux: ``iw`` first (exact figures, cached scan, router-mode station dump),
then ``nmcli`` for what iw could not give, then ``/proc/net/wireless`` for a
bare signal level. macOS: ``system_profiler`` (link and cached neighbours),
``wdutil`` only to fill gaps (it needs root). Windows: ``netsh``. Nothing here
ever triggers a fresh scan: ``iw scan dump``, ``--rescan no`` and netsh's
list all read the cache, so collecting never drops the user's link.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from homecare.i18n import _
from homecare.models.wifi import WifiData, WifiLink, WifiNetwork, WifiStation
from homecare.probes.wifi.channels import channel_advice
from homecare.probes.wifi.parsers.iw_dev import parse_iw_dev
from homecare.probes.wifi.parsers.iw_link import parse_iw_link
from homecare.probes.wifi.parsers.iw_scan import parse_iw_scan
from homecare.probes.wifi.parsers.iw_station import parse_iw_station_dump
from homecare.probes.wifi.parsers.netsh import parse_netsh_interfaces, parse_netsh_networks
from homecare.probes.wifi.parsers.nmcli import NMCLI_FIELDS, parse_nmcli_wifi_list
from homecare.probes.wifi.parsers.proc_wireless import parse_proc_net_wireless
from homecare.probes.wifi.parsers.system_profiler import parse_system_profiler
from homecare.probes.wifi.parsers.wdutil import parse_wdutil_info
from homecare.probes.wifi.radio import link_from_network
from homecare.probes.wifi.runner import CommandResult, Runner, run_command

PROC_NET_WIRELESS = Path("/proc/net/wireless")
NO_SOURCE = "none"


@dataclass
class _Session:
    """One collection run: the time budget, what was used, what went wrong."""

    runner: Runner
    which: Callable[[str], str | None]
    deadline: float
    command_timeout_s: float
    sources: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    wifi_seen: bool = False

    def run(self, argv: Sequence[str]) -> CommandResult:
        remaining = self.deadline - time.monotonic()
        if remaining < 0.05:
            result = CommandResult("", None, "no time left")
        else:
            result = self.runner(argv, min(self.command_timeout_s, remaining))
        if not result.ok:
            self.problems.append(f"{' '.join(argv[:3])}: {result.error}")
        return result

    def used(self, source: str) -> None:
        if source not in self.sources:
            self.sources.append(source)


def _merge_link(primary: WifiLink | None, extra: WifiLink | None) -> WifiLink | None:
    """Fill the gaps of *primary* with *extra*'s figures (same association only)."""
    if primary is None or not primary.connected:
        return extra if extra is not None and extra.connected else primary or extra
    if extra is None or not extra.connected:
        return primary
    if primary.bssid and extra.bssid and primary.bssid != extra.bssid:
        return primary
    filled = primary.model_dump()
    for key, value in extra.model_dump().items():
        if filled.get(key) is None and value is not None:
            filled[key] = value
    return WifiLink.model_validate(filled)


@dataclass
class _Found:
    link: WifiLink | None = None
    networks: list[WifiNetwork] = field(default_factory=list)
    stations: list[WifiStation] = field(default_factory=list)


def _collect_iw(s: _Session, found: _Found) -> None:
    result = s.run(["iw", "dev"])
    if not result.ok:
        return
    ifaces = parse_iw_dev(result.stdout)
    if not ifaces:
        return
    s.wifi_seen = True
    s.used("iw")
    for iface in ifaces:
        if iface.is_ap:
            dump = s.run(["iw", "dev", iface.name, "station", "dump"])
            if dump.ok:
                for sta in parse_iw_station_dump(dump.stdout, band=iface.band):
                    found.stations.append(
                        sta if sta.interface else sta.model_copy(update={"interface": iface.name})
                    )
            continue
        if (iface.type or "managed").lower() != "managed":
            continue
        link_out = s.run(["iw", "dev", iface.name, "link"])
        if link_out.ok:
            link = parse_iw_link(link_out.stdout, interface=iface.name)
            if link.connected:
                if iface.width_mhz:
                    # iw dev knows the operating width; the bitrate only the last frame's.
                    link = link.model_copy(update={"channel_width_mhz": iface.width_mhz})
                link = _with_counters(s, link)
            found.link = _merge_link(found.link, link)
        scan = s.run(["iw", "dev", iface.name, "scan", "dump"])
        if scan.ok:
            found.networks.extend(parse_iw_scan(scan.stdout))


def _with_counters(s: _Session, link: WifiLink) -> WifiLink:
    """Add the AP entry's retry/failure counters from the client's station dump."""
    dump = s.run(["iw", "dev", link.interface or "", "station", "dump"])
    if not dump.ok:
        return link
    peers = parse_iw_station_dump(dump.stdout)
    peer = next((p for p in peers if p.mac == link.bssid), peers[0] if peers else None)
    if peer is None:
        return link
    return link.model_copy(
        update={
            "tx_retries": peer.tx_retries,
            "tx_failed": peer.tx_failed,
            "tx_packets": peer.tx_packets,
        }
    )


def _collect_nmcli(s: _Session, found: _Found) -> None:
    argv = ["nmcli", "-t", "-f", ",".join(NMCLI_FIELDS), "dev", "wifi", "list", "--rescan", "no"]
    result = s.run(argv)
    if not result.ok:
        return
    rows = parse_nmcli_wifi_list(result.stdout)
    if not rows:
        return
    s.wifi_seen = True
    s.used("nmcli")
    if not found.networks:
        found.networks = [net for net, _rate in rows]
    active = next(((n, r) for n, r in rows if n.in_use), None)
    if active is not None:
        interface = found.link.interface if found.link else None
        found.link = _merge_link(found.link, link_from_network(active[0], interface, active[1]))


def _collect_proc(s: _Session, found: _Found, path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    rows = parse_proc_net_wireless(text)
    if not rows:
        return
    s.wifi_seen = True
    link = found.link
    wanted = link.interface if link is not None else None
    row = next((r for r in rows if r.interface == wanted), None) or next(
        (r for r in rows if r.signal_dbm is not None), None
    )
    if row is None or row.signal_dbm is None:
        return
    s.used("/proc/net/wireless")
    if link is None or not link.connected:
        found.link = WifiLink(
            interface=row.interface,
            connected=True,
            signal_dbm=row.signal_dbm,
            noise_dbm=row.noise_dbm,
        )
    elif link.signal_dbm is None:
        found.link = link.model_copy(update={"signal_dbm": row.signal_dbm})


def _collect_linux(s: _Session, found: _Found, proc_path: Path) -> None:
    if s.which("iw"):
        _collect_iw(s, found)
    link_ok = found.link is not None and found.link.connected and found.link.signal_dbm is not None
    if s.which("nmcli") and (not link_ok or not found.networks):
        _collect_nmcli(s, found)
    if found.link is None or found.link.signal_dbm is None:
        _collect_proc(s, found, proc_path)


def _collect_macos(s: _Session, found: _Found) -> None:
    if s.which("system_profiler"):
        result = s.run(["system_profiler", "SPAirPortDataType", "-json"])
        if result.ok:
            link, networks = parse_system_profiler(result.stdout)
            if link is not None:
                s.wifi_seen = True
                s.used("system_profiler")
                found.link = link
                found.networks.extend(networks)
    link = found.link
    needs_more = link is None or (
        link.connected and (link.signal_dbm is None or link.bssid is None)
    )
    if needs_more and s.which("wdutil"):
        result = s.run(["wdutil", "info"])
        extra = parse_wdutil_info(result.stdout) if result.ok else None
        if extra is not None:
            s.wifi_seen = True
            s.used("wdutil")
            found.link = _merge_link(found.link, extra)


def _collect_windows(s: _Session, found: _Found) -> None:
    if not s.which("netsh"):
        return
    result = s.run(["netsh", "wlan", "show", "interfaces"])
    links = parse_netsh_interfaces(result.stdout) if result.ok else []
    if not links:
        return
    s.wifi_seen = True
    s.used("netsh")
    found.link = next((lk for lk in links if lk.connected), links[0])
    nets = s.run(["netsh", "wlan", "show", "networks", "mode=bssid"])
    if nets.ok:
        found.networks.extend(parse_netsh_networks(nets.stdout))


def _finish(found: _Found) -> tuple[WifiLink | None, list[WifiNetwork]]:
    """Mark our own BSS among the neighbours and borrow its width if the link lacks one."""
    link = found.link
    networks = found.networks
    if link is None or not link.connected or not link.bssid:
        return link, networks
    marked: list[WifiNetwork] = []
    for net in networks:
        if net.bssid == link.bssid:
            net = net.model_copy(update={"in_use": True})
            if link.channel_width_mhz is None and net.channel_width_mhz is not None:
                link = link.model_copy(update={"channel_width_mhz": net.channel_width_mhz})
        marked.append(net)
    return link, marked


def collect_wifi(
    *,
    runner: Runner = run_command,
    which: Callable[[str], str | None] = shutil.which,
    platform: str = sys.platform,
    proc_path: Path = PROC_NET_WIRELESS,
    budget_s: float = 5.0,
    command_timeout_s: float = 3.0,
) -> WifiData:
    """Ask the tools this host has; ``source == "none"`` means no Wi-Fi was found."""
    s = _Session(
        runner=runner,
        which=which,
        deadline=time.monotonic() + budget_s,
        command_timeout_s=command_timeout_s,
    )
    found = _Found()
    if platform.startswith("linux"):
        _collect_linux(s, found, proc_path)
    elif platform == "darwin":
        _collect_macos(s, found)
    elif platform in ("win32", "cygwin"):
        _collect_windows(s, found)
    link, networks = _finish(found)
    if not s.wifi_seen:
        note = _("No Wi-Fi adapter or Wi-Fi tool found on this device.")
        if s.problems:
            note += " " + _("Tools that failed: {problems}").format(problems="; ".join(s.problems))
        return WifiData(source=NO_SOURCE, note=note)
    note = _("Collected with {tools}.").format(tools=", ".join(s.sources) or "-")
    if s.problems:
        note += " " + _("Tools that failed: {problems}").format(problems="; ".join(s.problems))
    return WifiData(
        source="+".join(s.sources) or NO_SOURCE,
        link=link,
        networks=networks,
        stations=found.stations,
        channels=channel_advice(networks, link),
        note=note,
    )
