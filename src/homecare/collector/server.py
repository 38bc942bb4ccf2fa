"""Running the app under uvicorn, in the foreground or in a background thread.

The background form (:func:`start_background`) is what tests and the bench use:
it binds 127.0.0.1 (or any address given) on a free port and returns the URL
once the socket is listening.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI


@dataclass
class RunningServer:
    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def make_server(app: FastAPI, host: str, port: int) -> uvicorn.Server:
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="off",
        timeout_keep_alive=30, backlog=2048,
    )
    return uvicorn.Server(config)


def bound_url(server: uvicorn.Server, host: str) -> str:
    sock = server.servers[0].sockets[0]
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def wait_started(server: uvicorn.Server, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline:
            raise TimeoutError("collector did not start")
        time.sleep(0.01)


def start_background(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    server = make_server(app, host, port)
    thread = threading.Thread(target=server.run, name="collector", daemon=True)
    thread.start()
    wait_started(server)
    return RunningServer(server, thread, bound_url(server, host))
