"""Share a check from the virtual home's laptop to a collector at the provider.

The collector runs for real in the provider namespace (SQLite, and
PostgreSQL when its binaries are installed); the laptop runs a check,
consents, shares and reads out the support code; the support desk looks it
up; the stored payload is scanned for anything that identifies the home.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from homecare_lab import HomeSpec, VirtualHome, addresses, catalogue_devices
from homecare_lab.provider_profile import lab_homecare_home, provider_profile

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]
COLLECTOR = f"http://{addresses.INTERNET}:8080"
HC = [sys.executable, "-m", "homecare"]
COLLECTOR_CLI = [sys.executable, "-m", "homecare.collector.cli"]


@pytest.fixture(scope="module")
def home(module_virtual_home: HomeFactory) -> VirtualHome:
    return module_virtual_home(HomeSpec(name="share", devices=tuple(catalogue_devices(10))))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    if request.param == "sqlite":
        yield ["--db", str(tmp_path / "collector.sqlite3")]
        return
    from homecare_lab.pgtemp import PrivatePostgres, find_bin_dir

    if find_bin_dir() is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    with PrivatePostgres() as pg:
        yield ["--database-url", pg.url]


def _collector(db: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [*COLLECTOR_CLI, *args, *db], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def _stored_text(db: list[str]) -> str:
    """Every stored value, as text, whatever the backend."""
    import sqlalchemy

    url = db[1] if db[0] == "--database-url" else f"sqlite:///{db[1]}"
    engine = sqlalchemy.create_engine(url)
    chunks: list[str] = []
    with engine.connect() as conn:
        for table in sqlalchemy.inspect(conn).get_table_names():
            for row in conn.execute(sqlalchemy.text(f'SELECT * FROM "{table}"')):
                chunks.extend(str(v) for v in row)
    engine.dispose()
    return "\n".join(chunks)


def _identifying(truth: dict[str, Any]) -> set[str]:
    values: set[str] = {truth["lan"]["router_mac"], truth["laptop"]["mac"], truth["laptop"]["ip"]}
    values.add(truth["lan"]["router_ip"])
    values.add(truth["laptop"]["hostname"])
    for d in truth["devices"]:
        values |= {d["mac"], d["ip"], d["name"]}
        if d.get("hostname"):
            values.add(d["hostname"])
    forms: set[str] = set()
    for v in values:
        forms |= {v, v.lower(), v.upper()}
        if re.fullmatch(r"[0-9a-fA-F:]{17}", v):
            forms |= {v.replace(":", "").lower(), v.replace(":", "-").lower()}
    return forms


def test_share_to_collector_and_look_up(
    home: VirtualHome, database: list[str], tmp_path: Path
) -> None:
    ingest = _collector(database, "token", "create", "--role", "ingest", "--provider", "vhome")
    token = ingest.stdout.split()[0]
    provider = tmp_path / "isp.toml"
    provider.write_text(tomli_w.dumps({**provider_profile(), "collector_url": COLLECTOR}))
    server = home.spawn(
        "provider",
        [*COLLECTOR_CLI, "serve", "--host", addresses.INTERNET, "--port", "8080", *database],
    )
    try:
        _wait_listening(home)
        hc_home = lab_homecare_home(tmp_path)
        env = {
            "HOMECARE_HOME": str(hc_home),
            "HOMECARE_PROVIDER": str(provider),
            "HOMECARE_COLLECTOR_TOKEN": token,
        }
        truth = home.ground_truth()
        tv = truth["devices"][0]
        check = home.run_in_laptop(
            [*HC, "check", "--quick", "--json", "devices", "connectivity", "dns"], env=env
        )
        assert check.returncode in (0, 1), check.stderr
        named = home.run_in_laptop([*HC, "devices", "name", tv["mac"], "Grandma's TV"], env=env)
        assert named.returncode == 0, named.stderr
        # nothing leaves before consent
        refused = home.run_in_laptop([*HC, "share"], env=env)
        assert refused.returncode != 0
        assert "HC-" not in refused.stdout
        assert home.run_in_laptop([*HC, "share", "--on"], env=env).returncode == 0
        shared = home.run_in_laptop([*HC, "share"], env=env)
        assert shared.returncode == 0, shared.stderr
        code = re.search(r"HC-[0-9A-Z]{4}-[0-9A-Z]{3,5}", shared.stdout)
        assert code, shared.stdout
        shown = _collector(database, "show", code.group(0))
        assert code.group(0) in shown.stdout
        # the router's vendor survives as the OUI table names it (not as its UPnP
        # description calls itself, "TP-LINK"), its MAC does not
        assert "router Tp-Link" in shown.stdout
        devices = re.search(r"Devices: (\d+)", shown.stdout)
        assert devices and int(devices.group(1)) >= len(truth["devices"])
        stored = _stored_text(database)
        assert stored
        leaks = sorted(v for v in _identifying(truth) if v and v in stored)
        assert not leaks, f"identifying values stored by the collector: {leaks}"
        assert "Grandma" not in stored
    finally:
        home.stop(server)


def _wait_listening(home: VirtualHome, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        probe = home.run_in_laptop(
            [sys.executable, "-c",
             f"import socket; socket.create_connection(('{addresses.INTERNET}', 8080), 1).close()"],
            timeout=10,
        )  # fmt: skip
        if probe.returncode == 0:
            return
        time.sleep(0.3)
    raise AssertionError("collector did not start listening")


def test_sqlite_db_file_is_plain_sqlite(tmp_path: Path) -> None:
    # guard for _stored_text: the SQLite path the collector writes is a real database
    db = tmp_path / "c.sqlite3"
    _collector(["--db", str(db)], "token", "create", "--role", "support", "--provider", "x")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
