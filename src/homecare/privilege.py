"""Whether this process may send raw packets: the one privilege check.

Asking the kernel beats checking the user id: root without capabilities (a
container, ``setpriv``) is unprivileged for our purposes, and a non-root user
with CAP_NET_RAW is privileged.
"""

from __future__ import annotations

import socket


def is_privileged() -> bool:
    """True when a raw ICMP socket can be opened."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
    except OSError:
        return False
    return True
