"""The words a person's preferences are made of, declared once.

Skill levels, themes, verbosities and units appear in the profile, the CLI
options, the setup questions, the personas, the catalogue and the upload;
each of those reads them from here, so adding a skill level is one edit and
two modules can never disagree about which ones exist.
"""

from __future__ import annotations

from typing import Literal, get_args

Skill = Literal["beginner", "intermediate", "expert", "technician"]
Theme = Literal["default", "high-contrast", "monochrome"]
Verbosity = Literal["brief", "normal", "detailed"]
Units = Literal["mbit", "mbyte"]

SKILLS: tuple[Skill, ...] = get_args(Skill)
THEMES: tuple[Theme, ...] = get_args(Theme)
VERBOSITIES: tuple[Verbosity, ...] = get_args(Verbosity)
UNITS: tuple[Units, ...] = get_args(Units)
