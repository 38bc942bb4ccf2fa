"""Loopback HTTP servers that misbehave on purpose, for the speed engines."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

MODES = ("garbage", "stall", "close_early", "slow", "http403", "http429", "ok_ping_garbage_data")


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    conn.settimeout(5)
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _serve(conn: socket.socket, mode: str, stop: threading.Event) -> None:
    with contextlib.suppress(OSError), conn:
        req = _read_request(conn)
        ping = b"empty.php" in req.split(b"\r\n", 1)[0] and req.startswith(b"GET")
        if mode == "http403":
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        elif mode == "http429":
            conn.sendall(b"HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n")
        elif ping and mode != "garbage":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        elif mode in ("garbage", "ok_ping_garbage_data"):
            conn.sendall(b"\x00\xffSSH-2.0-not-http\r\nrandom junk\r\n\r\n" + bytes(1000))
        elif mode == "stall":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n")
            conn.sendall(bytes(64 * 1024))
            stop.wait(30)
        elif mode == "close_early":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n")
            conn.sendall(bytes(512 * 1024))
        elif mode == "slow":
            if req.startswith(b"POST"):
                conn.settimeout(0.5)
                while not stop.is_set():  # read the upload slowly
                    with contextlib.suppress(TimeoutError):
                        if not conn.recv(1024):
                            break
                    time.sleep(0.05)
                return
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n")
            while not stop.is_set():
                conn.sendall(bytes(4096))
                time.sleep(0.02)


@contextlib.contextmanager
def fault_server(mode: str) -> Iterator[str]:
    """A base URL on 127.0.0.1 whose server behaves as *mode* says."""
    assert mode in MODES
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_serve, args=(conn, mode, stop), daemon=True).start()

    t = threading.Thread(target=accept_loop, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        listener.close()
        t.join(2)
