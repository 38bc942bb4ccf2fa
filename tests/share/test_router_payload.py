"""The router and line sections of the upload: figures kept, names and addresses never."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from homecare.models import Observation, ProbeStatus, Report
from homecare.models.router import LineInfo, RouterClient, RouterData, SharedLine, WanCounters
from homecare.share.anonymize import anonymize
from homecare.share.router_payload import label

from .reports import simple_report
from .test_anonymize import FIXED_TEXT, encodings

SECRET = b"s" * 32

names = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-_' ", min_size=6, max_size=24
)
macs = st.lists(st.integers(0, 255), min_size=6, max_size=6).map(
    lambda b: ":".join(f"{x:02x}" for x in b)
)
ips = st.tuples(*[st.integers(1, 254)] * 4).map(lambda t: ".".join(map(str, t)))


def _report(data: RouterData) -> Report:
    report = simple_report()
    obs = Observation(probe="router", area="router", status=ProbeStatus.OK, data=data)
    return report.model_copy(update={"observations": [obs], "areas": ["router"]})


def test_line_figures_and_counters_are_kept() -> None:
    data = RouterData(
        source="tr064",
        vendor="AVM",
        model="FRITZ!Box 7590",
        uptime_s=7200,
        external_ip="100.128.9.20",
        line=LineInfo(type="dsl", sync_down_kbit=51392, attainable_down_kbit=54000,
                      noise_margin_down_db=2.5, crc_errors=52000, retrains=5, log_resyncs=3),
        counters=WanCounters(bits=64, bytes_received=9_876_543_210, down_mbit=3.2, up_mbit=0.4),
        during_speed_test=SharedLine(window_s=9, wan_down_mbit=40, wan_up_mbit=2,
                                     other_down_mbit=18.5, other_up_mbit=0.1),
        clients=[RouterClient(mac="f8:4d:89:7c:0a:32", hostname="MacBook", wifi=True, signal_dbm=-90)],
    )  # fmt: skip
    payload = anonymize(_report(data), SECRET).model_dump(mode="json")
    assert payload["router"] == {
        "vendor": "AVM", "model": "FRITZ!Box 7590", "source": "tr064", "uptime_h": 2.0,
        "clients": 1, "wifi_clients": 1, "weak_wifi_clients": 1,
        "wan_down_mbit": 3.2, "wan_up_mbit": 0.4,
        "speed_test_other_down_mbit": 18.5, "speed_test_other_up_mbit": 0.1,
    }  # fmt: skip
    line = payload["line"]
    assert line["type"] == "dsl" and line["sync_down_kbit"] == 51392
    assert line["noise_margin_down_db"] == 2.5 and line["retrains"] == 5
    blob = json.dumps(payload)
    for secret in ("MacBook", "f8:4d:89", "100.128.9"):
        assert secret not in blob


def test_a_model_that_looks_like_an_address_is_dropped() -> None:
    assert label("FRITZ!Box 7590") == "FRITZ!Box 7590"
    assert label("router 192.168.1.1") is None
    assert label("AA:BB:CC:DD:EE:FF") is None
    assert label("admin@home") is None
    assert label("http://evil") is None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names, names, macs, ips, names)
def test_router_names_and_addresses_never_leave(
    hostname: str, nickname: str, mac: str, ip: str, friendly: str
) -> None:
    assume(hostname.strip() and nickname.strip())
    # the model name is allowed to leave (it is the manufacturer's, not the person's)
    assume(
        all(v.strip() not in friendly and friendly.strip() not in v for v in (hostname, nickname))
    )
    data = RouterData(
        source="ubus",
        vendor="OpenWrt",
        model=friendly,
        external_ip=ip,
        address=ip,
        last_error=f"ERROR {hostname}",
        wan_status=hostname,
        firmware=nickname,
        clients=[RouterClient(mac=mac, ip=ip, hostname=hostname, nickname=nickname, radio=nickname,
                              wifi=True, signal_dbm=-80)],
        errors=[f"ubus: {hostname} {ip}"],
    )  # fmt: skip
    payload = anonymize(_report(data), SECRET).model_dump(mode="json")
    blob = json.dumps(payload)
    for value in (hostname, nickname, mac, ip):
        for form in encodings(value.strip()):
            if form.lower() in FIXED_TEXT:
                continue
            assert form not in blob, (value, form)
