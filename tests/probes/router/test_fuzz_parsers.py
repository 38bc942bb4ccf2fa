"""Every parser of router replies takes any bytes: a result or RouterError, never a crash."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecare.probes.router.igd import parse_igd_description
from homecare.probes.router.local import (
    conntrack_per_device,
    default_route_interface,
    interface_counters,
)
from homecare.probes.router.soap import RouterError, parse_reply
from homecare.probes.router.tr064 import check_xml, count_resyncs, parse_host_list
from homecare.probes.router.ubus import parse_reply as parse_ubus

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_xml_bits = st.sampled_from(
    [
        b"<?xml version='1.0'?>",
        b"<root>",
        b"</root>",
        b"<device>",
        b"</device>",
        b"<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>",
        b"<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>",
        b"<controlURL>/ctl</controlURL></service>",
        b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
        b"&a;",
        b"<s:Envelope xmlns:s='x'>",
        b"<s:Body>",
        b"<u:GetResponse>",
        b"<List><Item>",
        b"<MACAddress>AA:BB:CC:DD:EE:FF</MACAddress>",
        b"</Item></List>",
        b"\x00",
        b"\xff",
    ]
)
xmlish = st.one_of(st.binary(max_size=2000), st.lists(_xml_bits, max_size=30).map(b"".join))


@FUZZ
@given(xmlish)
def test_igd_description(data: bytes) -> None:
    parse_igd_description(data, "http://192.168.1.1:5000/d.xml", "192.168.1.1")


@FUZZ
@given(xmlish)
def test_soap_reply(data: bytes) -> None:
    with contextlib.suppress(RouterError):
        parse_reply(data, "Get")


@FUZZ
@given(xmlish)
def test_tr064_xml_checks(data: bytes) -> None:
    for parse in (check_xml, parse_host_list):
        with contextlib.suppress(RouterError):
            parse(data)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=30,
)


@FUZZ
@given(st.one_of(st.binary(max_size=500), _json.map(lambda v: repr(v).encode())))
def test_ubus_reply(data: bytes) -> None:
    with contextlib.suppress(RouterError):
        parse_ubus(data)


@FUZZ
@given(_json)
def test_ubus_reply_shapes(value: object) -> None:
    import json

    try:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "result": value}).encode()
    except ValueError:
        return
    with contextlib.suppress(RouterError):
        parse_ubus(body)


@FUZZ
@given(st.text(max_size=3000))
def test_local_text_parsers(text: str) -> None:
    default_route_interface(text)
    interface_counters(text, "wan0")
    conntrack_per_device(text, None)
    count_resyncs(text)


def test_deep_json_nesting_is_refused() -> None:
    with pytest.raises(RouterError):
        parse_ubus(b"[" * 100_000 + b"]" * 100_000)
