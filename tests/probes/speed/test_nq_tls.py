"""The nq engine over https against the lab's nq server on loopback, with a
certificate from a lab CA: trusted the standard way (``SSL_CERT_FILE``) it
measures and reports the TLS handshake; a certificate for another name or
from a CA nobody trusts is one clear error, never a figure."""

from __future__ import annotations

import contextlib
import http.server
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from homecare_lab.lab_ca import LabCA
from homecare_lab.nq_server import make_nq_server, server_tls

from homecare.probes.speed.engine import EngineError, MeasureBudget
from homecare.probes.speed.nq import NqEngine

from .serving import serving_port


@contextlib.contextmanager
def serving_tls(tmp_path: Path, ips: tuple[str, ...]) -> Iterator[tuple[str, LabCA]]:
    ca = LabCA(tmp_path / "ca", "lab")
    cert = ca.issue("nq", ("nq.homecare.test",), ips)
    srv: http.server.ThreadingHTTPServer = make_nq_server(
        "127.0.0.1", 0, tls=server_tls(str(cert.cert_file), str(cert.key_file))
    )
    with serving_port(srv) as port:
        yield f"https://127.0.0.1:{port}/.well-known/nq", ca


def test_https_with_the_lab_ca_trusted_gives_a_figure_with_the_tls_handshake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving_tls(tmp_path, ("127.0.0.1",)) as (url, ca):
        monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
        engine = NqEngine(url, interval_s=0.25)
        assert engine.prepare(time.monotonic() + 2).startswith("https://127.0.0.1:")
        budget = MeasureBudget(time.monotonic() + 5, 4.0, 0.5, 10**12, 1, 8, 0.03)
        result = engine.measure("download", budget, lambda _m: None)
    assert result.error is None, result.error
    assert result.mbit is not None and result.mbit > 10
    r = result.responsiveness
    assert r is not None and r.rpm is not None and r.rpm > 0
    assert r.tls_ms is not None and r.tls_ms > 0  # the TLS formula's third part
    assert r.tcp_ms is not None and r.http_ms is not None


def test_a_certificate_for_another_name_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving_tls(tmp_path, ()) as (url, ca):  # the name only, not 127.0.0.1
        monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
        with pytest.raises(
            EngineError,
            match=r"certificate of https://127\.0\.0\.1:\d+ is not trusted: IP address mismatch",
        ):
            NqEngine(url).prepare(time.monotonic() + 2)


def test_a_certificate_from_an_untrusted_ca_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = LabCA(tmp_path / "other", "other")
    with serving_tls(tmp_path, ("127.0.0.1",)) as (url, _ca):
        monkeypatch.setenv("SSL_CERT_FILE", str(other.ca_file))
        with pytest.raises(
            EngineError, match=r"certificate of .* is not trusted: unable to get local issuer"
        ):
            NqEngine(url).prepare(time.monotonic() + 2)


def test_the_config_names_https_urls_on_a_tls_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving_tls(tmp_path, ("127.0.0.1",)) as (url, ca):
        monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
        engine = NqEngine(url)
        engine.prepare(time.monotonic() + 2)
        cfg = engine._config
        assert cfg is not None
        assert {cfg.small.scheme, cfg.large.scheme, cfg.upload.scheme} == {"https"}
        assert cfg.large.port == int(url.split(":")[2].split("/")[0])
