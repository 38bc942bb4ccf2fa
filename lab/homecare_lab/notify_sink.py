"""A notification endpoint for tests: apprise's ``json://`` posts land here.

Run inside a namespace of the virtual home (``python -m homecare_lab.notify_sink
ADDR PORT FILE [--fail N] [--hang]``): every POST body is appended to FILE as
one JSON line; with ``--fail N`` the first N requests get HTTP 500, with
``--hang`` no request is ever answered (a client's timeout), so a test can
prove a failing channel is retried and never stops the monitor.
"""

from __future__ import annotations

import argparse
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def serve(address: str, port: int, out: Path, fail_first: int = 0, hang: bool = False) -> None:
    state = {"seen": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state["seen"] += 1
            with out.with_suffix(".requests").open("a", encoding="utf-8") as fh:
                fh.write(f"{time.time()}\n")
            if hang:
                time.sleep(3600)
                return
            if state["seen"] <= fail_first:
                self.send_response(500)
                self.end_headers()
                return
            try:
                record = json.loads(body)
            except ValueError:
                record = {"raw": body.decode("utf-8", "replace")}
            with out.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return None

    ThreadingHTTPServer((address, port), Handler).serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("port", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--fail", type=int, default=0)
    parser.add_argument("--hang", action="store_true")
    args = parser.parse_args()
    serve(args.address, args.port, args.out, args.fail, args.hang)


if __name__ == "__main__":
    main()
