"""``homecare setup`` and ``homecare profile``: scripted, interactive, validated."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from homecare.cli.app import run
from homecare.cli.profile_cmd import run_reset, run_set
from homecare.cli.setup_cmd import SetupAnswers, run_setup
from homecare.errors import UsageError
from homecare.store.profile import load_profile
from tests.cli_harness import Home


def stored(home: Home) -> dict[str, object]:
    return tomllib.loads((home.root / "config" / "profile.toml").read_text(encoding="utf-8"))


def test_fully_scripted_setup_through_the_cli(
    home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOMECARE_HOME", str(home.root))
    before = datetime.now(UTC)
    code = run(
        [
            "setup",
            "--skill",
            "beginner",
            "--lang",
            "es",
            "--theme",
            "high-contrast",
            "--verbosity",
            "brief",
            "--units",
            "mbyte",
            "--no-symbols",
            "--share",
            "--no-offers",
            "--yes",
        ]
    )
    assert code == 0
    person = load_profile(home.root / "config" / "profile.toml")
    assert (person.skill, person.language, person.theme, person.verbosity, person.units) == (
        "beginner",
        "es",
        "high-contrast",
        "brief",
        "mbyte",
    )
    assert person.symbols is False
    assert person.consent.share is True and person.consent.offers is False
    for given in (person.consent.share_given_at, person.consent.offers_given_at):
        assert given is not None and before - timedelta(seconds=1) <= given <= datetime.now(UTC)
    out = capsys.readouterr().out
    # the summary is in the chosen language, values too (with what "profile set" takes)
    assert "Nivel de conocimientos: principiante (beginner)" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--skill", "guru"], "guru"),
        (["--lang", "fr"], "Available: de, en, es"),
        (["--theme", "neon"], "neon"),
        (["--units", "furlongs"], "furlongs"),
    ],
)
def test_unknown_values_are_one_line_usage_errors(
    home: Home,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    needle: str,
) -> None:
    monkeypatch.setenv("HOMECARE_HOME", str(home.root))
    assert run(["setup", *args, "--yes"]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1
    assert not (home.root / "config" / "profile.toml").exists()


def test_nothing_is_asked_when_stdin_is_not_a_terminal(home: Home) -> None:
    env = home.env(stdin="expert\n")
    assert run_setup(SetupAnswers(skill="intermediate"), env) == 0
    assert env.stdin.read() == "expert\n"
    assert stored(home) == {"skill": "intermediate"}  # only what was chosen is written


def test_nothing_is_asked_with_yes(home: Home) -> None:
    env = home.env(stdin="expert\n", tty=True)
    run_setup(SetupAnswers(yes=True, offers=True), env)
    assert env.stdin.read() == "expert\n"
    assert stored(home)["consent"]["offers"] is True  # type: ignore[index]


def test_interactive_setup_walks_through_every_question(home: Home) -> None:
    # skill, language, theme, verbosity, units, symbols, share, offers
    env = home.env(stdin="expert\nde\nmonochrome\n\nmbyte\nn\ny\nn\n", tty=True)
    assert run_setup(SetupAnswers(), env) == 0
    person = load_profile(home.root / "config" / "profile.toml")
    assert (person.skill, person.language, person.theme, person.units) == (
        "expert",
        "de",
        "monochrome",
        "mbyte",
    )
    assert "verbosity" not in person.model_fields_set  # Enter: keeps following the skill
    assert person.symbols is False
    assert person.consent.share is True and person.consent.share_given_at is not None
    assert person.consent.offers is False and person.consent.offers_given_at is not None
    out = env.stdout.getvalue()  # type: ignore[attr-defined]
    assert "How much do you know about networks?" in out
    assert "Wie ausführlich?" in out  # asked in German once German was chosen


def test_enter_everywhere_keeps_the_defaults(home: Home) -> None:
    env = home.env(stdin="\n" * 8, tty=True)
    run_setup(SetupAnswers(), env)
    person = load_profile(home.root / "config" / "profile.toml")
    assert person.skill == "beginner" and person.theme == "default"
    assert person.consent.share is False and person.consent.offers is False


def test_end_of_input_during_setup_keeps_defaults(home: Home) -> None:
    env = home.env(stdin="", tty=True)
    assert run_setup(SetupAnswers(), env) == 0


def test_options_given_are_not_asked(home: Home) -> None:
    env = home.env(stdin="\n" * 8, tty=True)
    run_setup(SetupAnswers(skill="technician", language="es", share=False, offers=True), env)
    out = env.stdout.getvalue()  # type: ignore[attr-defined]
    assert "networks?" not in out and "¿Cuánto sabe de redes?" not in out
    assert "Idioma [" not in out
    person = load_profile(home.root / "config" / "profile.toml")
    assert person.skill == "technician" and person.consent.offers is True


def test_profile_show(
    home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOMECARE_HOME", str(home.root))
    home.write_profile('skill = "expert"\n')
    assert run(["profile"]) == 0
    out = capsys.readouterr().out
    assert "Skill level: expert" in out
    assert "Detail: detailed (from the skill level)" in out
    assert "Share results with your provider: not asked yet" in out


def test_profile_set_validates_and_stores(home: Home) -> None:
    env = home.env()
    run_set("skill", "expert", env)
    run_set("language", "DE", env)
    run_set("symbols", "no", env)
    run_set("offers", "yes", env)
    person = load_profile(home.root / "config" / "profile.toml")
    assert (person.skill, person.language, person.symbols) == ("expert", "de", False)
    assert person.consent.offers and person.consent.offers_given_at is not None
    run_set("language", "auto", env)
    run_set("verbosity", "brief", env)
    run_set("verbosity", "auto", env)
    assert "language" not in stored(home) and "verbosity" not in stored(home)


@pytest.mark.parametrize(
    ("key", "value"),
    [("skill", "guru"), ("language", "fr"), ("colour", "red"), ("symbols", "maybe")],
)
def test_profile_set_rejects_bad_values(home: Home, key: str, value: str) -> None:
    with pytest.raises(UsageError):
        run_set(key, value, home.env())
    assert not (home.root / "config" / "profile.toml").exists()


def test_profile_reset(home: Home) -> None:
    path: Path = home.write_profile('skill = "expert"\n')
    env = home.env(stdin="n\n", tty=True)
    run_reset(env, confirm=True)
    assert path.exists()  # said no
    run_reset(home.env(), confirm=True)  # nobody at the keyboard: --yes is implied
    assert not path.exists()


def test_a_damaged_profile_is_kept_aside_when_a_new_one_is_saved(home: Home) -> None:
    path = home.write_profile("skill = \n")
    env = home.env()
    run_set("skill", "expert", env)
    err = env.stderr.getvalue()  # type: ignore[attr-defined]
    assert str(path) in err and "profile.toml.corrupt-" in err
    assert load_profile(path).skill == "expert"
    assert list(path.parent.glob("profile.toml.corrupt-*"))
