"""One network, rendered for each skill level and language, plain and themed.

The check runs end to end in-process on canned observations; what changes is
only who is asking, and the output must follow.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from homecare.advise.catalogue import Catalogue
from homecare.advise.guidance import fill
from homecare.advise.personas import BUILTIN
from tests import canned
from tests.canned import GATEWAY
from tests.cli_harness import Home

SKILLS = ("beginner", "intermediate", "expert", "technician")
LANGUAGES = ("en", "es", "de")
WARNING = {"en": "Warning", "es": "Aviso", "de": "Warnung"}
CRITICAL = {"en": "Critical", "es": "Crítico", "de": "Kritisch"}


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue.load()


def run(home: Home, skill: str, lang: str, output: str = "plain", **environ: Any) -> str:
    canned.set_scenario(gw_rtt=45.0, dns_ok=False)
    env = home.env(**environ)
    result = home.check(output=output, env=env, skill=skill, language=lang)
    assert result.code == 1, result.err
    assert result.err == ""
    return result.out


@pytest.mark.parametrize(("skill", "lang"), list(itertools.product(SKILLS, LANGUAGES)))
def test_plain_report_follows_skill_and_language(
    home: Home, catalogue: Catalogue, skill: str, lang: str
) -> None:
    out = run(home, skill, lang)
    persona = BUILTIN[skill]
    for code in ("dns.failing", "lan.latency.high"):
        entry = catalogue.entry(code, lang, skill)
        assert entry is not None and entry.language == lang
        assert entry.title not in ("",) and entry.steps
        shown = entry.steps[: persona.limit_steps(len(entry.steps))]
        for step in shown:
            assert step.text in out
        for step in entry.steps[len(shown) :]:
            assert step.text not in out  # beyond the persona's max_steps
        assert (entry.why in out) is persona.show_why
        # placeholders are filled with what the check saw (the canned home's router)
        commands = [fill(s.command, {"GATEWAY": GATEWAY, "RESOLVER": GATEWAY}) for s in shown]
        for command in filter(None, commands):
            assert "RESOLVER" not in command and "GATEWAY" not in command
            assert (f"$ {command}" in out) is persona.show_commands
    assert f"{WARNING[lang]}: " in out and f"{CRITICAL[lang]}: " in out
    assert ("median_ms: 45" in out) is persona.show_evidence


def test_every_skill_and_language_reads_differently(home: Home) -> None:
    outputs = {(s, lang): run(home, s, lang) for s in SKILLS for lang in LANGUAGES}
    # check ids and times differ per run; compare everything above the footer
    bodies = {key: out.rsplit("\n", 2)[0] for key, out in outputs.items()}
    assert len(set(bodies.values())) == len(bodies)


def test_beginner_sees_at_most_three_steps_expert_sees_all(
    home: Home, catalogue: Catalogue
) -> None:
    entry = catalogue.entry("lan.latency.high", "en", "beginner")
    assert entry is not None and len(entry.steps) == 3
    out = run(home, "beginner", "en")
    assert "Step 3:" in out and "Step 4:" not in out


@pytest.mark.parametrize("theme", ["default", "high-contrast", "monochrome"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_console_themes_in_every_language(home: Home, theme: str, lang: str) -> None:
    canned.set_scenario(gw_rtt=45.0, dns_ok=False)
    env = home.env(stdout_tty=True, TERM="xterm-256color")
    env.environ.pop("NO_COLOR")
    result = home.check(output="console", env=env, skill="beginner", language=lang, theme=theme)
    assert "\x1b[" in result.out  # styled
    assert WARNING[lang] in result.out
    plain = home.check(output="console", skill="beginner", language=lang, theme=theme)
    assert "\x1b[" not in plain.out  # NO_COLOR wins over any theme


def test_themes_style_differently(home: Home) -> None:
    outs = set()
    for theme in ("default", "high-contrast", "monochrome"):
        canned.set_scenario(gw_rtt=45.0, dns_ok=False)
        env = home.env(stdout_tty=True, TERM="xterm-256color")
        env.environ.pop("NO_COLOR")
        out = home.check(output="console", env=env, theme=theme).out
        outs.add(out.split("Check ")[0])
    assert len(outs) == 3


def test_plain_flag_drops_symbols_and_colour(home: Home) -> None:
    canned.set_scenario(gw_rtt=45.0)
    env = home.env(stdout_tty=True, TERM="xterm-256color")
    env.environ.pop("NO_COLOR")
    out = home.check(env=env, plain=True).out
    assert "\x1b[" not in out and "⚠" not in out


def test_profile_verbosity_beats_the_persona(home: Home) -> None:
    home.write_profile('skill = "expert"\nverbosity = "brief"\n')
    canned.set_scenario(gw_rtt=45.0)
    out = home.check(output="plain").out
    assert "median_ms" not in out  # brief hides evidence even for experts
    home.write_profile('skill = "expert"\n')
    out = home.check(output="plain").out
    assert "median_ms: 45" in out  # the expert persona's own default: detailed


def test_json_keeps_the_full_guidance(home: Home) -> None:
    import json

    canned.set_scenario(gw_rtt=45.0, dns_ok=False)
    out = home.check(output="json", skill="technician", language="de").out
    report = json.loads(out)
    g = {item["code"]: item for item in report["guidance"]}
    assert g["lan.latency.high"]["why"]  # the persona shapes what is read, not the data
    assert report["language"] == "de"


def test_the_check_command_line_with_overrides(
    home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from homecare.cli.app import run

    monkeypatch.setenv("HOMECARE_HOME", str(home.root))
    monkeypatch.setenv("NO_COLOR", "1")
    home.write_profile('skill = "expert"\nlanguage = "de"\n')
    canned.set_scenario(gw_rtt=45.0)
    assert run(["check", "--quick", "--plain", "--lang", "es", "--skill", "beginner"]) == 1
    out = capsys.readouterr().out
    assert "Aviso: Su router tarda 45 ms en responder" in out
    assert "median_ms" not in out and "$ ping" not in out  # beginner, not the profile's expert
