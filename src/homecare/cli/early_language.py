"""The interface language, chosen before the command modules are imported.

typer evaluates every ``help=`` text when ``homecare.cli.app`` is imported, so
``_()`` must already speak the person's language by then. This runs on every
start (``homecare --help`` included) and therefore uses the standard library
only: no pydantic, no profile model. ``open_session`` later activates the
final language of the run (with warnings for unknown ones); the order here is
the same as there, so help and output agree:

1. ``--lang X`` / ``--lang=X`` on the command line,
2. the ``language`` of the person's ``profile.toml``,
3. ``HOMECARE_LANG``,
4. the locale environment (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``).

A language without a compiled translation gives English help.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from homecare.i18n import activate, detect_language

_chosen: str | None = None


def language_from_argv(argv: Sequence[str]) -> str | None:
    """The value of the last ``--lang X`` or ``--lang=X`` before any ``--``."""
    found: str | None = None
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg.split("=", 1)[1]
    return found or None


def language_from_profile(environ: Mapping[str, str]) -> str | None:
    """The ``language`` key of the person's profile; None on any problem."""
    try:
        from homecare.paths import resolve_paths

        path = resolve_paths(dict(environ)).profile_file
        if not path.is_file():
            return None
        import tomllib  # only when there is a profile: it costs ~10 ms at start-up

        with path.open("rb") as fh:
            value = tomllib.load(fh).get("language")
    except Exception:  # a damaged profile is reported later, by open_session
        return None
    return value if isinstance(value, str) and value.strip() else None


def choose_language(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language the help should be in (not yet checked against the catalogues)."""
    env = os.environ if environ is None else environ
    return (
        language_from_argv(argv)
        or language_from_profile(env)
        or env.get("HOMECARE_LANG")
        or detect_language(env)
    )


def activate_early(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """Choose and activate the language for this start; return what is active."""
    global _chosen
    _chosen = activate(choose_language(argv, environ))
    return _chosen


def ensure_activated(argv: Sequence[str] | None = None) -> str:
    """Activate once (from *argv*, default ``sys.argv[1:]``) unless already done."""
    if _chosen is not None:
        return _chosen
    if argv is None:
        import sys

        argv = sys.argv[1:]
    return activate_early(argv)
