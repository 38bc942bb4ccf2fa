"""``netsh wlan show interfaces`` and ``netsh wlan show networks mode=bssid``.

netsh translates its labels into the Windows display language and ignores
LC_ALL, so labels are matched through a table of English, German and French
spellings (accents folded, so codepage damage to 'Übertragungsrate' or 'État'
still matches by prefix). Values are split at the first ':' only, because
BSSIDs contain colons.
"""

from __future__ import annotations

from dataclasses import dataclass

from homecare.models.wifi import Band, WifiLink, WifiNetwork
from homecare.probes.wifi.radio import (
    band_from_channel,
    band_from_label,
    first_int,
    first_number,
    fold_label,
    frequency_from_channel,
    normalise_cipher,
    normalise_mac,
    normalise_security,
    percent_to_dbm,
    plausible_dbm,
    standard_from_phy,
)

# Canonical key -> label prefixes (folded) in English, German, French.
_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("name", "nom"),
    "state": ("state", "status", "etat"),
    "ssid": ("ssid",),
    "bssid": ("bssid", "ap bssid", "ap-bssid"),
    "radio": ("radio type", "funktyp", "type de radio"),
    "auth": ("authentication", "authentifizierung", "authentification"),
    "cipher": ("cipher", "encryption", "verschlusselung", "chiffrement"),
    "band": ("band", "bande"),
    "channel": ("channel", "kanal", "canal"),
    "rx": ("receive rate", "empfangsrate", "reception", "taux de reception", "debit de reception"),
    "tx": (
        "transmit rate",
        "ubertragungsrate",
        "senderate",
        "sendrate",
        "transmission",
        "taux de transmission",
        "debit de transmission",
    ),
    "signal": ("signal",),
    "rssi": ("rssi",),
}
_CONNECTED = ("connected", "verbunden", "connecte")


def _key(label: str) -> str | None:
    folded = fold_label(label)
    # Mojibake (e.g. '\x9abertragungsrate') loses the first letter: match the rest.
    for key, prefixes in _LABELS.items():
        for prefix in prefixes:
            if folded == prefix or folded.startswith((prefix + " (", prefix + "(")):
                return key
            if key in ("tx", "cipher") and len(prefix) > 8 and folded[1:].startswith(prefix[1:]):
                return key
    return None


def _split(line: str) -> tuple[str, str] | None:
    if ":" not in line:
        return None
    label, _, value = line.partition(":")
    return label.strip(), value.strip()


@dataclass
class _Iface:
    values: dict[str, str]

    def band(self) -> Band | None:
        channel = first_int(self.values.get("channel"))
        return band_from_label(self.values.get("band")) or band_from_channel(channel)

    def to_link(self) -> WifiLink:
        v = self.values
        state = fold_label(v.get("state", ""))
        # Without a State line (an excerpt, or a label we do not know) an
        # associated BSSID is the evidence that the adapter is connected.
        connected = state.startswith(_CONNECTED) if state else bool(v.get("bssid"))
        name = v.get("name") or None
        if not connected:
            return WifiLink(interface=name, connected=False)
        band = self.band()
        channel = first_int(v.get("channel"))
        rssi = plausible_dbm(first_number(v.get("rssi")))
        return WifiLink(
            interface=name,
            connected=True,
            ssid=v.get("ssid") or None,
            bssid=normalise_mac(v.get("bssid")),
            band=band,
            channel=channel,
            frequency_mhz=frequency_from_channel(channel, band),
            signal_dbm=rssi if rssi is not None else percent_to_dbm(first_number(v.get("signal"))),
            rx_rate_mbps=first_number(v.get("rx")),
            tx_rate_mbps=first_number(v.get("tx")),
            standard=standard_from_phy(v.get("radio"), band),
            security=normalise_security(v.get("auth")),
            cipher=normalise_cipher(v.get("cipher")),
        )


def parse_netsh_interfaces(text: str) -> list[WifiLink]:
    """One ``WifiLink`` per interface block (a block starts at its Name line)."""
    blocks: list[_Iface] = []
    for raw in text.splitlines():
        pair = _split(raw)
        if pair is None:
            continue
        key = _key(pair[0])
        if key is None:
            continue
        if key == "name":
            blocks.append(_Iface({"name": pair[1]}))
        elif blocks:
            blocks[-1].values.setdefault(key, pair[1])
    return [b.to_link() for b in blocks]


def parse_netsh_networks(text: str) -> list[WifiNetwork]:
    """One ``WifiNetwork`` per BSSID; SSID-level auth/cipher apply to each."""
    networks: list[WifiNetwork] = []
    ssid: str | None = None
    ssid_values: dict[str, str] = {}
    bss: dict[str, str] | None = None

    def flush() -> None:
        if bss is None:
            return
        channel = first_int(bss.get("channel"))
        band = band_from_label(bss.get("band")) or band_from_channel(channel)
        networks.append(
            WifiNetwork(
                ssid=ssid,
                bssid=normalise_mac(bss.get("bssid")),
                band=band,
                channel=channel,
                frequency_mhz=frequency_from_channel(channel, band),
                signal_dbm=percent_to_dbm(first_number(bss.get("signal"))),
                security=normalise_security(ssid_values.get("auth")),
                cipher=normalise_cipher(ssid_values.get("cipher")),
                standard=standard_from_phy(bss.get("radio"), band),
            )
        )

    for raw in text.splitlines():
        pair = _split(raw)
        if pair is None:
            continue
        label, value = pair
        head = label.split()
        if head and head[0].upper() == "SSID" and (len(head) == 1 or head[1].isdigit()):
            flush()
            bss = None
            ssid = value or None
            ssid_values = {}
            continue
        if head and head[0].upper() == "BSSID" and len(head) == 2 and head[1].isdigit():
            flush()
            bss = {"bssid": value}
            continue
        key = _key(label)
        if key is None:
            continue
        if bss is not None and key in ("signal", "radio", "band", "channel"):
            bss.setdefault(key, value)
        elif key in ("auth", "cipher"):
            ssid_values.setdefault(key, value)
    flush()
    return networks
