"""The suite's network guard, in the test process and in the programs tests start.

No test here sends a packet even if the guard were broken: the refused calls
are ``bind`` to an address this machine does not have (the kernel answers
EADDRNOTAVAIL without sending anything), or run inside an empty network
namespace of their own (``unshare --net``: no route, no resolver).
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import homecare_netguard as netguard
import pytest

NOT_HERE = "192.0.2.1"  # TEST-NET-1: never an address of this machine


def _child(
    code: str, log: Path, *, mode: str | None = "strict", prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if mode is None:
        env.pop(netguard.MODE_VARIABLE, None)
    else:
        env[netguard.MODE_VARIABLE] = f"{mode}:{netguard.current_netns_cookie()}"
    env[netguard.LOG_VARIABLE] = str(log)
    env[netguard.TEST_VARIABLE] = "the child test"
    return subprocess.run(
        [*prefix, sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


BIND_ELSEWHERE = f"""
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind(({NOT_HERE!r}, 0))
except OSError as e:
    print(type(e).__name__, e.errno)
else:
    print("bound")
"""


def test_the_test_process_is_guarded() -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with s, pytest.raises(netguard.NetworkRefused, match="outside loopback"):
        s.bind((NOT_HERE, 0))


def test_a_child_started_by_a_test_is_refused_and_logged(tmp_path: Path) -> None:
    log = tmp_path / "refused.log"
    proc = _child(BIND_ELSEWHERE, log)
    assert proc.stdout.split() == ["NetworkRefused", "None"], proc.stderr
    assert "the child test" in log.read_text() and NOT_HERE in log.read_text()


def test_without_the_policy_the_kernel_answers_instead(tmp_path: Path) -> None:
    """The positive control: the child above was stopped by the guard, not by the kernel."""
    proc = _child(BIND_ELSEWHERE, tmp_path / "refused.log", mode=None)
    assert proc.stdout.split() == ["OSError", str(errno.EADDRNOTAVAIL)], proc.stderr
    assert not (tmp_path / "refused.log").exists()


def test_a_child_keeps_loopback(tmp_path: Path) -> None:
    code = "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print('bound')"
    proc = _child(code, tmp_path / "refused.log")
    assert proc.stdout.strip() == "bound", proc.stderr


def test_children_inherit_the_guard_from_the_suite() -> None:
    """The root conftest hands its policy to every child (a strict one here)."""
    assert os.environ[netguard.MODE_VARIABLE].startswith("strict:")
    assert str(Path(netguard.__file__).parent) in os.environ["PYTHONPATH"].split(os.pathsep)


needs_unshare = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="an empty network namespace of its own needs root and unshare(1)",
)

SEND_AND_LOOK_UP = f"""
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for attempt in (lambda: s.sendto(b"x", ({NOT_HERE!r}, 9)),
                lambda: socket.getaddrinfo("guard-test.invalid", 80)):
    try:
        attempt()
    except OSError as e:
        print(type(e).__name__, getattr(e, "errno", None))
    else:
        print("sent")
"""


@needs_unshare
def test_strict_children_are_refused_even_inside_a_namespace(tmp_path: Path) -> None:
    proc = _child(SEND_AND_LOOK_UP, tmp_path / "refused.log", prefix=("unshare", "--net"))
    lines = proc.stdout.splitlines()
    assert lines == ["NetworkRefused None", "NetworkRefused None"], proc.stderr


@needs_unshare
def test_e2e_children_may_use_their_own_namespace(tmp_path: Path) -> None:
    """In the empty namespace the kernel has no route: the guard let the call through."""
    proc = _child(
        SEND_AND_LOOK_UP, tmp_path / "refused.log", mode="e2e", prefix=("unshare", "--net")
    )
    first = proc.stdout.splitlines()[0]
    assert first == f"OSError {errno.ENETUNREACH}", proc.stderr
    assert not (tmp_path / "refused.log").exists()
