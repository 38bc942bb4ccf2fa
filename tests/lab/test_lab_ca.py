"""The virtual home's own CA: its server certificates verify for their names
only, by cryptography's own path validation (the checks of a web client),
and the keys stay private to their owner."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from homecare_lab.lab_ca import LabCA


def verify(ca: LabCA, cert_file: Path, name: x509.GeneralName) -> None:
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    store = Store(x509.load_pem_x509_certificates(ca.ca_file.read_bytes()))
    PolicyBuilder().store(store).build_server_verifier(name).verify(cert, [])  # type: ignore[arg-type]


def test_a_server_certificate_verifies_for_its_names_and_no_other(tmp_path: Path) -> None:
    ca = LabCA(tmp_path, "lab")
    issued = ca.issue("nq", ("nq.homecare.test",), ("198.51.100.89",))
    verify(ca, issued.cert_file, x509.DNSName("nq.homecare.test"))
    verify(ca, issued.cert_file, x509.IPAddress(ipaddress.ip_address("198.51.100.89")))
    with pytest.raises(VerificationError):
        verify(ca, issued.cert_file, x509.DNSName("other.homecare.test"))
    with pytest.raises(VerificationError):
        verify(
            LabCA(tmp_path / "other", "other"), issued.cert_file, x509.DNSName("nq.homecare.test")
        )


def test_files_and_their_modes(tmp_path: Path) -> None:
    ca = LabCA(tmp_path / "tls", "lab")
    issued = ca.issue("nq", ("nq.homecare.test",))
    assert ca.ca_file == tmp_path / "tls" / "lab-ca.pem"
    assert ca.ca_file.stat().st_mode & 0o777 == 0o644
    assert issued.key_file.stat().st_mode & 0o777 == 0o600
    assert b"PRIVATE KEY" not in ca.ca_file.read_bytes() + issued.cert_file.read_bytes()
