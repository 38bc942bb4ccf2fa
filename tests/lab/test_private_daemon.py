"""The lab's private servers share one start-and-stop: a start ends when the
server answers or as soon as it died (saying why, with its log), and the
``with`` block deletes the server's folder even when the start failed half-way.
Real processes throughout: a Python child, Debian's initdb and redis-server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from homecare_lab.pgtemp import PrivatePostgres, find_bin_dir
from homecare_lab.private_daemon import PrivateDaemon, wait_until_answers
from homecare_lab.redistemp import PrivateRedis, find_redis_server

SERVE = """
import socket, sys, time
time.sleep(0.2)
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen()
time.sleep(30)
"""


def _connects(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(path))
    except OSError:
        return False
    return True


def test_wait_ends_when_the_server_answers(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with subprocess.Popen([sys.executable, "-c", SERVE, str(path)]) as proc:
        try:
            wait_until_answers(
                proc, lambda: _connects(path), what="child", log_tail=lambda: "", timeout=30
            )
            assert proc.poll() is None and _connects(path)
        finally:
            proc.kill()


def test_wait_ends_at_once_when_the_server_died_and_quotes_its_log(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.write_text("FATAL: cannot bind\n")
    dies = [sys.executable, "-c", "import sys; sys.exit(3)"]
    with subprocess.Popen(dies) as proc:
        started = time.monotonic()
        with pytest.raises(RuntimeError, match=r"child exited \(3\): FATAL: cannot bind"):
            wait_until_answers(
                proc, lambda: False, what="child", log_tail=log.read_text, timeout=60
            )
    assert time.monotonic() - started < 30  # not the sanity limit


def test_wait_gives_up_at_the_sanity_limit() -> None:
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as proc:
        try:
            with pytest.raises(TimeoutError, match=r"did not answer within 0\.3 s: quiet"):
                wait_until_answers(
                    proc, lambda: False, what="child", log_tail=lambda: "quiet", timeout=0.3
                )
        finally:
            proc.kill()


def test_postgres_that_cannot_start_says_why_and_leaves_no_folder() -> None:
    if find_bin_dir() is None or shutil.which("runuser") is None:
        pytest.skip("PostgreSQL server binaries (and runuser) not installed")
    pg = PrivatePostgres(fsync=False)
    assert isinstance(pg, PrivateDaemon)
    pg.data.mkdir()
    (pg.data / "in-the-way").write_text("not a cluster")
    with pytest.raises(RuntimeError, match=r"initdb failed \(\d+\): .*not empty"), pg:
        pass
    assert not pg.root.exists()


def test_redis_that_cannot_bind_says_why_and_leaves_no_folder() -> None:
    if find_redis_server() is None:
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    redis = PrivateRedis()
    assert isinstance(redis, PrivateDaemon)
    redis.socket.mkdir()  # a folder where its socket goes: the bind fails
    failed = pytest.raises(RuntimeError, match=r"(?s)redis-server exited \(\d+\): .*Unix socket")
    with failed, redis:
        pass
    assert not redis.root.exists()


def test_redis_answers_inside_the_block_and_is_gone_after() -> None:
    if find_redis_server() is None:
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    with PrivateRedis() as redis:
        assert redis.proc is not None and redis.proc.poll() is None
        root = redis.root
        assert _connects(redis.socket)
    assert not root.exists()
