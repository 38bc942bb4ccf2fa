"""A private, throwaway Redis for tests and the bench (as :mod:`.pgtemp` for
PostgreSQL).

Never the system service: Debian's ``redis-server`` binary started in the
foreground with a temporary folder as its working directory, listening only
on a Unix socket in that folder (``port 0`` turns TCP off), no persistence,
stopped (SIGTERM, then SIGKILL) and the folder deleted afterwards. The
``with`` block and the wait (it answers, or it died) are
:mod:`.private_daemon`'s, shared with :mod:`.pgtemp`.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from homecare_lab.private_daemon import PrivateDaemon, wait_until_answers


def find_redis_server() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )


class PrivateRedis(PrivateDaemon):
    """``with PrivateRedis() as r: r.url`` → ``unix:///tmp/homecare-redis-…/redis.sock``."""

    def __init__(self) -> None:
        binary = find_redis_server()
        if binary is None:
            raise FileNotFoundError("redis-server not found (apt-get install redis-server)")
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="homecare-redis-"))
        self.socket = self.root / "redis.sock"
        self.url = f"unix://{self.socket}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 15.0) -> PrivateRedis:
        self.root.chmod(0o700)
        argv = [
            self.binary,
            "--port", "0",
            "--bind", "127.0.0.1",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.root),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(self.root / "log"),
            "--protected-mode", "yes",
        ]  # fmt: skip
        self.proc = subprocess.Popen(argv, cwd=self.root, stdin=subprocess.DEVNULL)
        wait_until_answers(
            self.proc, self._answers, what="redis-server", log_tail=self.log_tail, timeout=timeout
        )
        return self

    def _answers(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(1)
                s.connect(str(self.socket))
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)
