"""One vocabulary: every place that lists skill levels, themes, ... agrees with it."""

from __future__ import annotations

from typing import get_args

from homecare import vocabulary
from homecare.cli.check import SkillOpt, ThemeOpt, UnitsOpt, VerbosityOpt
from homecare.store.profile import PersonProfile


def test_command_line_choices_are_the_vocabulary() -> None:
    assert tuple(o.value for o in SkillOpt) == vocabulary.SKILLS
    assert tuple(o.value for o in ThemeOpt) == vocabulary.THEMES
    assert tuple(o.value for o in VerbosityOpt) == vocabulary.VERBOSITIES
    assert tuple(o.value for o in UnitsOpt) == vocabulary.UNITS


def test_the_profile_accepts_exactly_the_vocabulary() -> None:
    fields = PersonProfile.model_fields
    assert get_args(fields["skill"].annotation) == vocabulary.SKILLS
    assert get_args(fields["theme"].annotation) == vocabulary.THEMES
    assert get_args(fields["units"].annotation) == vocabulary.UNITS
