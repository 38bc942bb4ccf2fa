"""mDNS / DNS-SD browsing with python-zeroconf.

Printers, speakers, TVs, cameras, smart-home hubs and Apple devices announce
themselves over multicast DNS; their TXT records often name the exact model
(``md=``, ``model=``, ``ty=``). The browse is bound to the LAN interface's
address only, lasts a bounded time, and keeps a bounded number of service
types and instances: a device (or an attacker) flooding announcements cannot
make homecare's memory grow without limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from homecare.probes.discovery.records import MdnsService

#: What homes run, by what it reveals: printers, media, smart home, computers.
_TCP_TYPES = (
    "ipp",
    "ipps",
    "printer",
    "pdl-datastream",
    "scanner",
    "uscan",
    "googlecast",
    "airplay",
    "raop",
    "spotify-connect",
    "sonos",
    "hap",
    "homekit",
    "matter",
    "matterc",
    "smb",
    "afpovertcp",
    "ssh",
    "sftp-ssh",
    "http",
    "rtsp",
    "axis-video",
    "companion-link",
    "device-info",
    "workstation",
    "amzn-wplay",
    "androidtvremote2",
    "nvstream",
    "hue",
    "daap",
    "touch-able",
    "mediaremotetv",
    "nut",
    "esphomelib",
    "shelly",
    "home-assistant",
    "adisk",
    "googlezone",
    "miio",
    "elg",
)
DEFAULT_TYPES = (*(f"_{t}._tcp.local." for t in _TCP_TYPES), "_sleep-proxy._udp.local.")
SERVICES_META = "_services._dns-sd._udp.local."
MAX_TYPES = 96
MAX_INSTANCES = 512
MAX_TXT_KEYS = 32
MAX_TXT_VALUE = 255
MAX_TXT_BYTES = 4096


def parse_txt(raw: bytes) -> dict[str, str]:
    """Decode TXT rdata (length-prefixed ``key=value`` strings, RFC 6763 §6).

    Keys are case-insensitive (lower-cased); the first occurrence wins;
    keys without ``=`` become empty strings; sizes are capped.
    """
    out: dict[str, str] = {}
    data = raw[:MAX_TXT_BYTES]
    i = 0
    while i < len(data) and len(out) < MAX_TXT_KEYS:
        length = data[i]
        chunk = data[i + 1 : i + 1 + length]
        i += 1 + length
        if not chunk or chunk.startswith(b"="):
            continue
        key_b, _, value_b = chunk.partition(b"=")
        key = key_b.decode("ascii", errors="replace").strip().lower()
        if not key or key in out:
            continue
        value = value_b.decode("utf-8", errors="replace")
        out[key] = "".join(c for c in value if c.isprintable())[:MAX_TXT_VALUE]
    return out


def instance_label(name: str, type_: str) -> str:
    """'Living Room._googlecast._tcp.local.' -> 'Living Room'."""
    if name.lower().endswith("." + type_.lower()):
        return name[: -len(type_) - 1]
    return name.split(".", 1)[0]


def short_type(type_: str) -> str:
    """'_ipp._tcp.local.' -> '_ipp._tcp'."""
    return type_.removesuffix(".").removesuffix(".local")


def _valid_type(name: str) -> bool:
    """A service type as enumerated by ``_services._dns-sd._udp``: ``_x._tcp.local.``.

    Checked with the very rule ``ServiceBrowser`` applies (zeroconf's
    ``service_type_name(..., strict=False)``) as well, because a type it
    refuses makes the browser raise (``_x--y._tcp``, ``_-x._tcp``; ``_._tcp``
    even raises ``IndexError``): one device announcing such a type must not
    end the browse for everyone else.
    """
    parts = name.lower().split(".")
    shaped = (
        len(name) <= 80
        and len(parts) == 4
        and parts[0].startswith("_")
        and parts[1] in ("_tcp", "_udp")
        and parts[2] == "local"
        and parts[3] == ""
    )
    if not shaped:
        return False
    from zeroconf._utils.name import service_type_name  # what ServiceBrowser calls

    try:
        service_type_name(name, strict=False)
    except Exception:  # zeroconf raises several types for hostile names
        return False
    return True


@dataclass
class Collector:
    """Thread-safe, bounded record of what the browsers saw.

    Zeroconf calls :meth:`on_change` from its own thread; the probe reads the
    result from another. Anything beyond the caps is counted, not kept.
    """

    max_types: int = MAX_TYPES
    max_instances: int = MAX_INSTANCES
    types: set[str] = field(default_factory=set)
    pending_types: list[str] = field(default_factory=list)
    instances: dict[tuple[str, str], None] = field(default_factory=dict)
    dropped: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_types(self, names: Iterable[str]) -> None:
        with self._lock:
            for name in names:
                self._add_type(name)

    def _add_type(self, name: str) -> None:
        key = name.lower()
        if key in self.types:
            return
        if len(self.types) >= self.max_types or not _valid_type(name):
            self.dropped += 1
            return
        self.types.add(key)
        self.pending_types.append(name)

    def on_change(self, service_type: str, name: str) -> None:
        with self._lock:
            if service_type.lower() == SERVICES_META:
                self._add_type(name)
                return
            key = (service_type, name)
            if key in self.instances:
                return
            if len(self.instances) >= self.max_instances or len(name) > 300:
                self.dropped += 1
                return
            self.instances[key] = None

    def count_dropped(self, n: int) -> None:
        with self._lock:
            self.dropped += n

    def take_pending(self) -> list[str]:
        with self._lock:
            out, self.pending_types = self.pending_types, []
            return out

    def snapshot(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self.instances)


def _info_to_service(info: Any, type_: str, name: str) -> MdnsService:
    addresses: list[str] = []
    try:
        addresses = [str(a) for a in info.parsed_scoped_addresses()][:16]
    except (ValueError, TypeError, OSError):
        addresses = []
    raw_txt = info.text if isinstance(info.text, bytes) else b""
    server = info.server if isinstance(info.server, str) else None
    port = info.port if isinstance(info.port, int) and 0 < info.port < 65536 else None
    return MdnsService(
        type=short_type(type_),
        instance=instance_label(name, type_),
        server=server.rstrip(".") if server else None,
        port=port,
        addresses=tuple(addresses),
        txt=parse_txt(raw_txt),
    )


def _resolve(zc: Any, type_: str, name: str, timeout: float) -> MdnsService | None:
    from zeroconf import BadTypeInNameException, ServiceInfo

    try:
        info = ServiceInfo(type_, name)
    except (BadTypeInNameException, ValueError, TypeError, IndexError):
        return None
    try:
        complete = info.load_from_cache(zc)
        if not complete and timeout > 0.05:
            info.request(zc, int(timeout * 1000))
    except (OSError, RuntimeError, ValueError):
        pass
    if info.server is None and info.port is None and not info.text:
        return None
    return _info_to_service(info, type_, name)


def _resolve_contained(zc: Any, type_: str, name: str, timeout: float) -> MdnsService | None:
    """One instance's records came from a device we do not control: whatever
    resolving them raises costs that instance only."""
    try:
        return _resolve(zc, type_, name, timeout)
    except Exception:
        return None


def browse(
    interface_ip: str | None,
    wait: float,
    deadline: float,
    types: Iterable[str] = DEFAULT_TYPES,
    enumerate_types: bool = True,
    max_types: int = MAX_TYPES,
    max_instances: int = MAX_INSTANCES,
) -> tuple[list[MdnsService], int]:
    """Browse for *wait* seconds, then resolve what was seen before *deadline*.

    Returns the resolved services and how many announcements were dropped
    by the caps.
    """
    from zeroconf import IPVersion, ServiceBrowser, ServiceStateChange, Zeroconf

    collector = Collector(max_types=max_types, max_instances=max_instances)
    collector.add_types(types)

    def handler(
        zeroconf: Any, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is not ServiceStateChange.Removed:
            collector.on_change(service_type, name)

    zc = Zeroconf(
        interfaces=[interface_ip] if interface_ip else ["127.0.0.1"],
        ip_version=IPVersion.V4Only,
    )
    browsers: list[Any] = []
    try:
        first = collector.take_pending()
        if enumerate_types:
            first.append(SERVICES_META)
        browsers.append(ServiceBrowser(zc, first, handlers=[handler]))
        end = min(deadline, time.monotonic() + wait)
        while time.monotonic() < end:
            time.sleep(0.05)
            extra = collector.take_pending()
            if extra and len(browsers) < 16:
                try:
                    browsers.append(ServiceBrowser(zc, extra, handlers=[handler]))
                except Exception:  # validated already; a type zeroconf still refuses
                    collector.count_dropped(len(extra))  # costs only this batch
        for b in browsers:
            b.cancel()
        found = collector.snapshot()
        resolve_budget = max(0.0, min(1.5, deadline - time.monotonic() - 0.1))
        services: list[MdnsService] = []
        if found:
            with ThreadPoolExecutor(max_workers=min(16, len(found))) as pool:
                futures = [
                    pool.submit(_resolve_contained, zc, t, n, resolve_budget) for t, n in found
                ]
                for fut in futures:
                    svc = fut.result()
                    if svc is not None:
                        services.append(svc)
        return services, collector.dropped
    finally:
        zc.close()


def txt_model(txt: Mapping[str, str]) -> str | None:
    """The model a TXT record names, in the keys vendors actually use."""
    for key in ("md", "model", "ty", "usb_mdl", "am", "mdl"):
        value = txt.get(key)
        if value and value.strip():
            return value.strip()[:80]
    return None
