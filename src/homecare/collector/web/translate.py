"""Per-request translations for the pages.

:func:`homecare.i18n.activate` switches one process-wide language, which is
right for a command-line run but not for a server answering agents in three
languages at once; here each request gets its own gettext object from the
same compiled catalogues. Strings in Python are marked with ``N_`` (so
``scripts/update-translations`` extracts them) and translated at render time;
templates call ``_()`` and are extracted through babel.cfg's jinja2 section.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

from homecare.i18n import DOMAIN, LOCALE_DIR


@lru_cache(maxsize=8)
def translations(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
