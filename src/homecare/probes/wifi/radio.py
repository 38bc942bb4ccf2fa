"""Radio facts shared by every parser: bands, channels, standards, security.

Each tool names the same things differently (a frequency here, a channel
there, "802.11ax" or "HE-MCS" or "11ax"); these helpers turn them into the
model's vocabulary so the rules never need to know which tool spoke. All are
total functions: unknown input gives ``None``, never an exception.
"""

from __future__ import annotations

import re
import unicodedata

from homecare.models.wifi import Band, WifiLink, WifiNetwork, WifiStandard

_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
_MAC = re.compile(r"^[0-9a-fA-F]{1,2}(?:[:-][0-9a-fA-F]{1,2}){5}$")


def first_number(text: str | None) -> float | None:
    """The first decimal number in *text* ("866,7 MBit/s" -> 866.7)."""
    if not text:
        return None
    m = _NUMBER.search(text[:200])
    if not m:
        return None
    try:
        return float(m.group(0).replace(",", "."))
    except ValueError:
        return None


def first_int(text: str | None) -> int | None:
    """The first number in *text*, rounded to an int."""
    value = first_number(text)
    return None if value is None else round(value)


def normalise_mac(text: str | None) -> str | None:
    """'a4-2b-8c-1-2-3' -> 'a4:2b:8c:01:02:03'; None when it is not a MAC."""
    if not text:
        return None
    candidate = text.strip().replace("\\:", ":")
    if not _MAC.match(candidate):
        return None
    parts = re.split(r"[:-]", candidate)
    return ":".join(p.zfill(2).lower() for p in parts)


def fold_label(label: str) -> str:
    """A label lower-cased and stripped of accents, so 'État' matches 'etat'."""
    decomposed = unicodedata.normalize("NFKD", label.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def band_from_frequency(mhz: float | None) -> Band | None:
    if mhz is None:
        return None
    if 2400 <= mhz <= 2500:
        return "2.4GHz"
    if 5150 <= mhz < 5925:
        return "5GHz"
    if 5925 <= mhz <= 7125:
        return "6GHz"
    return None


def channel_from_frequency(mhz: float | None) -> int | None:
    """IEEE channel number for a centre frequency in MHz."""
    if mhz is None:
        return None
    f = round(mhz)
    if f == 2484:
        return 14
    if 2412 <= f <= 2472:
        return (f - 2407) // 5
    if f == 5935:
        return 2
    if 5955 <= f <= 7115:
        return (f - 5950) // 5
    if 5150 <= f < 5925:
        return (f - 5000) // 5
    return None


def frequency_from_channel(channel: int | None, band: Band | None) -> int | None:
    if channel is None or band is None:
        return None
    if band == "2.4GHz":
        if channel == 14:
            return 2484
        return 2407 + 5 * channel if 1 <= channel <= 13 else None
    if band == "5GHz":
        return 5000 + 5 * channel if 32 <= channel <= 177 else None
    return 5950 + 5 * channel if 1 <= channel <= 233 else None


def band_from_channel(channel: int | None) -> Band | None:
    """Guess the band from a channel number alone (1-14 is 2.4 GHz, 32+ is 5 GHz).

    6 GHz channels reuse low numbers, so callers that know better (a band
    label, a frequency) must say so instead of using this.
    """
    if channel is None:
        return None
    if 1 <= channel <= 14:
        return "2.4GHz"
    if 32 <= channel <= 177:
        return "5GHz"
    return None


def band_from_label(text: str | None) -> Band | None:
    """'2,4 GHz', '5 GHz', '2GHz', '6g' -> band."""
    if not text:
        return None
    t = text.lower().replace(",", ".").replace(" ", "")
    if t.startswith(("2.4", "2g", "2ghz")):
        return "2.4GHz"
    if t.startswith(("5g", "5ghz")):
        return "5GHz"
    if t.startswith(("6g", "6ghz")):
        return "6GHz"
    return None


_PHY_RANK: dict[str, WifiStandard] = {
    "be": "wifi7",
    "ax": "wifi6",
    "ac": "wifi5",
    "n": "wifi4",
    "a": "802.11a/b/g",
    "b": "802.11a/b/g",
    "g": "802.11a/b/g",
}


def standard_from_phy(text: str | None, band: Band | None) -> WifiStandard | None:
    """'802.11ax', '11ac', 'ax', '802.11b/g/n/ax' -> the (best) Wi-Fi generation.

    HE on 6 GHz is Wi-Fi 6E; the tool never says so itself.
    """
    if not text:
        return None
    t = text.lower()[:100]
    if "11" in t:
        t = t.split("11", 1)[1]
    codes = {c for c in re.split(r"[/,\s]+", t) if c}
    for code, standard in _PHY_RANK.items():
        if code in codes:
            if standard == "wifi6" and band == "6GHz":
                return "wifi6e"
            return standard
    return None


def standard_from_bitrate(text: str | None, band: Band | None) -> WifiStandard | None:
    """From iw's 'tx bitrate' tail: 'EHT-MCS' > 'HE-MCS' > 'VHT-MCS' > 'MCS'."""
    if not text:
        return None
    if "EHT-MCS" in text:
        return "wifi7"
    if "HE-MCS" in text:
        return "wifi6e" if band == "6GHz" else "wifi6"
    if "VHT-MCS" in text:
        return "wifi5"
    if re.search(r"\bMCS\b", text):
        return "wifi4"
    rate = first_number(text)
    if rate is not None and rate <= 54:
        return "802.11a/b/g"
    return None


def width_from_bitrate(text: str | None) -> int | None:
    """iw prints the width as '40MHz', '80MHz', '160MHz', '320MHz' or nothing (20)."""
    if not text:
        return None
    m = re.search(r"\b(40|80|160|320)MHz\b", text)
    if m:
        return int(m.group(1))
    return 20 if "MBit/s" in text else None


_CIPHERS = ("gcmp", "ccmp", "tkip", "wep")


def normalise_cipher(text: str | None) -> str | None:
    """The strongest pairwise cipher named in *text* ('TKIP CCMP' -> 'ccmp')."""
    if not text:
        return None
    t = text.lower()
    for name in _CIPHERS:
        if name in t:
            return name
    return None


_OPEN_WORDS = ("open", "none", "offen", "ouvrir", "ouvert", "aucun", "keine", "abierta", "--")


def normalise_security(text: str | None) -> str | None:
    """Map any tool's security wording to one canonical string.

    Results: open, owe, wep, wpa, wpa/wpa2, wpa2, wpa2/wpa3, wpa3, each of the
    WPA forms optionally with '-enterprise'. ``None`` when nothing is known.
    """
    if text is None:
        return None
    t = fold_label(text)[:200]
    if not t:
        return None
    t = t.replace("spairport_security_mode_", "")
    enterprise = any(w in t for w in ("enterprise", "entreprise", "802.1x", "eap", "unternehmen"))
    if "owe" in t:
        return "owe"
    versions: set[str] = set()
    if "wpa3_transition" in t or "transition" in t:
        versions |= {"2", "3"}
    if "mixed" in t:
        versions |= {"1", "2"}
    for m in re.finditer(r"wpa([123]?)", t):
        versions.add(m.group(1) or "1")
    if "sae" in t:
        versions.add("3")
    if "rsn" in t:
        versions.add("2")
    if versions:
        if "3" in versions:
            base = "wpa2/wpa3" if "2" in versions else "wpa3"
        elif "2" in versions:
            base = "wpa/wpa2" if "1" in versions else "wpa2"
        else:
            base = "wpa"
        return base + ("-enterprise" if enterprise else "")
    if "wep" in t or "shared" in t:
        return "wep"
    if t.strip() in _OPEN_WORDS or t.startswith(_OPEN_WORDS):
        return "open"
    return None


def percent_to_dbm(percent: float | None) -> int | None:
    """Windows/NetworkManager signal quality in % -> approximate dBm.

    The usual mapping (quality / 2) - 100: 100 % is -50 dBm, 0 % is -100 dBm.
    """
    if percent is None or not 0 <= percent <= 100:
        return None
    return round(percent / 2 - 100)


def plausible_dbm(value: float | None) -> int | None:
    """Keep only signal/noise values a radio can actually report."""
    if value is None or not -120 <= value <= 0:
        return None
    return round(value)


def link_from_network(
    net: WifiNetwork,
    interface: str | None,
    tx_rate_mbps: float | None,
    noise_dbm: int | None = None,
) -> WifiLink:
    """Our own association, described by the scan entry of the network in use
    (tools that list the current network among the neighbours)."""
    return WifiLink(
        interface=interface,
        connected=True,
        ssid=net.ssid,
        bssid=net.bssid,
        band=net.band,
        channel=net.channel,
        channel_width_mhz=net.channel_width_mhz,
        frequency_mhz=net.frequency_mhz,
        signal_dbm=net.signal_dbm,
        noise_dbm=noise_dbm,
        tx_rate_mbps=tx_rate_mbps,
        standard=net.standard,
        security=net.security,
        cipher=net.cipher,
    )
