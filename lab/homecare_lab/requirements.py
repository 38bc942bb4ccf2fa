"""Can this machine run a virtual home?  (Used by the pytest fixture and the script.)"""

from __future__ import annotations

import os
import shutil
import subprocess

#: Tools the lab itself needs, with the Debian package that ships each.
REQUIRED_TOOLS: dict[str, str] = {
    "ip": "iproute2",
    "tc": "iproute2",
    "nft": "nftables",
    "dnsmasq": "dnsmasq-base",
    "busybox": "busybox",
    "runuser": "util-linux",
    "sysctl": "procps",
}

#: Tools the self-tests use to measure the home.
TEST_TOOLS: dict[str, str] = {
    "iperf3": "iperf3",
    "arp-scan": "arp-scan",
    "miniupnpd": "miniupnpd-nftables",  # the router's real UPnP IGD
    "conntrack": "conntrack",  # router mode: who is using the line
}


def missing_tools(tools: dict[str, str]) -> list[str]:
    return [f"{t} (Debian: {pkg})" for t, pkg in tools.items() if shutil.which(t) is None]


def why_unavailable(extra_tools: dict[str, str] | None = None) -> str | None:
    """A human reason the lab cannot run here, or None when it can."""
    if os.geteuid() != 0:
        return "the virtual home needs root (it creates network namespaces)"
    missing = missing_tools({**REQUIRED_TOOLS, **(extra_tools or {})})
    if missing:
        return "missing tools: " + ", ".join(missing)
    probe = f"hcprobe{os.getpid()}"
    try:
        made = subprocess.run(
            ["ip", "netns", "add", probe], capture_output=True, text=True, check=False, timeout=10
        )
    except OSError as exc:
        return f"ip netns unusable: {exc}"
    if made.returncode != 0:
        return f"ip netns unusable: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True, check=False, timeout=10)
    return None
