"""The provider's profile: who supports the customer and what "good" means.

Loaded from TOML under ``profiles/providers/`` (shipped) or a path the config
names, validated strictly so a provider's typo is reported by file and field.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from homecare.errors import ConfigError
from homecare.i18n import _

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "providers"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SupportContact(_Model):
    phone: str | None = None
    url: str | None = None
    hours: str | None = None


class Targets(_Model):
    """Addresses and names probed beyond the home."""

    internet_hosts: list[str] = Field(default_factory=lambda: ["1.1.1.1", "8.8.8.8"], min_length=1)
    tcp_port: int = Field(default=443, ge=1, le=65535)
    dns_names: list[str] = Field(default_factory=lambda: ["example.com"], min_length=1)
    provider_resolver: str | None = None
    captive_url: str = "http://connectivity-check.ubuntu.com/"
    captive_expect_status: int = 204


class Thresholds(_Model):
    """Limits the rules compare against; defaults suit a typical home."""

    ping_count: int = Field(default=5, ge=1, le=1000)
    ping_timeout_s: float = Field(default=1.0, gt=0, le=30)
    dns_timeout_s: float = Field(default=3.0, gt=0, le=30)
    dns_slow_ms: float = Field(default=300.0, gt=0)
    gateway_rtt_warn_ms: float = Field(default=30.0, gt=0)
    internet_rtt_warn_ms: float = Field(default=150.0, gt=0)
    loss_warn: float = Field(default=0.02, ge=0, le=1)
    wifi_signal_excellent_dbm: int = -50
    wifi_signal_good_dbm: int = -60
    wifi_signal_fair_dbm: int = -70
    crowded_network_devices: int = Field(default=60, ge=1)


class ProviderProfile(_Model):
    name: str = "Generic"
    support: SupportContact = Field(default_factory=SupportContact)
    targets: Targets = Field(default_factory=Targets)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    collector_url: str | None = None
    collector_token: str | None = Field(
        default=None, description="Ingest token for the collector (homecare share)."
    )


def load_provider(name_or_path: str | None) -> ProviderProfile:
    """Load a provider by shipped name or file path; None means the default.

    Raises :class:`ConfigError` with the file and the failing field.
    """
    chosen = name_or_path or os.environ.get("HOMECARE_PROVIDER")
    if not chosen:
        return ProviderProfile()
    path = Path(chosen)
    if not path.suffix:
        path = SHIPPED_DIR / f"{chosen}.toml"
    if not path.is_file():
        raise ConfigError(_("Provider profile not found: {path}").format(path=path))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            _("Cannot read provider profile {path}: {error}").format(path=path, error=exc)
        ) from exc
    try:
        return ProviderProfile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc)) from exc


def describe_validation_error(path: Path, exc: ValidationError) -> str:
    """One line naming the file and the first bad field."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(top level)"
    return _("{path}: field '{field}': {problem}").format(path=path, field=field, problem=err["msg"])
