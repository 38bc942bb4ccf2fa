"""The M-Lab ndt7 engine: works without any server of the provider's.

ndt7 (``net.measurementlab.ndt.v7``, spec in m-lab/ndt-server) is one
WebSocket per direction. The server is found through M-Lab's Locate API v2
(``locate_url``, configurable so tests point it at the lab). The download
rate comes from bytes received; the upload rate from the server's
``TCPInfo.BytesReceived`` over the server's own clock (what really arrived,
never what waits in our send queue); MinRTT and the retransmitted fraction
come from the sender's ``TCP_INFO`` (the server's on the download).

M-Lab publishes every result, with the client's IP address, as open data:
:data:`CONSENT_NOTICE` says so before the test starts.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.exceptions import InvalidHandshake, InvalidStatus, WebSocketException
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from homecare.i18n import _
from homecare.models.connection import Direction, SpeedDirection
from homecare.probes.speed.engine import EngineError, MeasureBudget, Meter, mbit_of, spread_of
from homecare.probes.speed.http_streams import Endpoint, open_tcp, wrap_tls
from homecare.probes.speed.names import look_up
from homecare.probes.speed.ndt7_download import DownloadReader, FrameError, handshake
from homecare.probes.speed.tcp_info import abort, tcp_info

SUBPROTOCOL = Subprotocol("net.measurementlab.ndt.v7")
DEFAULT_LOCATE_URL = "https://locate.measurementlab.net/v2/nearest/ndt/ndt7"
MAX_MESSAGE = 1 << 24
MAX_UPLOAD_MESSAGE = 1 << 20
#: the download ends as failed when the server sends nothing for this long
IDLE_TIMEOUT_S = 5.0
_UPLOAD_BLOCK = bytes(MAX_UPLOAD_MESSAGE)  # the client masks every frame: zeros go out random
CONSENT_NOTICE = _(
    "The ndt7 speed test is run by M-Lab (Measurement Lab), which publishes every "
    "result, including your IP address, as open data."
)


def _locate_error(status: int, url: str) -> EngineError:
    if status == 429:
        return EngineError(_("M-Lab's server locator is busy (HTTP 429); try again later."))
    return EngineError(
        _("M-Lab's server locator {url} answered with HTTP {status}.").format(
            url=url, status=status
        )
    )


@dataclass
class _ServerSample:
    """A server measurement: its clock (µs since the test began) and counters."""

    elapsed_us: int
    bytes_received: int
    min_rtt_us: int | None
    bytes_sent: int | None
    bytes_retrans: int | None


@dataclass
class _Run:
    sock: socket.socket
    ws: ClientConnection | None = None  # the upload's websockets client
    reader: DownloadReader | None = None  # the download's frames, counted in place
    stop: threading.Event = field(default_factory=threading.Event)
    app_bytes: int = 0  # binary payload received through websockets

    @property
    def payload(self) -> int:
        """Binary payload bytes received so far (both receive paths)."""
        return self.reader.payload if self.reader is not None else self.app_bytes

    server: list[_ServerSample] = field(default_factory=list)
    error: str | None = None

    def note(self, text: str) -> None:
        try:
            doc = json.loads(text)
        except ValueError:
            return
        info = doc.get("TCPInfo") if isinstance(doc, dict) else None
        if not isinstance(info, dict):
            return
        with contextlib.suppress(TypeError, ValueError):
            self.server.append(
                _ServerSample(
                    elapsed_us=int(info.get("ElapsedTime") or doc["AppInfo"]["ElapsedTime"]),
                    bytes_received=int(info.get("BytesReceived") or 0),
                    min_rtt_us=_int_or_none(info.get("MinRTT")),
                    bytes_sent=_int_or_none(info.get("BytesSent")),
                    bytes_retrans=_int_or_none(info.get("BytesRetrans")),
                )
            )


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None


class Ndt7Engine:
    name = "ndt7"

    def __init__(self, locate_url: str = DEFAULT_LOCATE_URL, secure: bool = True) -> None:
        self.locate_url = locate_url
        self.secure = secure
        self.urls: dict[Direction, str] = {}
        self._told = False

    def prepare(self, deadline: float) -> str:
        """Ask the Locate API for the nearest server."""
        timeout = max(0.5, min(10.0, deadline - time.monotonic()))
        parts = urlsplit(self.locate_url)
        # httpx's timeout does not cover the name lookup: ask once, bounded,
        # so DNS down is one sentence within the limit, not a 20 s wait
        look_up(
            parts.hostname or "", parts.port or 443, f"{parts.scheme}://{parts.hostname}", timeout
        )
        try:
            # trust_env=False: no proxy or netrc from the environment
            resp = httpx.get(self.locate_url, timeout=timeout, trust_env=False)
        except httpx.HTTPError as exc:
            raise EngineError(
                _("Cannot reach M-Lab's server locator: {error}").format(error=exc)
            ) from exc
        if resp.status_code != 200:
            raise _locate_error(resp.status_code, self.locate_url)
        try:
            choice = resp.json()["results"][0]
            urls = choice["urls"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise EngineError(_("M-Lab's server locator sent no usable server.")) from exc
        schemes = ("wss", "ws") if self.secure else ("ws", "wss")
        for direction in ("download", "upload"):
            d: Direction = direction
            found = [urls.get(f"{s}:///ndt/v7/{d}") for s in schemes]
            url = next((u for u in found if isinstance(u, str)), None)
            if url is None:
                raise EngineError(_("M-Lab's server locator sent no usable server."))
            self.urls[d] = url
        return f"M-Lab {choice.get('machine', '?')}"

    def measure(
        self, direction: Direction, budget: MeasureBudget, progress: Callable[[str], None]
    ) -> SpeedDirection:
        started = time.monotonic()
        if not self._told:
            progress(CONSENT_NOTICE)
            self._told = True
        try:
            if not self.urls:
                self.prepare(budget.deadline)
            run = self._open(self.urls[direction], direction, budget)
        except EngineError as exc:
            return SpeedDirection(
                direction=direction,
                duration_s=round(time.monotonic() - started, 3),
                streams=1,
                error=str(exc),
            )
        return _measure(direction, run, budget, progress)

    def _open(self, url: str, direction: Direction, budget: MeasureBudget) -> _Run:
        """The connection of one direction: websockets' client for the upload,
        the handshake alone and our frame reader for the download."""
        timeout = max(0.5, min(7.0, budget.deadline - time.monotonic()))
        # our own connect, so the name lookup is bounded too (websockets'
        # open_timeout does not cover getaddrinfo: DNS down took 20 s)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "wss" else 80)
        label = f"{parts.scheme}://{host}:{port}"
        sock = open_tcp(host, port, label, timeout)
        try:
            if direction == "download":
                if parts.scheme == "wss":
                    sock = wrap_tls(sock, Endpoint("https", host, port, parts.path or "/"))
                protocol = handshake(sock, url, SUBPROTOCOL, "homecare ndt7", timeout)
                return _Run(sock=sock, reader=DownloadReader(sock, protocol))
            connection = connect(
                url, sock=sock, legacy=True, subprotocols=[SUBPROTOCOL], compression=None,
                max_size=MAX_MESSAGE, open_timeout=timeout, proxy=None, ping_interval=None,
                user_agent_header="homecare ndt7",
            )  # fmt: skip
            assert isinstance(connection, ClientConnection)
            return _Run(sock=connection.socket, ws=connection)
        except FrameError as exc:
            sock.close()
            raise EngineError(
                _("Cannot connect to the ndt7 server: {error}").format(error=exc)
            ) from exc
        except InvalidStatus as exc:
            sock.close()
            status = exc.response.status_code
            if status in (403, 429):
                msg = (
                    _("The ndt7 server refused the test (HTTP 403).")
                    if status == 403
                    else _("The ndt7 server is busy: too many tests (HTTP 429).")
                )
                raise EngineError(msg) from exc
            raise EngineError(
                _("The ndt7 server answered with HTTP {status}.").format(status=status)
            ) from exc
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            sock.close()
            raise EngineError(
                _("Cannot connect to the ndt7 server: {error}").format(error=exc)
            ) from exc


def _measure(
    direction: Direction, run: _Run, budget: MeasureBudget, progress: Callable[[str], None]
) -> SpeedDirection:
    sock = run.sock
    upload = direction == "upload"
    receive = _receive if upload else _receive_download
    readers = [threading.Thread(target=receive, args=(run,), daemon=True, name="ndt7-recv")]
    if upload:
        readers.append(threading.Thread(target=_send, args=(run,), daemon=True, name="ndt7-send"))

    def received() -> int:
        if upload:
            return run.server[-1].bytes_received if run.server else 0
        info = tcp_info(sock)
        return info.bytes_received if info is not None else run.payload

    for t in readers:
        t.start()
    label = _("Download") if direction == "download" else _("Upload")
    result = Meter(budget, received, progress, label).run(run.stop)
    client_info = tcp_info(sock)
    with contextlib.suppress(OSError):  # reset: nothing stays queued (issue 12)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
        sock.shutdown(socket.SHUT_RDWR)
    for t in readers:
        t.join(timeout=max(0.05, min(1.0, budget.deadline - time.monotonic())))
    abort(sock)
    mbit, samples = result.mbit, result.samples_mbit
    if upload:
        mbit, samples = _server_rate(run.server, result.warmup_s or budget.warmup_s)
    low, high = spread_of(samples)
    sender = run.server[-1] if run.server and not upload else None
    min_rtt = sender.min_rtt_us if sender else (client_info.min_rtt_us if client_info else None)
    sent, retrans = (
        (sender.bytes_sent, sender.bytes_retrans)
        if sender
        else ((client_info.bytes_sent, client_info.bytes_retrans) if client_info else (None, None))
    )
    error = run.error if mbit is None else None
    if mbit is None and error is None:
        error = _("The ndt7 server sent no measurement.")
    return SpeedDirection(
        direction=direction,
        mbit=mbit,
        bytes=(client_info.bytes_sent if upload else client_info.bytes_received)
        if client_info
        else run.payload,
        duration_s=result.duration_s,
        streams=1,
        settled=result.settled,
        samples_mbit=samples,
        low_mbit=low,
        high_mbit=high,
        counted="server" if upload else "received",
        min_rtt_ms=round(min_rtt / 1000, 3) if min_rtt else None,
        retransmitted=round(retrans / sent, 5) if sent and retrans is not None else None,
        error=error,
    )


def _server_rate(samples: list[_ServerSample], warmup_s: float) -> tuple[float | None, list[float]]:
    """Upload rate from the server's counters on the server's clock, after the warm-up."""
    window = [s for s in samples if s.elapsed_us >= warmup_s * 1e6 and s.bytes_received > 0]
    if len(window) < 2:
        return None, []
    first, last = window[0], window[-1]
    seconds = (last.elapsed_us - first.elapsed_us) / 1e6
    rates = [
        round(mbit_of(b.bytes_received - a.bytes_received, (b.elapsed_us - a.elapsed_us) / 1e6), 2)
        for a, b in itertools.pairwise(window)
        if b.elapsed_us > a.elapsed_us
    ]
    total = last.bytes_received - first.bytes_received
    return (round(mbit_of(total, seconds), 2) if total > 0 and seconds > 0 else None), rates


def _receive_download(run: _Run) -> None:
    """The download's frames, counted in place (``ndt7_download``), until the end."""
    reader = run.reader
    assert reader is not None
    try:
        reader.run(run.stop, IDLE_TIMEOUT_S, run.note)
    except (FrameError, OSError) as exc:
        if not run.stop.is_set() and not run.server and not reader.payload:
            run.error = _("The ndt7 test ended early: {error}").format(error=exc)
    finally:
        run.stop.set()


def _receive(run: _Run) -> None:
    """Count binary messages, keep the server's measurements, until the end."""
    assert run.ws is not None
    try:
        while not run.stop.is_set():
            message = run.ws.recv()
            if isinstance(message, bytes):
                run.app_bytes += len(message)
            else:
                run.note(message)
    except (WebSocketException, OSError) as exc:
        if not run.stop.is_set() and not run.server and not run.app_bytes:
            run.error = _("The ndt7 test ended early: {error}").format(error=exc)
    finally:
        run.stop.set()


def _send(run: _Run) -> None:
    """Binary messages of doubling size (from 8 KiB, while < 1/16 of the total)."""
    size, sent = 1 << 13, 0
    view = memoryview(_UPLOAD_BLOCK)
    assert run.ws is not None
    try:
        while not run.stop.is_set():
            run.ws.send(view[:size])
            sent += size
            if size < MAX_UPLOAD_MESSAGE and size < sent / 16:
                size *= 2
    except (WebSocketException, OSError) as exc:
        if not run.stop.is_set() and not run.server:
            run.error = _("The ndt7 test ended early: {error}").format(error=exc)
    finally:
        run.stop.set()
