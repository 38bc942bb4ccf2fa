"""The user's configuration file (``config.toml``): which provider, which plugins.

Kept tiny on purpose; the person's preferences live in the profile.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from homecare.tomlfile import load_toml_model


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str | None = None
    disabled_plugins: list[str] = []


def load_config(path: Path) -> Config:
    """Read config; a missing file means defaults, a broken one is an error
    naming the file (left untouched so the user can fix it)."""
    if not path.exists():
        return Config()
    return load_toml_model(path, Config)
