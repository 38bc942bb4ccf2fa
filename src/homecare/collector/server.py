"""Running the app under uvicorn, in the foreground or in a background thread.

The background form (:func:`start_background`) is what tests and the bench use:
it binds 127.0.0.1 (or any address given) on a free port and returns the URL
once the socket is listening. Every server gets per-request header and body
deadlines (:mod:`.deadlines`), ``limit_concurrency`` and a graceful shutdown
that lets in-flight uploads finish (``graceful_timeout_s``).

Several worker processes (``serve --workers N``): the parent binds the
socket, and each worker builds its app with :func:`worker_app` from the
settings passed in the environment (``HOMECARE_COLLECTOR_SETTINGS``, JSON).
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from homecare.collector.deadlines import DeadlineProtocol, protocol_with
from homecare.collector.settings import CollectorSettings

SETTINGS_ENV = "HOMECARE_COLLECTOR_SETTINGS"


@dataclass
class RunningServer:
    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def _config(
    app: FastAPI | str, host: str, port: int, settings: CollectorSettings | None, **extra: object
) -> uvicorn.Config:
    s = settings or CollectorSettings(database_url="")
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        backlog=2048,
        limit_concurrency=s.limit_concurrency,
        timeout_graceful_shutdown=int(s.graceful_timeout_s),
        http=protocol_with(s.header_timeout_s, s.body_timeout_s),
        **extra,  # type: ignore[arg-type]
    )


def make_server(
    app: FastAPI, host: str, port: int, settings: CollectorSettings | None = None
) -> uvicorn.Server:
    """A server for *app*; deadlines and limits from *settings* (defaults when None)."""
    if settings is None:
        settings = getattr(getattr(app.state, "collector", None), "settings", None)
    return uvicorn.Server(_config(app, host, port, settings))


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn calls this factory in each)."""
    from homecare.collector.app import create_app

    raw = json.loads(os.environ[SETTINGS_ENV])
    raw["trusted_proxies"] = tuple(raw.get("trusted_proxies") or ())
    settings = CollectorSettings(**raw)
    # workers get the protocol by import path (a class made at run time cannot
    # cross the process boundary), so its deadlines are set here, in each worker
    DeadlineProtocol.header_timeout = settings.header_timeout_s
    DeadlineProtocol.body_timeout = settings.body_timeout_s
    return create_app(settings)


def serve_workers(
    settings: CollectorSettings, host: str, port: int, workers: int, announce: Callable[[str], None]
) -> None:
    """Run *workers* processes sharing one listening socket until SIGINT/SIGTERM."""
    os.environ[SETTINGS_ENV] = json.dumps(dataclasses.asdict(settings))
    config = _config(
        "homecare.collector.server:worker_app", host, port, settings, factory=True, workers=workers
    )
    config.http = "homecare.collector.deadlines:DeadlineProtocol"
    sock = config.bind_socket()
    shown = f"[{host}]" if ":" in host else host
    announce(f"http://{shown}:{sock.getsockname()[1]}")
    Multiprocess(config, sockets=[sock]).run()
    sock.close()


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


def start_background(
    app: FastAPI, host: str = "127.0.0.1", port: int = 0, settings: CollectorSettings | None = None
) -> RunningServer:
    server = make_server(app, host, port, settings)
    thread = threading.Thread(target=server.run, name="collector", daemon=True)
    thread.start()
    wait_started(server)
    return RunningServer(server, thread, bound_url(server, host))
