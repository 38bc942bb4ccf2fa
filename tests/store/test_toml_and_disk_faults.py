"""TOML edge cases and a full disk in setup/profile/share (issue 14 item 13).

A BOM from a Windows editor is accepted; deep nesting and ``0`` for a
boolean are one-line configuration errors (exit 3); a full disk while
saving the profile is exit 4, never the internal-error exit 70. The full
disk is a real 64 KB tmpfs in a private mount namespace.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from homecare.errors import ConfigError
from homecare.status import ExitStatus
from homecare.store.config import load_config
from homecare.store.profile import PersonProfile, load_profile, load_profile_lenient


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    path.write_bytes(b'\xef\xbb\xbfskill = "expert"\n')
    assert load_profile(path).skill == "expert"
    assert load_profile_lenient(path) == (load_profile(path), [])
    config = tmp_path / "config.toml"
    config.write_bytes(b'\xef\xbb\xbfprovider = "example-isp"\n')
    assert load_config(config).provider == "example-isp"


@pytest.mark.parametrize("opener", ["[", "{a="])
def test_deep_nesting_is_a_config_error(tmp_path: Path, opener: str) -> None:
    path = tmp_path / "profile.toml"
    path.write_text("skill = " + opener * 20000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_profile(path)
    profile, warnings = load_profile_lenient(path)
    assert profile == PersonProfile() and len(warnings) == 1


@pytest.mark.parametrize("value", ["0", "1", '"true"'])
def test_a_number_or_text_is_not_a_boolean(tmp_path: Path, value: str) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(f"[consent]\nshare = {value}\n")
    with pytest.raises(ConfigError, match=r"consent\.share"):
        load_profile(path)
    profile, warnings = load_profile_lenient(path)
    assert profile.consent.share is None and "consent.share" in warnings[0]


def test_dates_still_load_strictly(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    path.write_text("[consent]\nshare = true\nshare_given_at = 2024-05-01T12:00:00Z\n")
    consent = load_profile(path).consent
    assert consent.share is True and consent.share_given_at is not None


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "homecare", *args],
        env={**os.environ, "HOMECARE_HOME": str(home), "HOMECARE_LANG": "en"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_deep_nesting_in_config_is_exit_3_from_the_cli(tmp_path: Path) -> None:
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("provider = " + "[" * 20000 + "\n")
    proc = _cli(tmp_path, "history")
    assert proc.returncode == ExitStatus.CONFIG, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


@pytest.mark.skipif(
    not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare")),
    reason="needs root and unshare(1) for a private tmpfs",
)
@pytest.mark.parametrize(
    "argv",
    [
        ("share", "--on"),
        ("profile", "set", "skill", "expert"),
        ("setup", "--yes", "--skill", "expert"),
    ],
)
def test_a_full_disk_while_saving_is_exit_4(tmp_path: Path, argv: tuple[str, ...]) -> None:
    home = tmp_path / "home"
    home.mkdir()
    script = (
        f"mount -t tmpfs -o size=64k tmpfs {home} && mkdir -p {home}/config {home}/state "
        f"{home}/data && (dd if=/dev/zero of={home}/fill bs=4k 2>/dev/null || true) && "
        f"exec {sys.executable} -m homecare {' '.join(argv)}"
    )
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        env={**os.environ, "HOMECARE_HOME": str(home), "HOMECARE_LANG": "en"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == ExitStatus.STATE, (proc.returncode, proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "No space left" in proc.stderr


SEED_SHARING = """
import sys
from pathlib import Path
from homecare.cli.run_context import open_run
from homecare.store.history import History
from homecare.store.profile import save_profile
sys.path.insert(0, sys.argv[1])
from share.reports import simple_report
from homecare.share.secret import load_or_create_secret
session = open_run()
save_profile(session.env.home.profile_file, session.person.with_consent(share=True))
with History.open(session.env.home.history_db) as h:
    h.save(simple_report())
load_or_create_secret(session.env.home.state_dir)  # the key exists: the spool write fails
"""


@pytest.mark.skipif(
    not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare")),
    reason="needs root and unshare(1) for a private tmpfs",
)
def test_a_full_disk_while_sharing_is_exit_4(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    seed = tmp_path / "seed.py"
    seed.write_text(SEED_SHARING)
    tests_dir = Path(__file__).resolve().parents[1]
    script = (
        f"mount -t tmpfs -o size=400k tmpfs {home} && {sys.executable} {seed} {tests_dir} && "
        f"(dd if=/dev/zero of={home}/fill bs=4k 2>/dev/null || true) && "
        f"exec {sys.executable} -m homecare share"
    )
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        env={**os.environ, "HOMECARE_HOME": str(home), "HOMECARE_LANG": "en",
             "HOMECARE_COLLECTOR_URL": "http://127.0.0.1:9/"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == ExitStatus.STATE, (proc.returncode, proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Cannot keep the check for sending" in proc.stderr
