"""AVM FRITZ!Box over TR-064, through fritzconnection.

fritzconnection knows the box's API (it reads the device's own description,
cached per firmware so later checks skip the 50 service descriptions) and
does the digest login. What we add around it:

* replies are bounded: after the connection is made every request goes
  through :class:`BoundedAdapter` (size cap, wall-clock cap, and any XML
  checked with defusedxml, DTDs forbidden, before fritzconnection parses it);
  the description is checked the same way before fritzconnection sees it;
* a refused password is told apart from everything else
  (:class:`RouterAuthRefused`), so the CLI can say so in one line;
* the password is only ever an argument: it is not logged, stored in the
  reading, or put in an error message.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from homecare.models.router import LineInfo, RouterClient, WanCounters
from homecare.probes.router.reading import Reading
from homecare.probes.router.soap import RouterError, http_exchange

TR064_PORT = 49000
MAX_REPLY_BYTES = 512 * 1024
MAX_CLIENTS = 256
#: device-log lines that mean the line dropped (German and English firmware); the
#: "synchronisation established" line that follows each drop is not counted again
_RESYNC = re.compile(
    r"(DSL antwortet nicht|DSL is not responding|Internetverbindung wurde getrennt|"
    r"Internet connection was (terminated|disconnected)|Zwangstrennung|forced disconnect)",
    re.IGNORECASE,
)


class RouterAuthRefused(RouterError):
    """The router answered but refused the user name or password."""


def check_xml(body: bytes) -> None:
    """Refuse XML with a DTD, entities or external references (before anyone parses it)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError, UnicodeError, RecursionError) as exc:
        raise RouterError(f"unsafe or broken XML from the router ({type(exc).__name__})") from None


class BoundedAdapter(HTTPAdapter):
    """A requests adapter that reads at most *max_bytes* within *timeout* seconds."""

    def __init__(self, timeout: float, max_bytes: int = MAX_REPLY_BYTES) -> None:
        super().__init__()
        self.limit_s = timeout
        self.max_bytes = max_bytes

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs["stream"] = True
        kwargs["timeout"] = self.limit_s
        end = time.monotonic() + self.limit_s
        response = super().send(request, **kwargs)
        body = bytearray()
        try:
            for chunk in response.iter_content(16384):
                body += chunk
                if len(body) > self.max_bytes:
                    raise requests.ConnectionError("reply too large")
                if time.monotonic() > end:
                    raise requests.Timeout("reply too slow")
        finally:
            response.close()
        head = bytes(body[:64]).lstrip().lower()
        if head.startswith(b"<") and not head.startswith(b"<html"):  # error pages are HTML
            try:
                check_xml(bytes(body))
            except RouterError as exc:
                raise requests.ConnectionError(str(exc)) from None
        response._content = bytes(body)
        return response


def bounded_connection_class(base: type[Any]) -> type[Any]:
    """fritzconnection's connection with every request bounded from the first one.

    fritzconnection makes its own ``requests`` session and loads the box's API
    (dozens of service descriptions) inside its constructor, so mounting the
    adapter afterwards leaves that first load unbounded. Its API loader is the
    first thing that uses the session: the adapter goes on just before it.
    """

    class BoundedFritzConnection(base):  # type: ignore[misc]
        def _load_router_api(self, *args: Any, **kwargs: Any) -> Any:
            for scheme in ("http://", "https://"):
                self.session.mount(scheme, BoundedAdapter(self.timeout or 3.0))
            return super()._load_router_api(*args, **kwargs)

    return BoundedFritzConnection


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def count_resyncs(log: str) -> int:
    """Lines of the device log that record a resync or a disconnect."""
    return sum(1 for line in log.splitlines()[:2000] if _RESYNC.search(line))


class FritzClient:
    """Reads one FRITZ!Box. Construct, then :meth:`read` (which never raises)."""

    def __init__(
        self,
        address: str,
        user: str,
        password: str,
        *,
        port: int = TR064_PORT,
        timeout: float = 3.0,
        cache_dir: Path | None = None,
        verify_cache: bool = True,
    ) -> None:
        self.address = address
        self.port = port
        self.timeout = timeout
        self._user = user
        self._password = password
        self._cache_dir = cache_dir
        self._verify_cache = verify_cache
        self._fc: Any = None

    def connect(self) -> None:
        """Check the description ourselves, then let fritzconnection load the API."""
        from fritzconnection import FritzConnection
        from fritzconnection.core.exceptions import (
            FritzAuthorizationError,
            FritzConnectionException,
        )

        status, body = http_exchange(
            f"http://{self.address}:{self.port}/tr64desc.xml",
            timeout=self.timeout,
            max_bytes=MAX_REPLY_BYTES,
        )
        if status != 200:
            raise RouterError(f"tr64desc.xml: HTTP {status}")
        check_xml(body)
        try:
            fc = bounded_connection_class(FritzConnection)(
                address=self.address,
                port=self.port,
                user=self._user,
                password=self._password,
                timeout=self.timeout,
                use_cache=self._cache_dir is not None,
                cache_directory=str(self._cache_dir) if self._cache_dir else None,
                cache_format="json",
                verify_cache=self._verify_cache,
            )
        except FritzAuthorizationError:
            raise RouterAuthRefused("the FRITZ!Box refused the user name or password") from None
        except (FritzConnectionException, requests.RequestException, OSError, ValueError) as exc:
            raise RouterError(f"TR-064: {type(exc).__name__}") from None
        self._fc = fc

    def call(self, service: str, action: str, **arguments: object) -> Mapping[str, Any]:
        from fritzconnection.core.exceptions import (
            FritzAuthorizationError,
            FritzConnectionException,
        )

        if self._fc is None:
            raise RouterError("not connected")
        try:
            result: Mapping[str, Any] = self._fc.call_action(service, action, arguments=arguments)
        except FritzAuthorizationError:
            raise RouterAuthRefused("the FRITZ!Box refused the user name or password") from None
        except (FritzConnectionException, requests.RequestException, OSError, ValueError) as exc:
            raise RouterError(f"{service}.{action}: {type(exc).__name__}") from None
        return result

    def byte_counters(self) -> tuple[int, int]:
        """64-bit WAN byte counters (AVM's GetAddonInfos extension)."""
        info = self.call("WANCommonIFC1", "GetAddonInfos")
        rx = _int(info.get("NewX_AVM_DE_TotalBytesReceived64"))
        tx = _int(info.get("NewX_AVM_DE_TotalBytesSent64"))
        if rx is None or tx is None:
            raise RouterError("64-bit counters missing")
        return rx, tx

    def read(self) -> Reading:
        out = Reading(source="tr064", vendor="AVM", sample=self.byte_counters, counter_bits=64)
        try:
            self.connect()
        except RouterAuthRefused as exc:
            out.auth_refused = True
            out.errors.append(f"tr064: {exc}")
            return out
        except RouterError as exc:
            out.errors.append(f"tr064: {exc}")
            return out
        for step in (self._device, self._dsl, self._stats, self._wan, self._counters, self._hosts):
            try:
                step(out)
            except RouterAuthRefused as exc:
                out.auth_refused = True
                out.errors.append(f"tr064: {exc}")
                return out
            except RouterError as exc:
                out.errors.append(f"tr064: {exc}")
        return out

    def _device(self, out: Reading) -> None:
        info = self.call("DeviceInfo1", "GetInfo")
        out.model = str(info.get("NewModelName") or "")[:64] or None
        out.firmware = str(info.get("NewSoftwareVersion") or "")[:32] or None
        out.uptime_s = _int(info.get("NewUpTime"))
        log = info.get("NewDeviceLog")
        if isinstance(log, str):
            line = out.line or LineInfo()
            line.log_resyncs = count_resyncs(log)
            out.line = line

    def _dsl(self, out: Reading) -> None:
        info = self.call("WANDSLInterfaceConfig1", "GetInfo")
        line = out.line or LineInfo()
        line.type = "dsl"
        line.status = str(info.get("NewStatus") or "")[:32] or None
        line.sync_down_kbit = _int(info.get("NewDownstreamCurrRate"))
        line.sync_up_kbit = _int(info.get("NewUpstreamCurrRate"))
        line.attainable_down_kbit = _int(info.get("NewDownstreamMaxRate"))
        line.attainable_up_kbit = _int(info.get("NewUpstreamMaxRate"))
        # TR-064 gives noise margin and attenuation in tenths of a dB
        for attr, key in (
            ("noise_margin_down_db", "NewDownstreamNoiseMargin"),
            ("noise_margin_up_db", "NewUpstreamNoiseMargin"),
            ("attenuation_down_db", "NewDownstreamAttenuation"),
            ("attenuation_up_db", "NewUpstreamAttenuation"),
        ):
            tenths = _int(info.get(key))
            setattr(line, attr, tenths / 10 if tenths is not None else None)
        out.line = line

    def _stats(self, out: Reading) -> None:
        stats = self.call("WANDSLInterfaceConfig1", "GetStatisticsTotal")
        line = out.line or LineInfo(type="dsl")
        line.crc_errors = _int(stats.get("NewCRCErrors"))
        line.fec_errors = _int(stats.get("NewFECErrors"))
        line.errored_seconds = _int(stats.get("NewErroredSecs"))
        line.severely_errored_seconds = _int(stats.get("NewSeverelyErroredSecs"))
        line.retrains = _int(stats.get("NewLinkRetrain"))
        out.line = line

    def _wan(self, out: Reading) -> None:
        status = self.call("WANIPConn1", "GetStatusInfo")
        out.wan_status = str(status.get("NewConnectionStatus") or "")[:32] or None
        out.wan_uptime_s = _int(status.get("NewUptime"))
        error = str(status.get("NewLastConnectionError") or "")
        out.last_error = error[:64] if error and error != "ERROR_NONE" else None
        ext = self.call("WANIPConn1", "GetExternalIPAddress").get("NewExternalIPAddress")
        out.external_ip = str(ext)[:45] if ext else None

    def _counters(self, out: Reading) -> None:
        rx, tx = self.byte_counters()
        out.counters = WanCounters(bits=64, bytes_received=rx, bytes_sent=tx)

    def host_list(self) -> list[RouterClient]:
        """Every host the box knows, from its host list file (one request, not one per host)."""
        path = str(self.call("Hosts1", "X_AVM-DE_GetHostListPath").get("NewX_AVM-DE_HostListPath"))
        if not path.startswith("/"):
            raise RouterError("host list path is not on the box")
        status, body = http_exchange(
            f"http://{self.address}:{self.port}{path}", timeout=self.timeout
        )
        if status != 200:
            raise RouterError(f"host list: HTTP {status}")
        return parse_host_list(body)

    def _hosts(self, out: Reading) -> None:
        clients: dict[str, RouterClient] = {}
        for index, client in enumerate(self.host_list()):
            clients[client.mac or f"#{index}"] = client
        for radio in (1, 2, 3):
            try:
                total = _int(
                    self.call(f"WLANConfiguration{radio}", "GetTotalAssociations").get(
                        "NewTotalAssociations"
                    )
                )
            except RouterError:
                continue
            for index in range(min(total or 0, MAX_CLIENTS)):
                assoc = self.call(
                    f"WLANConfiguration{radio}",
                    "GetGenericAssociatedDeviceInfo",
                    NewAssociatedDeviceIndex=index,
                )
                mac = str(assoc.get("NewAssociatedDeviceMACAddress") or "").lower()[:17]
                client = clients.setdefault(mac or f"w{radio}#{index}", RouterClient(mac=mac))
                client.wifi = True
                client.radio = f"wlan{radio}"
                strength = _int(assoc.get("NewX_AVM-DE_SignalStrength"))
                client.signal_dbm = _percent_to_dbm(strength) if strength is not None else None
                speed = _int(assoc.get("NewX_AVM-DE_Speed"))
                client.tx_mbit = float(speed) if speed is not None else None
        out.clients = list(clients.values())


def parse_host_list(xml: bytes) -> list[RouterClient]:
    """``<List><Item>...`` as the box's ``devicehostlist.lua`` returns it."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError, UnicodeError, RecursionError):
        raise RouterError("host list: unreadable XML") from None
    clients = []
    for item in list(root.iter("Item"))[:MAX_CLIENTS]:
        fields = {child.tag: (child.text or "").strip() for child in item}
        clients.append(
            RouterClient(
                mac=fields.get("MACAddress", "").lower()[:17] or None,
                ip=fields.get("IPAddress", "")[:45] or None,
                hostname=fields.get("HostName", "")[:64] or None,
                wifi=fields.get("InterfaceType") == "802.11",
                active=fields.get("Active") == "1",
                tx_mbit=float(fields["X_AVM-DE_Speed"])
                if fields.get("X_AVM-DE_Speed", "").isdigit()
                else None,
            )
        )
    return clients


def _percent_to_dbm(percent: int) -> float:
    """AVM reports signal as 0-100 %; map it linearly onto -100..-50 dBm (as Windows does)."""
    return round(min(100, percent) / 2 - 100, 1)
