"""Every finding code any rule can emit has guidance in every shipped language,
and ``homecare explain`` shows it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from homecare.advise.catalogue import SHIPPED_DIR, Catalogue
from homecare.engine import ENGINE_CODES
from homecare.i18n import SHIPPED_LANGUAGES
from homecare.plugins import REPO_PLUGINS_DIR, all_rules, get_plugin_manager
from homecare.vocabulary import SKILLS


def emitted_codes() -> list[str]:
    pm = get_plugin_manager(plugin_dirs=(REPO_PLUGINS_DIR,), load_entry_points=False)
    return sorted({c for rule in all_rules(pm) for c in rule.codes} | set(ENGINE_CODES))


def english() -> dict[str, dict[str, object]]:
    with (SHIPPED_DIR / "en.toml").open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def test_codes_are_collected() -> None:
    codes = emitted_codes()
    assert {"dns.failing", "router.unreachable", "homecare.rule.failed"} <= set(codes)


@pytest.mark.parametrize("lang", SHIPPED_LANGUAGES)
def test_every_emitted_code_has_an_entry(catalogue: Catalogue, lang: str) -> None:
    missing = [code for code in emitted_codes() if not catalogue.has(code, lang)]
    assert not missing, f"no {lang} guidance for: {missing}"


@pytest.mark.parametrize("lang", [lang for lang in SHIPPED_LANGUAGES if lang != "en"])
def test_translations_mirror_every_english_variant(lang: str) -> None:
    """Same codes, the same skill levels, as many steps and the same commands."""
    with (SHIPPED_DIR / f"{lang}.toml").open("rb") as fh:
        translated = tomllib.load(fh)
    problems = []
    for code, entry in english().items():
        for level in (k for k in entry if k in SKILLS):
            source = entry[level]
            target = translated.get(code, {}).get(level)
            if not isinstance(target, dict) or not isinstance(source, dict):
                problems.append(f"{code}.{level}: missing")
                continue
            if len(target.get("steps", [])) != len(source.get("steps", [])):
                problems.append(f"{code}.{level}: step count differs")
            commands = [s.get("command") for s in source.get("steps", []) if isinstance(s, dict)]
            if commands != [
                s.get("command") for s in target.get("steps", []) if isinstance(s, dict)
            ]:
                problems.append(f"{code}.{level}: commands differ")
            if ("call_support" in source) != ("call_support" in target):
                problems.append(f"{code}.{level}: call_support differs")
            if target.get("title") == source.get("title") and lang != "en":
                problems.append(f"{code}.{level}: title not translated")
    assert not problems, problems


def test_shipped_catalogues_load_without_warnings(catalogue: Catalogue) -> None:
    assert catalogue.warnings == []
    assert set(SHIPPED_LANGUAGES) <= set(catalogue.languages)


@pytest.mark.parametrize("lang", SHIPPED_LANGUAGES)
@pytest.mark.parametrize("code", emitted_codes())
def test_explain_every_code_in_every_language(
    code: str,
    lang: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    catalogue: Catalogue,
) -> None:
    from homecare.cli.app import run

    monkeypatch.setenv("HOMECARE_HOME", str(tmp_path))
    assert run(["explain", code, "--lang", lang, "--skill", "beginner"]) == 0
    out = capsys.readouterr().out
    entry = catalogue.entry(code, lang, "beginner")
    assert entry is not None and entry.language == lang
    assert f"{entry.title}  [{code}]" in out
