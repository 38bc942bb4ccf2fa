"""The person's profile: how they want to be helped, and what they consented to.

Stored as TOML so a technician can read and edit it; written atomically; a
file that cannot be parsed is reported with its path and never overwritten
without first being moved aside.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, ValidationError

from homecare.errors import ConfigError, StateError
from homecare.i18n import _
from homecare.store.files import atomic_write, move_aside
from homecare.tomlfile import (
    describe_validation_error,
    load_toml_model,
    parse_toml,
    validate_strict,
)
from homecare.vocabulary import Skill, Theme, Units, Verbosity


class Consent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    share: bool | None = None  # None: never asked
    share_given_at: datetime | None = None
    offers: bool = False
    offers_given_at: datetime | None = None
    auto_share: bool = False


class MonitorPrefs(BaseModel):
    """How ``homecare monitor`` may reach the person (see docs/monitoring.md)."""

    model_config = ConfigDict(extra="forbid")

    notify: list[str] = []  # apprise URLs; they may hold tokens and stay on this machine
    desktop: bool = True
    quiet_hours: str | None = None  # "22:00-07:00", local time


class RouterPrefs(BaseModel):
    """How to read the router (docs/router.md). No password here: the profile is a
    plain file that ``homecare profile`` prints; passwords go to the OS keyring."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["auto", "router", "remote", "off"] = "auto"
    kind: Literal["auto", "fritzbox", "openwrt", "igd"] = "auto"
    address: str | None = None  # default: this computer's gateway
    user: str | None = None
    tr064_port: int = 49000
    ubus_url: str | None = None
    leases: list[str] = []  # router mode: DHCP lease files (default: dnsmasq's, odhcpd's)
    wan_interface: str | None = None  # router mode: default: the default route's
    lan_network: str | None = None  # router mode: e.g. 192.168.1.0/24


class PersonProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skill: Skill = "beginner"
    language: str | None = None  # None: from the locale
    theme: Theme = "default"
    plain: bool = False
    verbosity: Verbosity = "normal"
    units: Units = "mbit"
    symbols: bool = True
    consent: Consent = Consent()
    monitor: MonitorPrefs = MonitorPrefs()
    router: RouterPrefs = RouterPrefs()

    def with_consent(self, share: bool | None = None, offers: bool | None = None) -> PersonProfile:
        now = datetime.now(UTC)
        consent = self.consent.model_copy()
        if share is not None:
            consent.share, consent.share_given_at = share, now
        if offers is not None:
            consent.offers, consent.offers_given_at = offers, now
        return self.model_copy(update={"consent": consent})


def load_profile(path: Path) -> PersonProfile:
    if not path.exists():
        return PersonProfile()
    return load_toml_model(path, PersonProfile)


def load_profile_lenient(path: Path) -> tuple[PersonProfile, list[str]]:
    """Like :func:`load_profile`, but a bad field only resets that field.

    A check must still run when someone mistyped ``skill = "guru"``: each bad
    field falls back to its default and is reported as one line naming the
    file and the field; an unreadable file means all defaults.
    """
    if not path.exists():
        return PersonProfile(), []
    try:
        raw = parse_toml(path.read_text(encoding="utf-8-sig"), path)
    except ConfigError as exc:  # already names the file
        return PersonProfile(), [_("{problem} Using the defaults.").format(problem=exc)]
    except (OSError, UnicodeDecodeError) as exc:
        return PersonProfile(), [
            _("Cannot read your profile {path}: {error}; using the defaults.").format(
                path=path, error=exc
            )
        ]
    warnings: list[str] = []
    for _attempt in range(20):  # each round drops at least one field
        try:
            return validate_strict(PersonProfile, raw), warnings
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = [str(part) for part in err["loc"]]
            warnings.append(
                _("{problem}; using the default instead.").format(
                    problem=describe_validation_error(path, exc)
                )
            )
            raw = _without(raw, loc)
    return PersonProfile(), warnings


def _without(raw: dict[str, object], loc: list[str]) -> dict[str, object]:
    """*raw* without the field at *loc* (a nested table keeps its other fields)."""
    if not loc:
        return {}
    out = dict(raw)
    head = loc[0]
    inner = out.get(head)
    if len(loc) > 1 and isinstance(inner, dict):
        out[head] = _without(inner, loc[1:])
    else:
        out.pop(head, None)
    return out


def save_profile(path: Path, profile: PersonProfile, exclude_unset: bool = False) -> Path | None:
    """Write the profile; a damaged existing file is moved aside first (returned).

    With *exclude_unset* only the fields the person chose are written, so a
    default that depends on the skill level (verbosity) keeps following it.
    """
    aside = None
    if path.exists():
        try:
            parse_toml(path.read_text(encoding="utf-8-sig"), path)
        except (UnicodeDecodeError, ConfigError):
            aside = move_aside(path)
        except OSError as exc:
            raise _cannot_save(path, exc) from exc
    data = profile.model_dump(mode="json", exclude_none=True, exclude_unset=exclude_unset)
    try:
        atomic_write(path, tomli_w.dumps(data).encode("utf-8"))
    except OSError as exc:
        raise _cannot_save(path, exc) from exc
    return aside


def _cannot_save(path: Path, exc: OSError) -> StateError:
    """A full disk or a read-only home is exit 4 with one line, not a crash."""
    return StateError(
        _("Cannot save your profile {path}: {error}").format(path=path, error=exc.strerror or exc)
    )
