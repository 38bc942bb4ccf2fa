"""The whole suite's safety net: no test may send a packet to the real network.

The policy lives in ``lab/netguard_site/homecare_netguard.py`` (read it): only
loopback, Unix and netlink sockets, except for ``e2e`` tests on sockets inside
a network namespace the test made itself. Here it is installed in the pytest
process, and handed to every Python program a test starts through
``PYTHONPATH`` (that folder's ``sitecustomize``) with the running test's
policy; what a child was refused is logged and fails the test that started
it. Programs started with an environment of their own (``env={...}`` without
``PYTHONPATH``) and programs that are not Python are not covered: the e2e
tests run theirs inside their namespaces with ``ip netns exec``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import homecare_netguard as netguard
import pytest

#: the CLI-level harness (a Home with canned probes) any test folder may use, and
#: the tests that run one at a time under scripts/test's pytest-xdist workers
pytest_plugins = ["tests.cli_harness", "tests.xdist_groups"]

NetworkRefused = netguard.NetworkRefused
SITE_DIR = Path(__file__).resolve().parent / "lab" / "netguard_site"
HOST_NETNS = netguard.current_netns_cookie()
_LOG_FD, _LOG_PATH = tempfile.mkstemp(prefix="homecare-netguard-", suffix=".log")
os.close(_LOG_FD)
Path(_LOG_PATH).chmod(0o666)  # children run as nobody log too
#: A pytest-xdist worker is a child of the pytest process, so the sitecustomize
#: gave it the strict "(no test)" policy of the controller. That guard is this
#: worker's own: it follows the running test (e2e or not) like GUARD would, else
#: it would refuse every e2e test its namespaces.
_INHERITED = netguard.INSTALLED if os.environ.get("PYTEST_XDIST_WORKER") else None
GUARD = _INHERITED or netguard.Guard(HOST_NETNS)
GUARD.log = None  # refusals in this process raise; the log is for its children
GUARD.host_netns = HOST_NETNS


def _set_child_policy(*, e2e: bool, test: str) -> None:
    netguard.child_environment(os.environ, e2e=e2e, test=test, log=_LOG_PATH, host_netns=HOST_NETNS)


def pytest_configure(config: pytest.Config) -> None:
    if GUARD is not _INHERITED:
        netguard.install(GUARD)
    paths = [str(SITE_DIR), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    _set_child_policy(e2e=False, test="(no test)")


def pytest_unconfigure(config: pytest.Config) -> None:
    Path(_LOG_PATH).unlink(missing_ok=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """The policy of the test about to run, for its fixtures of any scope too."""
    GUARD.e2e = item.get_closest_marker("e2e") is not None
    GUARD.test = item.nodeid
    _set_child_policy(e2e=GUARD.e2e, test=item.nodeid)
    yield
    GUARD.e2e = False
    GUARD.test = "?"
    _set_child_policy(e2e=False, test="(no test)")


@pytest.fixture(autouse=True)
def _children_stayed_local() -> Iterator[None]:
    """Fail the test if a program it started was refused the network."""
    log = Path(_LOG_PATH)
    start = log.stat().st_size if log.exists() else 0
    yield
    if not log.exists() or log.stat().st_size <= start:
        return
    with log.open(encoding="utf-8", errors="replace") as f:
        f.seek(start)
        refused = f.read().strip().splitlines()
    shown = "\n".join(refused[:5]) + (
        f"\n… and {len(refused) - 5} more" if len(refused) > 5 else ""
    )
    pytest.fail(f"a program this test started tried to leave loopback:\n{shown}", pytrace=False)
