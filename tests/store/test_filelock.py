"""The spool's lock works on POSIX and (simulated) Windows, and never needs fcntl at import."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from homecare.store import filelock


def test_second_holder_is_told_no(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    with path.open("a+") as a, path.open("a+") as b, filelock.exclusive(a) as got_a:
        assert got_a
        with filelock.exclusive(b) as got_b:
            assert not got_b
    with path.open("a+") as c, filelock.exclusive(c) as again:
        assert again  # released on exit


def test_windows_uses_msvcrt_byte_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated Windows: msvcrt.locking with a one-byte range, refused while held."""
    held: set[int] = set()
    calls: list[tuple[int, int]] = []

    def locking(fd: int, mode: int, nbytes: int) -> None:
        calls.append((mode, nbytes))
        if mode == fake.LK_NBLCK:
            if held:
                raise OSError(36, "Resource deadlock avoided")
            held.add(fd)
        elif mode == fake.LK_UNLCK:
            held.discard(fd)

    fake: Any = types.SimpleNamespace(LK_NBLCK=2, LK_UNLCK=0, locking=locking)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    path = tmp_path / "lock"
    with path.open("a+") as a, path.open("a+") as b:
        with filelock.exclusive(a, platform_name="nt") as got_a:
            assert got_a
            with filelock.exclusive(b, platform_name="nt") as got_b:
                assert not got_b
        assert held == set()
    assert calls[0] == (fake.LK_NBLCK, 1)


def test_spool_imports_without_fcntl() -> None:
    """As on Windows: no fcntl module at all, and the spool still imports."""
    code = (
        "import builtins, sys\n"
        "real = builtins.__import__\n"
        "def no_fcntl(name, *a, **k):\n"
        "    if name == 'fcntl':\n"
        "        raise ImportError('no fcntl on this platform')\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = no_fcntl\n"
        "sys.modules.pop('fcntl', None)\n"
        "import homecare.share.spool, homecare.share.service\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok", out.stderr
