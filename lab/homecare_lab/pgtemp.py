"""A private, throwaway PostgreSQL cluster for tests and the bench.

Never a system service: ``initdb`` into a temporary folder, listening only on
a Unix socket in that folder (``listen_addresses=''``), run as an unprivileged
user when we are root (PostgreSQL refuses to run as root), stopped and deleted
afterwards. The ``with`` block and the error on a failed start are
:mod:`.private_daemon`'s, shared with :mod:`.redistemp`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from homecare_lab.private_daemon import PrivateDaemon, run_step


def find_bin_dir() -> Path | None:
    """Debian's versioned bin folder, or whatever ``initdb`` is on PATH."""
    root = Path("/usr/lib/postgresql")
    versions = [p for p in root.glob("*/bin") if p.parent.name.isdigit()] if root.is_dir() else []
    for candidate in sorted(versions, key=lambda p: int(p.parent.name), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and no unprivileged user (postgres, nobody) exists")


class PrivatePostgres(PrivateDaemon):
    """``with PrivatePostgres() as pg: pg.url`` → a SQLAlchemy URL (psycopg)."""

    def __init__(self, fsync: bool = True) -> None:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
        self.bin_dir = bin_dir
        self.fsync = fsync
        self.user = _run_as()
        self.root = Path(tempfile.mkdtemp(prefix="homecare-pg-"))
        self.data = self.root / "data"
        self.url = f"postgresql+psycopg://homecare@/postgres?host={self.root}"

    def _cmd(self, *argv: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *argv] if self.user else list(argv)

    def start(self) -> PrivatePostgres:
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o700)
        run_step(
            self._cmd(
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "homecare",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ),
            what="initdb",
            cwd=self.root,
            log_tail=self.log_tail,
        )
        options = f"-k {self.root} -c listen_addresses='' -c max_connections=200"
        if not self.fsync:
            options += " -c fsync=off -c synchronous_commit=off"
        run_step(
            self._cmd(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.root / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ),
            what="PostgreSQL",
            cwd=self.root,
            log_tail=self.log_tail,
        )
        return self

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(
                self._cmd(
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ),
                check=False,
                capture_output=True,
                cwd=self.root,
            )
        shutil.rmtree(self.root, ignore_errors=True)
