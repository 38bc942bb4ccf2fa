"""Reading the TOML files people and providers edit, with one-line errors.

Every error names the file, and for a wrong value the field, so a typo in
``profile.toml`` or a provider profile is fixed in seconds, not debugged.

Files written by Windows editors start with a UTF-8 byte-order mark, which is
accepted; a file nested so deeply that the parser runs out of stack is a
configuration error like any other, not a crash. Values are checked strictly
(as JSON types): ``share = 0`` is not a boolean, ``"5"`` is not a number.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from homecare.errors import ConfigError
from homecare.i18n import _

M = TypeVar("M", bound=BaseModel)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(_("Cannot read {path}: {error}").format(path=path, error=exc)) from exc
    return parse_toml(text, path)


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """*text* (already read from *path*) as TOML; :class:`ConfigError` if it is not."""
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("Cannot read {path}: {error}").format(path=path, error=exc)) from exc
    except RecursionError as exc:
        raise ConfigError(
            _("Cannot read {path}: its tables or arrays are nested too deeply.").format(path=path)
        ) from exc


def _json_default(value: object) -> str:
    if isinstance(value, date | time):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def validate_strict(model: type[M], raw: dict[str, Any]) -> M:
    """Validate TOML data with JSON's strict types (no ``0`` for false, no
    ``"5"`` for 5); TOML dates and times travel as ISO text."""
    return model.model_validate_json(json.dumps(raw, default=_json_default), strict=True)


def load_toml_model(path: Path, model: type[M]) -> M:
    """Parse and validate *path* as *model*; :class:`ConfigError` on any problem."""
    raw = read_toml(path)
    try:
        return validate_strict(model, raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc)) from exc


def describe_validation_error(path: Path, exc: ValidationError) -> str:
    """One line naming the file and the first bad field."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(top level)"
    return _("{path}: field '{field}': {problem}").format(
        path=path, field=field, problem=err["msg"]
    )
