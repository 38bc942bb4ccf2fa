"""Path MTU and black holes: DF-set probes of decreasing size.

With ``IP_MTU_DISCOVER = IP_PMTUDISC_DO`` the kernel never fragments: a probe
too big for a hop either comes back as "fragmentation needed" (the kernel
then refuses the size with EMSGSIZE and reports the path MTU), or, on a path
with a black hole, silently disappears. Small probes answering while large
ones vanish without any such signal is the black hole that makes big
downloads and VPNs hang while small pages load.
"""

from __future__ import annotations

import errno
import os
import random
import select
import socket
import time
from dataclasses import dataclass

from homecare.i18n import _
from homecare.models import HostData
from homecare.models.connection import MtuData
from homecare.probes.base import ProbeContext
from homecare.probes.reach.icmp import build_echo, open_icmp_socket, parse_echo_reply

IP_MTU_DISCOVER = getattr(socket, "IP_MTU_DISCOVER", 10)
IP_PMTUDISC_DO = getattr(socket, "IP_PMTUDISC_DO", 2)
IP_MTU = getattr(socket, "IP_MTU", 14)
HEADERS = 28  # IPv4 + ICMP (or UDP) header bytes
MIN_MTU = 576


class TooBig(Exception):
    """The kernel knows the path MTU is smaller (EMSGSIZE)."""

    def __init__(self, mtu: int | None) -> None:
        super().__init__(mtu)
        self.mtu = mtu


@dataclass
class Prober:
    """Sends one DF-set ICMP echo of a given total size and waits for the reply."""

    sock: socket.socket
    raw: bool
    target: str
    timeout_s: float
    ident: int = 0
    seq: int = 0

    def fits(self, size: int) -> bool:
        """True if an echo of *size* IP bytes was answered; raises TooBig on EMSGSIZE."""
        self.seq = (self.seq + 1) & 0xFFFF
        packet = build_echo(self.ident, self.seq, os.urandom(size - HEADERS))
        try:
            self.sock.sendto(packet, (self.target, 0))
        except OSError as exc:
            if exc.errno == errno.EMSGSIZE:
                raise TooBig(self._kernel_mtu()) from exc
            raise
        until = time.monotonic() + self.timeout_s
        while (left := until - time.monotonic()) > 0:
            ready, _w, _x = select.select([self.sock], [], [], left)
            if not ready:
                break
            try:
                reply, addr = self.sock.recvfrom(65535)
            except OSError as exc:
                if exc.errno == errno.EMSGSIZE:
                    raise TooBig(self._kernel_mtu()) from exc
                continue
            parsed = parse_echo_reply(reply, self.raw)
            mine = parsed is not None and (not self.raw or parsed[0] == self.ident)
            if addr[0] == self.target and mine and parsed is not None and parsed[1] == self.seq:
                return True
        return False

    def _kernel_mtu(self) -> int | None:
        try:
            self.sock.connect((self.target, 0))
            return int(self.sock.getsockopt(socket.IPPROTO_IP, IP_MTU))
        except OSError:
            return None


def search(prober: Prober, low: int, high: int, tries: int = 3) -> tuple[int, bool, int]:
    """(largest answered size, whether a larger size vanished silently, largest tried).

    *low* must already be known to pass.
    """
    silent = False
    largest = low
    while low < high:
        mid = (low + high + 1) // 2
        largest = max(largest, mid)
        try:
            ok = any(prober.fits(mid) for _ in range(tries))
        except TooBig as big:
            high = min(mid - 1, big.mtu) if big.mtu and big.mtu < mid else mid - 1
            continue
        if ok:
            low = mid
        else:
            silent = True
            high = mid - 1
    return low, silent, largest


def interface_mtu(ctx: ProbeContext) -> int | None:
    host = ctx.results.get("host")
    if host is None or not isinstance(host.data, HostData):
        return None
    primary = host.data.primary_interface
    for iface in host.data.interfaces:
        if iface.name == primary:
            return iface.mtu
    return None


class MtuProbe:
    name = "mtu"
    area = "connectivity"
    requires: tuple[str, ...] = ("host",)
    timeout_s = 8.0

    def run(self, ctx: ProbeContext) -> MtuData:
        target = ctx.provider.targets.internet_hosts[0]
        if_mtu = interface_mtu(ctx)
        ceiling = min(if_mtu or ctx.provider.quality.mtu_max, ctx.provider.quality.mtu_max)
        opened = open_icmp_socket()
        if opened is None:
            return MtuData(target=target, method="none", interface_mtu=if_mtu,
                           error=_("ICMP is not allowed for this user; the path MTU was not measured."))  # fmt: skip
        sock, method = opened
        timeout = 0.4 if ctx.quick else 0.7
        with sock:
            try:
                target_ip = socket.gethostbyname(target)
                sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
            except OSError as exc:
                return MtuData(target=target, method="none", interface_mtu=if_mtu, error=str(exc))
            prober = Prober(sock, method == "icmp-raw", target_ip, timeout,
                            ident=random.randint(1, 0xFFFF))  # fmt: skip
            try:
                started = time.monotonic()
                if not any(prober.fits(MIN_MTU) for _ in range(3)):
                    return MtuData(target=target, method="icmp", interface_mtu=if_mtu,
                                   error=_("The target does not answer, so the path MTU is unknown."))  # fmt: skip
                # a few round trips is plenty to wait once we know the target answers
                rtt = time.monotonic() - started
                prober.timeout_s = min(timeout, max(0.15, 5 * rtt))
                high = ceiling
                try:
                    if any(prober.fits(ceiling) for _ in range(2)):
                        return MtuData(target=target, method="icmp", interface_mtu=if_mtu,
                                       path_mtu=ceiling, largest_tried=ceiling)  # fmt: skip
                    high = ceiling - 1
                except TooBig as big:
                    high = min(ceiling - 1, big.mtu or ceiling - 1)
                found, silent, largest = search(prober, MIN_MTU, high)
            except TooBig:  # even the minimum is too big: broken local setup
                return MtuData(target=target, method="icmp", interface_mtu=if_mtu,
                               error=_("Even small packets are refused as too big."))  # fmt: skip
            except OSError as exc:
                return MtuData(target=target, method="icmp", interface_mtu=if_mtu,
                               error=exc.strerror or str(exc))  # fmt: skip
        return MtuData(
            target=target,
            method="icmp",
            interface_mtu=if_mtu,
            path_mtu=found,
            largest_tried=max(largest, ceiling),
            blackhole=silent,
        )
