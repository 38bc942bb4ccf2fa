from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from homecare.models.devices import Device, DevicesData
from homecare.probes.discovery.classify import Signals, classify
from homecare.probes.discovery.inventory import (
    Sources,
    apply_comparison,
    apply_nicknames,
    compare,
    merge,
)
from homecare.probes.discovery.records import (
    Lease,
    MdnsService,
    Neighbour,
    SsdpDevice,
    SsdpResponse,
    UpnpDescription,
)


def test_classify_printer_from_services() -> None:
    kind, why = classify(
        Signals(vendor="Brother Industries", service_types=("_ipp._tcp", "_pdl-datastream._tcp"))
    )
    assert kind == "printer"
    assert "service _ipp._tcp" in why


def test_classify_apple_models() -> None:
    assert classify(Signals(vendor="Apple", models=("iPhone14,2",)))[0] == "phone"
    assert classify(Signals(vendor="Apple", models=("iPad8,1",)))[0] == "tablet"
    assert classify(Signals(vendor="Apple", models=("MacBookPro18,3",)))[0] == "computer"
    assert classify(Signals(vendor="Apple", models=("AppleTV11,1",)))[0] == "tv"
    assert classify(Signals(vendor="Apple", models=("AudioAccessory5,1",)))[0] == "speaker"


def test_classify_other_signals() -> None:
    assert classify(Signals(is_gateway=True, service_types=("_http._tcp",)))[0] == "router"
    assert (
        classify(Signals(vendor="Sonos", upnp_types=("urn:schemas-upnp-org:device:ZonePlayer:1",)))[
            0
        ]
        == "speaker"
    )
    assert classify(Signals(hostname="Annas-iPhone"))[0] == "phone"
    assert classify(Signals(hostname="DESKTOP-4F2K9L"))[0] == "computer"
    assert classify(Signals(vendor="Nintendo"))[0] == "game-console"
    assert classify(Signals(vendor="Espressif"))[0] == "iot"
    assert classify(Signals(service_types=("_axis-video._tcp",)))[0] == "camera"
    assert (
        classify(Signals(upnp_types=("urn:schemas-upnp-org:device:InternetGatewayDevice:1",)))[0]
        == "router"
    )
    assert classify(Signals(hostname="stable-host"))[0] == "unknown"
    assert classify(Signals()) == ("unknown", [])
    nest = Signals(vendor="Google", hostname="nest-mini-10", models=("Google Nest Mini",))
    assert classify(nest)[0] == "speaker"
    assert classify(Signals(hostname="nest-thermostat"))[0] == "iot"


@settings(max_examples=300, deadline=1000)
@given(
    st.text(max_size=60),
    st.text(max_size=60),
    st.lists(st.text(max_size=40), max_size=4),
    st.lists(st.text(max_size=40), max_size=4),
)
def test_classify_garbage(vendor: str, host: str, models: list[str], types: list[str]) -> None:
    kind, why = classify(Signals(vendor, host, tuple(models), tuple(types), tuple(types)))
    assert (kind == "unknown") == (not why)


def _sources() -> Sources:
    return Sources(
        neighbours=[
            Neighbour("192.168.1.1", "e4:8d:8c:01:02:03"),
            Neighbour("192.168.1.23", "f0:18:98:aa:bb:cc"),
            Neighbour("192.168.1.61", "5c:aa:fd:00:00:03"),
            Neighbour("192.168.1.80", "da:a1:19:00:00:05"),
        ],
        leases=[Lease("192.168.1.23", "f0:18:98:aa:bb:cc", "Annas-iPhone", 1700000000)],
        mdns=[
            MdnsService(
                type="_companion-link._tcp",
                instance="Anna's iPhone",
                server="Annas-iPhone.local",
                addresses=("192.168.1.23", "fe80::1%eth0"),
            ),
            MdnsService(
                type="_device-info._tcp",
                instance="Anna's iPhone",
                server="Annas-iPhone.local",
                addresses=("192.168.1.23",),
                txt={"model": "iPhone14,2"},
            ),
            MdnsService(
                type="_ipp._tcp",
                instance="Office",
                server="brn1.local",
                port=631,
                addresses=("192.168.1.74",),
                txt={"ty": "Brother HL-L2350DW", "junk": "x"},
            ),
        ],
        ssdp=[
            SsdpDevice(
                ip="192.168.1.61",
                responses=(SsdpResponse("192.168.1.61", st="upnp:rootdevice", server="Sonos"),),
                description=UpnpDescription(
                    friendly_name="Kitchen",
                    manufacturer="Sonos, Inc.",
                    model_name="Sonos One",
                    device_type="urn:schemas-upnp-org:device:ZonePlayer:1",
                ),
            )
        ],
        self_ip="192.168.1.10",
        self_mac="00:11:22:33:44:55",
        gateway_ip="192.168.1.1",
    )


def test_merge() -> None:
    devices = merge(_sources())
    by_key = {d.key: d for d in devices}
    assert devices[0].is_gateway and devices[0].type == "router"
    phone = by_key["f0:18:98:aa:bb:cc"]
    assert phone.hostname == "Annas-iPhone"
    assert phone.vendor == "Apple" and phone.type == "phone" and phone.model == "iPhone14,2"
    assert phone.ipv6 == ["fe80::1"]
    assert set(phone.sources) == {"arp", "dhcp-lease", "mdns"}
    assert {s.type for s in phone.services} == {"_companion-link._tcp", "_device-info._tcp"}
    sonos = by_key["5c:aa:fd:00:00:03"]
    assert sonos.type == "speaker" and sonos.model == "Sonos One"
    assert sonos.services[0].source == "ssdp" and sonos.services[0].name == "Kitchen"
    # Only known from mDNS: keyed by IP, no MAC.
    printer = by_key["192.168.1.74"]
    assert printer.mac is None and printer.type == "printer"
    assert printer.services[0].properties == {"ty": "Brother HL-L2350DW"}
    rnd = by_key["da:a1:19:00:00:05"]
    assert rnd.randomized_mac and rnd.vendor is None
    me = by_key["00:11:22:33:44:55"]
    assert me.is_self and me.ipv4 == ["192.168.1.10"]
    assert len(devices) == 6


def test_merge_folds_ip_only_draft_into_mac() -> None:
    src = Sources(
        neighbours=[],
        leases=[Lease("10.0.0.5", "b8:27:eb:00:11:22", "pi", None)],
        mdns=[MdnsService("_ssh._tcp", "pi", "pi.local", 22, ("10.0.0.5",))],
    )
    devices = merge(src)
    assert len(devices) == 1 and devices[0].key == "b8:27:eb:00:11:22"


def _dev(key: str, hostname: str | None = None, randomized: bool = False) -> Device:
    return Device(key=key, mac=key, hostname=hostname, randomized_mac=randomized)


def test_compare() -> None:
    prev = [_dev("a"), _dev("b"), _dev("r1", "Pixel-7", True)]
    cur = [_dev("a"), _dev("c"), _dev("r2", "Pixel-7", True), _dev("r3", None, True)]
    new, missing = compare(prev, cur)
    assert new == ["c", "r3"]
    assert missing == ["b"]
    assert compare([], []) == ([], [])


def test_apply_comparison_and_nicknames() -> None:
    data = DevicesData(method="arp-sweep", devices=[_dev("a"), _dev("c")])
    assert apply_comparison(data, None).new_since_last == []
    done = apply_comparison(data, [_dev("a"), _dev("b")])
    assert done.new_since_last == ["c"] and done.missing_since_last == ["b"]
    named = apply_nicknames(data.devices, {"c": "Grandma's tablet"})
    assert named[1].nickname == "Grandma's tablet" and named[0].nickname is None
    assert data.devices[1].nickname is None
