"""Personas: loaded and validated from data, with a one-line fallback."""

from __future__ import annotations

from pathlib import Path

from homecare.advise.personas import BUILTIN, load_persona


def write(folder: Path, skill: str, text: str) -> None:
    (folder / f"{skill}.toml").write_text(text, encoding="utf-8")


def test_a_valid_file_is_used(tmp_path: Path) -> None:
    write(
        tmp_path,
        "beginner",
        'verbosity = "brief"\nshow_evidence = true\nshow_commands = false\n'
        "show_why = false\nmax_steps = 1\n",
    )
    persona = load_persona("beginner", tmp_path)
    assert (persona.verbosity, persona.show_evidence, persona.show_why, persona.max_steps) == (
        "brief",
        True,
        False,
        1,
    )
    assert persona.limit_steps(4) == 1


def test_a_wrong_field_names_file_and_field_and_falls_back(tmp_path: Path) -> None:
    write(tmp_path, "expert", 'verbosity = "loud"\nshow_evidence = true\nshow_commands = true\n')
    warnings: list[str] = []
    assert load_persona("expert", tmp_path, warn=warnings.append) == BUILTIN["expert"]
    assert len(warnings) == 1
    assert str(tmp_path / "expert.toml") in warnings[0] and "'verbosity'" in warnings[0]


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    write(tmp_path, "intermediate", 'verbosity = "normal"\nshow_commands = false\n')
    warnings: list[str] = []
    assert load_persona("intermediate", tmp_path, warn=warnings.append) == BUILTIN["intermediate"]
    assert "'show_evidence'" in warnings[0]


def test_an_unknown_field_is_a_typo(tmp_path: Path) -> None:
    write(
        tmp_path,
        "technician",
        'verbosity = "detailed"\nshow_evidence = true\n'
        "show_commands = true\nshow_comands = false\n",
    )
    warnings: list[str] = []
    load_persona("technician", tmp_path, warn=warnings.append)
    assert "'show_comands'" in warnings[0]


def test_broken_toml_falls_back(tmp_path: Path) -> None:
    write(tmp_path, "beginner", "verbosity = \n")
    warnings: list[str] = []
    assert load_persona("beginner", tmp_path, warn=warnings.append) == BUILTIN["beginner"]
    assert "beginner.toml" in warnings[0] and "\n" not in warnings[0]


def test_unknown_skill_falls_back_to_beginner() -> None:
    warnings: list[str] = []
    assert load_persona("guru", warn=warnings.append) == BUILTIN["beginner"]
    assert "guru" in warnings[0]


def test_missing_file_uses_builtin_silently(tmp_path: Path) -> None:
    warnings: list[str] = []
    assert load_persona("expert", tmp_path, warn=warnings.append) == BUILTIN["expert"]
    assert warnings == []
