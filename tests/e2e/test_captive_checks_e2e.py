"""Captive-portal checks in the virtual home (issue 13): real dnsmasq, real
nftables portal, the lab's connectivity endpoints.

One blocked host (a name the provider's resolver does not know, as a DNS
filter would answer) and one host answering an ordinary page instead of a
204 are not a portal while the other checks answer as expected; the router's
portal (every HTTP request redirected to its login page) is.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from homecare_lab import HomeSpec, VirtualHome, addresses

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from connection_quality import codes, data_of, run_inside  # type: ignore[import-not-found,unused-ignore]

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]

PROFILE = f"""name = "Lab ISP"
[targets]
internet_hosts = ["{addresses.INTERNET}"]
dns_names = ["example.com"]
provider_resolver = "{addresses.RESOLVER}"
captive_url = "{addresses.CHECK_URL}"
captive_expect_status = 204
captive_platform_checks = [
  {{ url = "http://connectivitycheck.gstatic.com/generate_204" }},
  {{ url = "http://captive.apple.com/hotspot-detect.html", expect_status = 200, expect_body = "Success" }},
  {{ url = "http://blocked.homecare.test/generate_204" }},
  {{ url = "http://www.example.com/generate_204" }},
]
[thresholds]
ping_count = 4
ping_timeout_s = 0.5
dns_timeout_s = 1.0
"""


@pytest.fixture(scope="module")
def home(module_virtual_home: HomeFactory) -> Iterator[VirtualHome]:
    yield module_virtual_home(HomeSpec(name="captive"))


@pytest.fixture(scope="module")
def provider() -> Iterator[Path]:
    tmp = Path(tempfile.mkdtemp(prefix="hc-e2e-cap-", dir="/tmp"))
    tmp.chmod(0o755)
    path = tmp / "lab-captive.toml"
    path.write_text(PROFILE)
    path.chmod(0o644)
    try:
        yield path
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_a_blocked_host_and_an_odd_answer_are_not_a_portal(
    home: VirtualHome, provider: Path
) -> None:
    r = run_inside(home, provider, "--areas", "connectivity", timeout=90)
    cap = data_of(r, "captive")
    verdicts = {c["url"]: c["verdict"] for c in cap["checks"]}
    assert verdicts == {
        addresses.CHECK_URL: "ok",
        "http://connectivitycheck.gstatic.com/generate_204": "ok",
        "http://captive.apple.com/hotspot-detect.html": "ok",
        "http://blocked.homecare.test/generate_204": "error",  # NXDOMAIN
        "http://www.example.com/generate_204": "unexpected",  # a page, not a 204
    }
    assert cap["captive"] is False
    assert "captive.portal" not in codes(r)


def test_the_routers_portal_is_a_portal(home: VirtualHome, provider: Path) -> None:
    home.captive_portal_on()
    try:
        r = run_inside(home, provider, "--areas", "connectivity", timeout=90)
    finally:
        home.captive_portal_off()
    cap = data_of(r, "captive")
    assert cap["captive"] is True
    assert "redirect" in {c["verdict"] for c in cap["checks"]}
    assert cap["location"] and "/login" in cap["location"]
    assert "captive.portal" in codes(r)
