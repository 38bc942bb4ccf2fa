"""Per-run names for namespaces, links and files.

Every object a run creates outside its own namespaces (the namespaces
themselves, ``/etc/netns/<ns>``, the state file) carries the run id, so two
runs never collide and a leftover can always be traced to the run that made
it.  Interface names inside a run's namespaces are fixed and short (the
namespace already scopes them) and all stay within the kernel's 15 bytes.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass

#: Common prefix of everything the lab creates; cleanup only touches names with it.
PREFIX = "hc"
IFNAMSIZ_MAX = 15
_ALPHABET = string.ascii_lowercase + string.digits
RUN_ID_RE = re.compile(r"^[a-z0-9]{5}$")

# Interface names inside the namespaces.
LAN_BRIDGE = "br-lan"  # router: the LAN bridge
ROUTER_WAN = "wan0"  # router: uplink to the provider
PROVIDER_WAN = "cpe0"  # provider: link to the customer's router
PROVIDER_NET = "lo"  # provider: holds the "internet" addresses (no dummy module needed)
HOST_IF = "eth0"  # laptop and devices: their LAN interface
LAPTOP_PORT = "lap0"  # router: bridge port towards the laptop
DELAY_ROUTER_SIDE = "dly0"  # delay namespace: towards the router's WAN
DELAY_PROVIDER_SIDE = "dly1"  # delay namespace: towards the provider


def new_run_id() -> str:
    """A short random id: 36**5 ≈ 60 million values, plenty for concurrent runs."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(5))


def check_ifname(name: str) -> str:
    if not 0 < len(name.encode()) <= IFNAMSIZ_MAX or "/" in name or " " in name:
        raise ValueError(f"bad interface name {name!r}")
    return name


@dataclass(frozen=True)
class RunNames:
    """Names derived from one run id."""

    run_id: str

    def __post_init__(self) -> None:
        if not RUN_ID_RE.match(self.run_id):
            raise ValueError(f"bad run id {self.run_id!r}")

    @property
    def stem(self) -> str:
        return f"{PREFIX}{self.run_id}"

    @property
    def laptop(self) -> str:
        return f"{self.stem}-laptop"

    @property
    def router(self) -> str:
        return f"{self.stem}-router"

    @property
    def provider(self) -> str:
        return f"{self.stem}-isp"

    @property
    def delay(self) -> str:
        """The WAN's delay-line namespace (only when the WAN has a base round trip)."""
        return f"{self.stem}-wan"

    def device(self, index: int) -> str:
        return f"{self.stem}-d{index:03d}"

    @staticmethod
    def device_port(index: int) -> str:
        """The router-side bridge port of device ``index``."""
        return check_ifname(f"dev{index}")

    def all_namespaces(self, n_devices: int) -> list[str]:
        return [
            self.router,
            self.provider,
            self.laptop,
            *(self.device(i) for i in range(n_devices)),
        ]

    @staticmethod
    def owns(namespace: str, run_id: str) -> bool:
        return namespace.startswith(f"{PREFIX}{run_id}-")
