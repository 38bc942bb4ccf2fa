"""Plans: the shipped ones load, and every kind of bad plan is one line naming file, step, field."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from homecare.errors import ConfigError
from homecare.session.plan import SHIPPED_DIR, expand, load_plan, shipped_plans

ROOT = Path(__file__).resolve().parents[2]
AREAS = ["connectivity", "devices", "dns", "ipv6", "latency", "speed", "wifi"]

GOOD = """
id = "p"
version = "1"
title = "P"
[[steps]]
id = "dns"
title = "Names"
run = ["dns"]
[steps.expect]
"dns.answered" = { pass = true }
[[steps]]
id = "room"
title = "Room"
run = ["speed", "wifi"]
per_room = true
[steps.expect]
"speed.download_mbit" = { pass = ">= 0.9 plan", warn = ">= 0.7 plan" }
"wifi.signal_dbm" = { pass = -67 }
"""


def test_shipped_plans_load_and_readable_copies_are_identical() -> None:
    assert {"installation", "repair-visit"} <= set(shipped_plans())
    for name in shipped_plans():
        shipped = SHIPPED_DIR / f"{name}.toml"
        assert (
            ROOT / "profiles" / "technician" / f"{name}.toml"
        ).read_text() == shipped.read_text()
        plan = load_plan(shipped, AREAS)
        assert plan.id == name


def test_room_loop_repeats_for_each_room(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(GOOD)
    plan = load_plan(path, AREAS)
    assert [s.key for s in expand(plan, ["kitchen", "bedroom"])] == [
        "dns", "room@kitchen", "room@bedroom"]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('run = ["dns"]', 'run = ["dnz"]', "step 'dns': field 'run': unknown area 'dnz'"),
        ('"dns.answered"', '"dns.answerd"', "step 'dns': field 'expect.dns.answerd': unknown metric"),
        ("pass = true", 'pass = ">= 3"', "step 'dns': field 'expect.dns.answered.pass': expected true"),
        ("pass = -67", 'pass = ">= B"', "step 'room': field 'expect.wifi.signal_dbm.pass': expected a number"),
        ("pass = -67", 'pass = "-67 plan"', "field 'expect.wifi.signal_dbm.pass': 'plan' only applies"),
        ('id = "room"', 'id = "dns"', "step 'dns': field 'id': duplicate step id 'dns'"),
        ("per_room = true", "per_room = 3", "step 'room': field 'per_room'"),
        ('run = ["speed", "wifi"]', 'run = ["speed"]', "needs area 'wifi' in run"),
    ],
)  # fmt: skip
def test_bad_plans_name_file_step_and_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = tmp_path / "bad.toml"
    assert old in GOOD
    path.write_text(GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as exc:
        load_plan(path, AREAS)
    message = str(exc.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert expected in message


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare for an empty netns")
def test_cli_bad_plan_exits_3_with_one_line(tmp_path: Path) -> None:
    """Through the real CLI, in a network namespace of its own (only loopback),
    so even a broken validator could not probe the host's network."""
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace('run = ["dns"]', 'run = ["dnz"]'))
    proc = subprocess.run(
        ["unshare", "--net", sys.executable, "-m", "homecare", "session", "run", str(path),
         "--yes"],
        env={"HOMECARE_HOME": str(tmp_path / "hc"), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    if proc.returncode != 3 and "unshare" in proc.stderr:
        pytest.skip(f"cannot make a network namespace: {proc.stderr.strip()}")
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "step 'dns': field 'run': unknown area 'dnz'" in lines[0]
    assert not (tmp_path / "hc" / "data" / "sessions.sqlite3").exists()


def test_shipped_plans_have_titles_in_every_shipped_language() -> None:
    for name in shipped_plans():
        plan = load_plan(SHIPPED_DIR / f"{name}.toml", AREAS)
        for lang in ("es", "de"):
            assert plan.title_in(lang) != plan.title or plan.titles.get(lang) == plan.title
            assert all(lang in step.titles for step in plan.steps), (name, lang)
