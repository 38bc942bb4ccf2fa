"""Linux parsers on recorded iw, nmcli and /proc/net/wireless output."""

from __future__ import annotations

from wifi_fixtures import fixture_text

from homecare.probes.wifi.parsers.iw_dev import parse_iw_dev
from homecare.probes.wifi.parsers.iw_link import parse_iw_link
from homecare.probes.wifi.parsers.iw_scan import parse_iw_scan
from homecare.probes.wifi.parsers.iw_station import parse_iw_station_dump
from homecare.probes.wifi.parsers.nmcli import parse_nmcli_wifi_list, split_terse
from homecare.probes.wifi.parsers.proc_wireless import parse_proc_net_wireless

NODE_WIFI_FIELDS = [
    "active",
    "ssid",
    "bssid",
    "mode",
    "chan",
    "freq",
    "signal",
    "security",
    "wpa-flags",
    "rsn-flags",
]


def test_iw_dev_managed_skips_p2p_device() -> None:
    [iface] = parse_iw_dev(fixture_text("iw/dev_managed.txt"))
    assert iface.name == "wlp2s0"
    assert iface.type == "managed"
    assert not iface.is_ap
    assert iface.addr == "60:f2:62:aa:bb:cc"
    assert (iface.channel, iface.frequency_mhz, iface.width_mhz) == (36, 5180, 80)
    assert iface.band == "5GHz"


def test_iw_dev_router_lists_both_ap_radios() -> None:
    ifaces = parse_iw_dev(fixture_text("iw/dev_router_ap.txt"))
    assert [i.name for i in ifaces] == ["phy1-ap0", "phy0-ap0"]
    assert all(i.is_ap for i in ifaces)
    assert [i.band for i in ifaces] == ["5GHz", "2.4GHz"]
    assert ifaces[1].width_mhz == 20


def test_iw_link_vht_80() -> None:
    link = parse_iw_link(fixture_text("iw/link_vht_5ghz.txt"))
    assert link.connected
    assert link.interface == "wlp2s0"
    assert link.bssid == "3c:84:6a:11:22:33"
    assert link.ssid == "HomeNet"
    assert (link.band, link.channel, link.frequency_mhz) == ("5GHz", 36, 5180)
    assert link.channel_width_mhz == 80
    assert link.signal_dbm == -58
    assert link.tx_rate_mbps == 866.7
    assert link.rx_rate_mbps == 780.0
    assert link.standard == "wifi5"


def test_iw_link_real_3drobotics_recording() -> None:
    link = parse_iw_link(fixture_text("iw/link_ht_2ghz_3drobotics.txt"))
    assert link.bssid == "d4:d7:48:81:68:a0"
    assert (link.band, link.channel, link.frequency_mhz) == ("2.4GHz", 8, 2447)
    assert link.signal_dbm == -37
    assert link.tx_rate_mbps == 48.0
    assert link.rx_rate_mbps is None
    assert link.standard == "802.11a/b/g"
    assert link.channel_width_mhz == 20


def test_iw_link_he_weak_with_decimal_freq() -> None:
    link = parse_iw_link(fixture_text("iw/link_he_weak_2ghz.txt"))
    assert (link.band, link.channel, link.frequency_mhz) == ("2.4GHz", 6, 2437)
    assert link.signal_dbm == -78
    assert link.standard == "wifi6"
    assert link.tx_rate_mbps == 17.2


def test_iw_link_not_connected() -> None:
    link = parse_iw_link(fixture_text("iw/link_not_connected.txt"), interface="wlan0")
    assert not link.connected
    assert link.interface == "wlan0"
    assert link.signal_dbm is None


def test_iw_station_client_counters() -> None:
    [sta] = parse_iw_station_dump(fixture_text("iw/station_client_wireless_notes.txt"))
    assert sta.mac == "00:1f:90:b4:8a:80"
    assert sta.interface == "wlan0"
    assert (sta.signal_dbm, sta.tx_packets, sta.tx_retries, sta.tx_failed) == (-43, 1535, 18, 0)
    assert sta.inactive_ms == 7976
    assert sta.tx_rate_mbps == 48.0


def test_iw_station_mesh_recording_two_peers() -> None:
    stations = parse_iw_station_dump(fixture_text("iw/station_mesh_two_peers.txt"), band="2.4GHz")
    assert [s.mac for s in stations] == ["ec:17:2f:9d:d7:76", "ec:08:6b:1c:76:d6"]
    first = stations[0]
    assert (first.signal_dbm, first.tx_retries, first.tx_failed, first.tx_packets) == (
        -20,
        73774,
        81,
        342705,
    )
    assert (first.tx_rate_mbps, first.rx_rate_mbps) == (150.0, 135.0)
    assert first.standard == "wifi4"
    assert all(s.band == "2.4GHz" for s in stations)


def test_iw_station_ap_mode_with_chain_signals() -> None:
    healthy, weak = parse_iw_station_dump(fixture_text("iw/station_ap_5ghz_constructed.txt"))
    assert healthy.signal_dbm == -52
    assert healthy.connected_s == 3721
    assert healthy.standard == "wifi5"
    assert weak.mac == "5c:cf:7f:42:aa:10"
    assert weak.signal_dbm == -83
    assert (weak.tx_retries, weak.tx_failed, weak.inactive_ms) == (611, 37, 4410)
    assert weak.tx_rate_mbps == 6.5


def test_iw_scan_real_campus_recording() -> None:
    nets = parse_iw_scan(fixture_text("iw/scan_dump_campus_2ghz.txt"))
    assert [n.bssid for n in nets] == [
        "70:f0:96:d2:e0:62",
        "cc:db:93:d1:06:c0",
        "5c:e1:76:7d:f7:82",
        "70:f0:96:d2:d8:01",
    ]
    assert [n.channel for n in nets] == [1, 1, 6, 11]
    assert [n.signal_dbm for n in nets] == [-64, -83, -74, -84]
    assert [n.security for n in nets] == ["wpa2", "wpa2-enterprise", "wpa2", "open"]
    assert all(n.band == "2.4GHz" and n.channel_width_mhz == 20 for n in nets)
    assert all(n.standard == "wifi4" for n in nets)
    assert nets[1].ssid == "eduroam"
    assert not any(n.in_use for n in nets)


def test_iw_scan_constructed_home() -> None:
    home5, home24, old, wep, six, hidden = parse_iw_scan(
        fixture_text("iw/scan_dump_home_constructed.txt")
    )
    assert home5.in_use and not home24.in_use
    assert (home5.band, home5.channel, home5.channel_width_mhz) == ("5GHz", 36, 80)
    assert home5.security == "wpa2/wpa3"
    assert home5.standard == "wifi6"
    assert (home24.channel, home24.channel_width_mhz, home24.standard) == (6, 20, "wifi6")
    assert (old.security, old.cipher, old.channel, old.standard) == (
        "wpa",
        "tkip",
        3,
        "802.11a/b/g",
    )
    assert (wep.security, wep.cipher) == ("wep", "wep")
    assert (six.band, six.channel, six.standard, six.security) == ("6GHz", 1, "wifi6e", "wpa3")
    assert hidden.ssid is None
    assert (hidden.channel, hidden.channel_width_mhz) == (52, 40)


def test_nmcli_split_terse_handles_escapes() -> None:
    assert split_terse(r"yes:Cafe\:Guest:AA\:BB:a\\b") == ["yes", "Cafe:Guest", "AA:BB", "a\\b"]


def test_nmcli_real_node_wifi_recording() -> None:
    rows = parse_nmcli_wifi_list(fixture_text("nmcli/wifi_list_node_wifi.txt"), NODE_WIFI_FIELDS)
    assert len(rows) == 14
    nets = [n for n, _ in rows]
    active = [n for n in nets if n.in_use]
    assert len(active) == 1
    assert active[0].bssid == "31:23:03:1a:9f:1d"
    assert (active[0].band, active[0].channel, active[0].frequency_mhz) == ("5GHz", 36, 5180)
    assert active[0].signal_dbm == -62  # 75 % -> 75/2 - 100
    assert nets[1].ssid == "Linksys01777-invité"
    assert nets[1].security == "open"
    assert nets[2].security == "wpa/wpa2"
    assert nets[12].ssid is None
    assert nets[7].channel == 13
    assert all(rate is None for _, rate in rows)


def test_nmcli_homecare_fields_with_rate() -> None:
    rows = parse_nmcli_wifi_list(fixture_text("nmcli/wifi_list_homecare_fields.txt"))
    (home5, r5), (home24, r24), (cafe, _), (old, _) = rows
    assert home24.in_use and r24 == 130.0
    assert home5.signal_dbm == -58 and r5 == 540.0
    assert home5.security == "wpa2/wpa3"
    assert cafe.ssid == "Cafe:Guest"
    assert cafe.security == "open"
    assert old.security == "wpa"


def test_nmcli_skips_lines_with_wrong_field_count() -> None:
    assert parse_nmcli_wifi_list("Error: NetworkManager is not running.") == []


def test_proc_wireless_real_glances_recording() -> None:
    [row] = parse_proc_net_wireless(fixture_text("proc_wireless/glances_wlp2s0.txt"))
    assert (row.interface, row.link_quality, row.signal_dbm, row.noise_dbm) == (
        "wlp2s0",
        51,
        -59,
        None,
    )
    assert row.retries == 0


def test_proc_wireless_header_only_means_no_interfaces() -> None:
    assert parse_proc_net_wireless(fixture_text("proc_wireless/header_only.txt")) == []


def test_proc_wireless_positive_level_is_not_dbm() -> None:
    weak, other = parse_proc_net_wireless(
        fixture_text("proc_wireless/two_interfaces_constructed.txt")
    )
    assert (weak.signal_dbm, weak.retries) == (-89, 37)
    assert other.signal_dbm is None
