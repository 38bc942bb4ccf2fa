"""Independent measuring tools the lab's self-tests run inside the namespaces.

They check the virtual home against its spec without going through
homecare's own probes (which are what the home exists to test), and print
JSON so tests can assert on numbers:

* ``ping HOST`` — ICMP echo via a raw socket (iputils is not installed).
* ``loss-server`` / ``loss-client`` — one-way UDP loss per direction through NAT.
* ``mdns-browse TYPE…`` — python-zeroconf browse, resolving every instance.
* ``ssdp-search`` — M-SEARCH ssdp:all, then fetch each description XML.
* ``http-get URL`` — one request, redirects *not* followed.
* ``dns-lookup NAME`` / ``tcp-connect HOST PORT``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import socket
import struct
import sys
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

SSDP_ADDR = ("239.255.255.250", 1900)


def _checksum(data: bytes) -> int:
    """RFC 1071, written again on purpose rather than imported from
    ``homecare.probes.reach.icmp``: a bug there must not pass the lab's own check."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return int(~total & 0xFFFF)


def ping(host: str, count: int = 3, timeout: float = 1.0, interval: float = 0.2) -> dict[str, Any]:
    """ICMP echo ``count`` times; returns sent/received and RTTs in ms."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = os.getpid() & 0xFFFF
    rtts: list[float] = []
    try:
        for seq in range(count):
            header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            payload = b"homecare-lab" * 4
            packet = struct.pack("!BBHHH", 8, 0, _checksum(header + payload), ident, seq) + payload
            start = time.monotonic()
            try:
                sock.sendto(packet, (host, 0))
            except OSError:
                time.sleep(interval)
                continue
            deadline = start + timeout
            while (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                try:
                    data, _ = sock.recvfrom(2048)
                except TimeoutError:
                    break
                ihl = (data[0] & 0x0F) * 4
                typ, _, _, rid, rseq = struct.unpack("!BBHHH", data[ihl : ihl + 8])
                if typ == 0 and rid == ident and rseq == seq:
                    rtts.append((time.monotonic() - start) * 1000)
                    break
            time.sleep(interval)
    finally:
        sock.close()
    return {"host": host, "sent": count, "received": len(rtts), "rtt_ms": rtts}


# ---------------------------------------------------------------------------- UDP loss


def loss_server(bind: str, port: int, lifetime: float) -> None:
    """Counts 'U' packets per session; answers 'Q' with the count; 'D' streams back."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((bind, port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    seen: dict[str, set[int]] = {}
    started: set[str] = set()
    end = time.monotonic() + lifetime
    print("ready", flush=True)
    while time.monotonic() < end:
        sock.settimeout(max(0.1, end - time.monotonic()))
        try:
            data, addr = sock.recvfrom(2048)
        except TimeoutError:
            break
        parts = data.split()
        if not parts:
            continue
        kind, session = parts[0], parts[1].decode() if len(parts) > 1 else ""
        if kind == b"U" and len(parts) >= 3 and parts[2].isdigit():
            seen.setdefault(session, set()).add(int(parts[2]))
        elif kind == b"Q":
            sock.sendto(f"R {session} {len(seen.get(session, ()))}".encode(), addr)
        elif kind == b"D" and len(parts) >= 4 and session not in started and parts[3].isdigit():
            started.add(session)
            n, gap = int(parts[2]), int(parts[3]) / 1e6
            t0 = time.monotonic()
            for seq in range(n):
                sock.sendto(f"d {session} {seq} ".encode().ljust(100, b"."), addr)
                # Pace by schedule so the WAN shaper never queues-drops: only loss counts.
                delay = t0 + (seq + 1) * gap - time.monotonic()
                if delay > 0:
                    time.sleep(delay)


def loss_client(
    host: str, port: int, count: int, direction: str, gap_us: int = 1000
) -> dict[str, Any]:
    """Send/receive ``count`` paced datagrams one way and report the loss."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.connect((host, port))
    session = os.urandom(4).hex()
    received = 0
    if direction == "up":
        t0 = time.monotonic()
        for seq in range(count):
            sock.send(f"U {session} {seq} ".encode().ljust(100, b"."))
            delay = t0 + (seq + 1) * gap_us / 1e6 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        time.sleep(0.3)
        sock.settimeout(0.3)
        for _ in range(30):  # the query or its answer may be lost too
            sock.send(f"Q {session}".encode())
            with contextlib.suppress(TimeoutError, ConnectionRefusedError):
                reply = sock.recv(256).split()
                if reply[0] == b"R" and reply[1].decode() == session:
                    received = int(reply[2])
                    break
        else:
            raise RuntimeError("loss server never answered the count query")
    else:
        got: set[int] = set()
        sock.settimeout(0.2)
        for _ in range(30):  # the request may be lost: repeat until data flows
            sock.send(f"D {session} {count} {gap_us}".encode())
            with contextlib.suppress(TimeoutError, ConnectionRefusedError):
                got.add(int(sock.recv(256).split()[2]))
                break
        sock.settimeout(1.0)
        while True:
            try:
                got.add(int(sock.recv(256).split()[2]))
            except (TimeoutError, ConnectionRefusedError):
                break
        received = len(got)
    sock.close()
    loss = 100.0 * (count - received) / count
    return {"direction": direction, "sent": count, "received": received, "loss_pct": loss}


# ---------------------------------------------------------------------------- discovery


def mdns_browse(types: Sequence[str], timeout: float) -> list[dict[str, Any]]:
    """Browse DNS-SD types over mDNS and resolve every instance found."""
    from zeroconf import IPVersion, ServiceBrowser, ServiceListener, Zeroconf

    zc = Zeroconf(ip_version=IPVersion.V4Only)
    found: set[tuple[str, str]] = set()

    class Listener(ServiceListener):
        def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            found.add((type_, name))

        def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            found.add((type_, name))

        def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            pass

    full = [t if t.endswith(".local.") else f"{t}.local." for t in types]
    browser = ServiceBrowser(zc, full, Listener())
    time.sleep(timeout)
    browser.cancel()
    out = []
    for type_, name in sorted(found):
        info = zc.get_service_info(type_, name, timeout=3000)
        if info is None:
            out.append({"type": type_, "name": name, "resolved": False})
            continue
        out.append(
            {
                "type": type_.removesuffix(".local."),
                "name": name.removesuffix("." + type_),
                "resolved": True,
                "addresses": info.parsed_addresses(),
                "port": info.port,
                "server": info.server,
                "txt": {
                    k.decode(): (v.decode() if v is not None else None)
                    for k, v in info.properties.items()
                },
            }
        )
    zc.close()
    return out


def ssdp_search(timeout: float, st: str = "ssdp:all") -> list[dict[str, Any]]:
    """M-SEARCH and collect unique root devices with their description fields."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
    msg = (
        "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
        f'MAN: "ssdp:discover"\r\nMX: 1\r\nST: {st}\r\n\r\n'
    ).encode()
    for _ in range(2):
        sock.sendto(msg, SSDP_ADDR)
    locations: dict[str, dict[str, str]] = {}
    end = time.monotonic() + timeout
    while (left := end - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            data, addr = sock.recvfrom(4096)
        except TimeoutError:
            break
        headers = {}
        for line in data.decode("latin-1").split("\r\n")[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        loc = headers.get("location")
        if loc:
            entry = locations.setdefault(loc, {"from": addr[0], "location": loc})
            entry.setdefault("server", headers.get("server", ""))
            entry.setdefault("usn", headers.get("usn", "").split("::")[0])
    sock.close()
    out = []
    for loc, entry in sorted(locations.items()):
        try:
            status, _, body = http_get(loc, 3.0)
        except OSError as exc:
            entry["error"] = str(exc)
            out.append(entry)
            continue
        text = body.decode("utf-8", "replace")
        entry["status"] = str(status)
        for tag in ("friendlyName", "manufacturer", "modelName", "deviceType", "UDN"):
            m = re.search(f"<{tag}>(.*?)</{tag}>", text, re.S)
            entry[tag] = m.group(1) if m else ""
        out.append(entry)
    return out


def http_get(url: str, timeout: float) -> tuple[int, dict[str, str], bytes]:
    """One GET without following redirects: (status, headers, first 64 kB of body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 80, timeout=timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read(65536)
    finally:
        conn.close()


def dns_lookup(name: str) -> dict[str, Any]:
    t0 = time.monotonic()
    try:
        infos = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return {"name": name, "ok": False, "error": str(exc), "seconds": time.monotonic() - t0}
    addrs = sorted({str(i[4][0]) for i in infos})
    return {"name": name, "ok": True, "addresses": addrs, "seconds": time.monotonic() - t0}


def tcp_connect(host: str, port: int, timeout: float) -> dict[str, Any]:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return {"host": host, "port": port, "open": True}
    except OSError as exc:
        return {"host": host, "port": port, "open": False, "error": str(exc)}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="virtual-home measuring tools")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("ping")
    s.add_argument("host")
    s.add_argument("--count", type=int, default=3)
    s.add_argument("--timeout", type=float, default=1.0)
    s = sub.add_parser("loss-server")
    s.add_argument("--bind", required=True)
    s.add_argument("--port", type=int, default=9000)
    s.add_argument("--lifetime", type=float, default=120)
    s = sub.add_parser("loss-client")
    s.add_argument("host")
    s.add_argument("--port", type=int, default=9000)
    s.add_argument("--count", type=int, default=2000)
    s.add_argument("--direction", choices=["up", "down"], required=True)
    s.add_argument("--gap-us", type=int, default=1000)
    s = sub.add_parser("mdns-browse")
    s.add_argument("types", nargs="+")
    s.add_argument("--timeout", type=float, default=3.0)
    s = sub.add_parser("ssdp-search")
    s.add_argument("--timeout", type=float, default=2.0)
    s.add_argument("--st", default="ssdp:all")
    s = sub.add_parser("http-get")
    s.add_argument("url")
    s.add_argument("--timeout", type=float, default=5.0)
    s = sub.add_parser("dns-lookup")
    s.add_argument("name")
    s = sub.add_parser("tcp-connect")
    s.add_argument("host")
    s.add_argument("port", type=int)
    s.add_argument("--timeout", type=float, default=2.0)
    a = p.parse_args(argv)
    result: Any
    if a.cmd == "ping":
        result = ping(a.host, a.count, a.timeout)
    elif a.cmd == "loss-server":
        loss_server(a.bind, a.port, a.lifetime)
        return 0
    elif a.cmd == "loss-client":
        result = loss_client(a.host, a.port, a.count, a.direction, a.gap_us)
    elif a.cmd == "mdns-browse":
        result = mdns_browse(a.types, a.timeout)
    elif a.cmd == "ssdp-search":
        result = ssdp_search(a.timeout, a.st)
    elif a.cmd == "http-get":
        try:
            status, headers, body = http_get(a.url, a.timeout)
            result = {
                "ok": True,
                "status": status,
                "headers": headers,
                "body": body[:2000].decode("utf-8", "replace"),
            }
        except OSError as exc:
            result = {"ok": False, "error": str(exc)}
    elif a.cmd == "dns-lookup":
        result = dns_lookup(a.name)
    else:
        result = tcp_connect(a.host, a.port, a.timeout)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
