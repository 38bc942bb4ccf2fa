"""Every code an alert or a trend can carry is explained in every language and level."""

from __future__ import annotations

import pytest

from homecare.advise.catalogue import Catalogue
from homecare.i18n import SHIPPED_LANGUAGES
from homecare.monitor.alerts import ALERT_CODES
from homecare.monitor.notify import MessageStyle, message_for
from homecare.monitor.trends import SLOW_HOURS_CODES

CODES = (*ALERT_CODES, *SLOW_HOURS_CODES.values())
SKILLS = ("beginner", "intermediate", "expert", "technician")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.mark.parametrize("lang", SHIPPED_LANGUAGES)
@pytest.mark.parametrize("skill", SKILLS)
@pytest.mark.parametrize("code", CODES)
def test_code_has_guidance(catalogue: Catalogue, code: str, lang: str, skill: str) -> None:
    entry = catalogue.entry(code, lang, skill)
    assert entry is not None and entry.language == lang, (code, lang, skill)
    assert entry.steps


def test_notification_text_comes_from_the_catalogue(catalogue: Catalogue) -> None:
    title, body = message_for(
        "monitor.outage.internet", "opened", "summary", catalogue, MessageStyle("de", "beginner")
    )
    assert title == "Ihre Internetverbindung ist abgebrochen"
    assert body.startswith("summary\n")
