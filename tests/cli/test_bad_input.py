"""Bad input never crashes a check: one clear line naming file and field,
then English or the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from homecare.advise.catalogue import Catalogue, extra_dirs_from
from homecare.cli.app import run
from tests import canned
from tests.cli_harness import Home


def test_profile_with_a_wrong_field_resets_only_that_field(home: Home) -> None:
    path = home.write_profile('skill = "guru"\ntheme = "monochrome"\nlanguage = "de"\n')
    canned.set_scenario(gw_rtt=45.0)
    result = home.check(output="plain")
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert str(path) in lines[0] and "'skill'" in lines[0]
    assert "Warnung" in result.out  # the other fields still apply: German
    assert result.code == 3


def test_profile_with_a_wrong_consent_field(home: Home) -> None:
    path = home.write_profile('skill = "expert"\n[consent]\noffers = "perhaps"\n')
    canned.set_scenario(gw_rtt=45.0)
    result = home.check(output="plain")
    assert str(path) in result.err and "'consent.offers'" in result.err
    assert "median_ms" in result.out  # skill expert kept


def test_unreadable_profile_means_defaults(home: Home) -> None:
    path = home.write_profile("skill = \n")
    canned.set_scenario(gw_rtt=45.0)
    result = home.check(output="plain")
    # the check still runs on the defaults, then says the file is invalid (README: exit 3)
    assert result.code == 3
    assert "Warning" in result.out
    assert str(path) in result.err and result.err.count("\n") == 1


def test_unknown_language_on_the_command_line(home: Home) -> None:
    canned.set_scenario(gw_rtt=45.0)
    result = home.check(output="plain", language="xx")
    assert result.err == (
        "homecare: Unknown language 'xx'; using English. Available: de, en, es.\n"
    )
    assert "Warning: " in result.out


def test_unknown_language_in_the_profile(home: Home) -> None:
    home.write_profile('language = "tlh"\n')
    result = home.check(output="plain")
    assert "Unknown language 'tlh'" in result.err


def test_unknown_skill_override_is_ignored_with_a_message(home: Home) -> None:
    result = home.check(output="plain", skill="guru")
    assert "Unknown skill 'guru'; ignored" in result.err


def test_explain_with_unknown_skill_and_language(
    home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOMECARE_HOME", str(home.root))
    assert run(["explain", "dns.failing", "--skill", "guru", "--lang", "xx"]) == 0
    captured = capsys.readouterr()
    assert "Websites cannot be found by name" in captured.out
    assert "guru" in captured.err and "'xx'" in captured.err


def test_bad_persona_file_warns_and_falls_back(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from homecare.advise import personas

    folder = tmp_path / "personas"
    folder.mkdir()
    (folder / "beginner.toml").write_text('verbosity = "chatty"\n', encoding="utf-8")
    monkeypatch.setattr(personas, "SHIPPED_DIR", folder)
    canned.set_scenario(gw_rtt=45.0)
    result = home.check(output="plain")
    assert result.code == 1
    assert "beginner.toml" in result.err and "'verbosity'" in result.err


def write_catalogue(folder: Path, lang: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lang}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_provider_catalogue_with_a_missing_field(home: Home, tmp_path: Path) -> None:
    path = write_catalogue(
        tmp_path / "guidance",
        "es",
        '["lan.latency.high".beginner]\ntitle = "Router lento"\n',
    )
    home.environ["HOMECARE_CATALOGUE_DIR"] = str(path.parent)
    canned.set_scenario(gw_rtt=45.0)
    result = home.check(output="plain", language="es")
    # the message is in the person's language, naming file, entry and field
    assert f"{path}: entrada 'lan.latency.high': falta 'beginner.why'" in result.err
    # the shipped Spanish entry still applies
    assert "Una conexión lenta con el router" in result.out


def test_missing_provider_catalogue_folder(home: Home, tmp_path: Path) -> None:
    home.environ["HOMECARE_CATALOGUE_DIR"] = str(tmp_path / "nowhere")
    canned.set_scenario(gw_rtt=45.0)
    result = home.check(output="plain")
    assert "nowhere: guidance folder not found; ignored." in result.err


def test_missing_translation_falls_back_to_english(tmp_path: Path) -> None:
    write_catalogue(tmp_path, "fr", '["dns.slow".beginner]\ntitle = "Lent"\nwhy = "Pourquoi"\n')
    catalogue = Catalogue.load([tmp_path])
    assert catalogue.entry("dns.slow", "fr", "beginner").title == "Lent"  # type: ignore[union-attr]
    fallback = catalogue.entry("dns.failing", "fr", "beginner")
    assert fallback is not None and fallback.language == "en"


def test_a_provider_adds_a_language(home: Home, tmp_path: Path) -> None:
    """fr.toml in HOMECARE_CATALOGUE_DIR: French guidance, English interface."""
    write_catalogue(
        tmp_path / "guidance",
        "fr",
        '["lan.latency.high".beginner]\ntitle = "Votre routeur répond lentement"\n'
        'why = "Une liaison lente vers le routeur ralentit tout."\n'
        'steps = ["Rapprochez-vous du routeur."]\n',
    )
    home.environ["HOMECARE_CATALOGUE_DIR"] = str(tmp_path / "guidance")
    canned.set_scenario(gw_rtt=45.0)
    result = home.check(output="plain", language="fr")
    assert result.err == ""
    assert "Une liaison lente vers le routeur ralentit tout." in result.out
    assert "Step 1: Rapprochez-vous du routeur." in result.out


def test_catalogue_dirs_from_the_environment(tmp_path: Path) -> None:
    import os

    value = os.pathsep.join([str(tmp_path / "a"), "", str(tmp_path / "b")])
    assert extra_dirs_from({"HOMECARE_CATALOGUE_DIR": value}) == [tmp_path / "a", tmp_path / "b"]
    assert extra_dirs_from({}) == []


def test_language_follows_the_desktop_locale(home: Home) -> None:
    canned.set_scenario(gw_rtt=45.0)
    env = home.env(LANG="de_AT.UTF-8")
    assert "Warnung: " in home.check(output="plain", env=env).out
    canned.set_scenario(gw_rtt=45.0)
    env = home.env(LANG="ja_JP.UTF-8")  # not available: English, and no complaint
    result = home.check(output="plain", env=env)
    assert "Warning: " in result.out and result.err == ""
    canned.set_scenario(gw_rtt=45.0)
    env = home.env(LANG="C.UTF-8", HOMECARE_LANG="es")
    assert "Aviso: " in home.check(output="plain", env=env).out
