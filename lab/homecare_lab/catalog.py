"""A catalogue of realistic home devices to populate virtual homes quickly.

Each template mirrors what the real product puts on a home LAN: its vendor
OUI (or a private, randomized MAC), the DNS-SD services and TXT keys it
advertises, the UPnP description it serves over SSDP and the TCP ports it
listens on.  ``catalogue_devices(n)`` cycles through the templates so any
``n`` gives a varied home whose ground truth is fully known.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from homecare_lab.spec import DeviceSpec, ServiceSpec, SpecError, SsdpSpec


def _iphone(name: str) -> DeviceSpec:
    return DeviceSpec(name, kind="phone", vendor="apple", friendly_name=f"iPhone ({name})")


def _private_phone(name: str) -> DeviceSpec:
    return DeviceSpec(name, kind="phone", randomized_mac=True, friendly_name=f"Galaxy S23 ({name})")


def _galaxy(name: str) -> DeviceSpec:
    return DeviceSpec(name, kind="phone", vendor="samsung", friendly_name=f"Galaxy A54 ({name})")


def _lg_tv(name: str) -> DeviceSpec:
    fn = f"LG OLED TV ({name})"
    return DeviceSpec(
        name,
        kind="tv",
        vendor="lg",
        friendly_name=fn,
        services=(
            ServiceSpec(
                "_airplay._tcp",
                7000,
                txt={"model": "OLED55C1PUB", "manufacturer": "LG Electronics", "srcvers": "377.40"},
            ),
        ),
        ssdp=SsdpSpec(
            friendly_name=fn,
            manufacturer="LG Electronics",
            model_name="OLED55C1PUB",
            model_number="55C1",
            device_type="urn:schemas-upnp-org:device:MediaRenderer:1",
            port=1990,
        ),
        tcp_ports=(3000, 7000),
    )


def _samsung_tv(name: str) -> DeviceSpec:
    fn = f"Samsung TV ({name})"
    return DeviceSpec(
        name,
        kind="tv",
        vendor="samsung",
        friendly_name=fn,
        services=(
            ServiceSpec(
                "_airplay._tcp",
                7000,
                txt={"model": "UE55TU8000", "manufacturer": "Samsung", "srcvers": "366.0"},
            ),
        ),
        ssdp=SsdpSpec(
            friendly_name=fn,
            manufacturer="Samsung Electronics",
            model_name="UE55TU8000",
            model_number="TU8000",
            device_type="urn:schemas-upnp-org:device:MediaRenderer:1",
            port=9197,
        ),
        tcp_ports=(8001, 7000),
    )


def _hp_printer(name: str) -> DeviceSpec:
    ty = "HP OfficeJet Pro 9010 series"
    return DeviceSpec(
        name,
        kind="printer",
        vendor="hp",
        friendly_name=f"{ty} ({name})",
        services=(
            ServiceSpec(
                "_ipp._tcp",
                631,
                txt={
                    "txtvers": "1",
                    "ty": ty,
                    "product": f"({ty})",
                    "rp": "ipp/print",
                    "pdl": "application/pdf,image/urf,image/jpeg",
                    "UUID": "",
                },
            ),
            ServiceSpec("_pdl-datastream._tcp", 9100, txt={"ty": ty}),
        ),
        tcp_ports=(80, 631, 9100),
    )


def _brother_printer(name: str) -> DeviceSpec:
    ty = "Brother HL-L2350DW series"
    return DeviceSpec(
        name,
        kind="printer",
        vendor="brother",
        friendly_name=f"{ty} ({name})",
        services=(
            ServiceSpec(
                "_ipp._tcp",
                631,
                txt={
                    "txtvers": "1",
                    "ty": ty,
                    "product": "(Brother HL-L2350DW)",
                    "rp": "ipp/print",
                },
            ),
        ),
        tcp_ports=(631, 9100),
    )


def _epson_printer(name: str) -> DeviceSpec:
    ty = "EPSON ET-2750 Series"
    return DeviceSpec(
        name,
        kind="printer",
        vendor="epson",
        friendly_name=f"{ty} ({name})",
        services=(
            ServiceSpec("_ipp._tcp", 631, txt={"txtvers": "1", "ty": ty, "rp": "ipp/print"}),
            ServiceSpec("_scanner._tcp", 1865, txt={"ty": ty, "mfg": "EPSON", "mdl": "ET-2750"}),
        ),
        tcp_ports=(631, 9100),
    )


def _sonos(name: str) -> DeviceSpec:
    fn = f"Sonos One ({name})"
    return DeviceSpec(
        name,
        kind="speaker",
        vendor="sonos",
        friendly_name=fn,
        services=(
            ServiceSpec(
                "_spotify-connect._tcp", 1400, txt={"CPath": "/spotifyzc", "VERSION": "1.0"}
            ),
            ServiceSpec("_sonos._tcp", 1443, txt={"info": "/api/v1/players/local/info"}),
            ServiceSpec("_airplay._tcp", 7000, txt={"model": "One", "manufacturer": "Sonos"}),
        ),
        ssdp=SsdpSpec(
            friendly_name=fn,
            manufacturer="Sonos, Inc.",
            model_name="Sonos One",
            model_number="S18",
            device_type="urn:schemas-upnp-org:device:ZonePlayer:1",
            port=1400,
        ),
        tcp_ports=(1400, 1443),
    )


def _google_cast(
    name: str, kind: str, room: str, model: str, instance: str, *, ssdp: bool
) -> DeviceSpec:
    """A Google Cast device: its ``_googlecast._tcp`` record (id, model, name),
    ports 8008/8009, and on speakers the DIAL description over SSDP."""
    fn = f"{room} ({name})"
    return DeviceSpec(
        name,
        kind=kind,
        vendor="google",
        friendly_name=fn,
        services=(
            ServiceSpec(
                "_googlecast._tcp",
                8009,
                name=f"{instance}-{name}",
                txt={"id": name.replace("-", ""), "md": model, "fn": fn, "ve": "05"},
            ),
        ),
        ssdp=SsdpSpec(
            friendly_name=fn,
            manufacturer="Google Inc.",
            model_name=model,
            device_type="urn:dial-multiscreen-org:device:dial:1",
            port=8008,
        )
        if ssdp
        else None,
        tcp_ports=(8008, 8009),
    )


def _nest_mini(name: str) -> DeviceSpec:
    speaker = ("speaker", "Kitchen speaker", "Google Nest Mini", "Google-Nest-Mini")
    return _google_cast(name, *speaker, ssdp=True)


def _chromecast(name: str) -> DeviceSpec:
    return _google_cast(name, "tv", "Living Room TV", "Chromecast", "Chromecast", ssdp=False)


def _hikvision(name: str) -> DeviceSpec:
    fn = f"Driveway camera ({name})"
    return DeviceSpec(
        name,
        kind="camera",
        vendor="hikvision",
        friendly_name=fn,
        ssdp=SsdpSpec(
            friendly_name=fn,
            manufacturer="Hikvision",
            model_name="DS-2CD2143G0-I",
            model_number="DS-2CD2143G0-I",
            port=49152,
        ),
        tcp_ports=(80, 554, 8000),
    )


def _axis(name: str) -> DeviceSpec:
    return DeviceSpec(
        name,
        kind="camera",
        vendor="axis",
        friendly_name=f"AXIS M3106-L ({name})",
        services=(
            ServiceSpec("_axis-video._tcp", 80, txt={"macaddress": "{mac}"}),
            ServiceSpec("_http._tcp", 80, txt={"path": "/"}),
        ),
        tcp_ports=(80, 554),
    )


def _dell_laptop(name: str) -> DeviceSpec:
    return DeviceSpec(name, kind="laptop", vendor="dell", friendly_name=f"XPS 13 ({name})")


def _intel_laptop(name: str) -> DeviceSpec:
    return DeviceSpec(
        name,
        kind="laptop",
        vendor="intel",
        friendly_name=f"ThinkPad ({name})",
        services=(ServiceSpec("_ssh._tcp", 22),),
        tcp_ports=(22,),
    )


def _hue_bridge(name: str) -> DeviceSpec:
    fn = f"Philips hue ({name})"
    return DeviceSpec(
        name,
        kind="iot",
        vendor="signify",
        friendly_name=fn,
        services=(
            ServiceSpec(
                "_hap._tcp",
                8080,
                txt={
                    "c#": "2",
                    "ff": "0",
                    "id": "{mac}",
                    "md": "BSB002",
                    "s#": "1",
                    "sf": "0",
                    "ci": "2",
                },
            ),
            ServiceSpec("_hue._tcp", 443, txt={"bridgeid": name, "modelid": "BSB002"}),
        ),
        ssdp=SsdpSpec(
            friendly_name=fn,
            manufacturer="Signify",
            model_name="Philips hue bridge 2015",
            model_number="BSB002",
            port=80,
        ),
        tcp_ports=(80, 443, 8080),
    )


def _apple_tv(name: str) -> DeviceSpec:
    return DeviceSpec(
        name,
        kind="tv",
        vendor="apple",
        friendly_name=f"Apple TV ({name})",
        services=(
            ServiceSpec(
                "_airplay._tcp",
                7000,
                txt={
                    "model": "AppleTV11,1",
                    "deviceid": "{mac}",
                    "features": "0x4A7FDFD5,0xBC157FDE",
                },
            ),
            ServiceSpec("_companion-link._tcp", 49153, txt={"rpMd": "AppleTV11,1"}),
        ),
        tcp_ports=(7000,),
    )


def _smart_plug(name: str) -> DeviceSpec:
    return DeviceSpec(name, kind="iot", vendor="espressif", friendly_name=f"Smart plug ({name})")


TEMPLATES: dict[str, Callable[[str], DeviceSpec]] = {
    "iphone": _iphone,
    "private-phone": _private_phone,
    "galaxy-phone": _galaxy,
    "lg-tv": _lg_tv,
    "samsung-tv": _samsung_tv,
    "hp-printer": _hp_printer,
    "brother-printer": _brother_printer,
    "epson-printer": _epson_printer,
    "sonos-speaker": _sonos,
    "nest-mini": _nest_mini,
    "chromecast": _chromecast,
    "hikvision-camera": _hikvision,
    "axis-camera": _axis,
    "dell-laptop": _dell_laptop,
    "intel-laptop": _intel_laptop,
    "hue-bridge": _hue_bridge,
    "apple-tv": _apple_tv,
    "smart-plug": _smart_plug,
}


def template_device(template: str, name: str) -> DeviceSpec:
    """The catalogue device ``template`` under the name ``name``."""
    try:
        return TEMPLATES[template](name)
    except KeyError:
        known = ", ".join(sorted(TEMPLATES))
        raise SpecError(f"unknown device template {template!r} (known: {known})") from None


def catalogue_devices(count: int, start: int = 1) -> list[DeviceSpec]:
    """``count`` devices cycling through every template, named ``<template>-<k>``."""
    order = list(TEMPLATES)
    out: list[DeviceSpec] = []
    for i in range(count):
        template = order[i % len(order)]
        out.append(template_device(template, f"{template}-{start + i}"))
    return out


def with_placeholders(device: DeviceSpec) -> DeviceSpec:
    """Substitute ``{mac}``/``{name}``/``{ip}`` in TXT values once the device is resolved."""
    values = {
        "mac": (device.mac or "").upper(),
        "name": device.name,
        "ip": device.ip or "",
    }
    services = tuple(
        replace(s, txt={k: v.format(**values) for k, v in s.txt.items()}) for s in device.services
    )
    return replace(device, services=services)
