"""IGD description and SOAP parsing, counter wrap, WAN load and the shared-line window."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from homecare.models.connection import SpeedData, SpeedDirection
from homecare.models.router import WanSample
from homecare.probes.router.igd import counter_delta, load_from, parse_igd_description
from homecare.probes.router.probe import shared_line
from homecare.probes.router.soap import RouterError, parse_reply, same_origin_url, soap_call

# miniupnpd 2.3.1's rootDesc.xml, trimmed to the parts the client reads
DESCRIPTION = b"""<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>1</minor></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType>
<friendlyName>Virtual home router</friendlyName><manufacturer>homecare lab</manufacturer>
<modelName>miniupnpd IGD</modelName>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType>
<serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId><controlURL>/ctl/CmnIfCfg</controlURL>
<eventSubURL>/evt/CmnIfCfg</eventSubURL><SCPDURL>/WANCfg.xml</SCPDURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:2</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType>
<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><controlURL>/ctl/IPConn</controlURL>
<eventSubURL>/evt/IPConn</eventSubURL><SCPDURL>/WANIPCn.xml</SCPDURL></service>
<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType>
<controlURL>http://203.0.113.9/steal</controlURL></service></serviceList>
</device></deviceList></device></deviceList></device></root>"""


def test_description_gives_names_and_same_origin_services() -> None:
    device = parse_igd_description(
        DESCRIPTION, "http://192.168.77.1:5000/rootDesc.xml", "192.168.77.1"
    )
    assert device is not None
    assert (device.manufacturer, device.model) == ("homecare lab", "miniupnpd IGD")
    urls = [s.control_url for s in device.services]
    # the control URL pointing at another host is dropped
    assert urls == ["http://192.168.77.1:5000/ctl/CmnIfCfg", "http://192.168.77.1:5000/ctl/IPConn"]


def test_not_an_igd_or_hostile_descriptions_are_refused() -> None:
    tv = DESCRIPTION.replace(b"InternetGatewayDevice:2", b"MediaRenderer:1")
    assert parse_igd_description(tv, "http://192.168.77.1/", "192.168.77.1") is None
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><root>&b;</root>'
    assert parse_igd_description(bomb, "http://192.168.77.1/", "192.168.77.1") is None


@pytest.mark.parametrize(
    ("before", "after", "delta"),
    [(100, 250, 150), (2**32 - 10, 5, 15), (0, 0, 0), (2**32 - 1, 2**32 - 1, 0)],
)
def test_32_bit_counters_wrap(before: int, after: int, delta: int) -> None:
    assert counter_delta(before, after, 32) == delta


def test_load_sums_deltas_across_a_wrap() -> None:
    samples = [
        WanSample(t_s=0.0, bytes_received=2**32 - 1_000_000, bytes_sent=0),
        WanSample(t_s=1.0, bytes_received=250_000, bytes_sent=125_000),
    ]
    down, up, span = load_from(samples, 32)
    assert span == 1.0 and down == pytest.approx(10.0, rel=1e-3) and up == pytest.approx(1.0)


def test_shared_line_subtracts_the_test_itself() -> None:
    # 10 s window, WAN received 25 MB; the speed test itself got 12.5 MB
    samples = [
        WanSample(t_s=float(t), bytes_received=t * 2_500_000, bytes_sent=t * 100_000)
        for t in range(11)
    ]
    speed = SpeedData(
        download=SpeedDirection(direction="download", mbit=10.0, bytes=12_500_000, duration_s=10),
        upload=SpeedDirection(direction="upload", mbit=0.1, bytes=0, duration_s=1),
    )
    shared = shared_line(samples, 64, end_s=10.0, duration_s=10.0, speed=speed)
    assert shared is not None
    assert shared.wan_down_mbit == pytest.approx(20.0)
    assert shared.other_down_mbit == pytest.approx(10.0)
    assert shared.window_s == 10.0


def test_soap_reply_fault_and_garbage() -> None:
    ok = (
        b'<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
        b'<s:Body><u:GetStatusInfoResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:2">'
        b"<NewConnectionStatus>Connected</NewConnectionStatus><NewUptime>42</NewUptime>"
        b"</u:GetStatusInfoResponse></s:Body></s:Envelope>"
    )
    assert parse_reply(ok, "GetStatusInfo") == {
        "NewConnectionStatus": "Connected",
        "NewUptime": "42",
    }
    fault = ok.replace(b"u:GetStatusInfoResponse", b"s:Fault").replace(
        b"<NewUptime>42</NewUptime>", b"<errorDescription>Invalid Action</errorDescription>"
    )
    with pytest.raises(RouterError, match="Invalid Action"):
        parse_reply(fault, "GetStatusInfo")
    for bad in (b"", b"not xml", b'<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>', ok[:40]):
        with pytest.raises(RouterError):
            parse_reply(bad, "GetStatusInfo")


def test_same_origin_only() -> None:
    assert (
        same_origin_url("http://192.168.1.1:5000/d.xml", "/ctl", "192.168.1.1")
        == "http://192.168.1.1:5000/ctl"
    )
    assert (
        same_origin_url("http://192.168.1.1:5000/d.xml", "http://192.168.1.9/ctl", "192.168.1.1")
        is None
    )
    assert (
        same_origin_url("http://192.168.1.1/d.xml", "https://192.168.1.1/ctl", "192.168.1.1")
        is None
    )
    assert (
        same_origin_url("http://192.168.1.1/d.xml", "http://router.lan/ctl", "192.168.1.1") is None
    )


@contextmanager
def dripping_router(chunks: int, size: int, pause: float) -> Iterator[str]:
    class Slow(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.end_headers()
            for _ in range(chunks):
                try:
                    self.wfile.write(b"<" * size)
                    self.wfile.flush()
                except OSError:
                    return
                threading.Event().wait(pause)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ctl"
    finally:
        server.shutdown()
        server.server_close()


def test_a_slow_drip_and_a_huge_reply_are_cut_off() -> None:
    with (
        dripping_router(chunks=100, size=10, pause=0.1) as url,
        pytest.raises(RouterError, match="slow"),
    ):
        soap_call(url, "urn:x:service:X:1", "Get", timeout=0.5)
    with (
        dripping_router(chunks=200, size=65536, pause=0) as url,
        pytest.raises(RouterError, match="large"),
    ):
        soap_call(url, "urn:x:service:X:1", "Get", timeout=5)


@contextmanager
def vanishing_router() -> Iterator[str]:
    """Answers with a Content-Length it never delivers, then hangs up."""

    class Gone(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n<s:Envelope")
            self.wfile.flush()
            self.connection.close()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gone)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ctl"
    finally:
        server.shutdown()
        server.server_close()


def test_a_router_that_vanishes_mid_reply_is_one_error() -> None:
    with vanishing_router() as url, pytest.raises(RouterError):
        soap_call(url, "urn:x:service:X:1", "Get", timeout=2)
