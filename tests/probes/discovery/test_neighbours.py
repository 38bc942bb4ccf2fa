from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from homecare.probes.discovery.neighbours import parse_ip_neigh_json, parse_proc_net_arp

IP_NEIGH = json.dumps(
    [
        {"dst": "192.168.1.1", "dev": "eth0", "lladdr": "E4:8D:8C:01:02:03", "state": ["STALE"]},
        {
            "dst": "192.168.1.23",
            "dev": "eth0",
            "lladdr": "f0:18:98:aa:bb:cc",
            "state": ["REACHABLE"],
        },
        {"dst": "192.168.1.40", "dev": "eth0", "state": ["FAILED"]},
        {"dst": "192.168.1.41", "dev": "eth0", "state": ["INCOMPLETE"]},
        {
            "dst": "fe80::1",
            "dev": "eth0",
            "lladdr": "e4:8d:8c:01:02:03",
            "router": None,
            "state": ["STALE"],
        },
    ]
)

PROC_ARP = """IP address       HW type     Flags       HW address            Mask     Device
192.168.1.1      0x1         0x2         e4:8d:8c:01:02:03     *        eth0
192.168.1.40     0x1         0x0         00:00:00:00:00:00     *        eth0
10.0.0.5         0x1         0x6         00:11:22:33:44:55     *        wlan0
"""


def test_ip_neigh_json() -> None:
    entries = parse_ip_neigh_json(IP_NEIGH)
    assert [e.ip for e in entries] == [
        "192.168.1.1",
        "192.168.1.23",
        "192.168.1.40",
        "192.168.1.41",
    ]
    assert entries[0].mac == "e4:8d:8c:01:02:03"
    assert entries[0].state == "STALE"
    assert entries[2].mac is None and entries[2].state == "FAILED"


def test_proc_net_arp() -> None:
    entries = parse_proc_net_arp(PROC_ARP)
    assert len(entries) == 3
    assert entries[0].mac == "e4:8d:8c:01:02:03" and entries[0].interface == "eth0"
    assert entries[1].mac is None and entries[1].state == "INCOMPLETE"
    assert entries[2].state == "PERMANENT"


@settings(max_examples=300, deadline=1000)
@given(st.text(max_size=500))
def test_garbage_text(text: str) -> None:
    parse_ip_neigh_json(text)
    parse_proc_net_arp(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["dst", "dev", "lladdr", "state", "x"]), children, max_size=5
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=1000)
@given(json_values)
def test_garbage_json(value: object) -> None:
    for e in parse_ip_neigh_json(json.dumps(value)):
        assert isinstance(e.ip, str)
