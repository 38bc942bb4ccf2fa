"""A FRITZ!Box's TR-064 interface on 127.0.0.1, from recorded data (see data/SOURCES.md).

It serves what a FRITZ!OS 7.29 box serves: ``tr64desc.xml``, the
``jason_boxinfo.xml`` update-check file, the host list file, and SOAP
replies behind HTTP digest authentication (RFC 2617, MD5, qop=auth), as the
box does. Modes: ``ok``; ``refuse`` (every password is wrong); ``hang``
(accepts the connection and never answers); ``vanish`` (closes the
connection mid-reply after the first few calls).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

DATA = Path(__file__).parent / "data" / "fritz"
REALM = "F!Box SOAP-Auth"
#: the page FRITZ!OS sends with a 401 (its web server's error page)
UNAUTHORIZED_PAGE = (
    b"<HTML><HEAD><TITLE>401 Unauthorized (ERR_NONE)</TITLE></HEAD><BODY>"
    b"<H1>401 Unauthorized</H1><BR>ERR_NONE<HR><B>Webserver</B></BODY></HTML>"
)
USER = "homecare"
PASSWORD = "correct horse battery staple"

# FRITZ!Box device log lines (FRITZ!OS German UI wording)
FLAKY_LOG = "\n".join(
    [
        "01.12.26 18:02:11 DSL-Synchronisierung besteht (Downstream: 51392 kbit/s, Upstream: 10044 kbit/s).",
        "01.12.26 18:01:40 DSL antwortet nicht (Keine DSL-Synchronisierung).",
        "01.12.26 14:20:03 DSL-Synchronisierung besteht (Downstream: 50110 kbit/s, Upstream: 10044 kbit/s).",
        "01.12.26 14:19:31 DSL antwortet nicht (Keine DSL-Synchronisierung).",
        "01.12.26 09:45:52 Internetverbindung wurde getrennt.",
        "01.12.26 09:12:00 Anmeldung der Internetrufnummer war erfolgreich.",
    ]
)


def healthy_replies() -> dict[str, dict[str, object]]:
    """Action -> output arguments of a healthy VDSL2 line (100/40)."""
    return {
        "DeviceInfo1#GetInfo": {
            "NewManufacturerName": "AVM",
            "NewManufacturerOUI": "00040E",
            "NewModelName": "FRITZ!Box 7590",
            "NewDescription": "FRITZ!Box 7590 Release 154.07.29",
            "NewProductClass": "FRITZ!Box",
            "NewSerialNumber": "989BCB2B93B0",
            "NewSoftwareVersion": "154.07.29",
            "NewHardwareVersion": "FRITZ!Box 7590",
            "NewSpecVersion": "1.0",
            "NewProvisioningCode": "",
            "NewUpTime": 1_209_600,
            "NewDeviceLog": "01.12.26 09:12:00 Anmeldung der Internetrufnummer war erfolgreich.",
        },
        "WANDSLInterfaceConfig1#GetInfo": {
            "NewEnable": 1,
            "NewStatus": "Up",
            "NewDataPath": "Fast",
            "NewUpstreamCurrRate": 40000,
            "NewDownstreamCurrRate": 100000,
            "NewUpstreamMaxRate": 46000,
            "NewDownstreamMaxRate": 126000,
            "NewUpstreamNoiseMargin": 90,
            "NewDownstreamNoiseMargin": 110,
            "NewUpstreamAttenuation": 80,
            "NewDownstreamAttenuation": 130,
            "NewATURVendor": "41564d00",
            "NewATURCountry": "0400",
            "NewUpstreamPower": 498,
            "NewDownstreamPower": 513,
        },
        "WANDSLInterfaceConfig1#GetStatisticsTotal": {
            "NewReceiveBlocks": 3_402_112,
            "NewTransmitBlocks": 1_840_220,
            "NewCellDelin": 0,
            "NewLinkRetrain": 0,
            "NewInitErrors": 0,
            "NewInitTimeouts": 0,
            "NewLossOfFraming": 0,
            "NewErroredSecs": 12,
            "NewSeverelyErroredSecs": 0,
            "NewFECErrors": 3100,
            "NewATUCFECErrors": 0,
            "NewHECErrors": 0,
            "NewATUCHECErrors": 0,
            "NewCRCErrors": 40,
            "NewATUCCRCErrors": 2,
        },
        "WANIPConn1#GetStatusInfo": {
            "NewConnectionStatus": "Connected",
            "NewLastConnectionError": "ERROR_NONE",
            "NewUptime": 1_209_000,
        },
        "WANIPConn1#GetExternalIPAddress": {"NewExternalIPAddress": "100.128.9.20"},
        "WANCommonIFC1#GetAddonInfos": {
            "NewByteSendRate": 0,
            "NewByteReceiveRate": 0,
            "NewPacketSendRate": 0,
            "NewPacketReceiveRate": 0,
            "NewTotalBytesSent": 1_016_000_000 % 2**32,
            "NewTotalBytesReceived": 9_876_543_210 % 2**32,
            "NewAutoDisconnectTime": 0,
            "NewIdleDisconnectTime": 0,
            "NewDNSServer1": "100.128.9.1",
            "NewDNSServer2": "100.128.9.2",
            "NewVoipDNSServer1": "100.128.9.1",
            "NewVoipDNSServer2": "100.128.9.2",
            "NewUpnpControlEnabled": 0,
            "NewRoutedBridgedModeBoth": 1,
            "NewX_AVM_DE_TotalBytesSent64": 1_016_000_000,
            "NewX_AVM_DE_TotalBytesReceived64": 9_876_543_210,
            "NewX_AVM_DE_WANAccessType": "DSL",
        },
        "Hosts1#X_AVM-DE_GetHostListPath": {
            "NewX_AVM-DE_HostListPath": "/devicehostlist.lua?sid=1"
        },
        "WLANConfiguration1#GetTotalAssociations": {"NewTotalAssociations": 1},
        "WLANConfiguration1#GetGenericAssociatedDeviceInfo": {
            "NewAssociatedDeviceMACAddress": "F8:4D:89:7C:0A:32",
            "NewAssociatedDeviceIPAddress": "192.168.178.54",
            "NewAssociatedDeviceAuthState": 1,
            "NewX_AVM-DE_Speed": 866,
            "NewX_AVM-DE_SignalStrength": 70,
        },
        "WLANConfiguration2#GetTotalAssociations": {"NewTotalAssociations": 0},
        "WLANConfiguration3#GetTotalAssociations": {"NewTotalAssociations": 0},
    }


def flaky_replies() -> dict[str, dict[str, object]]:
    """A noisy ADSL2+-like line trained at half a 100 Mbit/s plan, with resyncs."""
    replies = healthy_replies()
    replies["DeviceInfo1#GetInfo"] = {
        **replies["DeviceInfo1#GetInfo"],
        "NewUpTime": 1500,
        "NewDeviceLog": FLAKY_LOG,
    }
    replies["WANDSLInterfaceConfig1#GetInfo"] = {
        **replies["WANDSLInterfaceConfig1#GetInfo"],
        "NewDownstreamCurrRate": 51392,
        "NewUpstreamCurrRate": 10044,
        "NewDownstreamMaxRate": 54000,
        "NewDownstreamNoiseMargin": 25,
        "NewUpstreamNoiseMargin": 60,
        "NewDownstreamAttenuation": 310,
    }
    replies["WANDSLInterfaceConfig1#GetStatisticsTotal"] = {
        **replies["WANDSLInterfaceConfig1#GetStatisticsTotal"],
        "NewLinkRetrain": 5,
        "NewCRCErrors": 52_000,
        "NewErroredSecs": 4_100,
        "NewSeverelyErroredSecs": 300,
    }
    replies["WANIPConn1#GetStatusInfo"] = {
        **replies["WANIPConn1#GetStatusInfo"],
        "NewUptime": 1400,
    }
    replies["WLANConfiguration1#GetGenericAssociatedDeviceInfo"] = {
        **replies["WLANConfiguration1#GetGenericAssociatedDeviceInfo"],
        "NewX_AVM-DE_SignalStrength": 20,
        "NewX_AVM-DE_Speed": 26,
    }
    return replies


def _service_of(soap_action: str) -> tuple[str, str]:
    """``urn:dslforum-org:service:DeviceInfo:1#GetInfo`` -> (service type, action)."""
    service, _, action = soap_action.strip('"').partition("#")
    return service, action


_SERVICE_IDS = {
    "urn:dslforum-org:service:DeviceInfo:1": "DeviceInfo1",
    "urn:dslforum-org:service:WANDSLInterfaceConfig:1": "WANDSLInterfaceConfig1",
    "urn:schemas-upnp-org:service:WANIPConnection:1": "WANIPConn1",
    "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1": "WANCommonIFC1",
    "urn:dslforum-org:service:Hosts:1": "Hosts1",
    "urn:dslforum-org:service:WLANConfiguration:1": "WLANConfiguration1",
    "urn:dslforum-org:service:WLANConfiguration:2": "WLANConfiguration2",
    "urn:dslforum-org:service:WLANConfiguration:3": "WLANConfiguration3",
}


def envelope(service: str, action: str, args: Mapping[str, object]) -> bytes:
    """The reply in the box's own envelope format (as recorded in fritzconnection's tests)."""
    inner = "\n".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in args.items())
    return (
        '<?xml version="1.0"?>\n'
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">\n<s:Body>\n'
        f'<u:{action}Response xmlns:u="{service}">\n{inner}\n</u:{action}Response>\n'
        "</s:Body>\n</s:Envelope>\n"
    ).encode()


def boxinfo() -> bytes:
    """The update-check file; the version matches the recorded API cache (see SOURCES.md)."""
    text = (DATA / "jason_boxinfo.xml").read_text()
    return text.encode()


@dataclass
class FritzBox:
    mode: str = "ok"
    replies: dict[str, dict[str, object]] = field(default_factory=healthy_replies)
    calls: list[str] = field(default_factory=list)
    seen_authorization: list[str] = field(default_factory=list)
    nonce: str = field(default_factory=lambda: secrets.token_hex(8))
    port: int = 0


def _digest_ok(header: str, method: str, box: FritzBox) -> bool:
    if not header.startswith("Digest "):
        return False
    parts: dict[str, str] = {}
    for item in header[7:].split(","):
        key, _, value = item.strip().partition("=")
        parts[key] = value.strip('"')
    ha1 = hashlib.md5(f"{parts.get('username')}:{REALM}:{PASSWORD}".encode()).hexdigest()
    ha2 = hashlib.md5(f"{method}:{parts.get('uri')}".encode()).hexdigest()
    expected = hashlib.md5(
        f"{ha1}:{parts.get('nonce')}:{parts.get('nc')}:{parts.get('cnonce')}:auth:{ha2}".encode()
    ).hexdigest()
    return (
        box.mode != "refuse"
        and parts.get("username") == USER
        and parts.get("nonce") == box.nonce
        and parts.get("response") == expected
    )


def _handler(box: FritzBox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return None

        def _send(self, status: int, body: bytes, ctype: str = "text/xml") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _endless_xml(self) -> None:
            """A service description that never ends (a hostile box's first API load)."""
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.end_headers()
            self.wfile.write(b'<?xml version="1.0"?><scpd><actionList>')
            try:
                for _ in range(100_000):  # 2.5 GB if nobody stops reading
                    self.wfile.write(b"<action><name>A</name></action>" * 800)
            except OSError:
                pass  # the client hung up, as it should

        def _hang(self) -> bool:
            if box.mode == "hang":
                time.sleep(30)
                return True
            return False

        def do_GET(self) -> None:
            if self._hang():
                return
            path = self.path.split("?")[0]
            if path == "/tr64desc.xml":
                self._send(200, (DATA / "tr64desc.xml").read_bytes())
            elif path == "/jason_boxinfo.xml":
                self._send(200, boxinfo())
            elif path == "/devicehostlist.lua":
                self._send(200, (DATA / "devicehostlist.xml").read_bytes())
            elif box.mode == "endless-scpd" and path.endswith("SCPD.xml"):
                self._endless_xml()
            else:
                self._send(404, b"<html>not found</html>", "text/html")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            if self._hang():
                return
            auth = self.headers.get("Authorization", "")
            if auth:
                box.seen_authorization.append(auth)
            if not _digest_ok(auth, "POST", box):
                self.send_response(401)
                self.send_header(
                    "WWW-Authenticate",
                    f'Digest realm="{REALM}", nonce="{box.nonce}", algorithm=MD5, qop="auth"',
                )
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(UNAUTHORIZED_PAGE)))
                self.end_headers()
                self.wfile.write(UNAUTHORIZED_PAGE)
                return
            service, action = _service_of(self.headers.get("SOAPAction", ""))
            key = f"{_SERVICE_IDS.get(service, service)}#{action}"
            box.calls.append(key)
            if box.mode == "vanish" and len(box.calls) > 3:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n<s:Env")
                self.wfile.flush()
                self.connection.close()
                return
            args = box.replies.get(key)
            if args is None:
                self._send(500, _fault(401, "Invalid Action"))
                return
            self._send(200, envelope(service, action, args))

    return Handler


def _fault(code: int, text: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><s:Fault>'
        "<faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
        '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0">'
        f"<errorCode>{code}</errorCode><errorDescription>{text}</errorDescription>"
        "</UPnPError></detail></s:Fault></s:Body></s:Envelope>"
    ).encode()


def seed_cache(cache_dir: Path, host: str = "127.0.0.1") -> Path:
    """fritzconnection's API cache for *host*: the recorded FRITZ!Box 7590 API."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"{host.replace('.', '_')}_cache.json"
    data = json.loads((DATA / "api-cache-7590-154.07.29.json").read_text())
    target.write_text(json.dumps(data))
    return target


@contextmanager
def serving(
    box: FritzBox, host: str = "127.0.0.1", web_port: int | None = None
) -> Iterator[FritzBox]:
    """TR-064 on a free port of *host*; with *web_port* also the box's web
    server there (fritzconnection reads ``jason_boxinfo.xml`` from port 80 to
    check its API cache against the firmware)."""
    servers = [ThreadingHTTPServer((host, 0), _handler(box))]
    if web_port is not None:
        servers.append(ThreadingHTTPServer((host, web_port), _handler(box)))
    box.port = servers[0].server_address[1]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield box
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
