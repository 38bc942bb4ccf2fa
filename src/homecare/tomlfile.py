"""Reading the TOML files people and providers edit, with one-line errors.

Every error names the file, and for a wrong value the field, so a typo in
``profile.toml`` or a provider profile is fixed in seconds, not debugged.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from homecare.errors import ConfigError
from homecare.i18n import _

M = TypeVar("M", bound=BaseModel)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(_("Cannot read {path}: {error}").format(path=path, error=exc)) from exc


def load_toml_model(path: Path, model: type[M]) -> M:
    """Parse and validate *path* as *model*; :class:`ConfigError` on any problem."""
    raw = read_toml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc)) from exc


def describe_validation_error(path: Path, exc: ValidationError) -> str:
    """One line naming the file and the first bad field."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(top level)"
    return _("{path}: field '{field}': {problem}").format(path=path, field=field, problem=err["msg"])
