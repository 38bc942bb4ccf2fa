"""DHCP server discovery: the DISCOVER we send, the OFFERs we accept, the rule."""

from __future__ import annotations

import socket
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from homecare.diagnose.base import RuleContext
from homecare.diagnose.device_rules import MultipleDhcpServersRule
from homecare.models import Device, DevicesData, Observation, ProbeStatus
from homecare.probes.discovery.dhcp_servers import (
    MAGIC_COOKIE,
    build_discover,
    parse_offer,
)
from homecare.profiles.provider import ProviderProfile

MAC = bytes.fromhex("02aabbccddee")


def offer(xid: int, server: str, yiaddr: str = "192.168.1.50", router: str | None = None,
          msg_type: int = 2) -> bytes:  # fmt: skip
    header = struct.pack("!BBBBIHH", 2, 1, 6, 0, xid, 0, 0x8000)
    header += b"\0" * 4 + socket.inet_aton(yiaddr) + b"\0" * 8 + MAC.ljust(16, b"\0")
    header += b"\0" * 192
    opts = bytes([53, 1, msg_type, 54, 4]) + socket.inet_aton(server)
    if router:
        opts += bytes([3, 4]) + socket.inet_aton(router)
    return header + MAGIC_COOKIE + opts + bytes([255])


def test_discover_is_a_well_formed_broadcast_request() -> None:
    packet = build_discover(0x1234ABCD, MAC)
    assert packet[0] == 1  # BOOTREQUEST
    assert struct.unpack("!I", packet[4:8])[0] == 0x1234ABCD
    assert struct.unpack("!H", packet[10:12])[0] & 0x8000  # broadcast flag
    assert packet[28:34] == MAC
    assert packet[236:240] == MAGIC_COOKIE
    assert packet[240:243] == bytes([53, 1, 1])  # DHCPDISCOVER


def test_offer_is_parsed() -> None:
    got = parse_offer(offer(7, "192.168.1.1", router="192.168.1.1"), 7)
    assert got is not None
    assert (got.server_id, got.offered_ip, got.router) == (
        "192.168.1.1",
        "192.168.1.50",
        "192.168.1.1",
    )


def test_other_transactions_and_message_types_are_ignored() -> None:
    assert parse_offer(offer(7, "192.168.1.1"), 8) is None
    assert parse_offer(offer(7, "192.168.1.1", msg_type=5), 7) is None  # an ACK
    assert parse_offer(offer(7, "192.168.1.1")[:200], 7) is None


@settings(max_examples=300, deadline=200)
@given(st.binary(max_size=600), st.integers(min_value=0, max_value=2**32 - 1))
def test_garbage_never_raises(data: bytes, xid: int) -> None:
    parse_offer(data, xid)


@settings(max_examples=200, deadline=200)
@given(st.binary(max_size=300))
def test_truncated_options_never_raise(options: bytes) -> None:
    packet = offer(9, "10.0.0.1")
    parse_offer(packet[:240] + options, 9)


def _ctx(servers: list[str] | None) -> RuleContext:
    data = DevicesData(
        method="arp-sweep",
        devices=[
            Device(
                key="aa:bb:cc:dd:ee:01",
                mac="aa:bb:cc:dd:ee:01",
                ipv4=["192.168.1.1"],
                is_gateway=True,
            )
        ],
        dhcp_servers=servers,
    )
    obs = Observation(probe="devices", area="devices", status=ProbeStatus.OK, data=data)
    return RuleContext(observations={"devices": obs}, provider=ProviderProfile())


def test_rule_fires_only_with_two_or_more_servers() -> None:
    rule = MultipleDhcpServersRule()
    assert rule.evaluate(_ctx(None)) == []
    assert rule.evaluate(_ctx(["192.168.1.1"])) == []
    [finding] = rule.evaluate(_ctx(["192.168.1.1", "192.168.1.77"]))
    assert finding.code == "lan.dhcp.multiple_servers"
    assert finding.evidence["unexpected"] == ["192.168.1.77"]
