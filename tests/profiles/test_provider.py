"""Bad [speed]/[quality] values in a provider profile are clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from homecare.errors import ConfigError
from homecare.profiles.provider import load_provider


@pytest.mark.parametrize(
    ("toml", "field"),
    [
        ('[speed]\nengines = ["fast.com"]\n', "speed.engines"),
        ("[speed]\nengines = []\n", "speed.engines"),
        ("[speed]\nstreams = 0\n", "speed.streams"),
        ("[speed]\nplan_down_mbit = -5\n", "speed.plan_down_mbit"),
        ("[speed]\nspeedtest_server_id = 0\n", "speed.speedtest_server_id"),
        ("[speed]\nturbo = true\n", "speed.turbo"),
        ("[quality]\nlatency_count = 2\n", "quality.latency_count"),
        ("[quality]\nbelow_plan_ratio = 1.5\n", "quality.below_plan_ratio"),
    ],
)
def test_bad_values_name_the_field(tmp_path: Path, toml: str, field: str) -> None:
    path = tmp_path / "isp.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=f"field '{field}"):
        load_provider(str(path))


def test_good_values_load(tmp_path: Path) -> None:
    path = tmp_path / "isp.toml"
    path.write_text(
        '[speed]\nengines = ["speedtest"]\nspeedtest_server_id = 4242\nplan_down_mbit = 500\n'
        '[quality]\nipv6_target = "2001:db8::1"\n'
    )
    p = load_provider(str(path))
    assert p.speed.engines == ["speedtest"] and p.speed.plan_down_mbit == 500
    assert p.quality.ipv6_target == "2001:db8::1"
