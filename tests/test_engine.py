"""The engine's probe selection: a targeted check brings what it needs to place a fault."""

from __future__ import annotations

from homecare.engine import select_probes, supporting_of
from homecare.plugins import all_probes, get_plugin_manager


def names(areas: list[str], supporting: bool = True) -> list[str]:
    pm = get_plugin_manager(load_entry_points=False)
    return [p.name for p in select_probes(all_probes(pm), areas, supporting=supporting)]


def test_a_dns_check_also_tests_reachability() -> None:
    # with the router down, `check dns` blamed the provider: it never pinged
    chosen = names(["dns"])
    assert {"host", "dns", "dns_quality", "reachability"} <= set(chosen)
    assert chosen.index("host") < chosen.index("reachability")
    assert "reachability" not in names(["dns"], supporting=False)


def test_every_network_area_can_place_a_fault() -> None:
    for area in ("latency", "devices", "speed", "wifi", "ipv6"):
        assert "reachability" in names([area]), area


def test_supporting_is_optional_data_on_a_probe() -> None:
    class Bare:
        name = "bare"
        area = "bare"
        requires: tuple[str, ...] = ()
        timeout_s = 1.0

    assert supporting_of(Bare()) == ()  # type: ignore[arg-type]


def test_a_full_check_is_unchanged() -> None:
    pm = get_plugin_manager(load_entry_points=False)
    assert sorted(names([])) == sorted(p.name for p in all_probes(pm))
