"""The ndt7 download's frame reader, byte for byte, against websockets' own server side.

The peer is websockets' sans-I/O ``ServerProtocol`` on the other end of a
socket pair: it answers the upgrade and writes the frames, so every byte the
reader parses is what a real websockets server sends; the frames it cannot
write (a masked server frame, reserved bits, an unknown opcode) are written
by hand, as a hostile server would.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.streams import StreamReader
from websockets.typing import Subprotocol

from homecare.probes.speed.ndt7 import SUBPROTOCOL
from homecare.probes.speed.ndt7_download import DownloadReader, FrameError, handshake

URL = "ws://127.0.0.1/ndt/v7/download"


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    client, server = socket.socketpair()
    yield client, server
    client.close()
    server.close()


def _serve_upgrade(server: socket.socket, status: int = 101, then: bytes = b"") -> ServerProtocol:
    """Read the client's upgrade on *server*, answer it (and send *then* in the same write)."""
    proto = ServerProtocol(subprotocols=[Subprotocol(SUBPROTOCOL)])
    request: Request | None = None
    while request is None:
        proto.receive_data(server.recv(4096))
        events = proto.events_received()
        request = events[0] if events and isinstance(events[0], Request) else None
    response = proto.accept(request) if status == 101 else proto.reject(status, "no\n")
    proto.send_response(response)
    server.sendall(b"".join(proto.data_to_send()) + then)
    return proto


def _open(
    pair: tuple[socket.socket, socket.socket], status: int = 101, then: bytes = b""
) -> tuple[DownloadReader, ServerProtocol]:
    client, server = pair
    box: list[ServerProtocol] = []
    peer = threading.Thread(target=lambda: box.append(_serve_upgrade(server, status, then)))
    peer.start()
    try:
        protocol = handshake(client, URL, SUBPROTOCOL, "homecare test", 2.0)
    finally:
        peer.join(2)
    return DownloadReader(client, protocol), box[0]


def _frames(proto: ServerProtocol, *sends: tuple[str, bytes | str]) -> bytes:
    for kind, data in sends:
        if kind == "binary":
            assert isinstance(data, bytes)
            proto.send_binary(data)
        elif kind == "text":
            assert isinstance(data, str)
            proto.send_text(data.encode())
        elif kind == "ping":
            assert isinstance(data, bytes)
            proto.send_ping(data)
        elif kind == "close":
            proto.send_close(1000, "done")
    return b"".join(proto.data_to_send())


def _read_all(reader: DownloadReader, server: socket.socket, wire: bytes, chunk: int) -> list[str]:
    """Send *wire* in *chunk*-byte pieces while the reader runs; its text messages."""
    texts: list[str] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            reader.run(stop, 2.0, texts.append)
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    for at in range(0, len(wire), chunk):
        server.sendall(wire[at : at + chunk])
    t.join(5)
    assert not t.is_alive()
    if errors:
        raise errors[0]
    return texts


def _client_frames(server: socket.socket) -> list[Frame]:
    """The frames the client wrote back (masked), parsed by websockets."""
    server.settimeout(1.0)
    data = server.recv(4096)
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    frames: list[Frame] = []
    while reader.buffer:
        parser = Frame.parse(reader.read_exact, mask=True)
        try:
            while True:
                next(parser)
        except StopIteration as done:
            frames.append(done.value)
    return frames


@pytest.mark.parametrize("chunk", [1, 7, 125, 4096, 1 << 20])
def test_counts_binary_payload_and_passes_measurements_however_the_bytes_arrive(
    pair: tuple[socket.socket, socket.socket], chunk: int
) -> None:
    reader, proto = _open(pair)
    measurement = json.dumps({"TCPInfo": {"ElapsedTime": 250000, "BytesReceived": 0}})
    sizes = [0, 1, 125, 126, 65535, 65536, 300_000]  # 7-bit, 16-bit and 64-bit lengths
    sends: list[tuple[str, bytes | str]] = [("binary", bytes(n)) for n in sizes]
    sends.insert(3, ("text", measurement))
    sends.append(("close", b""))
    texts = _read_all(reader, pair[1], _frames(proto, *sends), chunk)
    assert reader.payload == sum(sizes)
    assert texts == [measurement]
    assert reader.closed_by_server
    # the close was answered with a masked close frame, as RFC 6455 asks
    (answer,) = _client_frames(pair[1])
    assert answer.opcode is Opcode.CLOSE


def test_the_first_frame_sent_with_the_upgrade_answer_is_not_lost(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    """The server writes its answer and the first frame at once; the head is read
    to its blank line only, so the frame reaches our reader, not the library."""
    first = ServerProtocol(state=State.OPEN)  # only to write the frame's bytes
    first.send_binary(bytes(1000))
    early = b"".join(first.data_to_send())
    reader, proto = _open(pair, then=early)
    _read_all(reader, pair[1], _frames(proto, ("close", b"")), 4096)
    assert reader.payload == 1000


def test_a_ping_is_answered_with_its_payload(pair: tuple[socket.socket, socket.socket]) -> None:
    reader, proto = _open(pair)
    wire = _frames(proto, ("binary", bytes(10)), ("ping", b"are you there"))
    server = pair[1]
    stop = threading.Event()
    t = threading.Thread(target=lambda: reader.run(stop, 2.0, lambda _t: None))
    t.start()
    server.sendall(wire)
    (pong,) = _client_frames(server)
    assert pong.opcode is Opcode.PONG and pong.data == b"are you there"
    server.sendall(_frames(proto, ("close", b"")))
    t.join(3)
    assert reader.payload == 10


def test_a_refused_upgrade_is_websockets_own_status_error(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        _open(pair, status=403)
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize(
    ("wire", "words"),
    [
        (b"\x82\x85abcd" + bytes(5), "masked its frames"),  # servers must not mask
        (b"\xc2\x01x", "extension it was not offered"),  # RSV1 without permessage-deflate
        (b"\x83\x01x", "unknown kind"),  # opcode 3 is reserved
        (b"\x89\x7e\x00\x80" + bytes(128), "malformed WebSocket control frame"),  # ping > 125
        (b"\x09\x00", "malformed WebSocket control frame"),  # a fragmented ping
        (b"\x80\x01x", "never began"),  # a continuation of nothing
        (b"\x02\x01x\x82\x01y", "inside another one"),  # a new message mid-message
        (b"\x81\x7f" + (1 << 20).to_bytes(8, "big"), "too large"),  # a 1 MiB "measurement"
        (b"\x81\x02\xff\xfe", "not UTF-8"),
        (b"\x82\x05abc", "without a close frame"),  # the connection ends mid-frame
    ],
)
def test_hostile_framing_is_one_clear_error_never_a_crash(
    pair: tuple[socket.socket, socket.socket], wire: bytes, words: str
) -> None:
    reader, _proto = _open(pair)
    server = pair[1]
    server.sendall(wire)
    server.shutdown(socket.SHUT_WR)
    with pytest.raises(FrameError, match=words):
        reader.run(threading.Event(), 2.0, lambda _t: None)


def test_silence_ends_the_read_at_the_idle_timeout(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    reader, _proto = _open(pair)
    with pytest.raises(TimeoutError):
        reader.run(threading.Event(), 0.2, lambda _t: None)
