"""The guidance catalogue: coverage of every code, fallbacks, validation, escalation."""

from __future__ import annotations

from pathlib import Path

import pytest

from homecare.advise.catalogue import Catalogue, validate_entry
from homecare.advise.guidance import build_guidance
from homecare.errors import ConfigError
from homecare.models import Finding, Segment, Severity
from homecare.plugins import all_rules, get_plugin_manager


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def all_codes() -> list[str]:
    pm = get_plugin_manager(load_entry_points=False)
    return sorted({code for rule in all_rules(pm) for code in rule.codes})


def test_rules_declare_codes() -> None:
    codes = all_codes()
    assert "dns.failing" in codes
    assert "device.no_link" in codes


@pytest.mark.parametrize("code", all_codes())
def test_every_rule_code_has_an_english_entry(catalogue: Catalogue, code: str) -> None:
    assert catalogue.has(code, "en"), f"no English guidance for {code}"
    entry = catalogue.entry(code, "en", "beginner")
    assert entry is not None
    assert entry.title.strip() and entry.why.strip()
    assert entry.advice_id and entry.advice_id.startswith("A-")


def test_shipped_catalogue_is_valid(catalogue: Catalogue) -> None:
    assert catalogue.warnings == []
    assert "en" in catalogue.languages


def test_skill_fallback(catalogue: Catalogue) -> None:
    expert = catalogue.entry("dns.failing", "en", "expert")
    technician = catalogue.entry("dns.failing", "en", "technician")
    beginner = catalogue.entry("dns.failing", "en", "beginner")
    intermediate = catalogue.entry("dns.failing", "en", "intermediate")
    assert expert is not None and technician is not None
    assert beginner is not None and intermediate is not None
    assert expert.skill == "expert"
    assert technician.skill == "expert"  # no technician text: the expert one
    assert beginner.skill == "beginner"
    assert intermediate.skill == "beginner"  # no intermediate text: the simpler one
    assert any(s.command for s in expert.steps)
    assert not any(s.command for s in beginner.steps)


def test_unknown_code_has_no_entry(catalogue: Catalogue) -> None:
    assert catalogue.entry("nosuch.code", "en", "beginner") is None


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_language_fallback_to_english(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "xx.toml",
        '["dns.failing".beginner]\ntitle = "XX title"\nwhy = "XX why"\nsteps = ["xx step"]\n',
    )
    cat = Catalogue.load([tmp_path])
    translated = cat.entry("dns.failing", "xx", "beginner")
    assert translated is not None
    assert (translated.language, translated.title) == ("xx", "XX title")
    # the support code is language-independent and comes from English
    english = cat.entry("dns.failing", "en", "beginner")
    assert english is not None and translated.advice_id == english.advice_id
    fallback = cat.entry("dns.slow", "xx", "beginner")
    assert fallback is not None and fallback.language == "en"
    unknown_language = cat.entry("dns.slow", "zz", "beginner")
    assert unknown_language is not None and unknown_language.language == "en"


def test_provider_folder_overrides_an_entry(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "en.toml",
        '["dns.failing"]\nsupport_code = "ACME-9"\n'
        '["dns.failing".beginner]\ntitle = "Call ACME"\nwhy = "Because."\n',
    )
    cat = Catalogue.load([tmp_path])
    entry = cat.entry("dns.failing", "en", "beginner")
    assert entry is not None
    # a provider catalogue written before the rename still names its ids
    assert (entry.title, entry.advice_id) == ("Call ACME", "ACME-9")
    assert cat.has("dns.slow", "en")  # the rest is still shipped


BAD_ENTRIES = """\
["good.code".beginner]
title = "Fine"
why = "Fine"

["no.levels"]
support_code = "X"

["bad.field"]
colour = "red"
[ "bad.field".beginner ]
title = "t"
why = "w"

["missing.title".beginner]
why = "w"

["bad.steps".beginner]
title = "t"
why = "w"
steps = [1, 2]
"""


def test_invalid_entries_warn_with_file_and_code(tmp_path: Path) -> None:
    path = _write(tmp_path, "en.toml", BAD_ENTRIES)
    cat = Catalogue.load([tmp_path])
    assert len(cat.warnings) == 4
    for code in ("no.levels", "bad.field", "missing.title", "bad.steps"):
        (warning,) = [w for w in cat.warnings if f"'{code}'" in w]
        assert str(path) in warning
        assert not cat.has(code, "en")
    assert any("colour" in w for w in cat.warnings)
    assert cat.has("good.code", "en")


def test_unreadable_toml_warns_with_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "xx.toml", "this is [not toml\n")
    cat = Catalogue.load([tmp_path])
    (warning,) = cat.warnings
    assert str(path) in warning
    assert "xx" not in cat.languages


def test_validate_entry_messages() -> None:
    assert validate_entry("text") == "not a table"
    assert validate_entry({"beginner": "x"}) == "'beginner' is not a table"
    assert validate_entry({"beginner": {"title": "t", "why": " "}}) == "'beginner.why' is missing"
    assert (
        validate_entry({"beginner": {"title": "t", "why": "w", "steps": [{"text": "s"}]}}) is None
    )


def test_missing_english_is_a_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import homecare.advise.catalogue as mod

    monkeypatch.setattr(mod, "SHIPPED_DIR", tmp_path)
    with pytest.raises(ConfigError):
        Catalogue.load()


# --- guidance -----------------------------------------------------------------


def _finding(code: str = "dns.failing") -> Finding:
    return Finding(code=code, severity=Severity.CRITICAL, segment=Segment.ROUTER, summary="s")


def test_guidance_from_catalogue(catalogue: Catalogue) -> None:
    (g,) = build_guidance([_finding()], catalogue, "en", "beginner", support_phone="0800 123")
    entry = catalogue.entry("dns.failing", "en", "beginner")
    assert entry is not None
    assert g.title == entry.title
    assert [s.text for s in g.steps] == [s.text for s in entry.steps]
    assert g.escalated is False
    assert g.advice_id == entry.advice_id
    assert g.call_support is not None and g.call_support.endswith(
        "(0800\u00a0123)"
    )  # never broken across lines


def test_guidance_skips_steps_already_done(catalogue: Catalogue) -> None:
    entry = catalogue.entry("dns.failing", "en", "beginner")
    assert entry is not None and len(entry.steps) >= 2
    (g,) = build_guidance([_finding()], catalogue, "en", "beginner", steps_done=lambda _c: {1})
    assert [s.text for s in g.steps] == [s.text for s in entry.steps[1:]]
    assert g.escalated is False


def test_guidance_escalates_when_all_steps_are_done(catalogue: Catalogue) -> None:
    entry = catalogue.entry("dns.failing", "en", "beginner")
    assert entry is not None
    every = set(range(1, len(entry.steps) + 1))
    (g,) = build_guidance([_finding()], catalogue, "en", "beginner", steps_done=lambda _c: every)
    assert g.escalated is True
    assert len(g.steps) == 1
    assert "contact support" in g.steps[0].text
    assert g.advice_id == entry.advice_id


def test_guidance_for_unknown_code(catalogue: Catalogue) -> None:
    (g,) = build_guidance([_finding("nosuch.code")], catalogue, "en", "beginner")
    assert g.title == "s"
    assert g.steps == []
    assert g.advice_id is None
