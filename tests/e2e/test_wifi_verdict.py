"""The verdict blames the Wi-Fi when the router is lossy only over a weak link.

No radio here: the laptop namespace gets a fake ``iw`` on its PATH that
replays a real recording of a weak 2.4 GHz link (tests/probes/wifi/fixtures), with
the lab's interface name, and the router drops a share of the laptop's
packets, as a poor air link would. Everything else is the real check.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from homecare_lab import HomeSpec, VirtualHome, addresses
from homecare_lab.names import HOST_IF
from homecare_lab.provider_profile import lab_homecare_home

pytestmark = pytest.mark.e2e
HomeFactory = Callable[..., VirtualHome]
FIXTURES = Path(__file__).resolve().parents[1] / "probes" / "wifi" / "fixtures" / "iw"
RECORDED_IF = "wlp2s0"


@pytest.fixture
def fake_iw() -> Iterator[Path]:
    """A bin folder with an ``iw`` replaying the weak-link recording for HOST_IF."""
    folder = Path(tempfile.mkdtemp(prefix="hc-fake-iw-", dir="/tmp"))
    replies = {
        "dev": "dev_managed.txt",
        f"dev {HOST_IF} link": "link_he_weak_2ghz.txt",
    }
    lines = ["#!/bin/sh", 'case "$*" in']
    for args, fixture in replies.items():
        text = (FIXTURES / fixture).read_text().replace(RECORDED_IF, HOST_IF)
        (folder / fixture).write_text(text)
        lines.append(
            f"  {shlex.quote(args)}) exec /bin/cat {shlex.quote(str(folder / fixture))} ;;"
        )
    lines.append('  *) echo "command failed: No such device (-19)" >&2; exit 1 ;;')
    lines.append("esac")
    (folder / "iw").write_text("\n".join(lines) + "\n")
    (folder / "iw").chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _nft(home: VirtualHome, ruleset: str) -> None:
    proc = home.run_in("router", ["nft", "-f", "-"], input=ruleset)
    assert proc.returncode == 0, proc.stderr


def test_weak_wifi_and_lossy_gateway_blames_the_wifi(
    virtual_home: HomeFactory, fake_iw: Path, tmp_path: Path
) -> None:
    home = virtual_home(HomeSpec(name="wifi"))
    laptop_ip = home.ground_truth()["laptop"]["ip"]
    # a poor air link: about a third of what the laptop sends is lost
    _nft(
        home,
        f"""table inet hc_airloss {{
  chain input {{ type filter hook input priority -10; policy accept;
    ip saddr {laptop_ip} numgen random mod 100 < 35 drop
  }}
  chain forward {{ type filter hook forward priority -10; policy accept;
    ip saddr {laptop_ip} numgen random mod 100 < 35 drop
  }}
}}""",
    )
    provider = tmp_path / "lab.toml"
    provider.write_text(
        f'[targets]\ninternet_hosts = ["{addresses.INTERNET}"]\n'
        f'dns_names = ["example.com"]\nprovider_resolver = "{addresses.RESOLVER}"\n'
        "[thresholds]\nping_count = 30\nping_timeout_s = 0.3\n"
    )
    hc_home = lab_homecare_home(tmp_path)
    path = f"{fake_iw}:/usr/sbin:/usr/bin:/sbin:/bin"
    proc = home.run_in_laptop(
        ["env", f"PATH={path}", sys.executable, "-m", "homecare", "check", "--json", "wifi",
         "connectivity"],
        env={"HOMECARE_HOME": str(hc_home), "HOMECARE_PROVIDER": str(provider)},
        timeout=90,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    wifi = next(o for o in report["observations"] if o["probe"] == "wifi")
    assert wifi["status"] == "ok", wifi
    link = wifi["data"]["link"]
    assert (link["interface"], link["signal_dbm"], link["band"]) == (HOST_IF, -78, "2.4GHz")
    findings = {f["code"]: f for f in report["findings"]}
    assert "wifi.signal.weak" in findings
    assert findings["lan.loss"]["segment"] == "wifi"
    assert report["verdict"]["segment"] == "wifi"
    assert proc.returncode == 1
