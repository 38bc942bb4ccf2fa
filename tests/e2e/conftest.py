"""Fixtures for end-to-end tests on the virtual home (network namespaces, root only).

``virtual_home(spec)`` builds a home for one test; ``module_virtual_home`` does
the same once per module for tests that only read the home.  Both tear the
home down afterwards, also when the test fails.  Tests using them are skipped
with the reason when the machine cannot run the lab (not root, no
``ip netns``, a tool missing).
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from homecare_lab import HomeSpec, VirtualHome
from homecare_lab.requirements import TEST_TOOLS, why_unavailable
from homecare_lab.runs import open_workdir

# bench/connection_quality.py is the driver the quality e2e tests run in the
# laptop namespace (``run_inside``) and read reports with (``codes``, ``data_of``)
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from connection_quality import provider_toml  # type: ignore[import-not-found,unused-ignore]

HomeFactory = Callable[..., VirtualHome]
ProviderFactory = Callable[..., Path]

_OTHER_RUN = re.compile(r"^hc[a-z0-9]")

_REASON: list[str | None] = []


def lab_unavailable() -> str | None:
    """Cached: why the virtual home cannot run here (None if it can)."""
    if not _REASON:
        _REASON.append(why_unavailable(TEST_TOOLS))
    return _REASON[0]


def _factory(homes: list[VirtualHome]) -> HomeFactory:
    def make(spec: HomeSpec | None = None) -> VirtualHome:
        reason = lab_unavailable()
        if reason:
            pytest.skip(f"virtual home unavailable: {reason}")
        home = VirtualHome(spec or HomeSpec())
        homes.append(home)
        return home.start()

    return make


@pytest.fixture
def virtual_home() -> Iterator[HomeFactory]:
    """Factory: ``home = virtual_home(spec)`` builds a home torn down after the test."""
    homes: list[VirtualHome] = []
    try:
        yield _factory(homes)
    finally:
        for home in reversed(homes):
            home.close()


@pytest.fixture(scope="module")
def shared_tmp() -> Iterator[Path]:
    """A folder every user can reach (pytest's own tmp is root-only), per module."""
    with open_workdir("hc-e2e-") as path:
        yield path


@pytest.fixture(scope="module")
def lab_provider() -> Iterator[ProviderFactory]:
    """Factory: ``lab_provider(quality=None, **speed)`` writes a provider profile
    for the quality driver (``connection_quality.provider_toml``: the lab's
    targets, *speed* keys in ``[speed]``) into a folder every user can reach;
    each call gets its own file, all removed after the module."""
    with open_workdir("hc-e2e-provider-") as root:
        serial = itertools.count()

        def make(quality: dict[str, Any] | None = None, **speed: Any) -> Path:
            path: Path = provider_toml(root / str(next(serial)), quality, **speed)
            return path

        yield make


@pytest.fixture(scope="module")
def module_virtual_home() -> Iterator[HomeFactory]:
    """Like ``virtual_home`` but the homes live for the whole test module."""
    homes: list[VirtualHome] = []
    try:
        yield _factory(homes)
    finally:
        for home in reversed(homes):
            home.close()


@pytest.fixture
def host_network_snapshot() -> Callable[[], dict[str, str]]:
    """A function returning the host root namespace's netns list, links, addresses, routes."""

    def snap() -> dict[str, str]:
        def out(*argv: str) -> str:
            text = subprocess.run(list(argv), capture_output=True, text=True, check=False).stdout
            # Other lab runs and test namespaces ("hc…", e.g. other suites running in
            # parallel) come and go; this run's own are checked by name in the tests.
            return "".join(
                line for line in text.splitlines(keepends=True) if not _OTHER_RUN.match(line)
            )

        return {
            "netns": out("ip", "netns", "list"),
            "links": out("ip", "-o", "link", "show"),
            "addrs": out("ip", "-o", "addr", "show"),
            "routes": out("ip", "route", "show", "table", "all"),
            "etc_netns": out("ls", "-1", "/etc/netns"),
        }

    return snap
