"""One process that plays every device's network services, each in its own namespace.

Starting 50 Python processes (one per device) would cost seconds and
gigabytes; instead this agent's single thread ``setns``-es into each device
namespace in turn and creates that device's sockets there: a python-zeroconf
responder bound to the device address (real mDNS/DNS-SD on the LAN), an SSDP
responder on 239.255.255.250:1900, an HTTP server for its UPnP description
and listeners on its TCP ports.  Sockets keep the namespace they were created
in, so afterwards one asyncio loop serves them all.

Run by the lab as ``python -m homecare_lab.device_agent CONFIG.json``; prints
``READY`` once every service is registered.  SIGTERM ends it at once (a
device that is torn down does not say goodbye, like a device unplugged).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import struct
import sys
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from homecare_lab import netns

SSDP_GROUP = "239.255.255.250"
SSDP_PORT = 1900


@dataclass(frozen=True)
class AgentDevice:
    """One device as the agent sees it (parsed from the config JSON)."""

    ns: str
    name: str
    ip: str
    hostname: str
    friendly_name: str
    services: list[dict[str, Any]]
    ssdp: dict[str, Any] | None
    tcp_ports: list[int]

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AgentDevice:
        return cls(
            ns=d["ns"],
            name=d["name"],
            ip=d["ip"],
            hostname=d["hostname"],
            friendly_name=d["friendly_name"],
            services=list(d.get("services", [])),
            ssdp=d.get("ssdp"),
            tcp_ports=[int(p) for p in d.get("tcp_ports", [])],
        )


def description_xml(dev: AgentDevice) -> bytes:
    """The UPnP device description served at ``/description.xml``."""
    s = dev.ssdp or {}
    fields = {
        "deviceType": s.get("device_type", ""),
        "friendlyName": s.get("friendly_name", dev.friendly_name),
        "manufacturer": s.get("manufacturer", ""),
        "modelName": s.get("model_name", ""),
        "modelNumber": s.get("model_number", ""),
        "UDN": f"uuid:{s.get('uuid', '')}",
    }
    inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in fields.items())
    return (
        '<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0">'
        "<specVersion><major>1</major><minor>0</minor></specVersion>"
        f"<device>{inner}</device></root>\n"
    ).encode()


def ssdp_response(dev: AgentDevice, st: str) -> bytes:
    s = dev.ssdp or {}
    uuid = s.get("uuid", "")
    usn = f"uuid:{uuid}" if st == f"uuid:{uuid}" else f"uuid:{uuid}::{st}"
    lines = [
        "HTTP/1.1 200 OK",
        "CACHE-CONTROL: max-age=1800",
        f"DATE: {formatdate(usegmt=True)}",
        "EXT:",
        f"LOCATION: http://{dev.ip}:{s.get('port', 49152)}/description.xml",
        "SERVER: Linux/5.10 UPnP/1.0 homecare-lab/1",
        f"ST: {st}",
        f"USN: {usn}",
        "",
        "",
    ]
    return "\r\n".join(lines).encode()


def matching_targets(dev: AgentDevice, st: str) -> list[str]:
    """Which search targets this device answers for an M-SEARCH ``ST``."""
    s = dev.ssdp or {}
    own = ["upnp:rootdevice", f"uuid:{s.get('uuid', '')}", s.get("device_type", "")]
    if st == "ssdp:all":
        return own
    return [st] if st in own else []


class SsdpProtocol(asyncio.DatagramProtocol):
    """Answers M-SEARCH for one device (unicast reply after a short MX delay)."""

    def __init__(self, dev: AgentDevice) -> None:
        self.dev = dev
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        text = data.decode("latin-1", "replace")
        if not text.startswith("M-SEARCH"):
            return
        headers = {}
        for line in text.split("\r\n")[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().upper()] = v.strip()
        if headers.get("MAN", "").strip('"') != "ssdp:discover":
            return
        targets = matching_targets(self.dev, headers.get("ST", ""))
        if not targets:
            return
        try:
            mx = max(0.0, min(float(headers.get("MX", "1")), 5.0))
        except ValueError:
            mx = 1.0
        delay = random.uniform(0, min(mx, 1.0) * 0.3)
        loop = asyncio.get_running_loop()
        for st in targets:
            loop.call_later(delay, self._send, ssdp_response(self.dev, st), addr)

    def _send(self, payload: bytes, addr: tuple[str | Any, int]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(payload, addr)


def _ssdp_socket(ip: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("", SSDP_PORT))
    mreq = struct.pack("4s4s", socket.inet_aton(SSDP_GROUP), socket.inet_aton(ip))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ip))
    sock.setblocking(False)
    return sock


def _tcp_socket(ip: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((ip, port))
    sock.listen(16)
    sock.setblocking(False)
    return sock


def _http_reply(status: str, body: bytes, ctype: str, server: str) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nServer: {server}\r\nContent-Type: {ctype}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def _port_handler(dev: AgentDevice, port: int) -> Any:
    ssdp_port = (dev.ssdp or {}).get("port")
    server = f"{(dev.ssdp or {}).get('manufacturer', 'embedded')} httpd"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=3)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            writer.close()
            return
        first = request.split(b"\r\n", 1)[0].decode("latin-1", "replace").split()
        path = first[1] if len(first) > 1 else "/"
        if port == ssdp_port and path.startswith("/description.xml"):
            reply = _http_reply("200 OK", description_xml(dev), 'text/xml; charset="utf-8"', server)
        elif first and first[0].isalpha():
            body = f"<!doctype html><title>{escape(dev.friendly_name)}</title>\n".encode()
            reply = _http_reply("200 OK", body, "text/html", server)
        else:
            reply = b""
        try:
            writer.write(reply)
            await writer.drain()
        except OSError:
            pass
        writer.close()

    return handle


async def _start_device(dev: AgentDevice, zeroconfs: list[Any], tasks: list[Any]) -> None:
    """Create the device's sockets inside its namespace, then register services."""
    from zeroconf import IPVersion, ServiceInfo
    from zeroconf.asyncio import AsyncZeroconf

    loop = asyncio.get_running_loop()
    with netns.enter(dev.ns):
        servers = []
        ports = set(dev.tcp_ports)
        if dev.ssdp:
            ports.add(int(dev.ssdp.get("port", 49152)))
            ssdp_sock = _ssdp_socket(dev.ip)
        tcp_socks = {p: _tcp_socket(dev.ip, p) for p in sorted(ports)}
        azc = (
            AsyncZeroconf(interfaces=[dev.ip], ip_version=IPVersion.V4Only)
            if dev.services
            else None
        )
    if dev.ssdp:
        await loop.create_datagram_endpoint(lambda: SsdpProtocol(dev), sock=ssdp_sock)
    for port, sock in tcp_socks.items():
        servers.append(await asyncio.start_server(_port_handler(dev, port), sock=sock))
    if azc is None:
        return
    zeroconfs.append(azc)
    for svc in dev.services:
        stype = f"{svc['type']}.local."
        instance = svc.get("name") or dev.friendly_name
        info = ServiceInfo(
            stype,
            f"{instance}.{stype}",
            addresses=[socket.inet_aton(dev.ip)],
            port=int(svc["port"]),
            properties={k: v for k, v in svc.get("txt", {}).items()},
            server=f"{dev.hostname}.local.",
        )
        tasks.append(await azc.async_register_service(info, cooperating_responders=True))


async def run_agent(config: dict[str, Any]) -> None:
    devices = [AgentDevice.from_json(d) for d in config["devices"]]
    zeroconfs: list[Any] = []
    registrations: list[Any] = []
    for dev in devices:
        await _start_device(dev, zeroconfs, registrations)
    # Wait for probing/announcing so browsers find everything at once.
    if registrations:
        await asyncio.gather(*registrations)
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    # Vanish without goodbyes: teardown must be fast and a removed device is silent.
    os._exit(0)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m homecare_lab.device_agent CONFIG.json", file=sys.stderr)
        return 2
    config = json.loads(Path(args[0]).read_text())
    asyncio.run(run_agent(config))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
