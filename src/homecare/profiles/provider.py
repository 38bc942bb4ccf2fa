"""The provider's profile: who supports the customer and what "good" means.

Loaded from TOML under ``profiles/providers/`` (shipped) or a path the config
names, validated strictly so a provider's typo is reported by file and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from homecare.errors import ConfigError
from homecare.i18n import _
from homecare.tomlfile import load_toml_model

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "providers"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SupportContact(_Model):
    phone: str | None = None
    url: str | None = None
    hours: str | None = None


class CaptiveCheck(_Model):
    """One connectivity URL and what a free internet answers there."""

    url: str = Field(pattern=r"^https?://")
    expect_status: int = Field(default=204, ge=100, le=599)
    expect_body: str | None = Field(
        default=None, description="Text the answer must contain, e.g. 'Success'."
    )


class Targets(_Model):
    """Addresses and names probed beyond the home."""

    internet_hosts: list[str] = Field(default_factory=lambda: ["1.1.1.1", "8.8.8.8"], min_length=1)
    tcp_port: int = Field(default=443, ge=1, le=65535)
    dns_names: list[str] = Field(default_factory=lambda: ["example.com"], min_length=1)
    provider_resolver: str | None = None
    captive_url: str = "http://connectivity-check.ubuntu.com/"
    captive_expect_status: int = 204
    captive_platform_checks: list[CaptiveCheck] | None = Field(
        default=None,
        description="Independent connectivity checks beside captive_url; None: this "
        "platform's own (Android/Chrome, Apple, Microsoft, Firefox endpoints).",
        max_length=8,
    )


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
    wifi_congested_networks: int = Field(default=5, ge=1)
    wifi_congestion_gain: int = Field(default=2, ge=0)
    wifi_low_rate_fraction: float = Field(default=0.25, gt=0, le=1)
    wifi_retries_warn_ratio: float = Field(default=0.10, gt=0, le=1)
    wifi_retries_problem_ratio: float = Field(default=0.30, gt=0, le=1)
    wifi_retries_min_packets: int = Field(default=200, ge=1)


SpeedEngineName = Literal["librespeed", "ndt7", "speedtest", "cloudflare", "nq"]


def _default_engines() -> list[SpeedEngineName]:
    """LibreSpeed when the provider runs servers; else M-Lab's ndt7 (no
    provider server needed); speedtest.net last."""
    return ["librespeed", "ndt7", "speedtest"]


class SpeedSettings(_Model):
    """How the speed test runs: engines in order of preference, their servers,
    and the budget. The plan rates are what the customer pays for, so the
    rules can say "below plan" rather than just "slow"."""

    engines: list[SpeedEngineName] = Field(default_factory=_default_engines, min_length=1)
    librespeed_urls: list[str] = Field(
        default_factory=list,
        description="Base URLs of LibreSpeed backends (garbage.php/empty.php beneath them).",
    )
    speedtest_server_id: int | None = Field(default=None, ge=1)
    speedtest_secure: bool = False
    ndt7_locate_url: str = Field(
        default="https://locate.measurementlab.net/v2/nearest/ndt/ndt7",
        description="M-Lab Locate API v2 URL that names the nearest ndt7 server.",
    )
    ndt7_secure: bool = Field(default=True, description="ndt7 over wss:// (TLS), not ws://.")
    cloudflare_url: str = Field(
        default="https://speed.cloudflare.com",
        description="Base URL of a Cloudflare-style speed test (__down / __up beneath it).",
    )
    nq_config_url: str | None = Field(
        default=None,
        description="The provider's responsiveness server: https://<server>/.well-known/nq "
        "(plain http only for a self-hosted server); engine 'nq'.",
    )
    nq_interval_s: float = Field(
        default=0.5,
        gt=0,
        le=5,
        description="Interval of the responsiveness test's algorithm (the draft: 5 s; "
        "shorter so both directions fit a check's budget).",
    )
    streams: int = Field(default=16, ge=1, le=32)
    duration_s: float = Field(default=8.0, gt=0, le=60)
    quick_duration_s: float = Field(default=4.0, gt=0, le=60)
    warmup_s: float = Field(default=1.0, ge=0, le=10)
    max_bytes: int = Field(default=4_000_000_000, ge=1_000_000)
    stable_samples: int = Field(default=8, ge=3, le=100)
    stable_tolerance: float = Field(default=0.03, gt=0, lt=1)
    plan_down_mbit: float | None = Field(default=None, gt=0)
    plan_up_mbit: float | None = Field(default=None, gt=0)
    monitor_mean_interval_h: float = Field(
        default=6.0,
        ge=1.0,
        description="Unattended speed tests average at least this many hours apart (M-Lab: 6).",
    )


class QualitySettings(_Model):
    """Targets and limits of the connection-quality probes and rules."""

    ipv6_target: str | None = Field(default=None, description="A v6 address to reach, if any.")
    nxdomain_names: list[str] = Field(
        default_factory=list,
        description="Names that must not exist; a random <label>.invalid is always added.",
    )
    latency_count: int = Field(default=100, ge=5, le=2000)
    latency_quick_count: int = Field(default=40, ge=5, le=2000)
    latency_interval_ms: float = Field(default=20.0, gt=0, le=1000)
    jitter_warn_ms: float = Field(default=30.0, gt=0)
    loss_problem: float = Field(default=0.05, ge=0, le=1)
    bufferbloat_warn_ms: float = Field(default=30.0, gt=0)
    bufferbloat_problem_ms: float = Field(default=100.0, gt=0)
    rpm_warn: float = Field(
        default=400.0, gt=0, description="Working latency below this RPM (150 ms) is a warning."
    )
    rpm_problem: float = Field(
        default=100.0, gt=0, description="Below this RPM (600 ms) it is a problem."
    )
    below_plan_ratio: float = Field(default=0.7, gt=0, le=1)
    dns_slow_factor: float = Field(default=4.0, gt=1)
    mtu_max: int = Field(default=1500, ge=576, le=9000)


class PlanTier(_Model):
    """A plan the provider sells, so advice can say which one fits."""

    name: str = Field(min_length=1)
    down_mbit: float = Field(gt=0)
    up_mbit: float = Field(gt=0)


class Offer(_Model):
    """Something the provider sells that fixes a finding for good.

    Tied to finding codes so it is only shown right after the guidance for
    that finding, and only to people who opted in (solve first, then sell).
    ``title``/``text`` map a language code to text; English is required
    because it is the fallback for every other language.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    codes: list[str] = Field(min_length=1)
    title: dict[str, str]
    text: dict[str, str]
    url: str | None = None

    @field_validator("title", "text")
    @classmethod
    def _english_required(cls, value: dict[str, str]) -> dict[str, str]:
        if not str(value.get("en", "")).strip():
            raise ValueError("an English ('en') text is required")
        return value


class ProviderProfile(_Model):
    name: str = "Generic"
    support: SupportContact = Field(default_factory=SupportContact)
    targets: Targets = Field(default_factory=Targets)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    collector_url: str | None = None
    speed: SpeedSettings = Field(default_factory=SpeedSettings)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    collector_token: str | None = Field(
        default=None, description="Ingest token for the collector (homecare share)."
    )
    plan_tiers: list[PlanTier] = Field(default_factory=list)
    offers: list[Offer] = Field(default_factory=list)


def load_provider(name_or_path: str | None) -> ProviderProfile:
    """Load a provider by shipped name or file path; None means the default.

    The caller decides which name applies (``--provider``, ``HOMECARE_PROVIDER``
    from the injected environment, ``config.toml``): nothing is read from the
    process environment here. Raises :class:`ConfigError` with the file and
    the failing field.
    """
    chosen = name_or_path
    if not chosen:
        return ProviderProfile()
    path = Path(chosen)
    if not path.suffix:
        path = SHIPPED_DIR / f"{chosen}.toml"
    if not path.is_file():
        raise ConfigError(_("Provider profile not found: {path}").format(path=path))
    return load_toml_model(path, ProviderProfile)
