"""A home folder, an injectable environment and a canned network per test.

Nothing here sends packets: the probes are replaced by ``canned`` and the
plugin folder beside the repository is hidden, so results are deterministic.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from homecare import plugins
from homecare.cli.check_flow import run_check_command
from homecare.cli.run_context import Overrides
from homecare.context import Environment
from homecare.i18n import activate
from tests import canned


class FakeStream(io.StringIO):
    """A text stream that says whether it is a terminal."""

    def __init__(self, text: str = "", tty: bool = False) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@dataclass
class Result:
    code: int
    out: str
    err: str
    env: Environment


@dataclass
class Home:
    root: Path
    environ: dict[str, str] = field(default_factory=dict)

    def env(
        self, stdin: str = "", tty: bool = False, stdout_tty: bool | None = None, **extra: str
    ) -> Environment:
        """An environment; *tty* makes both ends terminals, *stdout_tty* only stdout."""
        environ = {
            "HOMECARE_HOME": str(self.root),
            "HOMECARE_NO_SHIPPED_PLUGINS": "1",
            "COLUMNS": "120",
            "NO_COLOR": "1",
        }
        environ.update(self.environ)
        environ.update(extra)
        return Environment(
            stdout=FakeStream(tty=tty if stdout_tty is None else stdout_tty),
            stderr=FakeStream(),
            stdin=FakeStream(stdin, tty=tty),
            environ=environ,
        )

    def check(
        self,
        output: str | None = None,
        stdin: str = "",
        tty: bool = False,
        save: bool = True,
        env: Environment | None = None,
        **overrides: object,
    ) -> Result:
        env = env or self.env(stdin=stdin, tty=tty)
        code = run_check_command(
            areas=[],
            quick=True,
            output=output,
            save=save,
            overrides=Overrides(**overrides),  # type: ignore[arg-type]
            env=env,
        )
        return Result(code, env.stdout.getvalue(), env.stderr.getvalue(), env)  # type: ignore[attr-defined]

    def write_profile(self, text: str) -> Path:
        path = self.root / "config" / "profile.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """The active language is process-wide; leave it as other tests expect."""
    yield
    activate("en")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.setattr(
        plugins,
        "DEFAULT_PLUGINS",
        # every built-in but the probes, which the canned ones replace
        tuple(
            canned.__name__ if name == "homecare.builtin.probes" else name
            for name in plugins.DEFAULT_PLUGINS
        ),
    )
    for var in ("HOMECARE_LANG", "HOMECARE_PROVIDER", "HOMECARE_CATALOGUE_DIR", "CI", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")  # rich reads these from the process
    canned.set_scenario()
    return Home(tmp_path)
