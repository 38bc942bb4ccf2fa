"""A read-only home: one clear line and exit 4, even for root.

Root ignores permission bits, so the home is made read-only the way a full
or locked-down disk would be: a read-only bind mount in a private mount
namespace (``unshare --mount``). Nothing here touches the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from homecare.status import ExitStatus


@pytest.mark.skipif(
    not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare")),
    reason="needs root and unshare(1) to make a read-only bind mount",
)
def test_read_only_home_is_a_state_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    script = (
        f"mount --bind {home} {home} && mount -o remount,bind,ro {home} && "
        f"exec {sys.executable} -m homecare history"
    )
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        env={**os.environ, "HOMECARE_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == ExitStatus.STATE, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Read-only" in proc.stderr or "read-only" in proc.stderr.lower()
    assert list(home.iterdir()) == []
