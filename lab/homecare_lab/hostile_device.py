"""A hostile LAN device for discovery tests: it must cost homecare nothing.

It announces mDNS service types that python-zeroconf refuses (``_x--y._tcp``,
``_-bad-._tcp``, ``_._tcp``, which makes zeroconf raise ``IndexError``),
instances of them, and ``_ipp._tcp`` instances with names a resolver should
not trip over (no type suffix, an empty label, terminal escapes), answers
SSDP searches, and serves a UPnP description that
declares an encoding Python does not know (``encoding="x-hostile"``, which
makes the XML parser raise ``LookupError``). Before issue 14 item 4 either one
made the whole devices probe fail.

Run in a namespace the test built::

    python -m homecare_lab.hostile_device --ip 10.77.0.101 [--printer]

``--printer`` instead plays a well-behaved printer (``_ipp._tcp``), so a test
can show that the other devices are still found. Prints ``READY``; SIGTERM
ends it. Only ever bound to the address given (a namespace's or loopback).
"""

from __future__ import annotations

import argparse
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BAD_TYPES = ("_x--y._tcp.local.", "_-bad-._tcp.local.", "_._tcp.local.")
SERVICES_META = "_services._dns-sd._udp.local."
BAD_INSTANCES = ("garbage", "._ipp._tcp.local.", "\x1b]52;c;eA==\x07Evil._ipp._tcp.local.")
SSDP_GROUP = "239.255.255.250"
HOSTILE_XML = (
    b'<?xml version="1.0" encoding="x-hostile"?>'
    b'<root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
    b"<friendlyName>Evil TV</friendlyName><manufacturer>Hans Schmidt</manufacturer>"
    b"</device></root>"
)


def bad_type_announcement() -> Any:
    """A DNS response announcing the refused types and one instance of each."""
    from zeroconf._dns import DNSPointer
    from zeroconf._protocol.outgoing import DNSOutgoing
    from zeroconf.const import _CLASS_IN, _FLAGS_AA, _FLAGS_QR_RESPONSE, _TYPE_PTR

    out = DNSOutgoing(_FLAGS_QR_RESPONSE | _FLAGS_AA)
    for type_ in BAD_TYPES:
        out.add_answer_at_time(DNSPointer(SERVICES_META, _TYPE_PTR, _CLASS_IN, 4500, type_), 0)
        out.add_answer_at_time(DNSPointer(type_, _TYPE_PTR, _CLASS_IN, 4500, f"Evil.{type_}"), 0)
    # Instances of a good type with names no resolver should trip over.
    for name in BAD_INSTANCES:
        out.add_answer_at_time(DNSPointer("_ipp._tcp.local.", _TYPE_PTR, _CLASS_IN, 4500, name), 0)
    return out


def announce_forever(zc: Any, stop: threading.Event, every_s: float = 0.2) -> None:
    while not stop.is_set():
        zc.send(bad_type_announcement())
        stop.wait(every_s)


class _Description(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(HOSTILE_XML)))
        self.end_headers()
        self.wfile.write(HOSTILE_XML)


def serve_description(ip: str, port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((ip, port), _Description)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def ssdp_responder(sock: socket.socket, location: str, stop: threading.Event) -> None:
    """Answer every M-SEARCH on *sock* with *location*."""
    sock.settimeout(0.1)
    while not stop.is_set():
        try:
            data, addr = sock.recvfrom(4096)
        except (TimeoutError, OSError):
            continue
        if data.startswith(b"M-SEARCH"):
            reply = (
                f"HTTP/1.1 200 OK\r\nLOCATION: {location}\r\nSERVER: Evil/1 UPnP/1.0\r\n"
                "ST: upnp:rootdevice\r\nUSN: uuid:evil::upnp:rootdevice\r\n\r\n"
            )
            sock.sendto(reply.encode(), addr)


def _ssdp_socket(ip: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("", 1900))
    group = struct.pack("4s4s", socket.inet_aton(SSDP_GROUP), socket.inet_aton(ip))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group)
    return sock


def _printer(ip: str) -> Any:
    from zeroconf import IPVersion, ServiceInfo, Zeroconf

    zc = Zeroconf(interfaces=[ip], ip_version=IPVersion.V4Only)
    info = ServiceInfo(
        "_ipp._tcp.local.",
        "Office Printer._ipp._tcp.local.",
        addresses=[socket.inet_aton(ip)],
        port=631,
        properties={"ty": "Brother HL-L2350DW"},
        server="brn1.local.",
    )
    zc.register_service(info)
    return zc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m homecare_lab.hostile_device")
    parser.add_argument("--ip", required=True)
    parser.add_argument("--printer", action="store_true")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if args.printer:
        zc = _printer(args.ip)
    else:
        from zeroconf import IPVersion, Zeroconf

        zc = Zeroconf(interfaces=[args.ip], ip_version=IPVersion.V4Only)
        server = serve_description(args.ip, 8080)
        location = f"http://{args.ip}:{server.server_address[1]}/desc.xml"
        sock = _ssdp_socket(args.ip)
        threading.Thread(target=ssdp_responder, args=(sock, location, stop), daemon=True).start()
        threading.Thread(target=announce_forever, args=(zc, stop), daemon=True).start()
    print("READY", flush=True)
    while not stop.is_set():
        time.sleep(0.1)
    zc.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
