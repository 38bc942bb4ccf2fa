"""The gettext catalogues: complete, placeholder-safe, compiled and current.

A new ``_()`` string without a translation fails here; the fix is to run
``scripts/update-translations``, translate the new entries in the es and de
``.po`` files and run it again to compile.
"""

from __future__ import annotations

import gettext
import io
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from homecare.i18n import DOMAIN, LOCALE_DIR, SHIPPED_LANGUAGES

REPO = Path(__file__).resolve().parents[1]
POT = LOCALE_DIR / f"{DOMAIN}.pot"
TRANSLATED = [lang for lang in SHIPPED_LANGUAGES if lang != "en"]
FIX = "run scripts/update-translations, translate the new entries, then run it again"


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def placeholders(text: str) -> set[str]:
    """Field names of a str.format template: '{ms:.0f} ms' -> {'ms'}."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def msgids(catalog: Catalog) -> set[object]:
    return {m.id for m in catalog if m.id}


def extract_now() -> set[object]:
    """What a fresh extraction with babel.cfg's rules finds in the working tree."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)  # type: ignore[no-untyped-call]
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    found: set[object] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        REPO, method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_pot_matches_a_fresh_extraction() -> None:
    committed = msgids(read(POT))
    fresh = extract_now()
    new = sorted(map(str, fresh - committed))
    gone = sorted(map(str, committed - fresh))
    assert not new and not gone, (
        f"the translation template is out of date ({FIX}).\n"
        f"new strings: {new}\nno longer used: {gone}"
    )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(lang: str) -> None:
    catalog = read(po_path(lang))
    by_id = {m.id: m for m in catalog if m.id}
    missing = sorted(str(i) for i in msgids(read(POT)) if i not in by_id)
    untranslated = sorted(str(m.id) for m in by_id.values() if m.fuzzy or not all(_strings(m)))
    assert not missing, f"{lang}: not in the .po file ({FIX}): {missing}"
    assert not untranslated, f"{lang}: empty or fuzzy translations ({FIX}): {untranslated}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang: str) -> None:
    wrong = []
    for m in read(po_path(lang)):
        if not m.id or m.fuzzy:  # fuzzy guesses are reported as untranslated
            continue
        ids = tuple(m.id) if isinstance(m.id, tuple | list) else (str(m.id),)
        expected = set().union(*(placeholders(str(i)) for i in ids))
        for text in _strings(m):
            if text and placeholders(text) != expected:
                wrong.append((m.id, text))
    assert not wrong, f"{lang}: placeholders differ from the English: {wrong}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalogue_is_up_to_date(lang: str, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.mo"
    with fresh.open("wb") as fh:
        write_mo(fh, read(po_path(lang)), use_fuzzy=False)
    committed = po_path(lang).with_suffix(".mo")
    assert committed.is_file(), f"{committed} is missing ({FIX})"
    with fresh.open("rb") as a, committed.open("rb") as b:
        assert _entries(a) == _entries(b), f"{committed} is older than its .po file ({FIX})"


def test_shipped_languages_have_compiled_catalogues() -> None:
    for lang in TRANSLATED:
        translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])
        assert translation.gettext("Your router does not answer.") != "Your router does not answer."


def _strings(m: Message) -> tuple[str, ...]:
    if isinstance(m.string, tuple | list):
        return tuple(str(t) for t in m.string)
    return (m.string or "",)


def _entries(fh: io.BufferedReader) -> dict[object, object]:
    entries = dict(gettext.GNUTranslations(fh)._catalog)  # type: ignore[attr-defined]
    entries.pop("", None)  # the header carries dates, not translations
    return entries
