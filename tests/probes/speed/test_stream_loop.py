"""The one-thread stream loop's connections, byte by byte, over socket pairs:
what a download counts when answers split or share reads, how far uploads
run ahead of the answers, and what a refusal mid-stream becomes. The engines'
tests (LibreSpeed, speedtest.net, streams) drive the same loop against real
loopback servers."""

from __future__ import annotations

import selectors
import socket
from collections.abc import Iterator

import pytest

from homecare.probes.speed.engine import EngineError
from homecare.probes.speed.http_streams import AnswerParser, Endpoint
from homecare.probes.speed.stream_loop import Download, Run, StreamPlan, Upload

URL = "http://192.0.2.1:8080/x"
EP = Endpoint.parse(URL)


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    theirs.settimeout(2)
    yield ours, theirs
    for s in (ours, theirs):
        s.close()


def opened(
    kind: type[Download] | type[Upload], plan: StreamPlan, sock: socket.socket
) -> Download | Upload:
    (loop,) = Run(plan, 1, upload=kind is Upload).loops(1)
    conn = kind(loop, loop.streams[0], EP, sock)
    conn.phase = "http"
    conn.opened()
    return conn


def requests_in(data: bytes) -> int:
    return data.count(b"GET /x HTTP/1.1\r\n") + data.count(b"POST /x HTTP/1.1\r\n")


def answer(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def test_answers_that_split_or_share_a_read_are_each_parsed_once() -> None:
    parser = AnswerParser(EP)
    two = answer(b"size=1") + answer(b"size=2")
    assert parser.feed(two[:10]) == []
    assert parser.feed(two[10:-3]) == [(200, True)]
    assert parser.feed(two[-3:]) == [(200, True)]
    assert parser.feed(b"HTTP/1.1 429 Busy\r\nConnection: close\r\n\r\n") == [(429, False)]


def test_answer_parser_refuses_garbage_without_a_head_end() -> None:
    with pytest.raises(EngineError, match="garbage"):
        AnswerParser(EP).feed(b"x" * 20_000)


def test_download_counts_body_bytes_only_and_asks_ahead(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, theirs = pair
    plan = StreamPlan(download_url=lambda: URL, upload_url=lambda: URL, keep_alive=True)
    conn = opened(Download, plan, ours)
    assert requests_in(theirs.recv(4096)) == 1
    # two answers in one read, the second's body split over two reads
    theirs.sendall(answer(b"hello") + answer(b"abc")[:-1])
    conn.step(selectors.EVENT_READ)
    assert conn.stream.received == 5 + 2
    theirs.sendall(b"c")
    conn.step(selectors.EVENT_READ)
    assert conn.stream.received == 8
    assert not conn.finished
    # each answer's head sent the next GET at once: the first, then one per head
    assert requests_in(theirs.recv(4096)) == 2


def test_a_download_counts_what_arrived_also_before_the_loop_read_it(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    """The meter's total is read bytes plus the live socket's receive queue: a
    loop that reads late does not make a sample low and the next one high."""
    ours, theirs = pair
    plan = StreamPlan(download_url=lambda: URL, upload_url=lambda: URL)
    conn = opened(Download, plan, ours)
    run = conn.loop.shared
    run.streams[0].live = conn
    theirs.recv(4096)
    theirs.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + b"y" * 1000)
    conn.step(selectors.EVENT_READ)
    assert run.total() == 1000
    theirs.sendall(b"y" * 1500)  # arrived, not read yet
    assert conn.stream.received == 1000
    assert run.total() == 2500
    conn.step(selectors.EVENT_READ)
    assert conn.stream.received == run.total() == 2500


def test_download_head_split_mid_line_is_still_one_answer(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, theirs = pair
    plan = StreamPlan(download_url=lambda: URL, upload_url=lambda: URL)
    conn = opened(Download, plan, ours)
    theirs.sendall(b"HTTP/1.1 200 OK\r\nContent-Le")
    conn.step(selectors.EVENT_READ)
    assert conn.stream.received == 0
    theirs.sendall(b"ngth: 4\r\nConnection: close\r\n\r\nbody")
    conn.step(selectors.EVENT_READ)
    assert conn.stream.received == 4
    assert conn.finished  # one GET per connection: the next stream connects anew


def test_refusal_mid_download_is_the_status(pair: tuple[socket.socket, socket.socket]) -> None:
    ours, theirs = pair
    plan = StreamPlan(download_url=lambda: URL, upload_url=lambda: URL, keep_alive=True)
    conn = opened(Download, plan, ours)
    theirs.sendall(answer(b"ok") + b"HTTP/1.1 429 Too Many\r\nContent-Length: 0\r\n\r\n")
    with pytest.raises(EngineError, match="HTTP 429"):
        conn.step(selectors.EVENT_READ)
    assert conn.stream.received == 2


def test_close_mid_body_is_closed_early(pair: tuple[socket.socket, socket.socket]) -> None:
    ours, theirs = pair
    plan = StreamPlan(download_url=lambda: URL, upload_url=lambda: URL)
    conn = opened(Download, plan, ours)
    theirs.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly10byte")
    theirs.shutdown(socket.SHUT_WR)
    with pytest.raises(EngineError, match="closed the connection early"):
        for _i in range(3):
            conn.step(selectors.EVENT_READ)
    assert conn.stream.received == 10


def drain(theirs: socket.socket) -> bytes:
    got = b""
    theirs.settimeout(0.2)
    try:
        while chunk := theirs.recv(1 << 16):
            got += chunk
    except TimeoutError:
        pass
    return got


def test_upload_runs_one_request_ahead_of_the_answers(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, theirs = pair
    plan = StreamPlan(download_url=lambda: URL, upload_url=lambda: URL, upload_request_bytes=1000)
    conn = opened(Upload, plan, ours)
    assert isinstance(conn, Upload)
    for _i in range(10):
        if conn.sending():
            conn.step(selectors.EVENT_WRITE)
    # two whole requests are out and unanswered; the third waits for an answer
    assert conn.unanswered == 2 and not conn.sending()
    sent = drain(theirs)
    assert requests_in(sent) == 2 and conn.stream.written == 2000
    theirs.sendall(answer(b"size=1000"))
    conn.step(selectors.EVENT_READ)
    assert conn.unanswered == 1 and conn.sending()  # the answer let the third one start
    conn.step(selectors.EVENT_WRITE)
    assert requests_in(drain(theirs)) == 1


def test_refusal_before_the_body_is_read_is_the_status(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, theirs = pair
    plan = StreamPlan(download_url=lambda: URL, upload_url=lambda: URL, upload_request_bytes=10**9)
    conn = opened(Upload, plan, ours)
    theirs.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    with pytest.raises(EngineError, match="HTTP 403"):
        conn.step(selectors.EVENT_READ | selectors.EVENT_WRITE)
