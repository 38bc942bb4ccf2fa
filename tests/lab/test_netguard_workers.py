"""The network guard follows the running test in every pytest process, xdist workers too.

An xdist worker is a child of the pytest process, so it starts with the strict
policy the suite hands its children; it must then follow its own tests: an
e2e test may use a namespace it made, a unit test still may not leave
loopback. ``tests/test_xdist_groups.py`` runs this file on xdist workers.
Nothing is sent: the call is a UDP ``connect`` (which sends nothing) inside
an empty namespace (no route: the kernel answers ENETUNREACH).
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import socket
import subprocess
from collections.abc import Iterator

import homecare_netguard as netguard
import pytest
from homecare_lab import netns

NOT_HERE = "192.0.2.1"  # TEST-NET-1: never an address of this machine


@pytest.fixture
def own_namespace() -> Iterator[str]:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("a network namespace of its own needs root and ip(8)")
    name = f"hcng-{secrets.token_hex(3)}"  # not a lab run's name: no cleaner takes it
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)


def _connect_inside(namespace: str) -> OSError:
    with netns.enter(namespace):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with sock, pytest.raises(OSError) as refused:
        sock.connect((NOT_HERE, 9))
    return refused.value


@pytest.mark.e2e
def test_an_e2e_test_may_use_its_own_namespace(own_namespace: str) -> None:
    answer = _connect_inside(own_namespace)
    assert not isinstance(answer, netguard.NetworkRefused), answer
    assert answer.errno == errno.ENETUNREACH


def test_a_unit_test_may_not_even_there(own_namespace: str) -> None:
    assert isinstance(_connect_inside(own_namespace), netguard.NetworkRefused)
