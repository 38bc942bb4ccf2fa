"""The guidance catalogue: data files, one entry per finding code.

Entries are looked up by code, language and skill with fallbacks (skill:
technician -> expert -> intermediate -> beginner; language: -> English), so a
missing translation degrades to English rather than to nothing. Providers add
languages or override entries by dropping TOML files in an extra folder,
named by ``HOMECARE_CATALOGUE_DIR`` (several folders separated by ``os.pathsep``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homecare.errors import ConfigError
from homecare.i18n import _
from homecare.models import GuidanceStep
from homecare.vocabulary import SKILLS

SHIPPED_DIR = Path(__file__).parent / "catalogue"
CATALOGUE_DIR_VAR = "HOMECARE_CATALOGUE_DIR"
_FALLBACK = {
    "technician": ("technician", "expert", "intermediate", "beginner"),
    "expert": ("expert", "intermediate", "beginner"),
    "intermediate": ("intermediate", "beginner", "expert"),
    "beginner": ("beginner", "intermediate", "expert"),
}


@dataclass(frozen=True)
class Entry:
    code: str
    language: str
    skill: str
    title: str
    why: str
    steps: tuple[GuidanceStep, ...]
    call_support: str | None
    #: names the entry for support staff and analysts ("A-D01"); not a support code
    advice_id: str | None


class Catalogue:
    def __init__(self, tables: dict[str, dict[str, Any]], warnings: list[str]) -> None:
        self._tables = tables  # language -> code -> raw entry
        self.warnings = warnings

    @classmethod
    def load(cls, extra_dirs: Iterable[Path] = ()) -> Catalogue:
        """Load shipped files, then provider folders (which override per code)."""
        tables: dict[str, dict[str, Any]] = {}
        warnings: list[str] = []
        extra = list(extra_dirs)
        for folder in extra:
            if not folder.is_dir():
                warnings.append(
                    _("{path}: guidance folder not found; ignored.").format(path=folder)
                )
        for folder in (SHIPPED_DIR, *extra):
            for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
                lang = path.stem
                try:
                    raw = tomllib.loads(path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                    warnings.append(_("{path}: cannot read: {error}").format(path=path, error=exc))
                    continue
                for code, entry in raw.items():
                    problem = validate_entry(entry)
                    if problem:
                        warnings.append(
                            _("{path}: entry '{code}': {problem}").format(
                                path=path, code=code, problem=problem
                            )
                        )
                        continue
                    tables.setdefault(lang, {})[code] = entry
        if "en" not in tables:
            raise ConfigError(_("The English guidance catalogue is missing or unreadable."))
        return cls(tables, warnings)

    @property
    def languages(self) -> list[str]:
        return sorted(self._tables)

    def codes(self, language: str = "en") -> set[str]:
        return set(self._tables.get(language, {}))

    def has(self, code: str, language: str) -> bool:
        return code in self._tables.get(language, {})

    def entry(self, code: str, language: str, skill: str) -> Entry | None:
        """The best entry for code/language/skill, falling back as documented."""
        advice_id = _advice_id(self._tables["en"].get(code, {}))
        for lang in dict.fromkeys((language, "en")):
            raw = self._tables.get(lang, {}).get(code)
            if raw is None:
                continue
            for level in _FALLBACK.get(skill, _FALLBACK["intermediate"]):
                variant = raw.get(level)
                if isinstance(variant, dict):
                    return Entry(
                        code=code,
                        language=lang,
                        skill=level,
                        title=str(variant["title"]),
                        why=str(variant["why"]),
                        steps=tuple(_step(s) for s in variant.get("steps", [])),
                        call_support=variant.get("call_support"),
                        advice_id=_advice_id(raw) or advice_id,
                    )
        return None


#: the key of an entry's id; "support_code" is what provider catalogues written
#: before the rename call it (it was never the code a person reads out)
ID_KEYS = ("advice_id", "support_code")


def _advice_id(raw: Mapping[str, Any]) -> str | None:
    for key in ID_KEYS:
        value = raw.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def extra_dirs_from(environ: Mapping[str, str]) -> list[Path]:
    """The provider folders named by ``HOMECARE_CATALOGUE_DIR``, in order."""
    value = environ.get(CATALOGUE_DIR_VAR, "")
    return [Path(part).expanduser() for part in value.split(os.pathsep) if part.strip()]


def languages_in(folders: Iterable[Path]) -> set[str]:
    """Languages with a catalogue file in *folders*, without parsing them.

    Cheap enough for start-up, where the session decides the language before
    anything needs the catalogue itself.
    """
    return {p.stem for f in folders if f.is_dir() for p in f.glob("*.toml")}


def _step(raw: str | dict[str, str]) -> GuidanceStep:
    if isinstance(raw, str):
        return GuidanceStep(text=raw)
    return GuidanceStep(text=raw["text"], command=raw.get("command"))


def validate_entry(entry: object) -> str | None:
    """A one-line description of what is wrong with an entry, or None."""
    if not isinstance(entry, dict):
        return _("not a table")
    levels = [k for k in entry if k in SKILLS]
    if not levels:
        return _("no skill level (beginner, intermediate, expert, technician)")
    unknown = sorted(set(entry) - set(SKILLS) - set(ID_KEYS))
    if unknown:
        return _("unknown field(s): {fields}").format(fields=", ".join(unknown))
    for level in levels:
        variant = entry[level]
        if not isinstance(variant, dict):
            return _("'{level}' is not a table").format(level=level)
        for field in ("title", "why"):
            if not isinstance(variant.get(field), str) or not variant[field].strip():
                return _("'{level}.{field}' is missing").format(level=level, field=field)
        steps = variant.get("steps", [])
        if not isinstance(steps, list) or not all(
            isinstance(s, str) or (isinstance(s, dict) and isinstance(s.get("text"), str))
            for s in steps
        ):
            return _("'{level}.steps' must be a list of texts").format(level=level)
    return None
