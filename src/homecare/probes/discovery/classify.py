"""Guess what kind of device each inventory entry is, and say why.

Each signal (the router role, advertised services, the UPnP device type,
the model a device announces, the maker from its MAC, its host name) adds
weight to one type; the heaviest wins. The evidence strings are kept so
the report can show *why* a box was called a printer, and so a wrong guess
can be traced to the signal that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from homecare.models.devices import DeviceType

# Service type -> (device type, weight).
SERVICE_HINTS: dict[str, tuple[DeviceType, int]] = {
    "_ipp._tcp": ("printer", 5),
    "_ipps._tcp": ("printer", 5),
    "_printer._tcp": ("printer", 5),
    "_pdl-datastream._tcp": ("printer", 5),
    "_scanner._tcp": ("printer", 3),
    "_uscan._tcp": ("printer", 3),
    "_sonos._tcp": ("speaker", 6),
    "_spotify-connect._tcp": ("speaker", 2),
    "_raop._tcp": ("speaker", 2),
    "_googlecast._tcp": ("tv", 3),
    "_airplay._tcp": ("tv", 2),
    "_amzn-wplay._tcp": ("tv", 3),
    "_androidtvremote2._tcp": ("tv", 5),
    "_mediaremotetv._tcp": ("tv", 4),
    "_hap._tcp": ("iot", 4),
    "_homekit._tcp": ("iot", 3),
    "_matter._tcp": ("iot", 4),
    "_matterc._tcp": ("iot", 4),
    "_hue._tcp": ("iot", 5),
    "_esphomelib._tcp": ("iot", 5),
    "_shelly._tcp": ("iot", 5),
    "_miio._tcp": ("iot", 4),
    "_axis-video._tcp": ("camera", 6),
    "_rtsp._tcp": ("camera", 3),
    "_smb._tcp": ("computer", 2),
    "_afpovertcp._tcp": ("computer", 2),
    "_adisk._tcp": ("computer", 2),
    "_ssh._tcp": ("computer", 2),
    "_sftp-ssh._tcp": ("computer", 2),
    "_workstation._tcp": ("computer", 3),
    "_nvstream._tcp": ("computer", 3),
    "_daap._tcp": ("computer", 1),
}

UPNP_HINTS: tuple[tuple[str, DeviceType, int], ...] = (
    ("internetgatewaydevice", "router", 6),
    ("wfadevice", "router", 2),
    ("zoneplayer", "speaker", 6),
    ("printer", "printer", 5),
    ("digitalsecuritycamera", "camera", 6),
    ("camera", "camera", 4),
    ("mediarenderer", "tv", 2),
    ("dial", "tv", 2),
    ("tvdevice", "tv", 5),
    ("mediaserver", "computer", 1),
    ("basic", "iot", 1),
)

# Patterns for host names and announced model names; boundaries are
# non-letters so "tab" does not match "stable".
NAME_HINTS: tuple[tuple[str, DeviceType, int], ...] = (
    (
        r"iphone|android|galaxy-?s\d|pixel-?\d|oneplus|redmi|xiaomi|huawei-p|moto-?g|\bphone\b",
        "phone",
        4,
    ),
    (r"\bnas\b|synology|diskstation|qnap|truenas|readynas|\bstorage\b", "nas", 5),
    (r"ipad|galaxy-?tab|tablet|kindle|fire-?hd|\btab\b", "tablet", 4),
    (
        r"macbook|imac|mac-?mini|mac-?pro|macmini|laptop|desktop|thinkpad|\bpc\b|workstation"
        r"|latitude|xps|surface|\bmbp\b|raspberrypi",
        "computer",
        3,
    ),
    (
        r"appletv|apple-?tv|bravia|roku|fire-?tv|firetv|chromecast|shield|\btv\b|smart-?tv|webos"
        r"|tizen|vizio|androidtv|google-?tv",
        "tv",
        4,
    ),
    (
        r"printer|\bbrn|laserjet|officejet|deskjet|envy|\bepson|\bet-\d|canon|\bmfc|\bhl-|pixma"
        r"|\bhp[0-9a-f]{6}",
        "printer",
        4,
    ),
    (r"\bcam\b|camera|doorbell|ipcam|reolink|hikvision|wyze|\bring-|arlo|\bnvr\b", "camera", 4),
    (r"xbox|playstation|\bps[345]\b|nintendo|switch|steamdeck|steam-?deck", "game-console", 5),
    (
        r"sonos|homepod|audioaccessory|echo|\bdot\b|nest[- ]?(mini|audio|hub)|google-?home|speaker"
        r"|soundbar|\bplay:?\d",
        "speaker",
        4,
    ),
    (
        r"\besp[-_]?[0-9a-f]*|tasmota|shelly|\bplug\b|\bbulb|\bhue\b|thermostat|\bnest\b(?![- ]?(mini|audio|hub))|ecobee"
        r"|tuya|\bwemo|\blifx|\bsensor|\bvacuum|roomba|\bhub\b|homeassistant|home-assistant"
        r"|zigbee",
        "iot",
        3,
    ),
    (
        r"router|gateway|fritz|openwrt|\bap\b|access-?point|extender|\bmesh\b|eero|\bdeco\b"
        r"|livebox|speedport|\bhub[0-9]",
        "router",
        3,
    ),
)

VENDOR_HINTS: tuple[tuple[str, DeviceType, int], ...] = (
    (r"sonos|bose|harman|bang & olufsen|denon|yamaha|slim devices|bluesound", "speaker", 3),
    (r"nintendo|sony interactive|valve", "game-console", 4),
    (r"roku|tcl|vizio|hisense|funai|skyworth|lg electronics$", "tv", 2),
    (r"brother|seiko epson|canon|xerox|lexmark|kyocera|ricoh|konica|sharp", "printer", 2),
    (
        r"hikvision|dahua|axis communications|reolink|wyze|ring|arlo|amcrest|ubiquiti.*video",
        "camera",
        3,
    ),
    (
        r"espressif|tuya|shelly|allterco|philips lighting|signify|ecobee|nest labs|irobot"
        r"|belkin|lifx|itead|sonoff|xiaomi.*(iot|ecolink)|wiz|govee|meross|ikea|tado|netatmo"
        r"|silicon labs|texas instruments|beijing xiaomi electronics",
        "iot",
        2,
    ),
    (
        r"avm|netgear|ubiquiti|mikrotik|sagemcom|technicolor|arris|zyxel|tp-link|d-link"
        r"|linksys|eero|askey|sercomm|huawei technologies|zte|plume|compal broadband",
        "router",
        1,
    ),
    (
        r"intel|dell|lenovo|micro-star|asustek|gigabyte|hewlett packard|raspberry pi|liteon"
        r"|azurewave|realtek|framework|tuxedo|pegatron|quanta|wistron|microsoft",
        "computer",
        1,
    ),
    (
        r"oneplus|oppo|vivo mobile|xiaomi communications|motorola mobility|huawei device"
        r"|honor device|realme|nothing technology",
        "phone",
        2,
    ),
)

# Apple's model identifiers from _device-info / _airplay TXT (model=, am=).
APPLE_MODELS: tuple[tuple[str, DeviceType], ...] = (
    ("iphone", "phone"),
    ("rackmac", "nas"),  # what Samba's fruit module announces for a file server
    ("ipad", "tablet"),
    ("appletv", "tv"),
    ("audioaccessory", "speaker"),
    ("macbook", "computer"),
    ("imac", "computer"),
    ("macmini", "computer"),
    ("macpro", "computer"),
    ("mac1", "computer"),
    ("watch", "iot"),
)


@dataclass(frozen=True)
class Signals:
    """What is known about one device, as plain values."""

    vendor: str | None = None
    hostname: str | None = None
    models: tuple[str, ...] = ()
    service_types: tuple[str, ...] = ()
    upnp_types: tuple[str, ...] = ()
    is_gateway: bool = False
    #: a private (randomized) MAC: what phones and tablets use by default
    randomized_mac: bool = False


def _search(
    patterns: Iterable[tuple[str, DeviceType, int]], text: str
) -> list[tuple[DeviceType, int]]:
    lowered = text.lower()
    return [(kind, w) for pat, kind, w in patterns if re.search(pat, lowered)]


def classify(signals: Signals) -> tuple[DeviceType, list[str]]:
    """(device type, evidence) from the signals; ``unknown`` when nothing speaks."""
    scores: dict[DeviceType, int] = {}
    evidence: dict[DeviceType, list[str]] = {}

    def add(kind: DeviceType, weight: int, why: str) -> None:
        scores[kind] = scores.get(kind, 0) + weight
        evidence.setdefault(kind, [])
        if why not in evidence[kind]:
            evidence[kind].append(why)

    if signals.is_gateway:
        add("router", 20, "default gateway")
    for stype in dict.fromkeys(signals.service_types):
        hint = SERVICE_HINTS.get(stype)
        if hint:
            add(hint[0], hint[1], f"service {stype}")
    for utype in dict.fromkeys(signals.upnp_types):
        for kind, w in _search(((p, k, w) for p, k, w in UPNP_HINTS), utype.replace(":", " ")):
            add(kind, w, f"upnp {utype}")
            break
    for model in dict.fromkeys(signals.models):
        lowered = model.lower().replace(" ", "")
        apple = next((k for key, k in APPLE_MODELS if lowered.startswith(key)), None)
        if apple:
            add(apple, 6, f"model {model}")
            continue
        for kind, w in _search(NAME_HINTS, model):
            add(kind, w + 1, f"model {model}")
    if signals.hostname:
        for kind, w in _search(NAME_HINTS, signals.hostname):
            add(kind, w, f"hostname {signals.hostname}")
    if signals.vendor:
        for kind, w in _search(VENDOR_HINTS, signals.vendor):
            add(kind, w, f"vendor {signals.vendor}")
            break
    if signals.randomized_mac and not signals.is_gateway:
        add("phone", 1, "private (randomized) MAC address")
    if not scores:
        return "unknown", []
    best = max(scores, key=lambda k: scores[k])
    return best, evidence[best]
