from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homecare.probes.discovery import ssdp

SONOS_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <device>
    <deviceType>urn:schemas-upnp-org:device:ZonePlayer:1</deviceType>
    <friendlyName>192.168.1.61 - Sonos One - RINCON_48A6B8000001400</friendlyName>
    <manufacturer>Sonos, Inc.</manufacturer>
    <modelNumber>S18</modelNumber>
    <modelName>Sonos One</modelName>
    <deviceList><device><deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>
      <friendlyName>inner</friendlyName></device></deviceList>
  </device>
</root>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>&lol9;</friendlyName>
</device></root>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE root [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>&xxe;</friendlyName>
</device></root>"""

RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"CACHE-CONTROL: max-age = 1800\r\n"
    b"EXT:\r\n"
    b"LOCATION: http://192.168.1.61:1400/xml/device_description.xml\r\n"
    b"SERVER: Linux UPnP/1.0 Sonos/70.3-35220 (ZPS18)\r\n"
    b"ST: upnp:rootdevice\r\n"
    b"USN: uuid:RINCON_48A6B8000001400::upnp:rootdevice\r\n"
    b"\r\n"
)


def test_parse_response() -> None:
    r = ssdp.parse_response(RESPONSE, "192.168.1.61")
    assert r is not None
    assert r.location == "http://192.168.1.61:1400/xml/device_description.xml"
    assert r.server is not None and "Sonos" in r.server
    assert r.st == "upnp:rootdevice"
    assert r.usn == "uuid:RINCON_48A6B8000001400::upnp:rootdevice"


def test_parse_notify_and_reject_search() -> None:
    notify = (
        b"NOTIFY * HTTP/1.1\r\nNT: urn:dial-multiscreen-org:service:dial:1\r\nLOCATION: x\r\n\r\n"
    )
    r = ssdp.parse_response(notify, "10.0.0.2")
    assert r is not None and r.st == "urn:dial-multiscreen-org:service:dial:1"
    assert ssdp.parse_response(ssdp.build_msearch(), "10.0.0.2") is None
    assert ssdp.parse_response(b"HTTP/1.1 404 Not Found\r\nST: x\r\n\r\n", "10.0.0.2") is None


def test_parse_description() -> None:
    d = ssdp.parse_description(SONOS_XML)
    assert d is not None
    assert d.model_name == "Sonos One" and d.manufacturer == "Sonos, Inc."
    assert d.model_number == "S18"
    assert d.device_type == "urn:schemas-upnp-org:device:ZonePlayer:1"
    assert d.friendly_name is not None and d.friendly_name.startswith("192.168.1.61 - Sonos One")


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE])
def test_hostile_xml_refused_quickly(xml: bytes) -> None:
    start = time.monotonic()
    assert ssdp.parse_description(xml) is None
    assert time.monotonic() - start < 0.5


@pytest.mark.parametrize(
    ("location", "ip", "ok"),
    [
        ("http://192.168.1.61:1400/d.xml", "192.168.1.61", True),
        ("http://192.168.1.61/d.xml", "192.168.1.61", True),
        ("http://192.168.1.62:1400/d.xml", "192.168.1.61", False),
        ("http://example.com/d.xml", "192.168.1.61", False),
        ("https://192.168.1.61/d.xml", "192.168.1.61", False),
        ("file:///etc/passwd", "192.168.1.61", False),
        ("http://192.168.1.61:99999/", "192.168.1.61", False),
        ("http://user@192.168.1.62@192.168.1.61/", "192.168.1.61", True),
        (None, "192.168.1.61", False),
    ],
)
def test_location_allowed(location: str | None, ip: str, ok: bool) -> None:
    assert ssdp.location_allowed(location, ip) is ok


@settings(max_examples=300, deadline=1000)
@given(st.binary(max_size=2000))
def test_garbage_response(data: bytes) -> None:
    ssdp.parse_response(data, "10.0.0.1")
    ssdp.parse_response(b"HTTP/1.1 200 OK\r\n" + data, "10.0.0.1")


@settings(max_examples=300, deadline=1000)
@given(st.binary(max_size=3000) | st.text(max_size=3000).map(str.encode))
def test_garbage_xml(data: bytes) -> None:
    ssdp.parse_description(data)
    ssdp.parse_description(b'<root xmlns="urn:schemas-upnp-org:device-1-0"><device>' + data)


@settings(max_examples=200, deadline=1000)
@given(st.text(max_size=200))
def test_garbage_location(text: str) -> None:
    ssdp.location_allowed(text, "127.0.0.1")


# --- loopback HTTP + UDP responder -------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/desc.xml":
            self._send(SONOS_XML)
        elif self.path == "/bomb.xml":
            self._send(BILLION_LAUGHS)
        elif self.path == "/huge.xml":
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"<a>" * 1024)
            except OSError:
                pass
        elif self.path == "/slow.xml":
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(50):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        else:
            self.send_error(404)

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def http_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_fetch_description(http_port: int) -> None:
    d = ssdp.fetch_description(f"http://127.0.0.1:{http_port}/desc.xml", "127.0.0.1")
    assert d is not None and d.model_name == "Sonos One"


def test_fetch_refuses_other_host(http_port: int) -> None:
    assert ssdp.fetch_description(f"http://127.0.0.1:{http_port}/desc.xml", "127.0.0.2") is None


def test_fetch_bomb_huge_slow(http_port: int) -> None:
    base = f"http://127.0.0.1:{http_port}"
    start = time.monotonic()
    assert ssdp.fetch_description(base + "/bomb.xml", "127.0.0.1") is None
    assert ssdp.fetch_description(base + "/huge.xml", "127.0.0.1") is None
    assert time.monotonic() - start < 2.0
    start = time.monotonic()
    assert ssdp.fetch_description(base + "/slow.xml", "127.0.0.1", timeout=0.8) is None
    assert time.monotonic() - start < 1.5


def _responder(sock: socket.socket, http_port: int, stop: threading.Event) -> None:
    sock.settimeout(0.1)
    while not stop.is_set():
        try:
            data, addr = sock.recvfrom(4096)
        except TimeoutError:
            continue
        if not data.startswith(b"M-SEARCH"):
            continue
        for st_, loc in (
            ("upnp:rootdevice", f"http://127.0.0.1:{http_port}/desc.xml"),
            ("urn:schemas-upnp-org:device:MediaRenderer:1", "http://10.9.9.9/evil.xml"),
        ):
            sock.sendto(
                (
                    f"HTTP/1.1 200 OK\r\nLOCATION: {loc}\r\nSERVER: Test/1 UPnP/1.0\r\n"
                    f"ST: {st_}\r\nUSN: uuid:abc::{st_}\r\n\r\n"
                ).encode(),
                addr,
            )


def test_discover_on_loopback(http_port: int) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    stop = threading.Event()
    thread = threading.Thread(target=_responder, args=(sock, http_port, stop), daemon=True)
    thread.start()
    try:
        start = time.monotonic()
        devices = ssdp.discover(
            "127.0.0.1", 0.6, time.monotonic() + 5, target=("127.0.0.1", sock.getsockname()[1])
        )
        elapsed = time.monotonic() - start
    finally:
        stop.set()
        thread.join()
        sock.close()
    assert elapsed < 3.0
    assert len(devices) == 1
    dev = devices[0]
    assert dev.ip == "127.0.0.1"
    # Answered twice (the M-SEARCH is sent twice) but deduplicated: 2 distinct STs.
    assert len(dev.responses) == 2
    assert dev.description is not None and dev.description.model_name == "Sonos One"
