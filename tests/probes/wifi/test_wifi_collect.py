"""The collector end-to-end against fake executables on PATH.

The real ``run_command`` and ``shutil.which`` are used; only PATH points at a
private directory of scripts replaying recordings.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fake_tools import FAIL, HANG, install_tool
from wifi_fixtures import FIXTURES

from homecare.probes.base import ProbeContext, ProbeSkipped
from homecare.probes.wifi.collect import collect_wifi
from homecare.probes.wifi.parsers.nmcli import NMCLI_FIELDS
from homecare.probes.wifi.probe import WifiProbe
from homecare.probes.wifi.runner import run_command
from homecare.profiles.provider import ProviderProfile

NMCLI_ARGS = f"-t -f {','.join(NMCLI_FIELDS)} dev wifi list --rescan no"
MISSING = Path("/nonexistent/proc/net/wireless")


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "bin"
    d.mkdir()
    monkeypatch.setenv("PATH", str(d))
    return d


def test_linux_iw_client_link_counters_and_scan(bin_dir: Path) -> None:
    install_tool(
        bin_dir,
        "iw",
        {
            "dev": "iw/dev_managed.txt",
            "dev wlp2s0 link": "iw/link_vht_5ghz.txt",
            "dev wlp2s0 station dump": "iw/station_client_wireless_notes.txt",
            "dev wlp2s0 scan dump": "iw/scan_dump_home_constructed.txt",
        },
    )
    install_tool(bin_dir, "nmcli", {NMCLI_ARGS: FAIL})
    data = collect_wifi(platform="linux", proc_path=MISSING)
    assert data.source == "iw"
    link = data.link
    assert link is not None and link.connected
    assert (link.interface, link.signal_dbm, link.channel, link.channel_width_mhz) == (
        "wlp2s0",
        -58,
        36,
        80,
    )
    assert (link.tx_retries, link.tx_failed, link.tx_packets) == (18, 0, 1535)
    assert len(data.networks) == 6
    assert [n.in_use for n in data.networks].count(True) == 1
    # nmcli was not needed, so it was never asked (its failure would be in the note).
    assert data.note is not None and "nmcli" not in data.note
    bands = {c.band: c for c in data.channels}
    assert set(bands) == {"2.4GHz", "5GHz", "6GHz"}
    assert bands["5GHz"].current == 36
    assert bands["5GHz"].recommended == 36  # only our own BSS is there
    assert bands["5GHz"].occupancy[52] == 1  # the hidden 40 MHz network on 52 fills 52-56
    assert bands["2.4GHz"].current is None


def test_linux_scan_dump_that_hangs_is_cut_off(bin_dir: Path) -> None:
    install_tool(
        bin_dir,
        "iw",
        {
            "dev": "iw/dev_managed.txt",
            "dev wlp2s0 link": "iw/link_vht_5ghz.txt",
            "dev wlp2s0 station dump": "iw/station_client_wireless_notes.txt",
            "dev wlp2s0 scan dump": HANG,
        },
    )
    started = time.monotonic()
    data = collect_wifi(platform="linux", proc_path=MISSING, command_timeout_s=0.5)
    assert time.monotonic() - started < 5
    assert data.link is not None and data.link.signal_dbm == -58
    assert data.networks == []
    assert data.note is not None and "timed out" in data.note


def test_linux_iw_failing_falls_back_to_nmcli(bin_dir: Path) -> None:
    install_tool(bin_dir, "iw", {"dev": FAIL})
    install_tool(bin_dir, "nmcli", {NMCLI_ARGS: "nmcli/wifi_list_homecare_fields.txt"})
    data = collect_wifi(platform="linux", proc_path=MISSING)
    assert data.source == "nmcli"
    link = data.link
    assert link is not None and link.connected
    assert (link.band, link.channel, link.signal_dbm, link.tx_rate_mbps) == (
        "2.4GHz",
        6,
        -78,
        130.0,
    )
    assert len(data.networks) == 4
    assert data.note is not None and "iw dev" in data.note and "exit 1" in data.note


def test_linux_only_proc_net_wireless(bin_dir: Path) -> None:
    data = collect_wifi(platform="linux", proc_path=FIXTURES / "proc_wireless/glances_wlp2s0.txt")
    assert data.source == "/proc/net/wireless"
    assert data.link is not None
    assert (data.link.interface, data.link.signal_dbm) == ("wlp2s0", -59)


def test_linux_nothing_available(bin_dir: Path) -> None:
    data = collect_wifi(platform="linux", proc_path=FIXTURES / "proc_wireless/header_only.txt")
    assert data.source == "none"
    assert data.link is None and data.note


def test_linux_router_mode_collects_clients(bin_dir: Path) -> None:
    install_tool(
        bin_dir,
        "iw",
        {
            "dev": "iw/dev_router_ap.txt",
            "dev phy1-ap0 station dump": "iw/station_ap_5ghz_constructed.txt",
            "dev phy0-ap0 station dump": "iw/station_mesh_two_peers.txt",
        },
    )
    data = collect_wifi(platform="linux", proc_path=MISSING)
    assert data.source == "iw"
    assert data.link is None
    macs = {s.mac: s for s in data.stations}
    assert len(macs) == 4
    weak = macs["5c:cf:7f:42:aa:10"]
    assert (weak.interface, weak.band, weak.signal_dbm) == ("phy1-ap0", "5GHz", -83)
    assert macs["ec:17:2f:9d:d7:76"].band == "2.4GHz"


def test_macos_system_profiler_with_wdutil_refusing(bin_dir: Path) -> None:
    install_tool(
        bin_dir,
        "system_profiler",
        {"SPAirPortDataType -json": "system_profiler/sonoma_5ghz_constructed.json"},
    )
    install_tool(bin_dir, "wdutil", {"info": FAIL})
    data = collect_wifi(platform="darwin")
    assert data.source == "system_profiler"
    assert data.link is not None and data.link.signal_dbm == -55
    assert len(data.networks) == 5
    assert data.note is not None and "wdutil" in data.note


def test_macos_wdutil_fills_bssid(bin_dir: Path) -> None:
    install_tool(
        bin_dir,
        "system_profiler",
        {"SPAirPortDataType -json": "system_profiler/sonoma_5ghz_constructed.json"},
    )
    install_tool(bin_dir, "wdutil", {"info": "wdutil/info_5ghz_constructed.txt"})
    data = collect_wifi(platform="darwin")
    assert data.source == "system_profiler+wdutil"
    assert data.link is not None
    assert data.link.bssid == "3c:84:6a:11:22:33"
    assert data.link.channel == 149  # system_profiler's figures win where both speak


def test_windows_netsh_german(bin_dir: Path) -> None:
    install_tool(
        bin_dir,
        "netsh",
        {
            "wlan show interfaces": "netsh/interfaces_de.txt",
            "wlan show networks mode=bssid": "netsh/networks_de.txt",
        },
    )
    data = collect_wifi(platform="win32")
    assert data.source == "netsh"
    assert data.link is not None and data.link.signal_dbm == -82
    assert [n.in_use for n in data.networks] == [True, False, False]
    advice = {c.band: c for c in data.channels}
    assert advice["2.4GHz"].current == 6
    assert advice["2.4GHz"].occupancy.get(6) == 1  # the neighbour on 4 overlaps 6


def test_missing_executable_is_reported_not_raised() -> None:
    result = run_command(["/nonexistent/definitely-not-a-tool"], 1.0)
    assert not result.ok and result.error


def test_probe_skips_without_wifi(bin_dir: Path) -> None:
    ctx = ProbeContext(
        deadline=time.monotonic() + 10, quick=False, provider=ProviderProfile(), privileged=False
    )
    probe = WifiProbe(
        lambda budget: collect_wifi(platform="linux", proc_path=MISSING, budget_s=budget)
    )
    with pytest.raises(ProbeSkipped):
        probe.run(ctx)


def test_probe_returns_data(bin_dir: Path) -> None:
    install_tool(bin_dir, "nmcli", {NMCLI_ARGS: "nmcli/wifi_list_homecare_fields.txt"})
    ctx = ProbeContext(
        deadline=time.monotonic() + 10, quick=False, provider=ProviderProfile(), privileged=False
    )
    probe = WifiProbe(
        lambda budget: collect_wifi(platform="linux", proc_path=MISSING, budget_s=budget)
    )
    assert (probe.name, probe.area, probe.requires) == ("wifi", "wifi", ())
    data = probe.run(ctx)
    assert data.source == "nmcli"


def test_probe_satisfies_protocol() -> None:
    from homecare.probes.base import Probe

    assert isinstance(WifiProbe(), Probe)
