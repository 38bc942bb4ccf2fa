"""The ndt7 download's receive path: WebSocket frames read off the socket into one buffer.

websockets' client copies every binary message out of its read buffer into a
new bytes object (up to 1 MiB each at 2 Gbit/s) and hands it across threads;
the download only needs to know how many payload bytes came and what the
server's text measurements say. On a loaded two-core machine that copying
starved the single connection (0.23-0.82 of the line at load 12, 0 ms,
2 Gbit/s), so this reader parses frame headers (RFC 6455 section 5.2) in a
buffer it reuses and skips binary payload without copying it.

websockets still does everything that is not throughput: the opening
handshake (``ClientProtocol``: the key, the accept check, the subprotocol)
and the frames the client sends (pong, close: masked by the library). The
head of the handshake's answer is read up to its blank line only, so no
frame byte is left inside the library.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

from websockets.client import ClientProtocol
from websockets.http11 import Response
from websockets.uri import parse_uri

from homecare.i18n import _

#: one read buffer, reused: large enough that a read at 2 Gbit/s is ~0.5 ms of data
BUFFER_BYTES = 1 << 20
#: a measurement is a few hundred bytes of JSON; more is not a measurement
TEXT_LIMIT = 1 << 16
#: the handshake's answer head (status line and headers)
HEAD_LIMIT = 16 * 1024

OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class FrameError(Exception):
    """The server broke the WebSocket framing: the test cannot go on."""


def handshake(
    sock: socket.socket, url: str, subprotocol: str, user_agent: str, timeout_s: float
) -> ClientProtocol:
    """The opening handshake on a connected (TLS-wrapped for wss) socket.

    Raises websockets' own exceptions (``InvalidStatus`` for a refusal, other
    ``InvalidHandshake``) as ``connect`` does, or OSError / TimeoutError.
    """
    from websockets.typing import Subprotocol

    protocol = ClientProtocol(parse_uri(url), subprotocols=[Subprotocol(subprotocol)])
    request = protocol.connect()
    request.headers["User-Agent"] = user_agent
    protocol.send_request(request)
    deadline = time.monotonic() + timeout_s
    for data in protocol.data_to_send():
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        sock.sendall(data)
    head = bytearray()
    while not head.endswith(b"\r\n\r\n"):
        if len(head) > HEAD_LIMIT:
            raise FrameError(_("The ndt7 server's answer to the upgrade is too long."))
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        byte = sock.recv(1)  # one at a time: no frame byte may be read with the head
        if not byte:
            raise FrameError(_("The ndt7 server closed the connection during the upgrade."))
        head += byte
    protocol.receive_data(bytes(head))
    events = protocol.events_received()
    while not events and not head.startswith((b"HTTP/1.1 101", b"HTTP/1.0 101")):
        # a refusal has a body the parser waits for; no frame can follow it
        if len(head) > 4 * HEAD_LIMIT:
            raise FrameError(_("The ndt7 server's answer to the upgrade is too long."))
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        more = sock.recv(4096)
        if not more:
            protocol.receive_eof()
            events = protocol.events_received()
            break
        head += more
        protocol.receive_data(more)
        events = protocol.events_received()
    if protocol.handshake_exc is not None:
        raise protocol.handshake_exc
    if not events or not isinstance(events[0], Response):
        raise FrameError(_("The ndt7 server's answer to the upgrade could not be read."))
    return protocol


class DownloadReader:
    """Counts binary payload bytes and passes each text message on, until the end.

    ``payload`` grows as frames arrive (read by the meter's thread: an int,
    written by this one only). Pings are answered; a close is answered and
    ends the test; anything that breaks the framing raises FrameError.
    """

    def __init__(self, sock: socket.socket, protocol: ClientProtocol) -> None:
        self.sock = sock
        self.protocol = protocol
        self.on_text: Callable[[str], None] = lambda _text: None
        self.payload = 0
        self.closed_by_server = False
        self._buf = bytearray(BUFFER_BYTES)
        self._view = memoryview(self._buf)
        self._start = 0  # first unparsed byte
        self._end = 0  # one past the last byte read
        self._skip = 0  # binary payload bytes still to come of the current frame
        self._text: bytearray | None = None  # a text message being assembled
        self._binary_open = False  # a fragmented binary message is under way

    def run(
        self, stop: threading.Event, idle_timeout_s: float, on_text: Callable[[str], None]
    ) -> None:
        """Read until *stop*, the server's close, or silence for *idle_timeout_s*;
        each text message (a measurement) goes to *on_text*."""
        self.on_text = on_text
        self.sock.settimeout(idle_timeout_s)
        while not stop.is_set() and not self.closed_by_server:
            self._fill()
            self._parse()

    def _fill(self) -> None:
        if self._start == self._end:
            self._start = self._end = 0
        elif self._end == BUFFER_BYTES:  # a partial header at the very end: move it
            rest = self._end - self._start
            self._buf[:rest] = self._buf[self._start : self._end]
            self._start, self._end = 0, rest
        got = self.sock.recv_into(self._view[self._end :])
        if got == 0:
            raise FrameError(_("The ndt7 server closed the connection without a close frame."))
        self._end += got

    def _parse(self) -> None:
        """Consume every whole frame in the buffer; a frame whose header (or, for
        text and control frames, payload) has not all arrived stays at ``_start``."""
        while True:
            if self._skip:
                take = min(self._skip, self._end - self._start)
                self._skip -= take
                self._start += take
                self.payload += take
                if self._skip:
                    return
            frame = self._header()
            if frame is None:
                return
            fin, opcode, length, offset = frame
            if opcode == OP_BINARY or (opcode == OP_CONTINUATION and self._binary_open):
                self._binary_open = not fin
                self._start, self._skip = offset, length
                continue
            if length > TEXT_LIMIT:
                raise FrameError(_("The ndt7 server sent a measurement that is too large."))
            if self._end - offset < length:
                return  # the rest of this text or control frame is still to come
            body = bytes(self._buf[offset : offset + length])
            self._start = offset + length
            if opcode >= OP_CLOSE:
                self._control(opcode, body)
                if self.closed_by_server:
                    return
            else:
                self._text_part(opcode, fin, body)

    def _header(self) -> tuple[bool, int, int, int] | None:
        """(fin, opcode, payload length, payload offset) of the frame at ``_start``,
        or None when its header has not fully arrived."""
        buf, at, end = self._buf, self._start, self._end
        if end - at < 2:
            return None
        b0, b1 = buf[at], buf[at + 1]
        if b0 & 0x70:
            raise FrameError(_("The ndt7 server used a WebSocket extension it was not offered."))
        if b1 & 0x80:
            raise FrameError(_("The ndt7 server masked its frames, which servers must not do."))
        fin, opcode, length, offset = bool(b0 & 0x80), b0 & 0x0F, b1 & 0x7F, at + 2
        if length == 126:
            if end - at < 4:
                return None
            length, offset = int.from_bytes(buf[at + 2 : at + 4], "big"), at + 4
        elif length == 127:
            if end - at < 10:
                return None
            length, offset = int.from_bytes(buf[at + 2 : at + 10], "big"), at + 10
        if opcode not in (OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG):
            raise FrameError(_("The ndt7 server sent a WebSocket frame of an unknown kind."))
        if opcode >= OP_CLOSE and (length > 125 or not fin):
            raise FrameError(_("The ndt7 server sent a malformed WebSocket control frame."))
        if opcode == OP_CONTINUATION and not self._binary_open and self._text is None:
            raise FrameError(_("The ndt7 server continued a WebSocket message it never began."))
        if opcode in (OP_TEXT, OP_BINARY) and (self._binary_open or self._text is not None):
            raise FrameError(_("The ndt7 server began a message inside another one."))
        return fin, opcode, length, offset

    def _text_part(self, opcode: int, fin: bool, part: bytes) -> None:
        text = self._text if opcode == OP_CONTINUATION and self._text is not None else bytearray()
        text += part
        if len(text) > TEXT_LIMIT:
            raise FrameError(_("The ndt7 server sent a measurement that is too large."))
        if not fin:
            self._text = text
            return
        self._text = None
        try:
            message = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FrameError(_("The ndt7 server sent a measurement that is not UTF-8.")) from exc
        self.on_text(message)

    def _control(self, opcode: int, body: bytes) -> None:
        if opcode == OP_PING:
            self.protocol.send_pong(body)
        elif opcode == OP_CLOSE:
            self.closed_by_server = True
            code = int.from_bytes(body[:2], "big") if len(body) >= 2 else 1000
            self.protocol.send_close(code if 1000 <= code < 5000 else 1002)
        for data in self.protocol.data_to_send():
            if data:
                self.sock.sendall(data)
