"""Where homecare keeps its files.

platformdirs gives the per-OS locations; ``HOMECARE_HOME`` moves everything
under one folder so tests (and technicians with a USB stick) never touch the
real home directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: plugins shipped beside the core: ``plugins/`` in a checkout, and the copy
#: the wheel installs inside the package (pyproject's force-include)
SHIPPED_PLUGIN_DIRS: tuple[Path, ...] = (
    Path(__file__).resolve().parents[2] / "plugins",
    Path(__file__).resolve().parent / "shipped_plugins",
)


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    state_dir: Path
    #: where shipped plugins are looked for (a test passes ``()`` for a bare core)
    shipped_plugin_dirs: tuple[Path, ...] = SHIPPED_PLUGIN_DIRS

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
    def plugin_dirs(self) -> tuple[Path, ...]:
        """Shipped plugins first, then the person's own folder."""
        return (*self.shipped_plugin_dirs, self.plugins_dir)

    @property
    def spool_dir(self) -> Path:
        return self.state_dir / "spool"


def resolve_paths(environ: dict[str, str] | None = None) -> Paths:
    """The locations for this environment.

    ``HOMECARE_NO_SHIPPED_PLUGINS=1`` leaves the shipped plugins out (a bare
    core, for tests that count exactly which probes run).
    """
    env = os.environ if environ is None else environ
    shipped = () if env.get("HOMECARE_NO_SHIPPED_PLUGINS") else SHIPPED_PLUGIN_DIRS
    home = env.get("HOMECARE_HOME")
    if home:
        root = Path(home).expanduser()
        return Paths(root / "config", root / "data", root / "state", shipped)
    import platformdirs

    return Paths(
        Path(platformdirs.user_config_dir("homecare")),
        Path(platformdirs.user_data_dir("homecare")),
        Path(platformdirs.user_state_dir("homecare")),
        shipped,
    )
