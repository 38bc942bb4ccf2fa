"""``iw dev IF scan dump``: the neighbours the card already heard.

``scan dump`` only reads the kernel's cache, so it never takes the radio off
channel (``iw scan`` would, and would drop a video call for a second). Width
comes from the HT/VHT/HE operation elements, security from RSN/WPA and the
Privacy capability bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homecare.models.wifi import WifiNetwork, WifiStandard
from homecare.probes.wifi.radio import (
    band_from_frequency,
    channel_from_frequency,
    first_int,
    first_number,
    normalise_cipher,
    normalise_mac,
    plausible_dbm,
)


@dataclass
class _Bss:
    bssid: str
    associated: bool = False
    ssid: str | None = None
    freq: float | None = None
    signal: int | None = None
    ds_channel: int | None = None
    privacy: bool = False
    rsn_auth: list[str] = field(default_factory=list)
    has_rsn: bool = False
    has_wpa: bool = False
    ciphers: list[str] = field(default_factory=list)
    ht: bool = False
    ht_40: bool = False
    vht: bool = False
    vht_width: int | None = None
    vht_seg1: int | None = None
    vht_seg2: int | None = None
    he: bool = False
    eht: bool = False
    eht_width: int | None = None
    section: str = ""

    def width(self) -> int:
        width = 40 if self.ht_40 else 20
        if self.vht_width == 1:
            width = 80
            if self.vht_seg2 and self.vht_seg1 and abs(self.vht_seg2 - self.vht_seg1) == 8:
                width = 160
        elif self.vht_width in (2, 3):
            width = 160
        if self.eht_width is not None:
            width = max(width, self.eht_width)
        return width

    def standard(self) -> WifiStandard:
        band = band_from_frequency(self.freq)
        if self.eht:
            return "wifi7"
        if self.he:
            return "wifi6e" if band == "6GHz" else "wifi6"
        if self.vht:
            return "wifi5"
        if self.ht:
            return "wifi4"
        return "802.11a/b/g"

    def security(self) -> str:
        auth = " ".join(self.rsn_auth).lower()
        if self.has_rsn:
            if "owe" in auth:
                return "owe"
            sae = "sae" in auth
            psk = "psk" in auth
            base = "wpa2/wpa3" if sae and psk else "wpa3" if sae else "wpa2"
            if self.has_wpa and base == "wpa2":
                base = "wpa/wpa2"
            return base + ("-enterprise" if "802.1x" in auth and not psk else "")
        if self.has_wpa:
            return "wpa" + ("-enterprise" if "802.1x" in auth and "psk" not in auth else "")
        return "wep" if self.privacy else "open"

    def cipher(self) -> str | None:
        best = normalise_cipher(" ".join(self.ciphers))
        if best is None and self.privacy and not (self.has_rsn or self.has_wpa):
            return "wep"
        return best

    def to_model(self) -> WifiNetwork:
        band = band_from_frequency(self.freq)
        channel = channel_from_frequency(self.freq) or self.ds_channel
        return WifiNetwork(
            ssid=self.ssid,
            bssid=self.bssid,
            band=band,
            channel=channel,
            channel_width_mhz=self.width(),
            frequency_mhz=round(self.freq) if self.freq is not None else None,
            signal_dbm=self.signal,
            security=self.security(),
            cipher=self.cipher(),
            standard=self.standard(),
            in_use=self.associated,
        )


_EHT_WIDTHS = {0: 20, 1: 40, 2: 80, 3: 160, 4: 320}


def _apply(bss: _Bss, raw: str) -> None:
    """Fold one line of a BSS block into *bss*.

    iw indents a top-level element by one tab and its details by more, so
    the depth says which element (RSN, HT operation, ...) a detail belongs to.
    """
    depth = len(raw) - len(raw.lstrip("\t"))
    line = raw.strip()
    key, _, value = line.lstrip("* ").partition(":")
    key = key.strip().lower()
    value = value.strip()
    if depth <= 1:
        bss.section = key
        if key == "rsn":
            bss.has_rsn = True
        elif key == "wpa":
            bss.has_wpa = True
        # The first detail of RSN/WPA shares the header line: "RSN:\t * Version: 1".
        if "*" in value:
            key, _, value = value.lstrip("* ").partition(":")
            key = key.strip().lower()
            value = value.strip()
    section = bss.section
    if key == "freq":
        bss.freq = first_number(value)
    elif key == "signal" and section == "signal":
        bss.signal = plausible_dbm(first_number(value))
    elif key == "ssid" and section == "ssid":
        bss.ssid = value or None
    elif key == "ds parameter set":
        bss.ds_channel = first_int(value)
    elif key == "capability" and section == "capability":
        bss.privacy = "Privacy" in value
    elif section in ("ht capabilities", "ht operation"):
        bss.ht = True
        if key == "secondary channel offset":
            bss.ht_40 = value in ("above", "below")
        elif key == "sta channel width" and "any" not in value:
            bss.ht_40 = False
    elif section in ("vht capabilities", "vht operation"):
        bss.vht = True
        if section == "vht operation" and key == "channel width":
            bss.vht_width = first_int(value)
        elif section == "vht operation" and key == "center freq segment 1":
            bss.vht_seg1 = first_int(value)
        elif section == "vht operation" and key == "center freq segment 2":
            bss.vht_seg2 = first_int(value)
    elif section.startswith(("he capabilities", "he operation")):
        bss.he = True
        if key == "channel width" and "mhz" in value.lower():
            number = first_int(value)
            if number in (20, 40, 80, 160):
                bss.eht_width = number
    elif section.startswith(("eht capabilities", "eht operation")):
        bss.eht = True
        if key == "channel width":
            number = first_int(value)
            if "mhz" in value.lower() and number in (20, 40, 80, 160, 320):
                bss.eht_width = number
            elif number is not None:
                bss.eht_width = _EHT_WIDTHS.get(number)
    elif section in ("rsn", "wpa"):
        if key == "authentication suites":
            bss.rsn_auth.append(value)
        elif key == "pairwise ciphers":
            bss.ciphers.append(value)


def parse_iw_scan(text: str) -> list[WifiNetwork]:
    """One ``WifiNetwork`` per 'BSS ...' block; the associated one has ``in_use``."""
    networks: list[WifiNetwork] = []
    current: _Bss | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if raw.startswith("BSS ") and len(raw) > 4:
            if current is not None:
                networks.append(current.to_model())
            mac = normalise_mac(raw[4:].split("(", 1)[0].strip())
            current = _Bss(bssid=mac, associated="associated" in raw) if mac else None
            continue
        if current is not None and line:
            _apply(current, raw)
    if current is not None:
        networks.append(current.to_model())
    return networks
