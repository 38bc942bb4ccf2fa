"""`homecare monitor run` in the virtual home while the WAN drops and comes back.

The monitor runs as a real process in the laptop namespace with short test
intervals (``--every 3``). The notification endpoint is a real HTTP server
in the router's namespace (reachable while the WAN is down), addressed by
literal IP through apprise's ``json://`` URL. A long WAN outage must give
exactly one alert and one recovery; a blip shorter than the alert window
none; the outage log must have the outage's length within one interval.
Channels that fail (a name that does not resolve, HTTP 500, an endpoint that
never answers) are retried with backoff, shown by ``monitor status`` while
they fail, and never stop the samples.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import tomli_w
from homecare_lab import HomeSpec, VirtualHome
from homecare_lab.provider_profile import lab_homecare_home, provider_profile
from homecare_lab.spec import WanSpec

from homecare.monitor.outages import find_outages
from homecare.store.alerts import AlertStore
from homecare.store.samples import SampleStore

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]

EVERY_S = 3.0
SINK_PORT = 8099


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="hc-e2e-monitor-", dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _provider_file(root: Path) -> Path:
    profile = provider_profile(WanSpec())
    profile["thresholds"] = {"ping_count": 3, "ping_timeout_s": 0.5, "dns_timeout_s": 1.0}
    path = root / "lab-isp.toml"
    path.write_text(tomli_w.dumps(profile))
    return path


def _wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _monitor_argv(hc_home: Path, provider: Path, for_s: int, *notify: str) -> list[str]:
    argv = [
        "env", f"HOMECARE_HOME={hc_home}", f"HOMECARE_PROVIDER={provider}", "HOMECARE_LANG=en",
        sys.executable, "-m", "homecare", "monitor", "run", "--every", f"{EVERY_S:g}",
        "--for", str(for_s), "--no-speed", "--no-wifi", "--no-discovery", "--no-desktop",
    ]  # fmt: skip
    for url in notify:
        argv += ["--notify", url]
    return argv


def _samples(db: Path) -> int:
    if not db.exists():
        return 0
    with SampleStore.open(db) as store:
        return store.count()


def test_outage_alerts_once_and_recovers_once_blip_stays_quiet(
    virtual_home: HomeFactory, shared_tmp: Path
) -> None:
    home = virtual_home(HomeSpec(name="monitor", wan=WanSpec(queue_ms=5)))
    hc_home = lab_homecare_home(shared_tmp)
    provider = _provider_file(shared_tmp)
    received = shared_tmp / "notifications.jsonl"
    sink = home.spawn(
        "router",
        [
            sys.executable,
            "-m",
            "homecare_lab.notify_sink",
            home.router_ip,
            str(SINK_PORT),
            str(received),
        ],
    )
    home._wait_tcp(home.laptop_ns, home.router_ip, SINK_PORT, "the notification sink")
    monitor = home.spawn(
        "laptop", _monitor_argv(hc_home, provider, 120, f"json://{home.router_ip}:{SINK_PORT}/")
    )
    db = hc_home / "data" / "history.sqlite3"
    try:
        _wait_for(lambda: _samples(db) >= 3, 60, "three healthy samples")
        down_at = time.time()
        home.wan_down()
        time.sleep(20)  # much longer than the alert window (3 x 3 s)
        home.wan_up()
        up_at = time.time()
        _wait_for(lambda: received.exists() and len(received.read_text().splitlines()) >= 2, 40,
                  "the recovery notification")  # fmt: skip
        time.sleep(2 * EVERY_S)
        blip_at = time.time()
        home.wan_down()
        time.sleep(EVERY_S + 0.5)  # at most two failed checks: shorter than the window
        home.wan_up()
        blip_end = time.time()
        time.sleep(5 * EVERY_S)
    finally:
        home.stop(monitor, timeout=10)
        out, err = monitor.communicate()
        home.stop(sink)
    stderr = err.decode()
    assert "Traceback" not in stderr, stderr

    notes = [json.loads(line) for line in received.read_text().splitlines()]
    assert len(notes) == 2, notes
    assert "internet" in notes[0]["title"].lower() or "internet" in notes[0]["message"].lower()
    assert notes[1]["title"].startswith("Resolved"), notes[1]

    with SampleStore.open(db) as store:
        samples = store.between(down_at - 600, time.time() + 60)
        alerts = AlertStore(store).alerts()
    assert [a.code for a in alerts] == ["monitor.outage.internet"], alerts
    assert alerts[0].closed_at is not None
    light = [s for s in samples if s.kind == "light"]
    period = max(b.ts - a.ts for a, b in itertools.pairwise(light))
    outages = find_outages(light)
    long = [o for o in outages if o.start < up_at and (o.end or 0) > down_at]
    assert len(long) == 1, (outages, out.decode())
    assert long[0].segment == "provider"
    assert abs(long[0].duration_s() - (up_at - down_at)) <= period, (long[0], period)
    # the blip is in the log (if a check fell in it) but raised nothing
    blips = [o for o in outages if o.start >= blip_at - 1 and o.start <= blip_end]
    assert all(o.duration_s() <= blip_end - blip_at + period for o in blips)


def test_failing_channels_are_retried_and_never_stop_the_samples(
    virtual_home: HomeFactory, shared_tmp: Path
) -> None:
    home = virtual_home(HomeSpec(name="monfail", wan=WanSpec(queue_ms=5)))
    hc_home = lab_homecare_home(shared_tmp)
    provider = _provider_file(shared_tmp)
    flaky, silent = shared_tmp / "flaky.jsonl", shared_tmp / "silent.jsonl"
    sink = [sys.executable, "-m", "homecare_lab.notify_sink", home.router_ip]
    sinks = [
        home.spawn("router", [*sink, str(SINK_PORT), str(flaky), "--fail", "1"]),
        home.spawn("router", [*sink, str(SINK_PORT + 1), str(silent), "--hang"]),
    ]
    for port in (SINK_PORT, SINK_PORT + 1):
        home._wait_tcp(home.laptop_ns, home.router_ip, port, "a notification sink")
    urls = (
        "json://nosuch.invalid/",  # the lab's resolver has no such name
        f"json://{home.router_ip}:{SINK_PORT}/",  # HTTP 500 once, then fine
        f"json://{home.router_ip}:{SINK_PORT + 1}/",  # never answers: apprise's timeout
    )
    monitor = home.spawn("laptop", _monitor_argv(hc_home, provider, 85, *urls))
    db = hc_home / "data" / "history.sqlite3"
    status = ""
    try:
        _wait_for(lambda: _samples(db) >= 3, 60, "three healthy samples")
        home.wan_down()
        _wait_for(lambda: (silent.with_suffix(".requests")).exists(), 30, "the first tries")
        time.sleep(8)
        proc = home.run_in_laptop(
            [sys.executable, "-m", "homecare", "monitor", "status"],
            env={"HOMECARE_HOME": str(hc_home), "HOMECARE_PROVIDER": str(provider)},
        )
        status = proc.stdout
        time.sleep(30)  # past the first backoff: the 500 channel is tried again
        home.wan_up()
        time.sleep(6 * EVERY_S)
    finally:
        home.stop(monitor, timeout=10)
        _out, err = monitor.communicate()
        for p in sinks:
            home.stop(p)
    assert "Traceback" not in err.decode(), err.decode()
    assert "monitor.outage.internet" in status, status
    failing = [line for line in status.splitlines() if line.startswith("Not delivered yet to")]
    assert len(failing) == 3, status
    assert any("nosuch.invalid" in line for line in failing)
    delivered = [json.loads(line) for line in flaky.read_text().splitlines()]
    assert [d["title"].startswith("Resolved") for d in delivered] == [False, True], delivered
    assert not silent.exists()  # the silent endpoint never acknowledged anything
    with SampleStore.open(db) as store:
        light = store.between(0, time.time() + 60, kinds=("light",))
        deliveries = AlertStore(store).deliveries()
    gaps = [b.ts - a.ts for a, b in itertools.pairwise(light)]
    assert max(gaps) < EVERY_S + 8, gaps  # a hanging channel costs one timeout, not the loop
    flaky_rows = [d for d in deliveries if f":{SINK_PORT}" in d.channel]
    assert {(d.event, d.attempts) for d in flaky_rows} == {("opened", 2), ("closed", 1)}


def test_a_device_that_joins_is_told_once(virtual_home: HomeFactory, shared_tmp: Path) -> None:
    from homecare_lab.catalog import catalogue_devices

    home = virtual_home(HomeSpec(name="monnew", devices=tuple(catalogue_devices(3))))
    hc_home = lab_homecare_home(shared_tmp)
    provider = _provider_file(shared_tmp)
    received = shared_tmp / "notifications.jsonl"
    joining = home.ground_truth()["devices"][0]
    home.device_disappears(joining["name"])
    sink = home.spawn(
        "router",
        [
            sys.executable,
            "-m",
            "homecare_lab.notify_sink",
            home.router_ip,
            str(SINK_PORT),
            str(received),
        ],
    )
    home._wait_tcp(home.laptop_ns, home.router_ip, SINK_PORT, "the notification sink")
    argv = _monitor_argv(hc_home, provider, 100, f"json://{home.router_ip}:{SINK_PORT}/")
    argv[argv.index("--no-discovery")] = "--discovery-every=25"
    monitor = home.spawn("laptop", argv)
    db = hc_home / "data" / "history.sqlite3"

    def discoveries() -> int:
        if not db.exists():
            return 0
        with SampleStore.open(db) as store:
            return len(store.between(0, time.time() + 60, kinds=("discovery",)))

    try:
        _wait_for(lambda: discoveries() >= 1, 60, "the first inventory")
        home.device_returns(joining["name"])
        _wait_for(lambda: discoveries() >= 3, 80, "two more inventories")
    finally:
        home.stop(monitor, timeout=10)
        _out, err = monitor.communicate()
        home.stop(sink)
    assert "Traceback" not in err.decode(), err.decode()
    notes = [json.loads(line) for line in received.read_text().splitlines()]
    assert len(notes) == 1, notes  # told once: no "resolved", nothing for the later inventory
    assert "device" in notes[0]["title"].lower(), notes
    with SampleStore.open(db) as store:
        alerts = AlertStore(store).alerts()
    assert [a.code for a in alerts] == ["devices.new_unknown"]
