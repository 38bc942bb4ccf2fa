"""A server speaking the legacy speedtest.net HTTP protocol used by ``speedtest-cli``.

``speedtest-cli`` 2.1.3 (``speedtest.py``) fetches, in order:

1. ``GET /speedtest-config.php``: XML with ``<client ip=… lat=… lon=… isp=…>``,
   ``<server-config threadcount=… ignoreids=…>``, ``<download testlength=…
   threadsperurl=…>`` and ``<upload testlength=… ratio=… maxchunkcount=… threads=…>``;
2. ``GET /speedtest-servers-static.php`` (or ``speedtest-servers.php``): XML list of
   ``<server url=".../speedtest/upload.php" lat lon name country cc sponsor id host>``;
3. per server ``GET <dir of url>/latency.txt`` answering ``test=test``;
4. ``GET <dir>/random{size}x{size}.jpg`` downloads and ``POST <url>`` (upload.php) uploads.

This module serves all of it from one port so the virtual home (and later a
provider's collector) can run the unmodified ``speedtest-cli`` against a known
server.  The server list advertises ``--server-host`` (default: the ``Host``
header of the request), so the same process works on loopback and behind names.

Run: ``python -m homecare_lab.ookla_server --bind ADDR --port N [--port M]``.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from homecare.collector.fast_http import FastHandler, make_server, run_until_signalled

_RANDOM_JPG = re.compile(r"random(\d{2,5})x(\d{2,5})\.jpg")
#: The largest ``random*.jpg`` served (speedtest-cli asks for at most 4000x4000).
MAX_IMAGE_SIDE = 8000


def image_size(side: int) -> int:
    """Bytes served for ``random{side}x{side}.jpg``.

    Real speedtest.net images weigh about two bytes per pixel (random4000x4000.jpg
    is ~31.6 MB, random350x350.jpg ~245 kB); the client counts bytes received, so
    only the order of magnitude matters.
    """
    side = max(1, min(side, MAX_IMAGE_SIDE))
    return side * side * 2


@dataclass(frozen=True)
class OoklaSettings:
    """What the config and server-list documents advertise."""

    server_host: str | None = None  # "host[:port]" used in the server list; None = Host header
    server_id: int = 4242
    sponsor: str = "Homecare Test ISP"
    server_name: str = "Homecare Lab"
    country: str = "Testland"
    cc: str = "TL"
    lat: float = 52.37
    lon: float = 4.89
    isp: str = "Homecare Test ISP"
    test_length_s: int = 10
    upload_threads: int = 2
    thread_count: int = 4


def config_xml(client_ip: str, s: OoklaSettings) -> bytes:
    """The ``speedtest-config.php`` document for a client at ``client_ip``."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<settings>\n"
        f'<client ip={quoteattr(client_ip)} lat="{s.lat:.4f}" lon="{s.lon:.4f}" '
        f'isp={quoteattr(s.isp)} isprating="3.7" rating="0" ispdlavg="0" ispulavg="0" '
        'loggedin="0" country="TL"/>\n'
        f'<server-config threadcount="{s.thread_count}" ignoreids="" notonmap="" '
        'forcepingid="" preferredserverid=""/>\n'
        f'<download testlength="{s.test_length_s}" initialtest="250K" mintestsize="250K" '
        'threadsperurl="4"/>\n'
        f'<upload testlength="{s.test_length_s}" ratio="5" initialtest="0" '
        f'mintestsize="32K" threads="{s.upload_threads}" maxchunksize="512K" '
        'maxchunkcount="50" threadsperurl="4"/>\n'
        '<latency testlength="10" waittime="50" timeout="20"/>\n'
        "</settings>\n"
    ).encode()


def servers_xml(host: str, s: OoklaSettings) -> bytes:
    """The ``speedtest-servers*.php`` document listing this one server."""
    url = f"http://{host}/speedtest/upload.php"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<settings>\n<servers>\n"
        f'<server url={quoteattr(url)} lat="{s.lat:.4f}" lon="{s.lon:.4f}" '
        f"name={quoteattr(s.server_name)} country={quoteattr(s.country)} "
        f'cc={quoteattr(s.cc)} sponsor={quoteattr(s.sponsor)} id="{s.server_id}" '
        f"host={quoteattr(host)}/>\n"
        "</servers>\n</settings>\n"
    ).encode()


class OoklaHandler(FastHandler):
    """Request handler for the speedtest.net legacy endpoints."""

    settings = OoklaSettings()

    def _host(self) -> str:
        if self.settings.server_host:
            return self.settings.server_host
        host = self.headers.get("Host")
        if host:
            return host
        sock_host, sock_port = self.connection.getsockname()[:2]
        return f"{sock_host}:{sock_port}"

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        name = path.rsplit("/", 1)[-1]
        if name == "speedtest-config.php":
            self.send_bytes(config_xml(self.client_address[0], self.settings), "text/xml")
        elif name in ("speedtest-servers-static.php", "speedtest-servers.php"):
            self.send_bytes(servers_xml(self._host(), self.settings), "text/xml")
        elif name == "latency.txt":
            self.send_bytes(b"test=test")
        elif match := _RANDOM_JPG.fullmatch(name):
            self.send_filler(image_size(int(match.group(1))), "image/jpeg")
        else:
            self.send_bytes(b"not found\n", status=404)

    do_HEAD = do_GET

    def do_POST(self) -> None:
        name = urlsplit(self.path).path.rsplit("/", 1)[-1]
        received = self.discard_body()
        if name in ("upload.php", "upload.asp", "upload.aspx", "upload.jsp"):
            self.send_bytes(f"size={received}".encode())
        else:
            self.send_bytes(b"not found\n", status=404)


def make_ookla_server(
    bind: str, port: int, settings: OoklaSettings | None = None, *, verbose: bool = False
) -> ThreadingHTTPServer:
    """A bound (not yet serving) speedtest.net-protocol server."""
    handler: type[OoklaHandler] = type(
        "BoundOoklaHandler", (OoklaHandler,), {"settings": settings or OoklaSettings()}
    )
    return make_server(handler, bind, port, verbose=verbose)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, action="append", help="TCP port, repeatable (default 8080)"
    )
    parser.add_argument("--server-host", help="host[:port] advertised in the server list")
    parser.add_argument("--test-length", type=int, default=10, help="seconds per direction")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    settings = OoklaSettings(server_host=args.server_host, test_length_s=args.test_length)
    ports: list[int] = args.port or [8080]
    return run_until_signalled(
        lambda: [make_ookla_server(args.bind, p, settings, verbose=args.verbose) for p in ports]
    )


if __name__ == "__main__":
    raise SystemExit(main())
