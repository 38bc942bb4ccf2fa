"""Wi-Fi findings: what a technician would say after looking at the link.

Every threshold comes from the provider profile (``[thresholds]`` ``wifi_*``). Evidence never carries an SSID
(SSIDs must not leave the home); a BSSID only under the key ``bssid`` and a
client MAC only under ``mac``, which the anonymizer hashes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from homecare.diagnose.base import RuleContext
from homecare.i18n import _
from homecare.models import Finding
from homecare.models.common import Segment, Severity
from homecare.models.wifi import WifiData, WifiLink, WifiStandard
from homecare.profiles.provider import Thresholds

_DEFAULTS = Thresholds()

# Best single-stream PHY rate (Mbit/s, short GI) per standard and width.
SINGLE_STREAM_MAX: dict[WifiStandard, dict[int, float]] = {
    "802.11a/b/g": {20: 54.0},
    "wifi4": {20: 72.2, 40: 150.0},
    "wifi5": {20: 86.7, 40: 200.0, 80: 433.3, 160: 866.7},
    "wifi6": {20: 143.4, 40: 286.8, 80: 600.5, 160: 1201.0},
    "wifi6e": {20: 143.4, 40: 286.8, 80: 600.5, 160: 1201.0},
    "wifi7": {20: 172.1, 40: 344.1, 80: 720.6, 160: 1441.2, 320: 2882.4},
}

LEGACY_SECURITY = {"open": Severity.PROBLEM, "wep": Severity.PROBLEM, "wpa": Severity.WARNING}


def _connected_link(data: WifiData | None) -> WifiLink | None:
    if data is None or data.link is None or not data.link.connected:
        return None
    return data.link


def _finding(code: str, severity: Severity, summary: str, evidence: dict[str, Any]) -> Finding:
    return Finding(
        code=code,
        severity=severity,
        segment=Segment.WIFI,
        summary=summary,
        evidence={k: v for k, v in evidence.items() if v is not None},
    )


def retry_ratio(link: WifiLink, thresholds: Thresholds = _DEFAULTS) -> float | None:
    """Retries per transmitted packet, when there are enough packets to judge."""
    if (
        link.tx_retries is None
        or not link.tx_packets
        or link.tx_packets < thresholds.wifi_retries_min_packets
    ):
        return None
    return link.tx_retries / link.tx_packets


def expected_rate(link: WifiLink) -> float | None:
    """One spatial stream's best rate for the link's standard and width."""
    if link.standard is None:
        return None
    table = SINGLE_STREAM_MAX[link.standard]
    width = link.channel_width_mhz if link.channel_width_mhz in table else min(table)
    return table[width]


def link_rate(link: WifiLink) -> float | None:
    rates = [r for r in (link.tx_rate_mbps, link.rx_rate_mbps) if r is not None and r > 0]
    return max(rates) if rates else None


def is_low_rate(link: WifiLink, thresholds: Thresholds = _DEFAULTS) -> bool:
    rate, expected = link_rate(link), expected_rate(link)
    return (
        rate is not None
        and expected is not None
        and rate < thresholds.wifi_low_rate_fraction * expected
    )


def wifi_is_weak_link(data: WifiData, thresholds: Thresholds) -> bool:
    """True when the Wi-Fi hop itself is poor enough to explain a slow or lossy gateway.

    Weak signal, heavy retransmission or a PHY rate far below what the
    standard allows each mean frames are struggling over the air.
    """
    link = _connected_link(data)
    if link is None:
        return False
    if link.signal_dbm is not None and link.signal_dbm < thresholds.wifi_signal_fair_dbm:
        return True
    ratio = retry_ratio(link, thresholds)
    if ratio is not None and ratio >= thresholds.wifi_retries_warn_ratio:
        return True
    return is_low_rate(link, thresholds)


class SignalRule:
    """Weak (below 'fair') or merely fair (below 'good') signal on our own link."""

    name = "wifi.signal"
    codes: tuple[str, ...] = ("wifi.signal.weak", "wifi.signal.fair")

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        link = _connected_link(ctx.data(WifiData))
        if link is None or link.signal_dbm is None:
            return []
        t = ctx.provider.thresholds
        evidence = {"signal_dbm": link.signal_dbm, "band": link.band, "channel": link.channel}
        if link.signal_dbm < t.wifi_signal_fair_dbm:
            return [
                _finding(
                    "wifi.signal.weak",
                    Severity.PROBLEM,
                    _("The Wi-Fi signal is weak ({signal} dBm).").format(signal=link.signal_dbm),
                    {**evidence, "threshold_dbm": t.wifi_signal_fair_dbm},
                )
            ]
        if link.signal_dbm < t.wifi_signal_good_dbm:
            return [
                _finding(
                    "wifi.signal.fair",
                    Severity.INFO,
                    _("The Wi-Fi signal is only fair ({signal} dBm).").format(
                        signal=link.signal_dbm
                    ),
                    {**evidence, "threshold_dbm": t.wifi_signal_good_dbm},
                )
            ]
        return []


class ChannelRule:
    """Our channel is crowded while a clearly quieter one exists; 2.4 GHz off 1/6/11 overlap."""

    name = "wifi.channel"
    codes: tuple[str, ...] = ("wifi.channel.congested", "wifi.channel.overlap")

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = ctx.data(WifiData)
        link = _connected_link(data)
        if data is None or link is None or link.channel is None or link.band is None:
            return []
        advice = next((c for c in data.channels if c.band == link.band), None)
        if advice is None:
            return []
        here = advice.occupancy.get(link.channel, 0)
        best = advice.recommended
        best_count = advice.occupancy.get(best, 0) if best is not None else None
        findings: list[Finding] = []
        if (
            here >= ctx.provider.thresholds.wifi_congested_networks
            and best is not None
            and best != link.channel
            and best_count is not None
            and here - best_count >= ctx.provider.thresholds.wifi_congestion_gain
        ):
            findings.append(
                _finding(
                    "wifi.channel.congested",
                    Severity.WARNING,
                    _(
                        "{count} other networks share Wi-Fi channel {channel}; channel {best} is quieter."
                    ).format(count=here, channel=link.channel, best=best),
                    {
                        "band": link.band,
                        "channel": link.channel,
                        "overlapping": here,
                        "recommended": best,
                        "recommended_overlapping": best_count,
                    },
                )
            )
        if link.band == "2.4GHz" and link.channel not in (1, 6, 11) and here > 0:
            findings.append(
                _finding(
                    "wifi.channel.overlap",
                    Severity.WARNING,
                    _(
                        "Wi-Fi channel {channel} overlaps its neighbours; on 2.4 GHz only 1, 6 and 11 do not."
                    ).format(channel=link.channel),
                    {
                        "band": link.band,
                        "channel": link.channel,
                        "overlapping": here,
                        "recommended": best,
                    },
                )
            )
        return findings


class BandRule:
    """On 2.4 GHz while the same network is usable on 5/6 GHz."""

    name = "wifi.band"
    codes: tuple[str, ...] = ("wifi.band.prefer_5ghz",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = ctx.data(WifiData)
        link = _connected_link(data)
        if data is None or link is None or link.band != "2.4GHz" or not link.ssid:
            return []
        floor = ctx.provider.thresholds.wifi_signal_fair_dbm
        better = [
            n
            for n in data.networks
            if n.ssid == link.ssid
            and n.band in ("5GHz", "6GHz")
            and n.signal_dbm is not None
            and n.signal_dbm >= floor
        ]
        if not better:
            return []
        best = max(better, key=lambda n: n.signal_dbm or -200)
        return [
            _finding(
                "wifi.band.prefer_5ghz",
                Severity.INFO,
                _(
                    "This device uses 2.4 GHz although the same network is available on {band}."
                ).format(band=best.band),
                {
                    "signal_dbm": link.signal_dbm,
                    "alt_band": best.band,
                    "alt_channel": best.channel,
                    "alt_signal_dbm": best.signal_dbm,
                },
            )
        ]


class RateRule:
    """The negotiated PHY rate is far below what the standard and width allow."""

    name = "wifi.rate"
    codes: tuple[str, ...] = ("wifi.rate.low",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        link = _connected_link(ctx.data(WifiData))
        if link is None or not is_low_rate(link, ctx.provider.thresholds):
            return []
        rate, expected = link_rate(link), expected_rate(link)
        return [
            _finding(
                "wifi.rate.low",
                Severity.WARNING,
                _("The Wi-Fi link rate is low ({rate:.0f} Mbit/s).").format(rate=rate),
                {
                    "rate_mbps": rate,
                    "expected_mbps": expected,
                    "standard": link.standard,
                    "width_mhz": link.channel_width_mhz,
                },
            )
        ]


class RetriesRule:
    """Many transmissions had to be repeated: interference or a marginal link."""

    name = "wifi.retries"
    codes: tuple[str, ...] = ("wifi.retries.high",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        th = ctx.provider.thresholds
        link = _connected_link(ctx.data(WifiData))
        ratio = retry_ratio(link, th) if link is not None else None
        if link is None or ratio is None or ratio < th.wifi_retries_warn_ratio:
            return []
        severity = Severity.PROBLEM if ratio >= th.wifi_retries_problem_ratio else Severity.WARNING
        return [
            _finding(
                "wifi.retries.high",
                severity,
                _("{percent:.0f}% of Wi-Fi transmissions had to be retried.").format(
                    percent=ratio * 100
                ),
                {
                    "tx_retries": link.tx_retries,
                    "tx_failed": link.tx_failed,
                    "tx_packets": link.tx_packets,
                    "ratio": round(ratio, 3),
                },
            )
        ]


class SecurityRule:
    """Open, WEP, WPA(1) or TKIP-only protection on our own network."""

    name = "wifi.security"
    codes: tuple[str, ...] = ("wifi.security.legacy",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        link = _connected_link(ctx.data(WifiData))
        if link is None or link.security is None:
            return []
        base = link.security.removesuffix("-enterprise")
        severity = LEGACY_SECURITY.get(base)
        if base == "wpa/wpa2" or link.cipher == "tkip":
            severity = severity or Severity.WARNING
        if severity is None:
            return []
        return [
            _finding(
                "wifi.security.legacy",
                severity,
                _("The Wi-Fi network uses outdated protection ({security}).").format(
                    security=link.security.upper() + (" / TKIP" if link.cipher == "tkip" else "")
                ),
                {"security": link.security, "cipher": link.cipher, "bssid": link.bssid},
            )
        ]


class ClientSignalRule:
    """Router mode: an associated client hears the access point poorly."""

    name = "wifi.client"
    codes: tuple[str, ...] = ("wifi.client.weak",)

    def evaluate(self, ctx: RuleContext) -> Sequence[Finding]:
        data = ctx.data(WifiData)
        if data is None:
            return []
        floor = ctx.provider.thresholds.wifi_signal_fair_dbm
        return [
            _finding(
                "wifi.client.weak",
                Severity.WARNING,
                _("A Wi-Fi client has a weak signal ({signal} dBm).").format(signal=sta.signal_dbm),
                {
                    "mac": sta.mac,
                    "signal_dbm": sta.signal_dbm,
                    "threshold_dbm": floor,
                    "band": sta.band,
                    "tx_rate_mbps": sta.tx_rate_mbps,
                    "interface": sta.interface,
                },
            )
            for sta in data.stations
            if sta.signal_dbm is not None and sta.signal_dbm < floor
        ]


WIFI_RULES = (
    SignalRule(),
    ChannelRule(),
    BandRule(),
    RateRule(),
    RetriesRule(),
    SecurityRule(),
    ClientSignalRule(),
)
