"""The wheel holds the product, all of it, and nothing else.

Built once per session with ``pip wheel`` (no network: build isolation off,
hatchling comes from the test environment), then its file list is checked
against what the docs promise: the lab and test helpers stay out, the
shipped plugin, data files and translations go in.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    pytest.importorskip("hatchling", reason="hatchling (the build backend) is not installed")
    src = tmp_path_factory.mktemp("src")
    # a copy without the venv and caches, so the build sees only the checkout
    shutil.copytree(
        REPO,
        src / "homecare",
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "node_modules", "*.pyc"),
    )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(src / "homecare"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("homecare-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return zf.namelist()


def test_no_lab_or_test_helpers_in_the_wheel(wheel_files: list[str]) -> None:
    leaked = [
        f
        for f in wheel_files
        if f.startswith(("homecare_lab/", "lab/", "tests/"))
        or "/lab/" in f
        or f.endswith(("collector/testing.py", "pgtemp.py", "ookla_server.py", "conftest.py"))
    ]
    assert leaked == []


def test_the_wheel_holds_what_the_docs_promise(wheel_files: list[str]) -> None:
    files = set(wheel_files)
    for needed in (
        "homecare/py.typed",
        "homecare/api.py",
        "homecare/shipped_plugins/host_load/__init__.py",  # README: homecare check device
        "homecare/collector/librespeed.py",  # providers serve LibreSpeed from the collector
        "homecare/advise/catalogue/en.toml",
        "homecare/locale/de/LC_MESSAGES/homecare.mo",
        "homecare/locale/es/LC_MESSAGES/homecare.mo",
        "homecare/probes/discovery/data/oui.tsv.gz",
        "homecare/profiles/data/technician/repair-visit.toml",  # docs/technician.md
        "homecare/profiles/data/technician/installation.toml",
        "homecare/session/templates/session.html.j2",  # the session's HTML report
    ):
        assert needed in files, needed
    assert any(f.startswith("homecare/profiles/data/") and f.endswith(".toml") for f in files)
