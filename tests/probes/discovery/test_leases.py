from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from homecare.probes.discovery.leases import parse_dnsmasq, parse_odhcpd, read_leases

DNSMASQ = """1700003600 f0:18:98:aa:bb:cc 192.168.1.23 Annas-iPhone 01:f0:18:98:aa:bb:cc
1700007200 b8:27:eb:00:11:22 192.168.1.30 * *
duid 00:01:00:01:2a:4f:d7:e2:52:54:00:12:34:56
1700009000 305419896 2001:db8::23 laptop 00:01:00:01:aa:bb
garbage line
"""

ODHCPD = """# br-lan 001122334455 ipv4 printer 1700003600 4a 32 192.168.1.74/32
192.168.1.74	printer.lan printer
# br-lan 000100012a4fd7e2aabbccddeeff 5e1c9c2a laptop 1700009000 23 128 fd12:3456::23/128
fd12:3456::23	laptop.lan laptop
# br-lan 66778899aabb ipv4 - -1 4b 32 192.168.1.75/32
"""


def test_dnsmasq() -> None:
    leases = parse_dnsmasq(DNSMASQ)
    assert len(leases) == 3
    assert leases[0].hostname == "Annas-iPhone" and leases[0].mac == "f0:18:98:aa:bb:cc"
    assert leases[0].expiry == 1700003600
    assert leases[1].hostname is None
    assert leases[2].ip == "2001:db8::23" and leases[2].mac is None


def test_odhcpd() -> None:
    leases = parse_odhcpd(ODHCPD)
    assert [lease.ip for lease in leases] == ["192.168.1.74", "fd12:3456::23", "192.168.1.75"]
    assert leases[0].mac == "00:11:22:33:44:55" and leases[0].hostname == "printer"
    assert leases[1].mac is None and leases[1].hostname == "laptop"
    assert leases[2].hostname is None and leases[2].expiry is None


def test_read_leases(tmp_path: Path) -> None:
    d = tmp_path / "dnsmasq.leases"
    d.write_text(DNSMASQ)
    o = tmp_path / "odhcpd"
    o.write_text(ODHCPD)
    leases, used = read_leases([d, tmp_path / "absent"], [o])
    assert len(leases) == 6
    assert used == [str(d), str(o)]


@settings(max_examples=300, deadline=1000)
@given(st.text(max_size=600))
def test_garbage(text: str) -> None:
    parse_dnsmasq(text)
    parse_odhcpd(text)
    parse_odhcpd("# " + text)
