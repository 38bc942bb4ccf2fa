"""Every parser survives garbage and near-miss text, quickly.

Near-miss inputs are lines with the right labels and wrong values (the
likeliest real-world surprise: a new tool version or locale). The hypothesis
deadline makes any input that takes a second or more a failure.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecare.probes.wifi.channels import channel_advice
from homecare.probes.wifi.parsers.iw_dev import parse_iw_dev
from homecare.probes.wifi.parsers.iw_link import parse_iw_link
from homecare.probes.wifi.parsers.iw_scan import parse_iw_scan
from homecare.probes.wifi.parsers.iw_station import parse_iw_station_dump
from homecare.probes.wifi.parsers.netsh import parse_netsh_interfaces, parse_netsh_networks
from homecare.probes.wifi.parsers.nmcli import parse_nmcli_wifi_list
from homecare.probes.wifi.parsers.proc_wireless import parse_proc_net_wireless
from homecare.probes.wifi.parsers.system_profiler import parse_system_profiler
from homecare.probes.wifi.parsers.wdutil import parse_wdutil_info

FAST = settings(
    max_examples=150,
    deadline=timedelta(seconds=1),
    suppress_health_check=[HealthCheck.too_slow],
)

PARSERS: dict[str, Callable[[str], Any]] = {
    "iw_dev": parse_iw_dev,
    "iw_link": parse_iw_link,
    "iw_station": parse_iw_station_dump,
    "iw_scan": parse_iw_scan,
    "nmcli": parse_nmcli_wifi_list,
    "proc": parse_proc_net_wireless,
    "system_profiler": parse_system_profiler,
    "wdutil": parse_wdutil_info,
    "netsh_interfaces": parse_netsh_interfaces,
    "netsh_networks": parse_netsh_networks,
}

LABELS = [
    "Interface", "type", "addr", "channel", "Connected to", "SSID", "freq", "signal", "tx bitrate",
    "rx bitrate", "Station", "tx retries", "tx failed", "tx packets", "inactive time", "connected time",
    "BSS", "RSN", "WPA", "HT operation", "VHT operation", "HE Operation", "EHT Operation",
    "channel width", "center freq segment 1", "secondary channel offset", "Authentication suites",
    "Pairwise ciphers", "capability", "DS Parameter set", "Name", "State", "Status", "État",
    "AP BSSID", "BSSID 1", "SSID 1", "Radio type", "Funktyp", "Type de radio", "Channel", "Kanal",
    "Canal", "Band", "Bande", "Receive rate (Mbps)", "Empfangsrate (MBit/s)", "Übertragungsrate (MBit/s)",
    "Signal", "RSSI", "Noise", "Tx Rate", "PHY Mode", "Security", "Cipher", "WIFI", "wlan0",
]  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["-", "--", "dBm", "MBit/s", "5g/", "149 (", "(5GHz, MHz)", "\\:", "::::", "%", "120%", "-999 dBm",
         "1 (80 MHz)", "HE-MCS", "EHT-MCS 99 320MHz", "yes", "connected", "verbunden", "aa:bb", "\t\t *"]
    ),
)  # fmt: skip
INDENT = st.sampled_from(["", "\t", "\t\t", "\t\t * ", "    ", "         "])
LINE = st.tuples(
    INDENT, st.sampled_from(LABELS), st.sampled_from([":", " : ", " ", ":\t", ""]), VALUES
).map("".join)
NEAR_MISS = st.lists(LINE, max_size=40).map("\n".join)


@pytest.mark.parametrize("name", sorted(PARSERS))
@FAST
@given(text=st.text(max_size=2000))
def test_parsers_survive_random_text(name: str, text: str) -> None:
    PARSERS[name](text)


@pytest.mark.parametrize("name", sorted(PARSERS))
@FAST
@given(text=NEAR_MISS)
def test_parsers_survive_near_miss_lines(name: str, text: str) -> None:
    result = PARSERS[name](text)
    if name in ("iw_scan", "netsh_networks"):
        channel_advice(result, None)


JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
MAC_KEYS = st.sampled_from(
    ["_name", "spairport_network_channel", "spairport_signal_noise", "spairport_network_rate",
     "spairport_security_mode", "spairport_network_phymode", "spairport_network_bssid",
     "spairport_current_network_information", "spairport_airport_other_local_wireless_networks",
     "spairport_airport_interfaces", "SPAirPortDataType", "spairport_status_information"]
)  # fmt: skip
MAC_JSON = st.recursive(
    JSON_LEAF,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(MAC_KEYS, children, max_size=5)
    ),
    max_leaves=30,
)


@FAST
@given(doc=MAC_JSON)
def test_system_profiler_survives_odd_json(doc: Any) -> None:
    parse_system_profiler(json.dumps(doc))


@pytest.mark.parametrize("name", sorted(PARSERS))
@pytest.mark.parametrize(
    "text",
    [
        "1" * 50_000,
        "\t" * 20_000 + "x",
        "BSS " + "a:" * 10_000,
        "Station " + "0" * 20_000,
        ("SSID 1 : x\n    BSSID 1 : y\n" * 2_000),
        ("\\:" * 20_000),
        "channel " + "9" * 10_000 + " (" + "9" * 10_000 + " MHz)",
        "signal: " + "-" * 20_000 + "1 dBm",
        "{" * 5_000,
    ],
    ids=[
        "digits",
        "tabs",
        "bss",
        "station",
        "netsh-repeat",
        "escapes",
        "channel",
        "dashes",
        "json-nesting",
    ],
)
def test_parsers_are_fast_on_pathological_input(name: str, text: str) -> None:
    started = time.perf_counter()
    PARSERS[name](text)
    assert time.perf_counter() - started < 1.0
