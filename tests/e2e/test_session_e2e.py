"""Technician sessions end to end in the virtual home.

The repair-visit plan runs as a real ``homecare session run`` in the laptop
namespace against the lab's provider. With the provider's resolver down
exactly the DNS step fails; with it back the after-session passes and
``compare`` shows each change. Both runs are scripted (``--answers``); one
run is driven through a pty like a technician at a keyboard; one is killed
with SIGKILL in the middle of a step and resumed with every earlier step
intact. The laptop has no radio: a fake ``iw`` replays a real recording of a
good 5 GHz link (tests/probes/wifi/fixtures), so the Wi-Fi figures are parsed for real.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import tomli_w
from homecare_lab import HomeSpec, VirtualHome, netns
from homecare_lab.names import HOST_IF
from homecare_lab.provider_profile import lab_homecare_home, provider_profile
from homecare_lab.spec import WanSpec

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]
FIXTURES = Path(__file__).resolve().parents[1] / "probes" / "wifi" / "fixtures" / "iw"
WAN = WanSpec(down_mbit=50.0, up_mbit=20.0, queue_ms=5)
REPAIR_KEYS = ["line", "dns", "lan", "room@living-room"]


@pytest.fixture(scope="module")
def home(module_virtual_home: HomeFactory) -> Iterator[VirtualHome]:
    yield module_virtual_home(HomeSpec(name="sess", wan=WAN))


@pytest.fixture(scope="module")
def shared() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="hc-e2e-sess-", dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def fake_iw(shared: Path) -> Path:
    """A bin folder whose ``iw`` replays a good 5 GHz link (-58 dBm) for HOST_IF."""
    folder = shared / "bin"
    folder.mkdir()
    replies = {"dev": "dev_managed.txt", f"dev {HOST_IF} link": "link_vht_5ghz.txt"}
    lines = ["#!/bin/sh", 'case "$*" in']
    for args, fixture in replies.items():
        (folder / fixture).write_text((FIXTURES / fixture).read_text().replace("wlp2s0", HOST_IF))
        lines.append(
            f"  {shlex.quote(args)}) exec /bin/cat {shlex.quote(str(folder / fixture))} ;;"
        )
    lines += ['  *) echo "command failed: No such device (-19)" >&2; exit 1 ;;', "esac"]
    (folder / "iw").write_text("\n".join(lines) + "\n")
    (folder / "iw").chmod(0o755)
    return folder


def _profile() -> dict[str, object]:
    profile = provider_profile(WAN)
    profile["thresholds"] = {"ping_count": 10, "ping_timeout_s": 0.5, "dns_timeout_s": 1.0}
    profile["speed"] = {**profile["speed"], "duration_s": 5.0, "quick_duration_s": 3.0}  # type: ignore[dict-item]
    return profile


@pytest.fixture(scope="module")
def provider_file(shared: Path) -> Path:
    path = shared / "lab-isp.toml"
    path.write_text(tomli_w.dumps(_profile()))
    return path


@pytest.fixture(scope="module")
def hc_home(shared: Path) -> Path:
    return lab_homecare_home(shared)


def _env(hc_home: Path, provider_file: Path, fake_iw: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    env.update({
        "HOMECARE_HOME": str(hc_home), "HOMECARE_PROVIDER": str(provider_file),
        "PATH": f"{fake_iw}:/usr/sbin:/usr/bin:/sbin:/bin", "COLUMNS": "160",
    })  # fmt: skip
    return env


def _session(home: VirtualHome, env: dict[str, str], *args: str, timeout: float = 240
             ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run(
        netns.in_ns(home.laptop_ns, [sys.executable, "-m", "homecare", "session", *args]),
        env=env, capture_output=True, text=True, timeout=timeout, check=False,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _document(out: Path) -> dict[str, object]:
    files = sorted(out.glob("session-*.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text())  # type: ignore[no-any-return]


def _statuses(doc: dict[str, object]) -> dict[str, str]:
    steps = doc["session"]["steps"]  # type: ignore[index]
    return {s["key"]: s["status"] for s in steps}


def test_repair_visit_fails_the_dns_step_then_passes_after_the_fix(
    home: VirtualHome, hc_home: Path, provider_file: Path, fake_iw: Path, shared: Path
) -> None:
    env = _env(hc_home, provider_file, fake_iw)
    answers_before = shared / "before.toml"
    answers_before.write_text('rooms = ["living-room"]\nshare = false\n')
    answers_after = shared / "after.toml"
    answers_after.write_text('rooms = ["living-room"]\nfixes = ["Restarted the resolver"]\n')
    home.dns_down()
    try:
        before = _session(home, env, "run", "repair-visit", "--job", "JOB-42",
                          "--answers", str(answers_before), "--out", str(shared / "before"))  # fmt: skip
    finally:
        home.dns_up()
    assert "Traceback" not in before.stderr, before.stderr
    assert before.returncode == 1, before.stdout + before.stderr
    doc_before = _document(shared / "before")
    statuses = _statuses(doc_before)
    assert list(statuses) == REPAIR_KEYS
    assert statuses["dns"] == "fail", before.stdout
    assert all(statuses[k] != "fail" for k in REPAIR_KEYS if k != "dns"), before.stdout

    after = _session(home, env, "run", "repair-visit", "--job", "JOB-42",
                     "--answers", str(answers_after), "--out", str(shared / "after"))  # fmt: skip
    assert after.returncode == 0, after.stdout + after.stderr
    doc_after = _document(shared / "after")
    assert all(s != "fail" for s in _statuses(doc_after).values()), after.stdout
    session_after = doc_after["session"]
    assert session_after["before_session"] == doc_before["session"]["id"]  # type: ignore[index]
    assert session_after["fixes"] == ["Restarted the resolver"]  # type: ignore[index]
    changes = {c["key"]: c for c in doc_after["comparison"]["steps"]}  # type: ignore[index]
    assert (changes["dns"]["before"], changes["dns"]["after"]) == ("fail", "pass")
    answered = next(m for m in changes["dns"]["metrics"] if m["metric"] == "dns.answered")
    assert (answered["before"], answered["after"]) == (False, True)

    ids = (doc_before["session"]["id"], session_after["id"])  # type: ignore[index]
    compared = _session(home, env, "compare", *ids)
    assert compared.returncode == 0, compared.stderr
    dns_row = next(
        line for line in compared.stdout.splitlines() if line.strip("│ ").startswith("dns ")
    )
    assert "fail →" in dns_row and "pass" in dns_row, compared.stdout
    assert "dns.answered" in compared.stdout and "no" in compared.stdout

    report = next((shared / "after").glob("session-*.json"))
    verified = _session(home, env, "verify", str(report))
    assert verified.returncode == 0, verified.stderr
    tampered = shared / "tampered.json"
    tampered.write_bytes(
        report.read_bytes().replace(b'"Restarted the resolver"', b'"Replaced the router"')
    )
    refused = _session(home, env, "verify", str(tampered))
    assert refused.returncode == 1
    assert "part 'session' does not match its signed digest" in refused.stderr
    listed = _session(home, env, "list")
    assert all(i[:12] in listed.stdout for i in ids)


def test_interactive_session_through_a_pty(
    home: VirtualHome, hc_home: Path, provider_file: Path, fake_iw: Path, shared: Path
) -> None:
    plan = shared / "kitchen.toml"
    plan.write_text(
        'id = "kitchen-dns"\nversion = "1"\ntitle = "Kitchen names"\n'
        '[[steps]]\nid = "dns"\ntitle = "Names"\nrun = ["dns"]\nroom = "kitchen"\n'
        '[steps.expect]\n"dns.answered" = { pass = true }\n'
    )
    env = _env(hc_home, provider_file, fake_iw)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        netns.in_ns(home.laptop_ns, [sys.executable, "-m", "homecare", "session", "run",
                                     str(plan), "--out", str(shared / "pty")]),
        env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    replies = [(b"press Enter", b"\n"), (b"What did you fix?", b"Tightened the cable\n"),
               (b"What did you fix?", b"\n"), (b"agree to share", b"n\n")]  # fmt: skip
    deadline = time.monotonic() + 120
    asked = 0
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            if asked < len(replies) and seen.count(replies[asked][0]) > sum(
                1 for p, _ in replies[:asked] if p == replies[asked][0]
            ):
                # the table and the step line appear before the questions that follow
                if asked == 1:
                    assert b"Step 1 of 1" in seen and b"pass" in seen
                os.write(master, replies[asked][1])
                asked += 1
            if proc.poll() is not None and not ready:
                break
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        os.close(master)
    text = seen.decode(errors="replace")
    assert asked == len(replies), text
    assert "Go to the kitchen, then press Enter." in text
    assert code == 0, text
    doc = _document(shared / "pty")
    assert doc["session"]["fixes"] == ["Tightened the cable"]  # type: ignore[index]


def test_sigkill_mid_step_then_resume_keeps_every_earlier_step(
    home: VirtualHome, hc_home: Path, provider_file: Path, fake_iw: Path, shared: Path
) -> None:
    kill_home = lab_homecare_home(shared / "kill")
    env = _env(kill_home, provider_file, fake_iw)
    db = kill_home / "data" / "sessions.sqlite3"
    proc = subprocess.Popen(
        netns.in_ns(home.laptop_ns, [sys.executable, "-m", "homecare", "session", "run",
                                     "repair-visit", "--yes", "--rooms", "living-room"]),
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip

    def stored() -> list[tuple[str, str]]:
        if not db.exists():
            return []
        with sqlite3.connect(db) as conn:
            try:
                rows = conn.execute("SELECT key, result_json FROM steps ORDER BY seq").fetchall()
            except sqlite3.OperationalError:
                return []  # the session is still creating its store
            return [(str(k), str(j)) for k, j in rows]

    deadline = time.monotonic() + 180
    try:
        while len(stored()) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()
        os.killpg(proc.pid, signal.SIGKILL)  # in the middle of step 3
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before_kill = stored()
    assert [k for k, _ in before_kill] == ["line", "dns"]
    with sqlite3.connect(db) as conn:
        (session_id,) = conn.execute("SELECT id FROM sessions").fetchone()
        assert conn.execute("SELECT state FROM sessions").fetchone() == ("in_progress",)
    resumed = _session(home, env, "resume", str(session_id)[:8], "--out", str(shared / "resumed"))
    assert "Traceback" not in resumed.stderr, resumed.stderr
    assert "2 step(s) done, 2 to go" in resumed.stdout, resumed.stdout
    assert resumed.returncode in (0, 1), resumed.stderr
    after = stored()
    assert [k for k, _ in after] == REPAIR_KEYS
    assert after[:2] == before_kill  # byte for byte what was measured before the kill
    doc = _document(shared / "resumed")
    assert [s["key"] for s in doc["session"]["steps"]] == REPAIR_KEYS  # type: ignore[index]
    assert doc["session"]["state"] == "finished"  # type: ignore[index]


COLLECTOR_CLI = [sys.executable, "-m", "homecare.collector.cli"]


def _wait_listening(home: VirtualHome, host: str, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        probe = home.run_in_laptop(
            [sys.executable, "-c", f"import socket; socket.create_connection(('{host}', {port}), 1).close()"],
            timeout=10,
        )  # fmt: skip
        if probe.returncode == 0:
            return
        time.sleep(0.3)
    raise AssertionError("collector did not start listening")


def test_shared_session_appears_at_the_collector_and_unknown_keys_are_refused(
    home: VirtualHome, provider_file: Path, fake_iw: Path, shared: Path
) -> None:
    from homecare_lab import addresses

    db = ["--db", str(shared / "collector.sqlite3")]

    def collector(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*COLLECTOR_CLI, *args, *db], capture_output=True, text=True,
                              timeout=60, check=False)  # fmt: skip

    token = collector("token", "create", "--role", "ingest", "--provider", "vhome").stdout.split()[
        0
    ]
    isp = shared / "isp-collector.toml"
    isp.write_text(
        tomli_w.dumps({**_profile(), "collector_url": f"http://{addresses.INTERNET}:8080"})
    )
    server = home.spawn("provider", [*COLLECTOR_CLI, "serve", "--host", addresses.INTERNET,
                                     "--port", "8080", *db])  # fmt: skip
    plan = shared / "share-plan.toml"
    plan.write_text(
        'id = "names"\nversion = "1"\ntitle = "Names"\n'
        '[[steps]]\nid = "dns"\ntitle = "Names"\nrun = ["dns", "connectivity"]\n'
        '[steps.expect]\n"dns.answered" = { pass = true }\n'
    )
    answers = shared / "share.toml"
    answers.write_text("share = true\n")
    try:
        _wait_listening(home, addresses.INTERNET, 8080)
        registered = lab_homecare_home(shared / "tech-a")
        stranger = lab_homecare_home(shared / "tech-b")
        env = {**_env(registered, isp, fake_iw), "HOMECARE_COLLECTOR_TOKEN": token}
        printed = _session(home, env, "key")
        assert printed.returncode == 0, printed.stderr
        key = printed.stdout.strip()
        added = collector("technicians", "add", "Ana", key, "--provider", "vhome")
        assert added.returncode == 0, added.stderr
        ran = _session(home, env, "run", str(plan), "--job", "JOB-7", "--answers", str(answers),
                       "--out", str(shared / "shared"))  # fmt: skip
        assert ran.returncode == 0, ran.stdout + ran.stderr
        code = re.search(r"Support code: (HC-[0-9A-Z]{4}-[0-9A-Z]{3,5})", ran.stdout)
        assert code, ran.stdout
        doc = _document(shared / "shared")
        assert doc["session"]["support_code"] == code.group(1)  # type: ignore[index]
        shown = collector("show", code.group(1))
        assert shown.returncode == 0, shown.stderr
        assert "job JOB-7" in shown.stdout and "Signed by Ana" in shown.stdout
        truth = home.ground_truth()
        stored = (shared / "collector.sqlite3").read_bytes()
        for value in (truth["laptop"]["ip"], truth["laptop"]["mac"], truth["laptop"]["hostname"]):
            assert value.encode() not in stored, value

        other = {**_env(stranger, isp, fake_iw), "HOMECARE_COLLECTOR_TOKEN": token}
        refused = _session(home, other, "run", str(plan), "--job", "JOB-8", "--answers",
                           str(answers), "--out", str(shared / "refused"))  # fmt: skip
        assert "HTTP 403" in refused.stderr and "homecare session share" in refused.stderr
        assert refused.returncode == 0  # the session itself passed; its report is kept
        assert (shared / "refused").glob("session-*.json")
    finally:
        home.stop(server)
