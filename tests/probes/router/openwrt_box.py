"""An OpenWrt router's ``/ubus`` JSON-RPC endpoint on 127.0.0.1, from data/openwrt/.

Modes: ``ok``; ``denied`` (rpcd refuses the login); ``huge`` (a reply far
beyond the client's limit); ``garbage`` (not JSON); ``hang`` (never answers).
Calls with a session other than the one the login gave are refused with
ubus status 6 (permission denied), as rpcd does.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "openwrt"
SESSION = "c1ed6c7b025d0caca723a816fa61b668"
PASSWORD = "openwrt-admin-pw"


@dataclass
class OpenWrt:
    mode: str = "ok"
    calls: list[str] = field(default_factory=list)
    port: int = 0


def _reply_file(obj: str, method: str, args: dict[str, Any]) -> Path:
    suffix = (
        args.get("device")
        if obj == "iwinfo" and method in ("assoclist", "info", "survey")
        else None
    )
    name = f"{obj}.{method}" + (f".{suffix}" if suffix else "")
    return DATA / f"{name}.json"


def _handler(box: OpenWrt) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return None

        def _send(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            sid, obj, method, args = request["params"]
            box.calls.append(f"{obj}.{method}")
            if box.mode == "hang":
                time.sleep(30)
                return
            if box.mode == "huge":
                self._send(
                    b'{"jsonrpc":"2.0","id":1,"result":[0,{"x":"' + b"A" * 3_000_000 + b'"}]}'
                )
                return
            if box.mode == "garbage":
                self._send(b"<html>502 Bad Gateway</html>")
                return
            if obj == "session" and method == "login":
                ok = box.mode != "denied" and args.get("password") == PASSWORD
                name = "session.login.json" if ok else "session.login.denied.json"
                self._send((DATA / name).read_bytes())
                return
            path = _reply_file(obj, method, args)
            if sid != SESSION:
                self._send(b'{"jsonrpc":"2.0","id":1,"result":[6]}')
            elif path.is_file():
                self._send(path.read_bytes())
            else:  # ubus: UBUS_STATUS_NOT_FOUND
                self._send(b'{"jsonrpc":"2.0","id":1,"result":[4]}')

    return Handler


@contextmanager
def serving(box: OpenWrt) -> Iterator[OpenWrt]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(box))
    server.daemon_threads = True
    box.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
