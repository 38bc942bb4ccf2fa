"""Answers for a scripted session (``--answers FILE``): nothing is asked.

A TOML file with what the technician would otherwise type::

    rooms = ["kitchen", "bedroom"]   # used when --rooms is not given
    fixes = ["Moved the router off the floor"]
    share = true                     # the customer agreed to share the report
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from homecare.tomlfile import load_toml_model

ROOM_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"


class Answers(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rooms: list[str] = Field(default_factory=list)
    fixes: list[str] = Field(default_factory=list)
    share: bool = False


def load_answers(path: Path) -> Answers:
    return load_toml_model(path, Answers)
