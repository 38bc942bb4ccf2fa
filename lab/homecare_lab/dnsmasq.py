"""dnsmasq configurations for the router (DHCP + DNS) and the provider (resolver).

Both instances run with ``--conf-file`` pointing at these files only, in the
foreground, bound to namespace interfaces, with no ``/etc/resolv.conf`` or
``/etc/hosts`` involvement, so nothing leaks from or to the host.
"""

from __future__ import annotations

from pathlib import Path

from homecare_lab import addresses
from homecare_lab.names import LAN_BRIDGE, PROVIDER_NET
from homecare_lab.spec import HomeSpec


def command(conf: Path) -> list[str]:
    """The dnsmasq argv for a config file (foreground, so we own the PID)."""
    return ["dnsmasq", f"--conf-file={conf}", "--keep-in-foreground"]


def router_conf(spec: HomeSpec, workdir: Path) -> str:
    """DHCP + caching DNS forwarder on the LAN bridge, like a home router."""
    start, end = spec.dhcp_range()
    net = spec.network
    hosts = workdir / "router.hosts"
    return "\n".join(
        [
            f"interface={LAN_BRIDGE}",
            "bind-interfaces",
            "except-interface=lo",
            f"listen-address={spec.router_ip}",
            "no-resolv",
            "no-hosts",
            f"addn-hosts={hosts}",
            f"server={addresses.RESOLVER}",
            "user=root",
            "group=root",
            f"pid-file={workdir / 'router-dnsmasq.pid'}",
            f"log-facility={workdir / 'router-dnsmasq.log'}",
            "log-dhcp",
            f"domain={spec.lan.domain}",
            "expand-hosts",
            f"dhcp-range={start},{end},{net.netmask},{spec.lan.lease_time}",
            f"dhcp-option=option:router,{spec.router_ip}",
            f"dhcp-option=option:dns-server,{spec.router_ip}",
            f"dhcp-leasefile={workdir / 'dnsmasq.leases'}",
            "dhcp-authoritative",
            "dhcp-rapid-commit",
            "",
        ]
    )


def router_hosts(spec: HomeSpec) -> str:
    lines = [f"{spec.router_ip} router gateway"]
    lines += [f"{d.ip} {d.hostname}" for d in spec.devices if d.ip and d.hostname]
    return "\n".join(lines) + "\n"


def provider_conf(workdir: Path) -> str:
    """An authoritative-only resolver: its names answer, all else is NXDOMAIN."""
    return "\n".join(
        [
            f"interface={PROVIDER_NET}",
            "bind-interfaces",
            f"listen-address={addresses.RESOLVER}",
            "no-resolv",
            "no-hosts",
            f"addn-hosts={workdir / 'provider.hosts'}",
            # No upstream: any name not in the hosts file gets NXDOMAIN.
            "address=/#/",
            "user=root",
            "group=root",
            f"pid-file={workdir / 'provider-dnsmasq.pid'}",
            f"log-facility={workdir / 'provider-dnsmasq.log'}",
            "log-queries",
            "",
        ]
    )


def provider_hosts() -> str:
    return "".join(f"{ip} {name}\n" for name, ip in addresses.DNS_NAMES.items())
