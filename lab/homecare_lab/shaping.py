"""WAN shaping (tc tbf), random loss (nftables numgen) and the router's firewall.

``netem`` is not available on the kernels we run on, so a qdisc cannot add
delay: the base round trip comes from a user-space delay line between router
and provider (``delay_line.py``, ``WanSpec.rtt_ms``); rate and queue come
from ``tbf`` and loss from nftables' ``numgen random mod 1000 < N drop``
(permille precision).  Download is shaped
on the provider's egress towards the router, upload on the router's WAN
egress, as an ISP's access line would.
"""

from __future__ import annotations

from homecare_lab import addresses
from homecare_lab.names import LAN_BRIDGE, ROUTER_WAN
from homecare_lab.spec import WanSpec

LOSS_TABLE = "hc_wan_loss"
NAT_TABLE = "hc_nat"
CAPTIVE_TABLE = "hc_captive"
DNS_FAULT_TABLE = "hc_dns_fault"


def tbf_args(device: str, mbit: float, wan: WanSpec) -> list[str]:
    """``tc qdisc replace … tbf`` for ``device`` at ``mbit`` with the spec's queue."""
    rate_bps = int(mbit * 1_000_000)
    # Bucket: at least 4 ms of traffic (and a few full frames) so the shaper
    # reaches its rate at HZ granularity without a noticeable burst.
    burst = max(rate_bps // 8 // 250, 4 * 1514, 16 * 1024)
    queue = (
        ["limit", str(wan.queue_limit_bytes)]
        if wan.queue_limit_bytes
        else ["latency", f"{wan.queue_ms:g}ms"]
    )
    return [
        "tc", "qdisc", "replace", "dev", device, "root", "tbf",
        "rate", f"{rate_bps}bit", "burst", str(burst), *queue,
    ]  # fmt: skip


def permille(pct: float) -> int:
    return round(pct * 10)


def loss_ruleset(wan: WanSpec) -> str:
    """Random drop in both directions on the router's WAN interface."""
    down = permille(wan.loss_down_pct)
    up = permille(wan.loss_up_pct)
    rules_in = f'iifname "{ROUTER_WAN}" numgen random mod 1000 < {down} drop' if down else ""
    rules_out = f'oifname "{ROUTER_WAN}" numgen random mod 1000 < {up} drop' if up else ""
    return (
        f"table inet {LOSS_TABLE} {{}}\n"
        f"delete table inet {LOSS_TABLE}\n"
        f"table inet {LOSS_TABLE} {{\n"
        "  chain from_wan {\n"
        "    type filter hook prerouting priority -300; policy accept;\n"
        f"    {rules_in}\n"
        "  }\n"
        "  chain to_wan {\n"
        "    type filter hook postrouting priority 300; policy accept;\n"
        f"    {rules_out}\n"
        "  }\n"
        "}\n"
    )


def nat_ruleset(lan_subnet: str) -> str:
    """Masquerade the LAN behind the router's WAN address."""
    return (
        f"table ip {NAT_TABLE} {{\n"
        "  chain postrouting {\n"
        "    type nat hook postrouting priority srcnat; policy accept;\n"
        f'    ip saddr {lan_subnet} oifname "{ROUTER_WAN}" masquerade\n'
        "  }\n"
        "}\n"
    )


def captive_ruleset(router_ip: str) -> str:
    """Send the LAN's web traffic to the router's portal and refuse HTTPS."""
    port = addresses.PORTAL_PORT
    return (
        f"table ip {CAPTIVE_TABLE} {{\n"
        "  chain prerouting {\n"
        "    type nat hook prerouting priority dstnat; policy accept;\n"
        f'    iifname "{LAN_BRIDGE}" ip daddr != {router_ip} tcp dport 80 '
        f"dnat to {router_ip}:{port}\n"
        "  }\n"
        "  chain forward {\n"
        "    type filter hook forward priority filter; policy accept;\n"
        f'    iifname "{LAN_BRIDGE}" tcp dport 443 reject with tcp reset\n'
        "  }\n"
        "}\n"
    )


def dns_block_ruleset() -> str:
    """On the provider: the resolver stops answering (port unreachable)."""
    return (
        f"table inet {DNS_FAULT_TABLE} {{\n"
        "  chain input {\n"
        "    type filter hook input priority filter; policy accept;\n"
        f"    ip daddr {addresses.RESOLVER} udp dport 53 reject\n"
        f"    ip daddr {addresses.RESOLVER} tcp dport 53 reject with tcp reset\n"
        "  }\n"
        "}\n"
    )


def delete_table(family: str, name: str) -> str:
    return f"table {family} {name} {{}}\ndelete table {family} {name}\n"
