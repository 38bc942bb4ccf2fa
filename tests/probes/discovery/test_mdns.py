from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homecare.probes.discovery import mdns


def _txt(**kv: str) -> bytes:
    out = b""
    for k, v in kv.items():
        item = f"{k}={v}".encode()
        out += bytes([len(item)]) + item
    return out


def test_parse_txt_real_shapes() -> None:
    # Shapes from an HP printer (_ipp._tcp) and a Chromecast (_googlecast._tcp).
    raw = _txt(txtvers="1", ty="HP LaserJet MFP M234sdw", pdl="application/pdf,image/urf")
    raw += b"\x09Color=T"
    txt = mdns.parse_txt(raw)
    assert txt["ty"] == "HP LaserJet MFP M234sdw"
    assert txt["color"] == "T"
    cast = mdns.parse_txt(_txt(id="abc", md="Chromecast Ultra", fn="Living Room TV", ve="05"))
    assert cast["md"] == "Chromecast Ultra" and cast["fn"] == "Living Room TV"
    assert mdns.txt_model(cast) == "Chromecast Ultra"


def test_parse_txt_rules() -> None:
    raw = b"\x05A=one\x05a=two\x04flag\x00\x04=bad"
    txt = mdns.parse_txt(raw)
    assert txt == {"a": "one", "flag": ""}
    # Truncated length byte: the tail is simply ignored.
    assert mdns.parse_txt(b"\xffshort=1") == {"short": "1"}


def test_parse_txt_caps() -> None:
    raw = b"".join(bytes([len(f"k{i}=v".encode())]) + f"k{i}=v".encode() for i in range(200))
    assert len(mdns.parse_txt(raw)) == mdns.MAX_TXT_KEYS
    long = b"x=" + b"y" * 250
    assert len(mdns.parse_txt(bytes([len(long)]) + long)["x"]) <= mdns.MAX_TXT_VALUE


@settings(max_examples=500, deadline=1000)
@given(st.binary(max_size=5000))
def test_parse_txt_garbage(raw: bytes) -> None:
    txt = mdns.parse_txt(raw)
    assert len(txt) <= mdns.MAX_TXT_KEYS


@settings(max_examples=300, deadline=1000)
@given(st.text(max_size=120), st.text(max_size=40))
def test_names_garbage(name: str, type_: str) -> None:
    mdns.instance_label(name, type_)
    mdns.short_type(type_)
    c = mdns.Collector(max_types=4, max_instances=4)
    c.on_change(type_, name)
    c.on_change(mdns.SERVICES_META, name)
    assert len(c.instances) <= 4 and len(c.types) <= 4


def test_instance_label() -> None:
    assert mdns.instance_label(
        "Living Room._googlecast._tcp.local.", "_googlecast._tcp.local."
    ) == ("Living Room")
    assert mdns.short_type("_ipp._tcp.local.") == "_ipp._tcp"


def test_collector_flood_is_bounded() -> None:
    c = mdns.Collector(max_types=10, max_instances=100)
    for i in range(100_000):
        c.on_change("_http._tcp.local.", f"flood{i}._http._tcp.local.")
        c.on_change(mdns.SERVICES_META, f"_t{i}._tcp.local.")
    assert len(c.instances) == 100
    assert len(c.types) == 10
    assert len(c.take_pending()) == 10
    assert c.dropped == 100_000 - 100 + 100_000 - 10


# --- a real python-zeroconf responder, bound to loopback only ------------------------


def _info(type_: str, name: str, port: int, props: dict[str, str], server: str) -> Any:
    from zeroconf import ServiceInfo

    return ServiceInfo(
        type_,
        f"{name}.{type_}",
        addresses=[socket.inet_aton("127.0.0.1")],
        port=port,
        properties=props,
        server=server,
    )


@pytest.fixture
def responder() -> Iterator[Any]:
    from zeroconf import IPVersion, Zeroconf

    zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    yield zc
    zc.unregister_all_services()
    zc.close()


def test_browse_loopback(responder: Any) -> None:
    printer = _info(
        "_ipp._tcp.local.", "Office Printer", 631, {"ty": "Brother HL-L2350DW"}, "brn1.local."
    )
    cast = _info(
        "_googlecast._tcp.local.",
        "Chromecast-abc",
        8009,
        {"md": "Chromecast", "fn": "Kitchen"},
        "cast1.local.",
    )
    odd = _info("_odd-thing._tcp.local.", "Gizmo", 1234, {"model": "G1"}, "gizmo.local.")
    for info in (printer, cast, odd):
        responder.register_service(info, cooperating_responders=True)
    start = time.monotonic()
    services, dropped = mdns.browse("127.0.0.1", 2.0, time.monotonic() + 5)
    assert time.monotonic() - start < 5
    by_type = {s.type: s for s in services}
    assert by_type["_ipp._tcp"].txt["ty"] == "Brother HL-L2350DW"
    assert by_type["_ipp._tcp"].instance == "Office Printer"
    assert by_type["_ipp._tcp"].port == 631
    assert by_type["_ipp._tcp"].server == "brn1.local"
    assert "127.0.0.1" in by_type["_ipp._tcp"].addresses
    assert by_type["_googlecast._tcp"].txt["fn"] == "Kitchen"
    # Not in the default list: found through _services._dns-sd._udp enumeration.
    assert by_type["_odd-thing._tcp"].txt["model"] == "G1"
    assert dropped == 0


def test_browse_flood_bounded(responder: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    infos = [_info("_http._tcp.local.", f"flood{i}", 80, {}, "flood.local.") for i in range(60)]
    # Registration waits for announcements; in parallel it takes a second, not a minute.
    with ThreadPoolExecutor(max_workers=60) as pool:
        list(pool.map(lambda i: responder.register_service(i, cooperating_responders=True), infos))
    services, dropped = mdns.browse(
        "127.0.0.1", 1.5, time.monotonic() + 5, types=["_http._tcp.local."], max_instances=10
    )
    assert len(services) == 10
    assert dropped >= 50
