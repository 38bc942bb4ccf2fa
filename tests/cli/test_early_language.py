"""``homecare --help`` in the person's language.

typer reads the help texts when the CLI is imported, so the language is
chosen before that (``homecare.cli.early_language``): ``--lang``, then the
profile, then ``HOMECARE_LANG``, then the locale. Each case runs
``python -m homecare`` in a fresh process with its own home folder; nothing
here sends packets.
"""

from __future__ import annotations

import gettext
import os
import subprocess
import sys
from pathlib import Path

import pytest

from homecare.cli.early_language import language_from_argv
from homecare.i18n import DOMAIN, LOCALE_DIR

CHECK_HELP = "Check the home network (all areas, or only those named)."
QUICK_HELP = "Use a smaller time budget."
COMMANDS = (
    "check", "explain", "plugins", "setup", "share", "devices", "history", "profile",
    "alerts", "monitor", "report", "router", "session",
)  # fmt: skip
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "HOMECARE_LANG")


def tr(lang: str, message: str) -> str:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang]).gettext(message)


def help_text(home: Path, *args: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    environ.update({"HOMECARE_HOME": str(home), "LANG": "C", "COLUMNS": "80", **env})
    done = subprocess.run(
        [sys.executable, "-m", "homecare", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def write_profile(home: Path, text: str) -> None:
    path = home / "config" / "profile.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def command_lines(out: str) -> dict[str, str]:
    """The command list of a help page: command name -> its line."""
    section = out.split("Commands:", 1)[1]
    lines = [line for line in section.splitlines() if line.strip()]
    return {line.split()[0]: line for line in lines}


def test_homecare_lang_gives_german_command_help(tmp_path: Path) -> None:
    out = help_text(tmp_path, "--help", HOMECARE_LANG="de")
    german = tr("de", CHECK_HELP)
    assert german != CHECK_HELP
    assert german in out
    assert CHECK_HELP not in out


@pytest.mark.parametrize("args", [("--lang", "es"), ("--lang=es",)])
def test_lang_option_gives_spanish_option_help(tmp_path: Path, args: tuple[str, ...]) -> None:
    out = help_text(tmp_path, "check", *args, "--help")
    spanish = tr("es", QUICK_HELP)
    assert spanish != QUICK_HELP
    assert spanish in out
    assert QUICK_HELP not in out


def test_profile_language_is_used(tmp_path: Path) -> None:
    write_profile(tmp_path, 'language = "de"\n')
    out = help_text(tmp_path, "--help")
    assert tr("de", CHECK_HELP) in out


def test_default_is_english_without_profile(tmp_path: Path) -> None:
    out = help_text(tmp_path, "--help")
    assert CHECK_HELP in out
    out = help_text(tmp_path, "check", "--help")
    assert QUICK_HELP in out


def test_lang_option_beats_profile_and_profile_beats_homecare_lang(tmp_path: Path) -> None:
    """The same order as open_session, so help and output speak one language."""
    write_profile(tmp_path, 'language = "de"\n')
    assert tr("es", QUICK_HELP) in help_text(tmp_path, "check", "--lang", "es", "--help")
    assert tr("de", QUICK_HELP) in help_text(tmp_path, "check", "--help", HOMECARE_LANG="es")


def test_damaged_profile_or_unknown_language_gives_english(tmp_path: Path) -> None:
    write_profile(tmp_path, "language = [not toml\n")
    assert CHECK_HELP in help_text(tmp_path, "--help")
    assert CHECK_HELP in help_text(tmp_path, "--help", HOMECARE_LANG="xx")


@pytest.mark.parametrize("lang", ["en", "es", "de"])
def test_every_command_keeps_one_untruncated_line(tmp_path: Path, lang: str) -> None:
    """The first sentence of each help fits the 80-column command list."""
    lines = command_lines(help_text(tmp_path, "--help", HOMECARE_LANG=lang))
    assert sorted(lines) == sorted(COMMANDS)
    for name, line in lines.items():
        assert not line.rstrip().endswith("..."), f"{lang}: truncated help of {name}: {line}"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["check", "--lang", "de"], "de"),
        (["check", "--lang=es"], "es"),
        (["--lang", "es", "check", "--lang=de"], "de"),
        (["check", "--", "--lang", "de"], None),
        (["check", "--lang"], None),
        (["check"], None),
    ],
)
def test_language_from_argv(argv: list[str], expected: str | None) -> None:
    assert language_from_argv(argv) == expected
