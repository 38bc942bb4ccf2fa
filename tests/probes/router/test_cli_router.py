"""``homecare check router`` with a FRITZ!Box on loopback: the password's whole path.

The box is the recorded one (fritz_box.py) on a 127.0.0.x address of its
own, with its web port 80 there too (fritzconnection checks its API cache
against the firmware through it). The OS keyring is the real ``keyring``
library with an in-memory backend (no desktop keyring runs in CI).
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from homecare.cli.app import run
from homecare.context import Environment
from homecare.models import Report
from homecare.share.anonymize import anonymize
from homecare.status import ExitStatus

from .fritz_box import PASSWORD, USER, FritzBox, flaky_replies, seed_cache, serving


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def ring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        yield memory
    finally:
        keyring.set_keyring(before)


@pytest.fixture
def host_ip() -> str:
    return f"127.0.{secrets.randbelow(200) + 20}.{secrets.randbelow(200) + 20}"


def _home(tmp_path: Path, host_ip: str, port: int) -> dict[str, str]:
    root = tmp_path / "hc"
    (root / "config").mkdir(parents=True)
    (root / "config" / "profile.toml").write_text(
        "[router]\n"
        f'kind = "fritzbox"\naddress = "{host_ip}"\nuser = "{USER}"\ntr064_port = {port}\n'
    )
    seed_cache(root / "data" / "router-api", host_ip)
    return {
        "HOMECARE_HOME": str(root),
        "HOMECARE_LANG": "en",
        "HOMECARE_NO_SHIPPED_PLUGINS": "1",
        "HOMECARE_PROVIDER": str(_provider(tmp_path)),
    }


def _provider(tmp_path: Path) -> Path:
    path = tmp_path / "provider.toml"
    path.write_text('name = "Test ISP"\n[speed]\nplan_down_mbit = 100.0\nplan_up_mbit = 40.0\n')
    return path


def _run(argv: list[str], environ: dict[str, str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, stdin=io.StringIO(stdin), environ=environ)
    code = run(argv, env)
    return code, out.getvalue(), err.getvalue()


def _report(stdout: str) -> Report:
    return Report.model_validate(json.loads(stdout))


def test_refused_password_is_one_line_and_exit_3_after_the_check(
    tmp_path: Path, host_ip: str
) -> None:
    with serving(FritzBox(mode="refuse"), host=host_ip, web_port=80) as box:
        environ = _home(tmp_path, host_ip, box.port)
        code, out, err = _run(
            ["check", "router", "--json", "--ask-router-password"], environ, "wrong-pass-77\n"
        )
    assert code == ExitStatus.CONFIG, err
    lines = [line for line in err.splitlines() if line.startswith("homecare: ")]
    assert lines == [
        "homecare: The router refused the user name or password. Set them again with "
        "'homecare router login'."
    ]
    assert "Traceback" not in err
    report = _report(out)  # the rest of the check went on and was shown
    assert {o.probe for o in report.observations} == {"host", "router"}
    assert "wrong-pass-77" not in out + err


def test_password_from_the_keyring_never_reaches_reports_history_or_uploads(
    tmp_path: Path, host_ip: str, ring: MemoryKeyring
) -> None:
    with serving(FritzBox(replies=flaky_replies()), host=host_ip, web_port=80) as box:
        environ = _home(tmp_path, host_ip, box.port)
        code, out, err = _run(["router", "login"], environ, PASSWORD + "\n")
        assert code == ExitStatus.OK, err
        assert ring.store == {("homecare-router", f"{USER}@{host_ip}"): PASSWORD}
        code, out, err = _run(["check", "router", "--json"], environ)
    assert code == ExitStatus.PROBLEMS_FOUND, err
    report = _report(out)
    router = next(o for o in report.observations if o.probe == "router")
    assert router.status == "ok", router.message
    codes = {f.code for f in report.findings}
    assert {"router.line.noise_margin_low", "router.line.sync_below_plan"} <= codes
    assert report.verdict.segment == "provider"
    payload = json.dumps(anonymize(report, b"k" * 32).model_dump(mode="json"))
    saved = b"".join(
        p.read_bytes() for p in Path(environ["HOMECARE_HOME"]).rglob("*") if p.is_file()
    )
    for where, text in (("json", out), ("stderr", err), ("upload", payload)):
        assert PASSWORD not in text, where
    assert PASSWORD.encode() not in saved  # history database, profile, API cache
    # the upload keeps line figures and drops names and addresses
    data: dict[str, Any] = json.loads(payload)
    assert data["router"]["vendor"] == "AVM" and data["line"]["type"] == "dsl"
    for secret in ("MacBook", "f8:4d:89:7c:0a:32", "100.128.9.20", "raspberrypi"):
        assert secret not in payload.lower() if secret.islower() else secret not in payload


def test_a_box_that_never_answers_does_not_stop_the_check(tmp_path: Path, host_ip: str) -> None:
    with serving(FritzBox(mode="hang"), host=host_ip) as box:
        environ = _home(tmp_path, host_ip, box.port)
        code, out, err = _run(
            ["check", "router", "--json", "--quick", "--ask-router-password"], environ, "pw\n"
        )
    assert code != ExitStatus.CONFIG and "Traceback" not in err
    report = _report(out)
    router = next(o for o in report.observations if o.probe == "router")
    assert router.status in ("skipped", "timeout", "failed")
    host = next(o for o in report.observations if o.probe == "host")
    assert host.status == "ok"


def test_a_typed_password_is_kept_in_the_keyring_only_when_accepted(
    tmp_path: Path, host_ip: str, ring: MemoryKeyring
) -> None:
    with serving(FritzBox(mode="refuse"), host=host_ip, web_port=80) as box:
        environ = _home(tmp_path / "a", host_ip, box.port)
        code, _out, _err = _run(
            ["check", "router", "--json", "--ask-router-password"], environ, "nope\n"
        )
    assert code == ExitStatus.CONFIG and ring.store == {}
    with serving(FritzBox(), host=host_ip, web_port=80) as box:
        environ = _home(tmp_path / "b", host_ip, box.port)
        code, _out, err = _run(
            ["check", "router", "--json", "--ask-router-password"], environ, PASSWORD + "\n"
        )
    assert code in (ExitStatus.OK, ExitStatus.PROBLEMS_FOUND), err
    assert ring.store == {("homecare-router", f"{USER}@{host_ip}"): PASSWORD}
