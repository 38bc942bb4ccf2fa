"""The translation layer every user-facing string goes through.

Uses stdlib gettext with compiled catalogues shipped under ``locale/`` so that
looking up a string costs nothing at start-up. The active language is chosen
once per run (profile, ``--lang``, or the environment) with :func:`activate`.
"""

from __future__ import annotations

import gettext
import locale
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "homecare"
LOCALE_DIR = Path(__file__).parent / "locale"
SHIPPED_LANGUAGES = ("en", "es", "de")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def activate(language: str | None) -> str:
    """Switch every later ``_()`` call to *language*; return what was chosen.

    Unknown languages fall back to English rather than failing a check.
    """
    global _translation, _language
    lang = normalise(language) if language else detect_language()
    if lang not in available_languages():
        lang = "en"
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    _language = lang
    return lang


def current_language() -> str:
    return _language


def normalise(language: str) -> str:
    """'es_ES.UTF-8' -> 'es'."""
    return language.split(".")[0].split("_")[0].split("-")[0].lower()


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """The language from the environment, as a person's desktop sets it.

    The one detector (the early help language, the run's language and the
    default of :func:`activate` all use it). With an injected *environ* only
    that mapping is read; the process locale is asked only for the real one.
    """
    env = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return normalise(value.split(":")[0])
    if environ is not None:
        return "en"
    try:
        loc = locale.getlocale()[0]
    except ValueError:
        loc = None
    return normalise(loc) if loc and loc not in ("C", "POSIX") else "en"


def available_languages() -> tuple[str, ...]:
    """Shipped languages plus any a provider dropped into ``locale/``."""
    extra = (
        tuple(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.mo").exists())
        if LOCALE_DIR.is_dir()
        else ()
    )
    return tuple(dict.fromkeys((*SHIPPED_LANGUAGES, *extra)))


def _(message: str) -> str:
    """Translate *message* into the active language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark *message* for extraction without translating it yet."""
    return message
