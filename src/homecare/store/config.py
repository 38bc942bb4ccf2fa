"""The user's configuration file (``config.toml``): which provider, which plugins.

Kept tiny on purpose; the person's preferences live in the profile.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from homecare.errors import ConfigError
from homecare.i18n import _
from homecare.profiles.provider import describe_validation_error


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str | None = None
    disabled_plugins: list[str] = []


def load_config(path: Path) -> Config:
    """Read config; a missing file means defaults, a broken one is an error
    naming the file (left untouched so the user can fix it)."""
    if not path.exists():
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            _("Cannot read config file {path}: {error}").format(path=path, error=exc)
        ) from exc
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc)) from exc
