"""macOS and Windows parsers on recorded/constructed output in several locales."""

from __future__ import annotations

from wifi_fixtures import fixture_text

from homecare.probes.wifi.parsers.netsh import parse_netsh_interfaces, parse_netsh_networks
from homecare.probes.wifi.parsers.system_profiler import parse_mac_channel, parse_system_profiler
from homecare.probes.wifi.parsers.wdutil import parse_wdutil_info


def test_system_profiler_current_and_neighbours() -> None:
    link, nets = parse_system_profiler(fixture_text("system_profiler/sonoma_5ghz_constructed.json"))
    assert link is not None and link.connected
    assert link.interface == "en0"
    assert (link.band, link.channel, link.channel_width_mhz, link.frequency_mhz) == (
        "5GHz",
        149,
        80,
        5745,
    )
    assert (link.signal_dbm, link.noise_dbm) == (-55, -92)
    assert link.tx_rate_mbps == 866.0
    assert link.standard == "wifi5"
    assert link.security == "wpa2"
    assert len(nets) == 5
    current, home24, neighbour, cafe, six = nets
    assert current.in_use and not home24.in_use
    assert (home24.band, home24.channel, home24.standard) == ("2.4GHz", 6, "wifi6")
    assert neighbour.security == "wpa/wpa2"
    assert (cafe.security, cafe.channel_width_mhz, cafe.signal_dbm) == ("open", 40, None)
    assert (six.band, six.channel, six.channel_width_mhz, six.standard) == (
        "6GHz",
        37,
        160,
        "wifi6e",
    )


def test_system_profiler_redacted_name_is_none() -> None:
    link, _ = parse_system_profiler(
        fixture_text("system_profiler/sequoia_redacted_constructed.json")
    )
    assert link is not None
    assert link.ssid is None
    assert (link.band, link.channel, link.signal_dbm, link.tx_rate_mbps) == (
        "2.4GHz",
        11,
        -74,
        72.0,
    )
    assert link.standard == "wifi4"


def test_system_profiler_wifi_off_and_no_hardware() -> None:
    link, nets = parse_system_profiler(fixture_text("system_profiler/wifi_off_constructed.json"))
    assert link is not None and not link.connected and nets == []
    assert parse_system_profiler(fixture_text("system_profiler/no_wifi_hardware.json")) == (
        None,
        [],
    )


def test_mac_channel_formats() -> None:
    assert parse_mac_channel("149 (5GHz, 80MHz)") == (149, "5GHz", 80)
    assert parse_mac_channel("6 (2GHz, 20MHz)") == (6, "2.4GHz", 20)
    assert parse_mac_channel("36,80") == (36, "5GHz", 80)
    assert parse_mac_channel("11,+1") == (11, "2.4GHz", 40)
    assert parse_mac_channel(44) == (44, "5GHz", None)
    assert parse_mac_channel("garbage") == (None, None, None)


def test_wdutil_associated() -> None:
    link = parse_wdutil_info(fixture_text("wdutil/info_5ghz_constructed.txt"))
    assert link is not None and link.connected
    assert link.interface == "en0"
    assert link.bssid == "3c:84:6a:11:22:33"
    assert (link.band, link.channel, link.channel_width_mhz, link.frequency_mhz) == (
        "5GHz",
        36,
        80,
        5180,
    )
    assert (link.signal_dbm, link.noise_dbm, link.tx_rate_mbps) == (-61, -94, 526.0)
    assert link.standard == "wifi6"
    assert link.security == "wpa2"


def test_wdutil_disassociated_and_not_root() -> None:
    link = parse_wdutil_info(fixture_text("wdutil/info_disassociated_constructed.txt"))
    assert link is not None and not link.connected
    assert parse_wdutil_info("wdutil: must be run as root\n") is None


def test_netsh_interfaces_english_win11() -> None:
    [link] = parse_netsh_interfaces(fixture_text("netsh/interfaces_en_win11.txt"))
    assert link.connected and link.interface == "Wi-Fi"
    assert link.bssid == "3c:84:6a:11:22:33"
    assert (link.band, link.channel, link.frequency_mhz) == ("5GHz", 44, 5220)
    assert link.signal_dbm == -56  # 88 %
    assert (link.rx_rate_mbps, link.tx_rate_mbps) == (1201.0, 960.0)
    assert link.standard == "wifi6"
    assert (link.security, link.cipher) == ("wpa2", "ccmp")


def test_netsh_interfaces_real_capture_mediatek() -> None:
    [link] = parse_netsh_interfaces(fixture_text("netsh/interfaces_en_mt7921_real.txt"))
    assert link.connected and link.ssid == "Redmi 9 Power"
    assert link.bssid == "56:dd:8c:45:e5:fa"
    assert (link.band, link.channel, link.frequency_mhz) == ("5GHz", 44, 5220)
    assert link.signal_dbm == -37  # the Rssi line wins over "Signal : 90%"
    assert (link.rx_rate_mbps, link.tx_rate_mbps) == (1201.0, 1201.0)
    assert (link.standard, link.security, link.cipher) == ("wifi6", "wpa2", "ccmp")


def test_netsh_interfaces_real_capture_6ghz_with_colocated_aps() -> None:
    [link] = parse_netsh_interfaces(fixture_text("netsh/interfaces_en_6e_colocated_real.txt"))
    # the colocated 2.4/5 GHz radios listed first must not be taken for ours
    assert link.connected and link.bssid == "bc:d5:ed:f7:5c:c8"
    assert (link.band, link.channel, link.frequency_mhz) == ("6GHz", 101, 6455)
    assert (link.signal_dbm, link.rx_rate_mbps) == (-51, 2402.0)
    assert (link.standard, link.security) == ("wifi6e", "wpa3")


def test_netsh_interfaces_english_legacy_layout() -> None:
    [link] = parse_netsh_interfaces(fixture_text("netsh/interfaces_en_win10_legacy.txt"))
    assert link.bssid == "00:1a:2b:3c:4d:5e"
    assert (link.band, link.channel) == ("2.4GHz", 3)
    assert link.signal_dbm == -80
    assert link.standard == "802.11a/b/g"
    assert (link.security, link.cipher) == ("wpa", "tkip")


def test_netsh_interfaces_german() -> None:
    [link] = parse_netsh_interfaces(fixture_text("netsh/interfaces_de.txt"))
    assert link.connected and link.interface == "WLAN"
    assert link.bssid == "11:22:33:44:55:66"
    assert (link.band, link.channel) == ("2.4GHz", 6)
    assert link.signal_dbm == -82  # 36 %
    assert (link.rx_rate_mbps, link.tx_rate_mbps) == (72.2, 65.0)
    assert link.standard == "wifi4"
    assert (link.security, link.cipher) == ("wpa2", "ccmp")


def test_netsh_interfaces_german_mojibake_label() -> None:
    text = fixture_text("netsh/interfaces_de.txt").replace(
        "Übertragungsrate", "\ufffdbertragungsrate"
    )
    [link] = parse_netsh_interfaces(text)
    assert link.tx_rate_mbps == 65.0


def test_netsh_interfaces_french() -> None:
    [link] = parse_netsh_interfaces(fixture_text("netsh/interfaces_fr.txt"))
    assert link.connected
    assert (link.band, link.channel, link.frequency_mhz) == ("5GHz", 100, 5500)
    assert link.signal_dbm == -65
    assert (link.rx_rate_mbps, link.tx_rate_mbps) == (390.0, 433.3)
    assert link.standard == "wifi5"
    assert link.security == "wpa3"


def test_netsh_interfaces_disconnected() -> None:
    [link] = parse_netsh_interfaces(fixture_text("netsh/interfaces_en_disconnected.txt"))
    assert not link.connected and link.interface == "Wi-Fi"


def test_netsh_networks_english() -> None:
    home5, home24, hidden, old = parse_netsh_networks(fixture_text("netsh/networks_en.txt"))
    assert home5.ssid == home24.ssid == "HomeNet"
    assert (home5.band, home5.channel, home5.signal_dbm) == ("5GHz", 44, -56)
    assert (home24.band, home24.channel, home24.signal_dbm) == ("2.4GHz", 6, -50)
    assert hidden.ssid is None and hidden.security == "open" and hidden.channel == 8
    assert (old.security, old.cipher, old.band, old.standard) == (
        "wpa",
        "tkip",
        "2.4GHz",
        "802.11a/b/g",
    )


def test_netsh_networks_german_and_french() -> None:
    h24, h5, nachbar = parse_netsh_networks(fixture_text("netsh/networks_de.txt"))
    assert (h24.band, h24.channel, h24.signal_dbm) == ("2.4GHz", 6, -82)
    assert (h5.band, h5.channel, h5.standard) == ("5GHz", 36, "wifi5")
    assert nachbar.security == "open" and nachbar.channel == 4
    [fr] = parse_netsh_networks(fixture_text("netsh/networks_fr.txt"))
    assert (fr.band, fr.channel, fr.signal_dbm, fr.security) == ("5GHz", 100, -65, "wpa3")
