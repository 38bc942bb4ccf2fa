"""The readable copies under profiles/ are the shipped ones, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from homecare.advise.personas import BUILTIN, SHIPPED_DIR, load_persona
from homecare.profiles.provider import SHIPPED_DIR as PROVIDERS_DIR
from homecare.profiles.provider import load_provider
from homecare.vocabulary import SKILLS

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("shipped", "readable"),
    [
        (PROVIDERS_DIR, REPO / "profiles" / "providers"),
        (SHIPPED_DIR, REPO / "profiles" / "personas"),
    ],
)
def test_readable_copies_match_the_shipped_files(shipped: Path, readable: Path) -> None:
    names = sorted(p.name for p in readable.glob("*.toml"))
    assert names, f"nothing under {readable}"
    for name in names:
        assert (shipped / name).read_bytes() == (readable / name).read_bytes(), name


def test_example_isp_loads_with_plans_servers_and_offers() -> None:
    p = load_provider("example-isp")
    assert p.name == "Example ISP"
    assert p.support.phone
    assert [t.name for t in p.plan_tiers] == ["Basic 100", "Home 300", "Fibre 1000"]
    assert p.speed.librespeed_urls
    assert p.thresholds.gateway_rtt_warn_ms == 20.0
    assert {o.id for o in p.offers} == {"mesh-wifi", "router-upgrade", "fibre-upgrade"}
    for offer in p.offers:
        assert {"en", "es", "de"} <= set(offer.title) and {"en", "es", "de"} <= set(offer.text)


@pytest.mark.parametrize("skill", SKILLS)
def test_shipped_personas_equal_the_builtin_fallbacks(skill: str) -> None:
    warnings: list[str] = []
    assert load_persona(skill, warn=warnings.append) == BUILTIN[skill]
    assert warnings == []
