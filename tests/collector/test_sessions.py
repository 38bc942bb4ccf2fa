"""Technicians' sessions at the collector: signed by a registered key or refused,
stored anonymized under the support code and job id, shown with before/after."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from homecare.collector.cli import main as collector_main
from homecare.session.keys import public_key_text
from homecare.session.output import build_upload
from homecare.session.report import sign_body

from .conftest import Collector

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session"))
from sessions import session  # type: ignore[import-not-found,unused-ignore]

SECRET = bytes(range(32))
KEY = Ed25519PrivateKey.generate()
BEFORE = session(session_id="1" * 32, job="JOB-42", dns_ok=False, signal=-72)
AFTER = session(session_id="2" * 32, job="JOB-42", fixes=("Restarted the router",))
AFTER = AFTER.model_copy(update={"before_session": BEFORE.id})


def _signed(s: object, key: Ed25519PrivateKey = KEY) -> dict[str, object]:
    return sign_body({"upload": build_upload(s, SECRET)}, key)  # type: ignore[arg-type]


def _url(c: Collector) -> str:
    return c.engine.url.render_as_string(hide_password=False)


def _register(c: Collector, key: Ed25519PrivateKey = KEY, provider: str = "acme") -> int:
    return collector_main(["technicians", "add", "Ana Técnica", public_key_text(key),
                           "--provider", provider, "--database-url", _url(c)])  # fmt: skip


def test_unknown_keys_bad_signatures_and_other_providers_are_refused(collector: Collector) -> None:
    with collector.client(collector.ingest) as http:
        assert http.post("/v1/sessions", json=_signed(BEFORE)).status_code == 403
        assert _register(collector, provider="othernet") == 0  # another provider's technician
        assert http.post("/v1/sessions", json=_signed(BEFORE)).status_code == 403
        assert _register(collector) == 0
        assert _register(collector) == 1  # once only
        forged = _signed(BEFORE)
        forged["upload"]["status"] = "pass"  # type: ignore[index]
        r = http.post("/v1/sessions", json=forged)
        assert r.status_code == 400 and "does not match" in r.json()["detail"]
        unsigned = {"upload": build_upload(BEFORE, SECRET), "signature": {}}
        assert http.post("/v1/sessions", json=unsigned).status_code == 400
        assert http.post("/v1/sessions", content=b"{").status_code == 422
    with collector.client(collector.support) as http:
        assert http.post("/v1/sessions", json=_signed(BEFORE)).status_code == 403  # not ingest


def test_session_by_code_and_job_with_before_and_after(
    collector: Collector, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _register(collector) == 0
    with collector.client(collector.ingest) as http:
        first = http.post("/v1/sessions", json=_signed(BEFORE))
        assert first.status_code == 201, first.text
        second = http.post("/v1/sessions", json=_signed(AFTER))
        assert second.status_code == 201
        again = http.post("/v1/sessions", json=_signed(AFTER))
        assert again.status_code == 200 and again.json()["duplicate"] is True
    code = second.json()["support_code"]
    with collector.client(collector.support) as http:
        view = http.get(f"/v1/sessions/{code}").json()
        listed = http.get("/v1/sessions", params={"job_id": "JOB-42"}).json()
    with collector.client(collector.other_support) as http:
        assert http.get(f"/v1/sessions/{code}").status_code == 404
    assert view["job_id"] == "JOB-42" and view["technician"] == "Ana Técnica"
    assert view["before"]["support_code"] == first.json()["support_code"]
    dns = next(c for c in view["comparison"] if c["key"] == "dns")
    assert (dns["before"], dns["after"]) == ("fail", "pass")
    assert {s["support_code"] for s in listed["sessions"]} == {code, first.json()["support_code"]}
    # anonymized exactly like a check: no SSID, no free text beyond known words
    stored = json.dumps(view)
    assert "Home-5G" not in stored and "192.168.1.1" not in stored
    assert view["session"]["steps"][0]["check"]["installation_id"]

    capsys.readouterr()
    assert collector_main(["show", code, "--database-url", _url(collector)]) == 0
    out = capsys.readouterr().out
    assert "job JOB-42" in out and "Signed by Ana Técnica" in out
    assert "dns                      fail -> pass  changed" in out
    assert "dns.answered" in out and "False -> True" in out

    capsys.readouterr()  # the same through a running collector (a desk without the database)
    assert collector_main(["show", code, "--url", collector.url, "--token", collector.support]) == 0
    remote = capsys.readouterr().out
    assert remote == out
    assert collector_main(["show", code, "--url", collector.url, "--token", collector.ingest]) == 1
    assert "403" in capsys.readouterr().err
