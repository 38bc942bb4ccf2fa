"""Running homecare itself inside the virtual home, the way a customer would.

Tests and benchmarks drive ``homecare check --json`` (the one flow) and read
what they need out of the report, instead of re-assembling probes: what they
measure is then what a customer gets. ``AS_NOBODY`` drops to an ordinary user
with no capability at all, as a customer without admin rights.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from homecare_lab.home import VirtualHome
from homecare_lab.provider_profile import lab_homecare_home, provider_profile_toml

AS_NOBODY = (
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--inh-caps=-all",
    "--bounding-set=-all",
    "--",
)


@contextlib.contextmanager
def open_workdir(prefix: str = "hc-run-") -> Iterator[Path]:
    """A scratch folder every user can enter, removed afterwards.

    pytest's ``tmp_path`` lives under a 0700 ``/tmp/pytest-of-root``, where a
    command run as ``nobody`` gets "Permission denied" before it starts.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        path.chmod(0o777)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@functools.cache
def nobody_cannot_run_homecare() -> str | None:
    """Why ``nobody`` cannot start this interpreter with homecare, or None when it can.

    A checkout in a folder only root may enter (``/root``, a 0700 temp dir)
    gives "No module named homecare" as that user; callers skip with this reason.
    """
    proc = subprocess.run(
        [*AS_NOBODY, sys.executable, "-c", "import homecare, homecare_lab"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if proc.returncode == 0:
        return None
    last = (proc.stderr.strip().splitlines() or ["?"])[-1]
    return f"user nobody cannot import homecare from {Path(sys.executable).parent} ({last})"


def homecare_in_laptop(
    home: VirtualHome,
    workdir: Path,
    *args: str,
    unprivileged: bool = False,
    env: dict[str, str] | None = None,
    timeout: float = 90,
) -> subprocess.CompletedProcess[str]:
    """``homecare ARGS`` on the laptop with a throwaway HOMECARE_HOME under *workdir*
    and the virtual ISP's provider profile (its internet targets, resolver, speed
    servers), as ``scripts/virtual-home`` gives it."""
    hc_home = lab_homecare_home(workdir)
    provider = workdir / "provider.toml"
    provider.write_text(provider_profile_toml(home.spec.wan))
    if unprivileged:
        for path in (workdir, provider, hc_home, *hc_home.rglob("*")):
            path.chmod(0o777 if path.is_dir() else 0o666)
    prefix = list(AS_NOBODY) if unprivileged else []
    return home.run_in_laptop(
        [*prefix, sys.executable, "-m", "homecare", *args],
        env={"HOMECARE_HOME": str(hc_home), "HOMECARE_PROVIDER": str(provider), **(env or {})},
        timeout=timeout,
    )


def check_json(
    home: VirtualHome, workdir: Path, *args: str, unprivileged: bool = False, timeout: float = 90
) -> dict[str, Any]:
    """The report of ``homecare check --json --no-save ARGS`` on the laptop."""
    proc = homecare_in_laptop(
        home,
        workdir,
        "check",
        "--json",
        "--no-save",
        *args,
        unprivileged=unprivileged,
        timeout=timeout,
    )
    if not proc.stdout.startswith("{"):
        raise RuntimeError(f"homecare check exited {proc.returncode}: {proc.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def observation(report: dict[str, Any], probe: str) -> dict[str, Any]:
    """One probe's observation out of a report (KeyError when it did not run)."""
    for obs in report["observations"]:
        if obs["probe"] == probe:
            found: dict[str, Any] = obs
            return found
    raise KeyError(probe)


def discover_devices(
    home: VirtualHome, workdir: Path, *, unprivileged: bool = False, quick: bool = False
) -> dict[str, Any]:
    """The device inventory a customer's ``homecare check devices`` takes.

    Returns the devices payload with ``elapsed_s``: the discovery probe's own
    duration as the report records it.
    """
    args = ["devices", *(["--quick"] if quick else [])]
    report = check_json(home, workdir, *args, unprivileged=unprivileged)
    obs = observation(report, "devices")
    if obs["status"] != "ok":
        raise RuntimeError(f"discovery {obs['status']}: {obs.get('message')}")
    data: dict[str, Any] = dict(obs["data"])
    data["elapsed_s"] = obs["duration_s"]
    return data
