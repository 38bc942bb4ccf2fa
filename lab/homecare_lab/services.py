"""The provider's "internet" servers and the router's captive portal.

Run inside a namespace by the lab (never on the host):

* ``python -m homecare_lab.services provider RUNMARK [--nq-cert PEM --nq-key PEM]``
  — in the provider namespace:
  LibreSpeed, speedtest.net-protocol, ndt7 (with a Locate API) and
  Cloudflare-style and responsiveness (nq; also over TLS on port 443 with
  the certificate given) speed servers, the connectivity-check
  endpoint (``/generate_204`` → 204, Apple/Firefox/Microsoft variants) and a
  small web host on the well-known internet address (TCP 80 and 443).
* ``python -m homecare_lab.services portal RUNMARK --bind IP`` — in the router
  namespace while the captive-portal fault is on: every request is redirected
  to a login page, as hotel and café portals do.

``RUNMARK`` carries the run id so stale-run cleanup recognises these processes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socketserver
import threading
from collections.abc import Sequence
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from homecare.collector.fast_http import FastHandler, make_server, run_until_signalled
from homecare.collector.librespeed import make_librespeed_server
from homecare_lab import addresses
from homecare_lab.cloudflare_server import make_cloudflare_server
from homecare_lab.ndt7_server import start_ndt7_server
from homecare_lab.nq_server import make_nq_server, server_tls
from homecare_lab.ookla_server import OoklaSettings, make_ookla_server

_LOGIN_PAGE = (
    b"<!doctype html><html><head><title>Guest Wi-Fi login</title></head>"
    b"<body><h1>Welcome to Guest Wi-Fi</h1><form method=post action=/login>"
    b"<label>Room number <input name=room></label><button>Connect</button>"
    b"</form></body></html>\n"
)


class ConnectivityHandler(FastHandler):
    """The endpoints operating systems probe to detect captive portals."""

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path in ("/generate_204", "/gen_204"):
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path in ("/hotspot-detect.html", "/library/test/success.html"):
            body = b"<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>\n"
            self.send_bytes(body, "text/html")
        elif path == "/success.txt":
            self.send_bytes(b"success\n")
        elif path == "/connecttest.txt":
            self.send_bytes(b"Microsoft Connect Test")
        else:
            self.send_bytes(b"not found\n", status=404)

    do_HEAD = do_GET


class InternetHandler(FastHandler):
    """A plain web page for the well-known internet host."""

    def do_GET(self) -> None:
        self.send_bytes(
            b"<!doctype html><title>example</title><p>Hello from the internet.\n", "text/html"
        )

    do_HEAD = do_GET


class PortalHandler(FastHandler):
    """Captive portal: redirect everything to the login page, serve that page."""

    portal_base = "http://192.168.77.1:8080"

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/login":
            self.send_bytes(_LOGIN_PAGE, "text/html")
            return
        self.send_response(302)
        self.send_header("Location", f"{self.portal_base}/login")
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    do_HEAD = do_GET

    def do_POST(self) -> None:
        self.discard_body()
        self.send_bytes(_LOGIN_PAGE, "text/html")


class _TlsPortHandler(socketserver.BaseRequestHandler):
    """Port 443 of the internet host: accepts, reads a little, closes.

    Enough for TCP-connect reachability checks; no certificate is involved.
    """

    def handle(self) -> None:
        self.request.settimeout(2.0)
        with contextlib.suppress(OSError):
            self.request.recv(4096)


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def provider_servers(nq_tls: tuple[str, str] | None = None) -> list[socketserver.BaseServer]:
    """Every provider server; the nq server also on 443 with *nq_tls* (cert, key)."""
    # Short test windows keep end-to-end runs of speedtest-cli quick.
    ookla = OoklaSettings(server_host=addresses.OOKLA_SERVER_HOST, test_length_s=3)
    tls: list[socketserver.BaseServer] = (
        [make_nq_server(addresses.NQ, 443, tls=server_tls(*nq_tls))] if nq_tls else []
    )
    return [
        *tls,
        make_librespeed_server(addresses.LIBRESPEED, 80),
        make_ookla_server(addresses.OOKLA, 80, ookla),
        make_ookla_server(addresses.OOKLA, 8080, ookla),
        make_cloudflare_server(addresses.CLOUDFLARE, 80),
        make_nq_server(addresses.NQ, 80),
        make_server(ConnectivityHandler, addresses.CONNECTIVITY, 80),
        make_server(InternetHandler, addresses.INTERNET, 80),
        _TcpServer((addresses.INTERNET, 443), _TlsPortHandler),
    ]


def start_ndt7_in_background(bind: str, port: int) -> None:
    """The asyncio ndt7 server on its own thread beside the threaded HTTP servers."""
    loop = asyncio.new_event_loop()
    loop.run_until_complete(start_ndt7_server(bind, port))
    threading.Thread(target=loop.run_forever, daemon=True, name="ndt7").start()


def portal_server(bind: str, port: int) -> ThreadingHTTPServer:
    handler = type("BoundPortal", (PortalHandler,), {"portal_base": f"http://{bind}:{port}"})
    return make_server(handler, bind, port)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="virtual-home service helper")
    parser.add_argument("role", choices=["provider", "portal"])
    parser.add_argument("runmark", help="run marker (for stale-run cleanup)")
    parser.add_argument("--bind", default="192.168.77.1")
    parser.add_argument("--port", type=int, default=addresses.PORTAL_PORT)
    parser.add_argument("--nq-cert", default=None, help="PEM chain: nq over TLS on 443")
    parser.add_argument("--nq-key", default=None)
    args = parser.parse_args(argv)
    if args.role == "provider":
        start_ndt7_in_background(addresses.NDT7, 80)
        nq_tls = (args.nq_cert, args.nq_key) if args.nq_cert and args.nq_key else None
        return run_until_signalled(lambda: provider_servers(nq_tls))
    return run_until_signalled(lambda: [portal_server(args.bind, args.port)])


if __name__ == "__main__":
    raise SystemExit(main())
