"""The serial groups of ``tests/xdist_groups.py`` hold under pytest-xdist.

A renamed test file would silently leave its group (its tests then run beside
the timing tests they must not overlap), so every pattern must match a test
file that exists. A small suite run with ``-n 3 --dist loadgroup`` shows the
scheduler really keeps a group on one worker while the rest spreads.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.xdist_groups import SERIAL_GROUPS, group_of

ROOT = Path(__file__).resolve().parents[1]


def test_every_pattern_names_an_existing_test_file() -> None:
    for group, patterns in SERIAL_GROUPS.items():
        for pattern in patterns:
            path = ROOT / pattern.split("::", 1)[0]
            assert path.is_file(), f"group {group}: {pattern} names no test file"


def test_groups_by_node_id() -> None:
    assert group_of("tests/e2e/test_monitor_e2e.py::test_a_device_that_joins_is_told_once") == (
        "monitor"
    )
    assert group_of("tests/e2e/test_nq_responsiveness.py::test_x[param-1]") == "timing"
    assert group_of("tests/probes/discovery/test_mdns.py::test_browse_loopback") == (
        "loopback-mdns"
    )
    assert group_of("tests/probes/discovery/test_mdns.py::test_parse_txt_rules") is None
    assert group_of("tests/e2e/test_check.py::test_gateway_unreachable") is None


def test_the_timing_group_is_marked_so_it_can_run_alone(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    (suite / "tests" / "e2e").mkdir(parents=True)
    (suite / "tests" / "e2e" / "test_wan_delay.py").write_text("def test_rtt():\n    pass\n")
    (suite / "tests" / "test_free.py").write_text("def test_free():\n    pass\n")
    (suite / "pytest.ini").write_text(
        "[pytest]\naddopts = --import-mode=importlib\nmarkers =\n    timing: alone\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    for marks, ran in (("timing", "test_rtt"), ("not timing", "test_free")):
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-p",
             "tests.xdist_groups", "-m", marks, "tests"],
            cwd=suite, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"::{ran} PASSED" in proc.stdout and "1 deselected" in proc.stdout, proc.stdout


GROUPED = """
import os, time
from pathlib import Path

def _note(name):
    with open(os.environ["WORKER_LOG"], "a") as f:
        f.write(f"{name} {os.environ['PYTEST_XDIST_WORKER']}\\n")
    time.sleep(0.3)
"""


@pytest.mark.skipif(
    __import__("importlib.util").util.find_spec("xdist") is None, reason="needs pytest-xdist"
)
def test_a_group_stays_on_one_worker_while_the_rest_spreads(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    grouped = suite / "tests" / "e2e" / "test_monitor_e2e.py"
    free = suite / "tests" / "other" / "test_free.py"
    for path, prefix in ((grouped, "g"), (free, "f")):
        path.parent.mkdir(parents=True)
        tests = "".join(f"\ndef test_{prefix}{i}():\n    _note('{prefix}{i}')\n" for i in range(6))
        path.write_text(GROUPED + tests)
    (suite / "pytest.ini").write_text("[pytest]\naddopts = --import-mode=importlib\n")
    log = tmp_path / "workers.log"
    env = {
        **os.environ,
        "WORKER_LOG": str(log),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
         "tests.xdist_groups", "-n", "3", "--dist", "loadgroup", "tests"],
        cwd=suite, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ran = dict(line.split() for line in log.read_text().splitlines())
    assert len(ran) == 12
    assert len({w for name, w in ran.items() if name.startswith("g")}) == 1, ran
    assert len({w for name, w in ran.items() if name.startswith("f")}) >= 2, ran


@pytest.mark.e2e  # its workers' tests make a network namespace each
@pytest.mark.skipif(
    __import__("importlib.util").util.find_spec("xdist") is None, reason="needs pytest-xdist"
)
def test_the_network_guard_follows_the_tests_on_xdist_workers() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
         "tests/lab/test_netguard_workers.py", "tests/lab/test_netguard.py::"
         "test_the_test_process_is_guarded"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "3 passed" in proc.stdout, proc.stdout[-3000:]
