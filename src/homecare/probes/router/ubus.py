"""OpenWrt through its ubus JSON-RPC endpoint (``/ubus``, served by uhttpd).

Called directly with httpx: the Python wrappers for it are unmaintained, and
the protocol is one JSON-RPC ``call`` per read. Replies are bounded (size and
total time) and every field is checked for its type before use, since a
reply is input from a device we do not control.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import httpx

from homecare.models.router import RouterClient, RouterRadio, WanCounters
from homecare.probes.router.reading import Reading
from homecare.probes.router.soap import RouterError

NO_SESSION = "0" * 32
MAX_REPLY_BYTES = 1024 * 1024
MAX_CLIENTS = 512
#: ubus status codes (libubus ``enum ubus_msg_status``)
UBUS_PERMISSION_DENIED = 6


class UbusAuthRefused(RouterError):
    """rpcd refused the login."""


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: object, limit: int = 64) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _count(value: object) -> int | None:
    number = _num(value)
    return int(number) if number is not None and number >= 0 else None


def parse_reply(body: bytes) -> Any:
    """The ``result`` payload of one JSON-RPC reply; RouterError on anything else."""
    try:
        reply = json.loads(body)
    except (ValueError, RecursionError):
        raise RouterError("ubus: not JSON") from None
    if not isinstance(reply, dict):
        raise RouterError("ubus: not a JSON-RPC reply")
    if "error" in reply:
        message = _str(_dict(reply["error"]).get("message")) or "error"
        raise RouterError(f"ubus: {message}")
    result = _list(reply.get("result"))
    if not result or not isinstance(result[0], int):
        raise RouterError("ubus: reply without a status")
    if result[0] == UBUS_PERMISSION_DENIED:
        raise UbusAuthRefused("ubus: permission denied")
    if result[0] != 0:
        raise RouterError(f"ubus: status {result[0]}")
    return result[1] if len(result) > 1 else {}


class UbusClient:
    """A session on one OpenWrt router."""

    def __init__(self, url: str, user: str, password: str, timeout: float = 3.0) -> None:
        self.url = url
        self.timeout = timeout
        self._user = user
        self._password = password
        self._session = NO_SESSION
        self._id = 0

    def _post(self, payload: Mapping[str, Any]) -> bytes:
        end = time.monotonic() + self.timeout
        body = bytearray()
        try:
            with (
                httpx.Client(timeout=self.timeout, follow_redirects=False) as client,
                client.stream("POST", self.url, json=payload) as resp,
            ):
                if resp.status_code != 200:
                    raise RouterError(f"ubus: HTTP {resp.status_code}")
                for chunk in resp.iter_bytes():
                    body += chunk
                    if len(body) > MAX_REPLY_BYTES:
                        raise RouterError("ubus: reply too large")
                    if time.monotonic() > end:
                        raise RouterError("ubus: reply too slow")
        except httpx.HTTPError as exc:
            raise RouterError(f"ubus: {type(exc).__name__}") from None
        return bytes(body)

    def call(self, obj: str, method: str, args: Mapping[str, Any] | None = None) -> Any:
        self._id += 1
        payload = {
            "jsonrpc": "2.0",
            "id": self._id,
            "method": "call",
            "params": [self._session, obj, method, dict(args or {})],
        }
        return parse_reply(self._post(payload))

    def login(self) -> None:
        result = _dict(
            self.call("session", "login", {"username": self._user, "password": self._password})
        )
        session = _str(result.get("ubus_rpc_session"))
        if session is None:
            raise UbusAuthRefused("ubus: login gave no session")
        self._session = session

    def wan_device(self) -> str | None:
        dump = _dict(self.call("network.interface", "dump"))
        for iface in _list(dump.get("interface")):
            iface = _dict(iface)
            if iface.get("interface") in ("wan", "wan6") and iface.get("up"):
                return _str(iface.get("l3_device") or iface.get("device"))
        return None

    def byte_counters(self) -> tuple[int, int]:
        device = self._wan_dev or self.wan_device()
        if device is None:
            raise RouterError("ubus: no WAN device")
        stats = _dict(
            _dict(self.call("network.device", "status", {"name": device})).get("statistics")
        )
        rx, tx = _count(stats.get("rx_bytes")), _count(stats.get("tx_bytes"))
        if rx is None or tx is None:
            raise RouterError("ubus: WAN counters missing")
        return rx, tx

    _wan_dev: str | None = None

    def read(self) -> Reading:
        out = Reading(source="ubus", vendor="OpenWrt", sample=self.byte_counters, counter_bits=64)
        try:
            self.login()
        except UbusAuthRefused as exc:
            out.auth_refused = True
            out.errors.append(str(exc))
            return out
        except RouterError as exc:
            out.errors.append(str(exc))
            return out
        for step in (self._system, self._wan, self._clients, self._wifi):
            try:
                step(out)
            except RouterError as exc:
                out.errors.append(str(exc))
        return out

    def _system(self, out: Reading) -> None:
        board = _dict(self.call("system", "board"))
        out.model = _str(board.get("model"))
        out.firmware = _str(_dict(board.get("release")).get("version"), 32)
        out.uptime_s = _count(_dict(self.call("system", "info")).get("uptime"))

    def _wan(self, out: Reading) -> None:
        dump = _dict(self.call("network.interface", "dump"))
        for iface in map(_dict, _list(dump.get("interface"))):
            if iface.get("interface") != "wan":
                continue
            out.wan_status = "Connected" if iface.get("up") else "Disconnected"
            out.wan_uptime_s = _count(iface.get("uptime"))
            self._wan_dev = _str(iface.get("l3_device") or iface.get("device"))
            for addr in map(_dict, _list(iface.get("ipv4-address"))):
                out.external_ip = _str(addr.get("address"), 45)
                break
        if self._wan_dev:
            rx, tx = self.byte_counters()
            out.counters = WanCounters(bits=64, bytes_received=rx, bytes_sent=tx)

    def _clients(self, out: Reading) -> None:
        clients: dict[str, RouterClient] = {c.mac or "": c for c in out.clients}
        leases = _dict(self.call("luci-rpc", "getDHCPLeases"))
        for lease in map(_dict, _list(leases.get("dhcp_leases"))[:MAX_CLIENTS]):
            mac = (_str(lease.get("macaddr"), 17) or "").lower()
            if mac:
                clients[mac] = RouterClient(
                    mac=mac, ip=_str(lease.get("ipaddr"), 45), hostname=_str(lease.get("hostname"))
                )
        hints = _dict(self.call("luci-rpc", "getHostHints"))
        for mac, hint in list(hints.items())[:MAX_CLIENTS]:
            hint = _dict(hint)
            key = mac.lower()[:17]
            client = clients.setdefault(key, RouterClient(mac=key))
            client.hostname = client.hostname or _str(hint.get("name"))
            addrs = [a for a in _list(hint.get("ipaddrs")) if isinstance(a, str)]
            client.ip = client.ip or (addrs[0][:45] if addrs else None)
        out.clients = list(clients.values())

    def radio(self, device: str) -> RouterRadio:
        """The radio's channel and how busy it is: its own frequency's survey entry."""
        info = _dict(self.call("iwinfo", "info", {"device": device}))
        mhz = _count(info.get("frequency"))
        radio = RouterRadio(
            name=device[:16], frequency_mhz=mhz, channel=_count(info.get("channel"))
        )
        survey = _dict(self.call("iwinfo", "survey", {"device": device}))
        for entry in map(_dict, _list(survey.get("results"))[:64]):
            if mhz is None or _count(entry.get("mhz")) != mhz:
                continue
            radio.noise_dbm = _num(entry.get("noise"))
            active, busy = _num(entry.get("active_time")), _num(entry.get("busy_time"))
            if active and busy is not None and 0 <= busy <= active:
                radio.busy_pct = round(100 * busy / active, 1)
        return radio

    def _wifi(self, out: Reading) -> None:
        by_mac = {c.mac: c for c in out.clients if c.mac}
        devices = _dict(self.call("iwinfo", "devices")).get("devices")
        for device in [d for d in _list(devices) if isinstance(d, str)][:8]:
            assoc = _dict(self.call("iwinfo", "assoclist", {"device": device}))
            for station in map(_dict, _list(assoc.get("results"))[:MAX_CLIENTS]):
                mac = (_str(station.get("mac"), 17) or "").lower()
                if not mac:
                    continue
                client = by_mac.setdefault(mac, RouterClient(mac=mac))
                client.wifi, client.radio = True, device[:16]
                client.signal_dbm = _num(station.get("signal"))
                tx_kbit = _num(_dict(station.get("tx")).get("rate"))
                rx_kbit = _num(_dict(station.get("rx")).get("rate"))
                client.tx_mbit = round(tx_kbit / 1000, 1) if tx_kbit else None
                client.rx_mbit = round(rx_kbit / 1000, 1) if rx_kbit else None
            try:
                out.radios.append(self.radio(device))
            except RouterError as exc:
                out.errors.append(str(exc))
            try:
                clients = _dict(_dict(self.call(f"hostapd.{device}", "get_clients")).get("clients"))
            except RouterError:
                continue
            for mac, info in list(clients.items())[:MAX_CLIENTS]:
                client = by_mac.setdefault(mac.lower()[:17], RouterClient(mac=mac.lower()[:17]))
                client.wifi, client.radio = True, device[:16]
                info = _dict(info)
                if client.signal_dbm is None:
                    client.signal_dbm = _num(info.get("signal"))
                counted = _dict(info.get("bytes"))
                client.down_bytes = _count(counted.get("tx"))
                client.up_bytes = _count(counted.get("rx"))
        out.clients = list(by_mac.values()) + [c for c in out.clients if not c.mac]
