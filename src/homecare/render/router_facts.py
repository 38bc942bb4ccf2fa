"""What the router said, as a few facts under the headline (every renderer)."""

from __future__ import annotations

from typing import Protocol

from homecare.i18n import _
from homecare.models import Report
from homecare.models.router import RouterData

_SOURCES = {
    "igd": "UPnP",
    "tr064": "TR-064",
    "ubus": "ubus",
    "local": "",
}


class _Options(Protocol):
    @property
    def skill(self) -> str: ...

    @property
    def verbosity(self) -> str: ...


def _duration(seconds: int) -> str:
    if seconds < 3600:
        return _("{n} min").format(n=seconds // 60)
    if seconds < 2 * 86400:
        return _("{n} h").format(n=seconds // 3600)
    return _("{n} days").format(n=seconds // 86400)


def router_facts(report: Report, options: _Options) -> list[tuple[str, str]]:
    data = report.data_of(RouterData)
    if not isinstance(data, RouterData):
        return []
    facts: list[tuple[str, str]] = []
    name = " ".join(x for x in (data.vendor, data.model) if x) or _("router")
    via = _SOURCES[data.source] or _("this router itself")
    value = _("{name}, read via {via}").format(name=name, via=via)
    if data.uptime_s is not None:
        value += ", " + _("up {duration}").format(duration=_duration(data.uptime_s))
    facts.append((_("Router"), value))
    line = data.line
    if line is not None and line.sync_down_kbit and line.sync_up_kbit:
        text = _("{down:.0f}/{up:.0f} Mbit/s sync").format(
            down=line.sync_down_kbit / 1000, up=line.sync_up_kbit / 1000
        )
        margins = [m for m in (line.noise_margin_down_db, line.noise_margin_up_db) if m is not None]
        if margins:
            text += ", " + _("noise margin {db:.1f} dB").format(db=min(margins))
        facts.append((_("Line"), text))
    counters = data.counters
    if counters is not None and counters.down_mbit is not None and counters.up_mbit is not None:
        facts.append(
            (
                _("Line in use now"),
                _("{down:.1f} down, {up:.1f} up (Mbit/s)").format(
                    down=counters.down_mbit, up=counters.up_mbit
                ),
            )
        )
    detailed = options.verbosity == "detailed" or options.skill in ("expert", "technician")
    if detailed and data.clients:
        facts.append((_("Router's clients"), str(len(data.clients))))
    return facts
