"""Phones and network storage get their own kind (they read "unknown" and "computer")."""

from __future__ import annotations

from homecare.probes.discovery.classify import Signals, classify


def test_a_nas_is_network_storage_not_a_computer() -> None:
    kind, why = classify(
        Signals(vendor="Raspberry Pi Trading", hostname="nas", models=("RackMac",),
                service_types=("_smb._tcp", "_device-info._tcp"))
    )  # fmt: skip
    assert kind == "nas", why
    assert classify(Signals(hostname="diskstation"))[0] == "nas"


def test_a_phone_by_name_or_private_address() -> None:
    assert classify(Signals(hostname="guest-phone"))[0] == "phone"
    kind, why = classify(Signals(randomized_mac=True))
    assert kind == "phone" and why == ["private (randomized) MAC address"]
    # a private address does not outweigh what a laptop says about itself
    assert classify(Signals(hostname="thinkpad", randomized_mac=True))[0] == "computer"
