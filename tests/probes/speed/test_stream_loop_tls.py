"""The stream loop over https: the non-blocking TLS handshake, reads that
TLS holds decrypted where the selector cannot see them, and uploads through
TLS records, against a LibreSpeed server on loopback with a certificate from
a lab CA (trusted the standard way, ``SSL_CERT_FILE``). A certificate nobody
trusts, or a server that never finishes the handshake, is one clear error
within the budget."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from homecare_lab.lab_ca import LabCA
from homecare_lab.nq_server import server_tls

from homecare.collector.fast_http import make_server
from homecare.collector.librespeed import LibreSpeedHandler
from homecare.probes.speed.engine import MeasureBudget
from homecare.probes.speed.streams import StreamPlan, run_streams

from .serving import serving_port


def budget(seconds: float = 2.0) -> MeasureBudget:
    return MeasureBudget(time.monotonic() + seconds + 2, seconds, 0.5, 10**12, 4, 100, 0.01)


def plan(base: str) -> StreamPlan:
    return StreamPlan(
        download_url=lambda: base + "garbage.php?ckSize=64", upload_url=lambda: base + "empty.php"
    )


@contextlib.contextmanager
def tls_librespeed(
    tmp_path: Path, ips: tuple[str, ...] = ("127.0.0.1",)
) -> Iterator[tuple[str, LabCA]]:
    ca = LabCA(tmp_path / "ca", "lab")
    cert = ca.issue("speed", ("speed.homecare.test",), ips)
    context = server_tls(str(cert.cert_file), str(cert.key_file))

    class Handler(LibreSpeedHandler):
        refused = False

        def setup(self) -> None:
            self.request.settimeout(5)
            try:
                self.request = context.wrap_socket(self.request, server_side=True)
            except OSError:  # the client did not trust us
                self.refused = True
            self.request.settimeout(None)
            super().setup()

        def handle(self) -> None:
            with contextlib.suppress(OSError):  # clients abort with a reset: how tests end
                if not self.refused:
                    super().handle()

    with serving_port(make_server(Handler, "127.0.0.1", 0)) as port:
        yield f"https://127.0.0.1:{port}/", ca


@pytest.mark.parametrize("direction", ["download", "upload"])
def test_https_streams_measure_through_tls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direction: str
) -> None:
    with tls_librespeed(tmp_path) as (base, ca):
        monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
        result = run_streams(direction, plan(base), budget(), lambda _m: None)  # type: ignore[arg-type]
    assert result.error is None, result.error
    assert result.mbit is not None and result.mbit > 50
    assert result.bytes > 5_000_000


def test_a_certificate_nobody_trusts_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tls_librespeed(tmp_path) as (base, _ca):
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-store.pem"))
        started = time.monotonic()
        result = run_streams("download", plan(base), budget(), lambda _m: None)
    assert time.monotonic() - started < 4.5
    assert result.mbit is None
    assert result.error is not None and "is not trusted" in result.error
    assert result.error.count("not trusted") == 1  # one sentence, not one per stream


def test_a_server_that_never_finishes_the_handshake_did_not_answer() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # the kernel accepts; nobody ever speaks TLS
    try:
        base = f"https://127.0.0.1:{listener.getsockname()[1]}/"
        started = time.monotonic()
        result = run_streams("upload", plan(base), budget(3.0), lambda _m: None)
    finally:
        listener.close()
    assert time.monotonic() - started < 5.5
    assert result.mbit is None
    assert result.error is not None and "did not answer" in result.error


def test_a_certificate_for_another_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tls_librespeed(tmp_path, ips=()) as (base, ca):  # for its name, not 127.0.0.1
        monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
        result = run_streams("upload", plan(base), budget(), lambda _m: None)
    assert result.mbit is None
    assert result.error is not None and "mismatch" in result.error
