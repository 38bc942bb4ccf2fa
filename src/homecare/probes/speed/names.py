"""Looking up a speed test server's name within a time limit.

The system resolver takes no timeout: with DNS down one lookup took 20 s in
the lab, longer than a whole speed test. So the lookup runs in a daemon
thread that is left behind at the limit, and a failure is one translated
sentence. Every engine resolves each server name once per test through
here (nq, the HTTP stream loops, the blocking HTTP helpers), so no stream
waits on DNS and a hung lookup never holds a check or a process.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from typing import Any

from homecare.i18n import _
from homecare.probes.speed.engine import EngineError

#: a name that takes longer than this is a fault, not a slow server
NAME_TIMEOUT_S = 5.0

Address = tuple[int, tuple[Any, ...]]  # (address family, socket address)


def look_up(host: str, port: int, label: str, timeout_s: float) -> Address:
    """The first (family, socket address) of *host*:*port*; a literal is itself.

    Raises one EngineError naming *label* when the name fails or the lookup
    is still running at *timeout_s*.
    """
    with contextlib.suppress(ValueError):
        literal = ipaddress.ip_address(host.split("%")[0])
        if literal.version == 4:
            return socket.AF_INET, (host, port)
        return socket.AF_INET6, (host, port, 0, 0)
    found: list[Address] = []
    failed: list[OSError] = []

    def work() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found.append((infos[0][0], tuple(infos[0][4])))
        except (OSError, UnicodeError) as exc:  # socket.gaierror; a name IDNA refuses
            failed.append(exc if isinstance(exc, OSError) else OSError(str(exc)))

    worker = threading.Thread(target=work, daemon=True, name=f"resolve-{host}")
    worker.start()
    worker.join(max(0.0, min(timeout_s, NAME_TIMEOUT_S)))
    if found:
        return found[0]
    if failed:
        raise EngineError(
            _("The name of the speed test server {server} could not be looked up: {error}").format(
                server=label, error=failed[0].strerror or failed[0]
            )
        )
    raise EngineError(
        _("The name of the speed test server {server} could not be looked up in time.").format(
            server=label
        )
    )
