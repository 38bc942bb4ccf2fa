"""Router mode's readers: /proc files, conntrack, detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from homecare.probes.discovery import leases as lease_files
from homecare.probes.router import local

ROUTE = (
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "br-lan\t004DA8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "wan0\t00000000\t024D4064\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
)
DEV = (
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
    "    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0\n"
    "  wan0: 9876543210 7000000  0    0    0     0          0         0 1234567890 3000000 0    0    0     0       0          0\n"
)
FLOWS = (
    "tcp      6 299 ESTABLISHED src=192.168.77.10 dst=198.51.100.5 sport=47200 dport=5201 packets=4721 "
    "bytes=245537 src=198.51.100.5 dst=100.64.77.1 sport=5201 dport=47200 packets=9747 bytes=24332244 "
    "[ASSURED] mark=0 use=1\n"
    "udp      17 27 src=192.168.77.1 dst=192.168.77.119 sport=67 dport=68 packets=5 bytes=1667 [UNREPLIED] "
    "src=192.168.77.119 dst=192.168.77.1 sport=68 dport=67 packets=0 bytes=0 mark=0 use=1\n"
    "tcp      6 10 ESTABLISHED src=100.64.77.1 dst=198.51.100.53 sport=1 dport=53 packets=1 bytes=60 "
    "src=198.51.100.53 dst=100.64.77.1 sport=53 dport=1 packets=1 bytes=90 mark=0 use=1\n"
    "tcp      6 10 ESTABLISHED src=192.168.77.10 dst=203.0.113.10 sport=2 dport=443 packets=1 "
    "mark=0 use=1\n"  # no accounting on this one: no bytes= fields
)


def test_default_route_and_counters() -> None:
    assert local.default_route_interface(ROUTE) == "wan0"
    assert local.interface_counters(DEV, "wan0") == (9876543210, 1234567890)
    assert local.interface_counters(DEV, "eth9") is None


def test_conntrack_counts_reply_bytes_towards_the_lan_device() -> None:
    import ipaddress

    usage = local.conntrack_per_device(FLOWS, ipaddress.ip_network("192.168.77.0/24"))
    # the router's own DHCP reply (src 192.168.77.1) is a LAN flow too, but tiny
    assert usage["192.168.77.10"] == (24332244, 245537)
    assert "100.64.77.1" not in usage


def test_detection_needs_forwarding_and_a_lease_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forward, leases = tmp_path / "ip_forward", tmp_path / "dnsmasq.leases"
    monkeypatch.setattr(local, "IP_FORWARD", forward)
    monkeypatch.setattr(lease_files, "DNSMASQ_FILES", (leases,))
    monkeypatch.setattr(lease_files, "ODHCPD_FILES", ())
    forward.write_text("1\n")
    assert not local.looks_like_router()  # a laptop running containers forwards too
    leases.write_text("1764612000 3c:2e:ff:10:22:33 192.168.1.141 tablet *\n")
    assert local.looks_like_router()
    forward.write_text("0\n")
    assert not local.looks_like_router()
