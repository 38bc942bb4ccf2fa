"""The responsiveness (nq) engine in the virtual home, against the lab's nq
server in the provider namespace: a clean line is responsive, a long queue
in the shaper makes it clearly less so, and a 30 ms base round trip bounds
the RPM near 60000 / 30. Over https with a certificate from the home's own
CA (trusted with ``SSL_CERT_FILE``, as OpenSSL does) it measures too; a
certificate for another name or from an untrusted CA is one clear error and
the check still ends."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from connection_quality import codes, data_of, run_inside  # type: ignore[import-not-found,unused-ignore]
from homecare_lab import HomeSpec, VirtualHome, addresses
from homecare_lab.lab_ca import LabCA
from homecare_lab.spec import WanSpec

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]
WAN = WanSpec(down_mbit=50.0, up_mbit=20.0, queue_ms=5)


@pytest.fixture(scope="module")
def provider(lab_provider: Callable[..., Path]) -> Path:
    return lab_provider(engines=["nq"], nq_config_url=addresses.NQ_CONFIG_URL, duration_s=8.0)


def responsiveness(
    home: VirtualHome, provider: Path, env: dict[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    report = run_inside(home, provider, "--areas", "speed", timeout=150, env=env)
    speed = data_of(report, "speed")
    assert speed["engine"] == "nq", speed["attempts"]
    for d in ("download", "upload"):
        print(d, speed[d]["mbit"], speed[d]["responsiveness"])
    return report, speed


def rpm(speed: dict[str, Any], direction: str) -> float:
    r = speed[direction]["responsiveness"]
    assert r is not None and r["rpm"] is not None, speed[direction]
    return float(r["rpm"])


def test_clean_line_is_responsive_and_a_long_queue_is_not(
    virtual_home: HomeFactory, provider: Path
) -> None:
    home = virtual_home(HomeSpec(name="nq", wan=WAN))
    _report, clean = responsiveness(home, provider)
    for d, plan in (("download", WAN.down_mbit), ("upload", WAN.up_mbit)):
        assert 0.8 * plan <= clean[d]["mbit"] <= 1.05 * plan, clean[d]
        assert rpm(clean, d) >= 1000, clean[d]["responsiveness"]
    assert "latency.responsiveness.low" not in codes(_report)
    home.degrade_wan(queue_ms=400.0)
    report, bloated = responsiveness(home, provider)
    # the upload's queue (the router's tbf) fills: every probe waits ~400 ms
    assert rpm(bloated, "upload") < min(400.0, rpm(clean, "upload") / 4), bloated["upload"]
    assert bloated["upload"]["responsiveness"]["self_ms"] > 250
    # one queue, one finding: bufferbloat names it and carries the RPM, or the
    # responsiveness finding speaks when it is the graver of the two
    found = codes(report)
    assert "latency.responsiveness.low" in found or "latency.bufferbloat" in found, found
    # the download's shaper sits on the server's own egress, where TCP Small
    # Queues let no connection hold more than about a millisecond of it: TCP
    # cannot build a long queue there (iperf3 -R cannot either), so only the
    # figure's presence and confidence are checked
    assert bloated["download"]["responsiveness"]["confidence"] in ("high", "medium")


def test_rpm_is_bounded_by_the_base_round_trip(virtual_home: HomeFactory, provider: Path) -> None:
    home = virtual_home(HomeSpec(name="nqrtt", wan=WanSpec(down_mbit=50.0, up_mbit=20.0,
                                                           queue_ms=5, rtt_ms=30)))  # fmt: skip
    _report, speed = responsiveness(home, provider)
    for d in ("download", "upload"):
        # every probe takes at least one 30 ms round trip; a 5 ms queue and the
        # server's work add a little
        assert 60000 / 80 <= rpm(speed, d) <= 60000 / 30 * 1.05, speed[d]["responsiveness"]


def test_https_with_the_homes_ca_measures_and_a_bad_certificate_is_one_clear_error(
    virtual_home: HomeFactory, lab_provider: Callable[..., Path], shared_tmp: Path
) -> None:
    home = virtual_home(HomeSpec(name="nqtls", wan=WAN))
    trusted = {"SSL_CERT_FILE": str(home.ca_file)}
    https = lab_provider(engines=["nq"], nq_config_url=addresses.NQ_TLS_CONFIG_URL, duration_s=5.0)
    _report, speed = responsiveness(home, https, trusted)
    assert speed["server"].startswith(f"https://{addresses.NQ_NAME}:443"), speed["server"]
    for d, plan in (("download", WAN.down_mbit), ("upload", WAN.up_mbit)):
        assert 0.8 * plan <= speed[d]["mbit"] <= 1.05 * plan, speed[d]
        r = speed[d]["responsiveness"]
        assert rpm(speed, d) >= 500, r
        assert r["tls_ms"] is not None and r["tls_ms"] > 0, r  # the TLS formula's third part

    # the certificate names nq.homecare.test, not the address; then a CA nobody trusts
    by_address = lab_provider(
        engines=["nq"], nq_config_url=f"https://{addresses.NQ}/.well-known/nq", duration_s=5.0
    )
    stranger = {"SSL_CERT_FILE": str(LabCA(shared_tmp / "stranger", "stranger").ca_file)}
    for profile, env, why in (
        (
            by_address,
            trusted,
            f"IP address mismatch, certificate is not valid for '{addresses.NQ}'",
        ),
        (https, stranger, "unable to get local issuer certificate"),
    ):
        report = run_inside(home, profile, "--areas", "speed", timeout=60, env=env)
        assert report["wall_s"] < 20, report["wall_s"]  # fails at once, no retries to time out
        speed_obs = next(o for o in report["observations"] if o["probe"] == "speed")
        errors = [a["error"] for a in (speed_obs.get("data") or {}).get("attempts", [])]
        assert errors == [errors[0]] and "is not trusted: " + why in errors[0], speed_obs
        failed = [f for f in report["findings"] if f["code"] == "speed.engine.failed"]
        assert [f["evidence"]["errors"] for f in failed] == [[f"nq: {errors[0]}"]], failed
