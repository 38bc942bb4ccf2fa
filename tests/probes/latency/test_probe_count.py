"""How many probes the latency series sends: the window by default, an explicit count kept."""

from __future__ import annotations

from homecare.probes.latency.probe import WINDOW_S, probe_count


def test_the_default_fills_the_window() -> None:
    # 100 probes cannot tell 1 % from 3 %: the full check's 7 s at 20 ms is 350
    assert probe_count(100, 0.02, WINDOW_S[0], room_s=30) == 350
    assert probe_count(40, 0.02, WINDOW_S[1], room_s=30) == 125


def test_an_explicit_count_is_kept_and_the_budget_caps_both() -> None:
    assert probe_count(50, 0.02, WINDOW_S[0], room_s=30, explicit=True) == 50
    assert probe_count(2000, 0.002, WINDOW_S[0], room_s=30, explicit=True) == 2000
    assert probe_count(100, 0.02, WINDOW_S[0], room_s=2.0) == 100  # only 2 s left
    assert probe_count(100, 0.02, WINDOW_S[0], room_s=0.0) == 1
