"""Where homecare keeps its files.

platformdirs gives the per-OS locations; ``HOMECARE_HOME`` moves everything
under one folder so tests (and technicians with a USB stick) never touch the
real home directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    state_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def profile_file(self) -> Path:
        return self.config_dir / "profile.toml"

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def plugins_dir(self) -> Path:
        return self.config_dir / "plugins"

    @property
    def spool_dir(self) -> Path:
        return self.state_dir / "spool"


def resolve_paths(environ: dict[str, str] | None = None) -> Paths:
    env = os.environ if environ is None else environ
    home = env.get("HOMECARE_HOME")
    if home:
        root = Path(home).expanduser()
        return Paths(root / "config", root / "data", root / "state")
    import platformdirs

    return Paths(
        Path(platformdirs.user_config_dir("homecare")),
        Path(platformdirs.user_data_dir("homecare")),
        Path(platformdirs.user_state_dir("homecare")),
    )
