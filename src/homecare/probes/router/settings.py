"""How to reach the router this run: from the profile, the CLI and the keyring.

The password is never a field: only a function that returns it when a
source actually needs it, so it cannot end up in a report, the history, a
log line or an upload by being serialised along with the settings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

RouterMode = Literal["auto", "router", "remote", "off"]
RouterKind = Literal["auto", "fritzbox", "openwrt", "igd"]
SETTINGS_KEY = "router"


def _no_password() -> str | None:
    return None


@dataclass(frozen=True)
class RouterSettings:
    mode: RouterMode = "auto"
    kind: RouterKind = "auto"
    address: str | None = None
    user: str | None = None
    password: Callable[[], str | None] = field(default=_no_password, repr=False, compare=False)
    tr064_port: int = 49000
    ubus_url: str | None = None
    lease_files: tuple[Path, ...] = ()
    wan_interface: str | None = None
    lan_network: str | None = None
    #: fritzconnection's API cache (per firmware); None: no cache
    cache_dir: Path | None = None
    verify_cache: bool = True
    source_timeout_s: float = 3.0
    igd_wait_s: float = 1.5

    def __repr__(self) -> str:  # the password function is not shown either
        return f"RouterSettings(mode={self.mode!r}, kind={self.kind!r}, address={self.address!r})"


def settings_from(values: Mapping[str, object]) -> RouterSettings:
    """The router settings a caller put in the probe settings, or the defaults."""
    found = values.get(SETTINGS_KEY)
    return found if isinstance(found, RouterSettings) else RouterSettings()
