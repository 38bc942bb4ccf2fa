"""Reports full of identifying values, for the anonymizer and the spool tests."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hypothesis import strategies as st

from homecare.models import (
    Device,
    DevicesData,
    DnsData,
    DnsLookup,
    Finding,
    GenericData,
    HostData,
    Interface,
    InterfaceAddress,
    Observation,
    PingResult,
    ProbeStatus,
    ReachabilityData,
    Report,
    Route,
    Segment,
    Service,
    Severity,
    Verdict,
    WifiData,
    WifiLink,
    WifiNetwork,
)


@dataclass
class Secrets:
    """Every identifying value planted in a report."""

    macs: list[str] = field(default_factory=list)
    ipv4: list[str] = field(default_factory=list)
    ipv6: list[str] = field(default_factory=list)
    hostnames: list[str] = field(default_factory=list)
    ssids: list[str] = field(default_factory=list)
    nicknames: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)

    def values(self) -> list[str]:
        return [
            *self.macs,
            *self.ipv4,
            *self.ipv6,
            *self.hostnames,
            *self.ssids,
            *self.nicknames,
            *self.paths,
            *self.users,
        ]


# A digit and a letter beyond "f" in every label: such a value cannot hide inside
# a hex digest or an English word of the payload by coincidence, so finding it
# there means it leaked.
_LABEL = st.builds(
    lambda a, g, d, b: f"{a}{g}{d}{b}",
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6),
    st.sampled_from("ghjkmnpqrstuvwxyz"),
    st.sampled_from("0123456789"),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=2, max_size=6),
)
macs = st.binary(min_size=6, max_size=6).map(lambda b: ":".join(f"{x:02x}" for x in b))
private_v4 = st.one_of(
    st.integers(0, 2**24 - 1).map(lambda n: str(ipaddress.IPv4Address((10 << 24) + n))),
    st.integers(0, 2**16 - 1).map(
        lambda n: str(ipaddress.IPv4Address((192 << 24) + (168 << 16) + n))
    ),
)
ula_v6 = st.integers(1, 2**64 - 1).map(
    lambda n: str(ipaddress.IPv6Address((0xFD12_3456_789A << 80) + (n << 8) + 1))
)
hostnames = st.builds(
    lambda a, d: f"{a}{d}", _LABEL, st.sampled_from(["", ".local", ".lan", ".home.arpa"])
)
ssids = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=6, max_size=32
)
nicknames = st.builds(lambda a: f"{a.title()}s phone", _LABEL)
users = _LABEL
paths = st.builds(lambda u, f: f"/home/{u}/{f}/data.txt", _LABEL, _LABEL)


@st.composite
def identifying_reports(draw: st.DrawFn) -> tuple[Report, Secrets]:
    s = Secrets()
    n = draw(st.integers(1, 6))
    devices = []
    for i in range(n):
        mac = draw(macs)
        v4 = draw(private_v4)
        v6 = draw(ula_v6)
        name = draw(hostnames)
        nick = draw(nicknames)
        s.macs.append(mac)
        s.ipv4.append(v4)
        s.ipv6.append(v6)
        s.hostnames.append(name)
        s.nicknames.append(nick)
        devices.append(
            Device(
                key=mac,
                mac=mac,
                ipv4=[v4],
                ipv6=[v6],
                vendor="Apple, Inc.",
                hostname=name,
                nickname=nick,
                model=f"{nick} model",
                type="phone",
                is_gateway=i == 0,
                type_evidence=[f"hostname {name}"],
                services=[
                    Service(
                        source="mdns",
                        type="_airplay._tcp.local.",
                        name=nick,
                        port=7000,
                        properties={"host": name, "mac": mac},
                    ),
                    Service(source="ssdp", type=f"urn:{name}:device:x:1", name=name),
                ],
            )
        )
    user = draw(users)
    path = draw(paths)
    ssid = draw(ssids)
    bssid = draw(macs)
    s.users.append(user)
    s.paths.append(path)
    s.ssids.append(ssid)
    s.macs.append(bssid)
    gw, me = s.ipv4[0], s.ipv4[-1]
    host = HostData(
        hostname_hash="abc123",
        os="Linux 6.1",
        interfaces=[
            Interface(
                name=f"wl-{user}",
                kind="wifi",
                is_up=True,
                mac=s.macs[-1],
                addresses=[
                    InterfaceAddress(family="ipv4", address=me, prefix_len=24),
                    InterfaceAddress(family="ipv6", address=s.ipv6[0]),
                ],
            )
        ],
        default_routes=[Route(family="ipv4", gateway=gw, interface=f"wl-{user}")],
        resolvers=[gw],
        primary_interface=f"wl-{user}",
        connection="wifi",
    )
    wifi = WifiData(
        source="iw",
        link=WifiLink(
            interface="wlan0",
            connected=True,
            ssid=ssid,
            bssid=bssid,
            band="5GHz",
            channel=36,
            signal_dbm=-61,
            security="wpa2",
        ),
        networks=[WifiNetwork(ssid=f"{ssid}-guest", bssid=bssid, band="5GHz", channel=36)],
    )
    msg = f"cannot reach {s.hostnames[0]} ({gw}, {s.macs[0]}) as {user} reading {path}: timed out"
    reach = ReachabilityData(
        pings=[
            PingResult(
                target=gw,
                role="gateway",
                method="icmp-raw",
                sent=4,
                received=3,
                rtts_ms=[2.0, 3.0, 4.0],
                error=f"from {me} to {gw} via {s.ipv6[0]}",
            ),
            PingResult(
                target="1.1.1.1",
                role="internet",
                method="icmp-raw",
                sent=4,
                received=4,
                rtts_ms=[20.0] * 4,
            ),
        ]
    )
    dns = DnsData(
        lookups=[
            DnsLookup(
                name=s.hostnames[0],
                resolver=gw,
                ok=False,
                elapsed_ms=30.0,
                error=f"NXDOMAIN for {s.hostnames[0]} at {gw}",
            )
        ]
    )
    observations = [
        Observation(probe="host", area="host", status=ProbeStatus.OK, data=host),
        Observation(probe="wifi", area="wifi", status=ProbeStatus.OK, data=wifi),
        Observation(
            probe="devices",
            area="devices",
            status=ProbeStatus.OK,
            data=DevicesData(
                method="arp", subnet=f"{gw}/24", devices=devices, new_since_last=[s.macs[0]]
            ),
        ),
        Observation(probe="reachability", area="connectivity", status=ProbeStatus.OK, data=reach),
        Observation(probe="dns", area="dns", status=ProbeStatus.OK, data=dns),
        Observation(
            probe="speed",
            area="speed",
            status=ProbeStatus.OK,
            data=GenericData(
                values={
                    "download_mbps": 93.5,
                    "upload_mbps": 18.2,
                    "server": s.hostnames[0],
                    "client_ip": me,
                }
            ),
        ),
        Observation(probe="plugin", area="extra", status=ProbeStatus.FAILED, message=msg),
    ]
    findings = [
        Finding(
            code="wifi.signal.weak",
            severity=Severity.WARNING,
            segment=Segment.WIFI,
            summary=f"Signal on {ssid} is weak near {s.nicknames[0]}",
            evidence={
                "signal_dbm": -61,
                "ssid": ssid,
                "bssid": bssid,
                "band": "5GHz",
                "device": s.nicknames[0],
                "note": msg,
                "hosts": [s.hostnames[0]],
                "Path": path,
                "user": user,
            },
        ),
        Finding(
            code="dns.failing",
            severity=Severity.CRITICAL,
            segment=Segment.ROUTER,
            summary=f"DNS at {gw} fails",
            evidence={"resolvers": [gw], "error": f"SERVFAIL {gw}"},
        ),
    ]
    report = Report(
        id="0123456789abcdef0123456789abcdef",
        created_at=datetime(2026, 5, 1, 12, 30, 17, tzinfo=UTC),
        homecare_version="0.1.0",
        areas=["wifi", "dns", "devices"],
        provider="acme",
        observations=observations,
        findings=findings,
        verdict=Verdict(
            segment=Segment.ROUTER,
            healthy=False,
            summary=f"Your router {s.hostnames[0]} at {gw} fails",
            evidence=[f"{gw} {s.macs[0]}"],
        ),
    )
    return report, s


def simple_report(check_id: str = "feedfacefeedfacefeedfacefeedface") -> Report:
    """A small plain report for spool and CLI tests."""
    return Report(
        id=check_id,
        created_at=datetime(2026, 5, 1, 12, 30, tzinfo=UTC),
        homecare_version="0.1.0",
        areas=["dns"],
        findings=[
            Finding(
                code="dns.slow",
                severity=Severity.WARNING,
                segment=Segment.PROVIDER,
                summary="slow",
                evidence={"median_ms": 410.0},
            )
        ],
        verdict=Verdict(segment=Segment.PROVIDER, healthy=False, summary="slow"),
    )
