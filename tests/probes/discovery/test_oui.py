from __future__ import annotations

import gzip

from hypothesis import given, settings
from hypothesis import strategies as st

from homecare.probes.discovery import oui


def test_shipped_table_has_all_registries() -> None:
    with gzip.open(oui.DATA_FILE, "rt", encoding="utf-8") as fh:
        table = oui.parse_table(fh)
    lengths = {len(p) for p in table}
    assert lengths == {6, 7, 9}
    assert len(table) > 40000


def test_well_known_vendors() -> None:
    assert oui.lookup("f0:18:98:12:34:56") == "Apple"
    assert oui.lookup("B8-27-EB-00-11-22") == "Raspberry Pi Foundation"
    assert oui.lookup("00:17:88:aa:bb:cc") == "Philips Lighting"
    assert oui.lookup("5c:aa:fd:00:00:01") == "Sonos"
    assert oui.lookup("3c:5a:b4:00:00:01") == "Google"
    assert oui.lookup("not a mac") is None


def test_longest_prefix_wins() -> None:
    table = {"70b3d5": "IEEE Registration Authority", "70b3d5f2f": "Teleplatforms"}
    assert oui.lookup("70:b3:d5:f2:f1:23", table) == "Teleplatforms"
    # The MA-L block of the registry itself names no vendor.
    assert oui.lookup("70:b3:d5:00:00:01", table) is None
    table = {"a8bbcc": "Big", "a8bbcc1": "Medium"}
    assert oui.lookup("a8:bb:cc:1f:00:00", table) == "Medium"
    assert oui.lookup("a8:bb:cc:2f:00:00", table) == "Big"


def test_shipped_ma_m_and_ma_s() -> None:
    # MA-S 70B3D5F2F (TELEPLATFORMS), MA-M 208593B (IOG Products) from ieee-data.
    assert oui.lookup("70:b3:d5:f2:f0:01") is not None
    assert oui.lookup("70:b3:d5:f2:f0:01") != oui.lookup("70:b3:d5:71:90:01")
    assert "IOG" in (oui.lookup("20:85:93:b0:00:01") or "")


def test_randomized() -> None:
    assert oui.is_randomized("da:a1:19:00:00:01")
    assert oui.is_randomized("02:00:00:00:00:01")
    assert not oui.is_randomized("f0:18:98:12:34:56")
    # Multicast with the local bit is not a device address.
    assert not oui.is_randomized("03:00:00:00:00:01")
    assert oui.lookup("da:a1:19:00:00:01") is None


def test_normalize_mac() -> None:
    assert oui.normalize_mac("AA-BB-CC-DD-EE-FF") == "aa:bb:cc:dd:ee:ff"
    assert oui.normalize_mac("aabb.ccdd.eeff") == "aa:bb:cc:dd:ee:ff"
    assert oui.normalize_mac("aabbccddeeff") == "aa:bb:cc:dd:ee:ff"
    assert oui.normalize_mac("aa:bb:cc:dd:ee") is None
    assert oui.normalize_mac("zz:bb:cc:dd:ee:ff") is None


def test_normalize_vendor() -> None:
    assert oui.normalize_vendor("Apple, Inc.") == "Apple"
    assert oui.normalize_vendor("Samsung Electronics Co.,Ltd") == "Samsung Electronics"
    assert oui.normalize_vendor("HUAWEI TECHNOLOGIES CO.,LTD") == "Huawei Technologies"
    assert oui.normalize_vendor("Sonos, Inc.") == "Sonos"
    assert oui.normalize_vendor("Intel Corporate") == "Intel"


def test_parse_table_skips_garbage() -> None:
    lines = ["aabbcc\tGood\n", "nothex\tBad\n", "aabbc\tShort\n", "aabbcc1\t\n", "junk\n"]
    assert oui.parse_table(lines) == {"aabbcc": "Good"}


@settings(max_examples=300, deadline=1000)
@given(st.text(max_size=64))
def test_lookup_never_raises(text: str) -> None:
    result = oui.lookup(text)
    assert result is None or isinstance(result, str)
    oui.is_randomized(text)


@settings(max_examples=200, deadline=1000)
@given(st.lists(st.text(max_size=80), max_size=50))
def test_parse_table_garbage(lines: list[str]) -> None:
    table = oui.parse_table(lines)
    assert all(len(k) in oui.PREFIX_DIGITS for k in table)
