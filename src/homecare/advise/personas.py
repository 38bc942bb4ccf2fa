"""Skill personas as data: how much to explain to whom.

A persona says, per skill level, how much of a report a person sees: the
default verbosity, whether evidence and commands are shown, whether the "why"
is explained and how many steps are given at once. Keeping this in TOML files
(``profiles/personas/``) lets a provider tune it without code; a damaged file
never stops a check: it is reported in one line and built-in defaults apply.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from homecare.i18n import _
from homecare.tomlfile import describe_validation_error
from homecare.vocabulary import SKILLS

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "profiles" / "data" / "personas"
Verbosity = Literal["brief", "normal", "detailed"]


class PersonaFile(BaseModel):
    """The schema of one persona file; unknown fields are typos, so errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    verbosity: Verbosity
    show_evidence: bool
    show_commands: bool
    show_why: bool = True
    max_steps: int = Field(default=0, ge=0, le=50)


@dataclass(frozen=True)
class Persona:
    skill: str
    verbosity: Verbosity
    show_evidence: bool
    show_commands: bool
    show_why: bool
    max_steps: int  # 0: all steps

    def limit_steps(self, count: int) -> int:
        """How many of *count* steps to show."""
        return count if self.max_steps == 0 else min(count, self.max_steps)


# The same values as the shipped files: what applies when a file is unusable.
BUILTIN: dict[str, Persona] = {
    "beginner": Persona("beginner", "normal", False, False, True, 3),
    "intermediate": Persona("intermediate", "normal", False, False, True, 5),
    "expert": Persona("expert", "detailed", True, True, True, 0),
    "technician": Persona("technician", "detailed", True, True, False, 0),
}


def load_persona(
    skill: str,
    folder: Path | None = None,
    warn: Callable[[str], None] | None = None,
) -> Persona:
    """The persona for *skill* from ``folder/SKILL.toml`` (the shipped folder by default).

    Problems are passed to *warn* as one line naming the file and field, and
    the built-in persona is used instead, so a bad file never breaks a check.
    """
    report = warn or (lambda _msg: None)
    if skill not in BUILTIN:
        report(
            _("Unknown skill level '{skill}'; using 'beginner'. Known: {known}.").format(
                skill=skill, known=", ".join(SKILLS)
            )
        )
        skill = "beginner"
    fallback = BUILTIN[skill]
    path = (folder or SHIPPED_DIR) / f"{skill}.toml"
    if not path.is_file():
        return fallback
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        report(
            _("{path}: cannot read: {error}; using built-in defaults.").format(path=path, error=exc)
        )
        return fallback
    try:
        data = PersonaFile.model_validate(raw)
    except ValidationError as exc:
        report(
            _("{problem}; using built-in defaults.").format(
                problem=describe_validation_error(path, exc)
            )
        )
        return fallback
    return Persona(skill=skill, **data.model_dump())
