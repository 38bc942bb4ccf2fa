"""miniupnpd, the real UPnP IGD, as the virtual home's router answers it.

Runs only inside the router namespace (``ext_ifname`` is the router's
``wan0``, it listens on ``br-lan`` only); its config and lease file live in
the lab's temporary work dir. NAT-PMP/PCP are off; port mappings are allowed
for the LAN only, in miniupnpd's own nftables tables inside the namespace.
The layer-1 rates it reports are the WAN's shaped rates, as a DSL modem
reports its sync rate.
"""

from __future__ import annotations

from pathlib import Path

from homecare_lab.names import LAN_BRIDGE, ROUTER_WAN

HTTP_PORT = 5000
#: the public address miniupnpd reports (a declared value only: never configured on
#: an interface or routed; miniupnpd refuses every reserved and documentation range)
EXTERNAL_IP = "100.128.77.1"
BINARY = "/usr/sbin/miniupnpd"


def config(workdir: Path, lan_subnet: str, down_mbit: float, up_mbit: float, uuid: str) -> str:
    """miniupnpd.conf for the lab router."""
    return "\n".join(
        [
            f"ext_ifname={ROUTER_WAN}",
            f"listening_ip={LAN_BRIDGE}",
            f"http_port={HTTP_PORT}",
            "enable_natpmp=no",
            "enable_upnp=yes",
            "secure_mode=yes",
            "system_uptime=no",
            # the lab WAN is carrier-grade NAT space, which miniupnpd will not report:
            # declare the home's public address, as a router behind a provider NAT does
            f"ext_ip={EXTERNAL_IP}",
            "notify_interval=60",
            f"bitrate_down={int(down_mbit * 1_000_000)}",
            f"bitrate_up={int(up_mbit * 1_000_000)}",
            f"uuid={uuid}",
            "friendly_name=Virtual home router",
            "manufacturer_name=homecare lab",
            "model_name=miniupnpd IGD",
            "model_number=1",
            f"lease_file={workdir / 'upnp.leases'}",
            f"allow 1024-65535 {lan_subnet} 1024-65535",
            "deny 0-65535 0.0.0.0/0 0-65535",
            "",
        ]
    )


def available() -> bool:
    """Installed here? Without it the home simply has no IGD (the tests that need
    one skip: miniupnpd is in the lab's TEST_TOOLS)."""
    return Path(BINARY).is_file()


def command(conf: Path) -> list[str]:
    """Foreground (-d), so the lab owns the process and its log; a pid file of
    its own (-P), so homes running side by side do not see "already running"."""
    return [BINARY, "-f", str(conf), "-d", "-P", str(conf.with_suffix(".pid"))]
