"""The shipped OUI table is at least as fresh and as large as the freshest
registry installed on this machine (issue 13, vendors).

The sources are read by ``scripts/build-oui`` itself, so the test and the
build agree on what "freshest" means (the most MA-L assignments: the IEEE
never reuses one). When scapy or Debian's ieee-data is upgraded past the
committed table, this fails until ``scripts/build-oui`` is run again.
"""

from __future__ import annotations

import gzip
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from homecare.probes.discovery import oui

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "build-oui"
NOT_A_VENDOR = {"private", "ieee registration authority"}


def _build_script() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("build_oui", str(SCRIPT))
    spec = importlib.util.spec_from_loader("build_oui", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_oui"] = module  # dataclasses look their module up there
    loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build() -> ModuleType:
    return _build_script()


@pytest.fixture(scope="module")
def shipped() -> dict[str, str]:
    with gzip.open(oui.DATA_FILE, "rt", encoding="utf-8") as fh:
        return oui.parse_table(fh)


def test_not_smaller_or_older_than_the_freshest_installed_source(
    build: ModuleType, shipped: dict[str, str]
) -> None:
    sources = build.installed_sources(
        Path("/usr/share/ieee-data"), Path("/usr/share/arp-scan/ieee-oui.txt")
    )
    if not sources:
        pytest.skip("no OUI registry installed (scapy, ieee-data or arp-scan)")
    freshest = sources[0]
    shipped_ma_l = {p for p in shipped if len(p) == 6}
    assert len(shipped) >= len(freshest.table), freshest.describe()
    assert len(shipped_ma_l) >= freshest.ma_l, freshest.describe()
    missing = [p for p in freshest.table if len(p) == 6 and p not in shipped]
    assert not missing, f"{len(missing)} MA-L blocks of {freshest.name} missing, e.g. {missing[:5]}"


def test_at_least_the_entry_count_of_scapys_manuf(
    build: ModuleType, shipped: dict[str, str]
) -> None:
    manuf = pytest.importorskip("scapy.libs.manuf")
    entries = build.parse_manuf(manuf.DATA)
    assert len(shipped) >= len(entries) >= 50_000
    for prefix in entries:
        assert prefix in shipped, prefix


def test_every_ma_l_block_of_the_freshest_source_resolves(
    build: ModuleType, shipped: dict[str, str]
) -> None:
    sources = build.installed_sources(
        Path("/usr/share/ieee-data"), Path("/usr/share/arp-scan/ieee-oui.txt")
    )
    if not sources:
        pytest.skip("no OUI registry installed")
    unresolved = []
    for prefix, org in sources[0].table.items():
        if len(prefix) != 6 or org.strip().lower() in NOT_A_VENDOR:
            continue
        mac = ":".join(prefix[i : i + 2] for i in (0, 2, 4)) + ":ff:ff:fe"
        if oui.is_randomized(mac) or int(prefix[:2], 16) & 1:
            continue  # locally administered or group blocks name no device maker
        if oui.lookup(mac, shipped) is None:
            unresolved.append(prefix)
    assert not unresolved, unresolved[:10]


def test_variable_length_blocks_use_longest_prefix(shipped: dict[str, str]) -> None:
    ma_m = next(p for p in shipped if len(p) == 7 and shipped[p].lower() not in NOT_A_VENDOR)
    ma_s = next(p for p in shipped if len(p) == 9 and shipped[p].lower() not in NOT_A_VENDOR)
    for prefix in (ma_m, ma_s):
        digits = (prefix + "0" * 12)[:12]
        mac = ":".join(digits[i : i + 2] for i in range(0, 12, 2))
        assert oui.lookup(mac, shipped) == shipped[prefix]


def test_the_table_records_its_sources() -> None:
    with gzip.open(oui.DATA_FILE, "rt", encoding="utf-8") as fh:
        header = [line for line in fh if line.startswith("#")]
    assert any(line.startswith("# source\t") for line in header)
    assert any(line.startswith("# merged\t") for line in header)


def test_parse_manuf_lengths(build: ModuleType) -> None:
    text = (
        "00:00:0C\tCisco\tCisco Systems, Inc\n"
        "00:55:DA:10/28\tKoolPOS\tKoolPOS Inc.\n"
        "00:1B:C5:00:10/36\tOpenRB\tOpenRB.com, Direct SIA\n"
        "01:80:C2:00:00:00/48\tSpanning\tSpanning tree\n"
        "# comment\n"
    )
    assert build.parse_manuf(text) == {
        "00000c": "Cisco Systems, Inc",
        "0055da1": "KoolPOS Inc.",
        "001bc5001": "OpenRB.com, Direct SIA",
    }
