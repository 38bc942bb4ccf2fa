"""The ``router`` probe: read what the router and the line already know.

Where it reads from, in order of how much each source knows:

* on the router itself (``--router``, or detected): its own leases, radios,
  WAN counters and conntrack (:mod:`.local`);
* a FRITZ!Box over TR-064 (:mod:`.tr064`, needs the box's password);
* OpenWrt over ubus (:mod:`.ubus`, needs a login);
* any router with UPnP IGD, no password at all (:mod:`.igd`).

The WAN byte counters are read repeatedly: two readings a second apart give
the current load, and readings across the speed test (which this probe does
not wait for before it starts) tell how much of the line other devices used
meanwhile, so a slow result on a shared line is not blamed on the provider.
Each password-protected source runs in its own thread with a time limit: a
box that stops answering costs that source, never the check.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Mapping

from homecare.i18n import _, ngettext
from homecare.models import HostData
from homecare.models.connection import SpeedData
from homecare.models.router import RouterData, SharedLine, WanCounters, WanSample
from homecare.probes.base import ProbeContext, ProbeSkipped
from homecare.probes.discovery.probe import lan_from_host
from homecare.probes.router.igd import IgdClient, counter_delta, find_igd, load_from
from homecare.probes.router.local import LocalRouter, looks_like_router
from homecare.probes.router.reading import Reading
from homecare.probes.router.settings import RouterSettings, settings_from
from homecare.probes.router.soap import RouterError

#: better sources first: their figures win when two sources report the same thing
PRIORITY = ("local", "tr064", "ubus", "igd")
SAMPLE_EVERY_S = 1.0
MAX_SAMPLES = 120


def bounded(read: Callable[[], Reading], timeout: float, source: str) -> Reading | None:
    """Run one source's read in a daemon thread; None if it did not finish in time."""
    box: list[Reading] = []
    worker = threading.Thread(target=lambda: box.append(read()), daemon=True, name=source)
    worker.start()
    worker.join(max(0.1, timeout))
    return box[0] if box else None


def merge(readings: list[Reading]) -> RouterData:
    """One payload: each field from the best source that had it."""
    ranked = sorted(readings, key=lambda r: PRIORITY.index(r.source))
    useful = [r for r in ranked if _has_data(r)]
    best = useful[0] if useful else ranked[0]

    def first(attr: str) -> object:
        return next((getattr(r, attr) for r in ranked if getattr(r, attr) is not None), None)

    line = None
    for r in reversed(ranked):  # lower sources first, better ones overwrite
        if r.line is None:
            continue
        line = (
            r.line
            if line is None
            else line.model_copy(
                update={
                    k: v for k, v in r.line.model_dump().items() if v is not None and v != "unknown"
                }
            )
        )
    return RouterData(
        source=best.source,
        sources=[r.source for r in useful],
        vendor=_text(first("vendor")),
        model=_text(first("model")),
        firmware=_text(first("firmware")),
        uptime_s=_number(first("uptime_s")),
        wan_status=_text(first("wan_status")),
        wan_uptime_s=_number(first("wan_uptime_s")),
        last_error=_text(first("last_error")),
        external_ip=_text(first("external_ip")),
        line=line,
        counters=next((r.counters for r in ranked if r.counters is not None), None),
        clients=next((r.clients for r in ranked if r.clients), []),
        radios=next((r.radios for r in ranked if r.radios), []),
        auth_refused=any(r.auth_refused for r in readings),
        errors=[e for r in readings for e in r.errors][:20],
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _has_data(r: Reading) -> bool:
    return any(
        x is not None for x in (r.line, r.counters, r.model, r.uptime_s, r.wan_status)
    ) or bool(r.clients)


def name_router_clients(data: RouterData, nicknames: Mapping[str, str]) -> RouterData:
    """The person's names for the router's clients (by MAC, then by address)."""
    if not nicknames:
        return data
    named = []
    for client in data.clients:
        nick = (nicknames.get(client.mac) if client.mac else None) or (
            nicknames.get(client.ip) if client.ip else None
        )
        named.append(client.model_copy(update={"nickname": nick}) if nick else client)
    return data.model_copy(update={"clients": named})


class RouterProbe:
    name = "router"
    area = "router"
    requires: tuple[str, ...] = ("host",)
    # long enough to watch the WAN through the whole speed test
    timeout_s = 42.0

    def run(self, ctx: ProbeContext) -> RouterData:
        settings = settings_from(ctx.settings)
        if settings.mode == "off":
            raise ProbeSkipped(_("Reading the router is turned off in the profile."))
        readings = self._read_sources(ctx, settings)
        if not readings or not any(_has_data(r) or r.auth_refused for r in readings):
            errors = "; ".join(e for r in readings for e in r.errors)
            raise ProbeSkipped(
                _("No router answered (UPnP, TR-064, ubus).") + (f" {errors}" if errors else "")
            )
        data = merge(readings)
        sampler = self._sampler(readings)
        if sampler is not None and data.counters is not None:
            read, bits = sampler
            data.counters = self._watch(ctx, read, bits, data.counters, data)
        return data

    # ------------------------------------------------------------------ sources

    def _read_sources(self, ctx: ProbeContext, s: RouterSettings) -> list[Reading]:
        if s.mode == "router" or (s.mode == "auto" and looks_like_router()):
            local = LocalRouter(
                s.lease_files or None, s.wan_interface, s.lan_network, s.source_timeout_s
            )
            return [local.read()]
        host_obs = ctx.results.get("host")
        host = host_obs.data if host_obs and isinstance(host_obs.data, HostData) else None
        lan = lan_from_host(host) if host else None
        address = s.address or (lan.gateway if lan else None)
        if address is None:
            raise ProbeSkipped(_("No router address: this computer has no default gateway."))
        readings: list[Reading] = []
        manufacturer = ""
        if s.kind in ("auto", "igd"):
            ctx.progress(_("Looking for the router's UPnP service"))
            wait = min(s.igd_wait_s, max(0.2, ctx.remaining() / 4))
            device = find_igd(lan.ip if lan else None, address, wait, time.monotonic() + wait + 3)
            if device is not None:
                manufacturer = (device.manufacturer or "").lower()
                igd = bounded(
                    IgdClient(device, s.source_timeout_s).read, 4 * s.source_timeout_s, "igd"
                )
                if igd is not None:
                    readings.append(igd)
        if s.kind == "fritzbox" or (s.kind == "auto" and "avm" in manufacturer):
            readings.append(self._fritz(ctx, s, address))
        if s.kind == "openwrt" or s.ubus_url:
            readings.append(self._ubus(ctx, s, address))
        return readings

    def _fritz(self, ctx: ProbeContext, s: RouterSettings, address: str) -> Reading:
        from homecare.probes.router.tr064 import FritzClient

        password = s.password()
        if not password:
            return Reading(
                source="tr064",
                errors=[_("TR-064: no password for the FRITZ!Box (see 'homecare router login').")],
            )
        ctx.progress(_("Reading the FRITZ!Box (TR-064)"))
        client = FritzClient(
            address,
            s.user or "dslf-config",
            password,
            port=s.tr064_port,
            timeout=s.source_timeout_s,
            cache_dir=s.cache_dir,
            verify_cache=s.verify_cache,
        )
        limit = min(ctx.remaining() / 2, 6 * s.source_timeout_s)
        reading = bounded(client.read, limit, "tr064")
        if reading is None:
            return Reading(
                source="tr064",
                errors=[_("TR-064: no answer within {seconds:.0f} s").format(seconds=limit)],
            )
        return reading

    def _ubus(self, ctx: ProbeContext, s: RouterSettings, address: str) -> Reading:
        from homecare.probes.router.ubus import UbusClient

        ctx.progress(_("Reading the OpenWrt router (ubus)"))
        url = s.ubus_url or f"http://{address}/ubus"
        client = UbusClient(url, s.user or "root", s.password() or "", s.source_timeout_s)
        limit = min(ctx.remaining() / 2, 6 * s.source_timeout_s)
        reading = bounded(client.read, limit, "ubus")
        if reading is None:
            return Reading(
                source="ubus",
                errors=[_("ubus: no answer within {seconds:.0f} s").format(seconds=limit)],
            )
        return reading

    # ------------------------------------------------------------------ WAN load

    @staticmethod
    def _sampler(readings: list[Reading]) -> tuple[Callable[[], tuple[int, int]], int] | None:
        ranked = sorted(readings, key=lambda r: PRIORITY.index(r.source))
        for r in ranked:
            if r.sample is not None and r.counters is not None:
                return r.sample, r.counter_bits
        return None

    def _watch(
        self,
        ctx: ProbeContext,
        read: Callable[[], tuple[int, int]],
        bits: int,
        counters: WanCounters,
        data: RouterData,
    ) -> WanCounters:
        """Sample the counters: the current load, then through the speed test."""
        start = time.monotonic()
        times: list[float] = []
        samples: list[WanSample] = []

        def take() -> bool:
            try:
                rx, tx = read()
            except RouterError:
                return False
            now = time.monotonic()
            times.append(now)
            samples.append(WanSample(t_s=round(now - start, 3), bytes_received=rx, bytes_sent=tx))
            return True

        if not take():
            return counters
        time.sleep(min(SAMPLE_EVERY_S, max(0.0, ctx.remaining() - 0.5)))
        take()
        down, up, span = load_from(samples, bits)
        speed_obs = None
        last_ok, failed = True, 0
        if "speed" in ctx.peers:
            ctx.progress(_("Watching the line during the speed test"))
            while ctx.remaining() > SAMPLE_EVERY_S + 0.5 and len(samples) < MAX_SAMPLES:
                speed_obs = ctx.wait_for("speed", SAMPLE_EVERY_S)
                last_ok = take()
                failed += not last_ok
                if speed_obs is not None:
                    break
        if failed:
            data.errors.append(
                ngettext(
                    "The router stopped answering once while the line was watched.",
                    "The router stopped answering {count} times while the line was watched.",
                    failed,
                ).format(count=failed)
            )
        # without a reading at the end the window cannot be closed: say nothing about it
        if speed_obs is not None and isinstance(speed_obs.data, SpeedData) and last_ok:
            data.during_speed_test = shared_line(
                samples, bits, times[-1] - start, speed_obs.duration_s, speed_obs.data
            )
        return counters.model_copy(
            update={"samples": samples, "down_mbit": down, "up_mbit": up, "interval_s": span}
        )


def _cumulative(samples: list[WanSample], bits: int) -> list[tuple[float, int, int]]:
    """(t, bytes received so far, bytes sent so far), wrap-aware."""
    out = [(samples[0].t_s, 0, 0)]
    for a, b in itertools.pairwise(samples):
        _t, rx, tx = out[-1]
        out.append(
            (
                b.t_s,
                rx + counter_delta(a.bytes_received, b.bytes_received, bits),
                tx + counter_delta(a.bytes_sent, b.bytes_sent, bits),
            )
        )
    return out


def _at(series: list[tuple[float, int, int]], t: float) -> tuple[float, float]:
    """Bytes so far at time *t*, interpolated between samples."""
    if t <= series[0][0]:
        return float(series[0][1]), float(series[0][2])
    for (t0, rx0, tx0), (t1, rx1, tx1) in itertools.pairwise(series):
        if t0 <= t <= t1:
            f = (t - t0) / (t1 - t0) if t1 > t0 else 1.0
            return rx0 + f * (rx1 - rx0), tx0 + f * (tx1 - tx0)
    return float(series[-1][1]), float(series[-1][2])


def shared_line(
    samples: list[WanSample], bits: int, end_s: float, duration_s: float, speed: SpeedData
) -> SharedLine | None:
    """The WAN during the speed test's window, and how much of it was not the test."""
    if len(samples) < 2 or duration_s <= 0.5:
        return None
    series = _cumulative(samples, bits)
    begin = max(series[0][0], end_s - duration_s)
    window = end_s - begin
    if window <= 0.5:
        return None
    rx0, tx0 = _at(series, begin)
    rx1, tx1 = _at(series, end_s)
    test_down = speed.download.bytes if speed.download else 0
    test_up = speed.upload.bytes if speed.upload else 0
    # the counters include the speed test itself: what is left is everyone else
    other_down = max(0.0, (rx1 - rx0) - test_down)
    other_up = max(0.0, (tx1 - tx0) - test_up)
    mbit = 8 / window / 1e6
    return SharedLine(
        window_s=round(window, 2),
        wan_down_mbit=round((rx1 - rx0) * mbit, 2),
        wan_up_mbit=round((tx1 - tx0) * mbit, 2),
        test_down_mbit=speed.download.mbit if speed.download else None,
        other_down_mbit=round(other_down * mbit, 2),
        other_up_mbit=round(other_up * mbit, 2),
    )
