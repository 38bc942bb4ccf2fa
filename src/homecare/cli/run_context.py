"""What every command needs, loaded once: environment, config, profiles, plugins.

Per-run overrides (``--skill expert``) are applied here so no command has to
know where a preference came from. Bad preferences (a mistyped profile field,
an unknown language) are reported in one line on stderr and fall back to the
defaults: a person asking for help must still get it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pluggy

from homecare.advise.catalogue import Catalogue, extra_dirs_from, languages_in
from homecare.advise.personas import Persona, load_persona
from homecare.cli.environment import current_environment
from homecare.context import Environment
from homecare.i18n import _, activate, available_languages, detect_language, normalise
from homecare.plugins import get_plugin_manager
from homecare.profiles.provider import ProviderProfile, load_provider
from homecare.render.base import RenderOptions
from homecare.store.config import Config, load_config
from homecare.store.profile import PersonProfile, load_profile_lenient
from homecare.vocabulary import SKILLS, THEMES, UNITS, VERBOSITIES, Verbosity

_CHOICES: dict[str, tuple[str, ...]] = {
    "skill": SKILLS,
    "theme": THEMES,
    "verbosity": VERBOSITIES,
    "units": UNITS,
}


@dataclass
class Overrides:
    skill: str | None = None
    language: str | None = None
    theme: str | None = None
    verbosity: str | None = None
    plain: bool = False
    provider: str | None = None
    units: str | None = None


@dataclass
class RunContext:
    env: Environment
    config: Config
    person: PersonProfile
    provider: ProviderProfile
    language: str
    pm: pluggy.PluginManager
    _catalogue: Catalogue | None = field(default=None, repr=False)
    _persona: Persona | None = field(default=None, repr=False)
    #: what was wrong with the profile (already said on stderr): a check still
    #: runs with the defaults, then exits 3 so a script sees the file is invalid
    profile_warnings: tuple[str, ...] = ()

    def warn(self, message: str) -> None:
        self.env.stderr.write(f"homecare: {message}\n")

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = Catalogue.load(extra_dirs_from(self.env.environ))
            for warning in self._catalogue.warnings:
                self.warn(warning)
        return self._catalogue

    @property
    def persona(self) -> Persona:
        if self._persona is None:
            self._persona = load_persona(self.person.skill, warn=self.warn)
        return self._persona

    @property
    def verbosity(self) -> Verbosity:
        """The person's own choice, else what their skill level's persona says."""
        if "verbosity" in self.person.model_fields_set:
            return self.person.verbosity
        return self.persona.verbosity

    def render_options(self) -> RenderOptions:
        p = self.person
        persona = self.persona
        verbosity = self.verbosity
        return RenderOptions(
            color=self.env.color_allowed and not p.plain,
            width=self.env.width,
            verbosity=verbosity,
            skill=p.skill,
            theme=p.theme,
            symbols=p.symbols and not p.plain,
            units=p.units,
            show_evidence=persona.show_evidence or verbosity == "detailed",
            show_commands=persona.show_commands,
        )


def shipped_languages(env: Environment) -> list[str]:
    """Languages with translations or guidance (shipped or from the provider)."""
    return sorted(
        set(available_languages()) | languages_in((*extra_dirs_from(env.environ),)) | {"en"}
    )


def choose_language(requested: str | None, env: Environment, warn: bool = True) -> str:
    """Activate the interface language and return the guidance language.

    An explicitly requested language that is not available is reported and
    English is used. A language with a provider's guidance file but no
    compiled interface translation still gets its guidance in that language.
    """
    if requested:
        lang = normalise(requested)
        known = shipped_languages(env)
        if lang not in known:
            if warn:
                env.stderr.write(
                    "homecare: "
                    + _("Unknown language '{lang}'; using English. Available: {known}.").format(
                        lang=requested, known=", ".join(known)
                    )
                    + "\n"
                )
            return activate("en")
        activate(lang)  # English texts when only the guidance exists in *lang*
        return lang
    lang = detect_language(env.environ)
    if lang in shipped_languages(env):
        activate(lang)
        return lang
    return activate("en")


def apply_overrides(person: PersonProfile, o: Overrides, warn: list[str]) -> PersonProfile:
    """*person* with this run's overrides; an unknown value is reported and ignored."""
    updates: dict[str, object] = {}
    for name in ("skill", "theme", "verbosity", "units"):
        value = getattr(o, name)
        if value is None:
            continue
        if value not in _CHOICES[name]:
            warn.append(
                _("Unknown {field} '{value}'; ignored. Choose one of: {choices}.").format(
                    field=name, value=value, choices=", ".join(_CHOICES[name])
                )
            )
            continue
        updates[name] = value
    if o.plain:
        updates["plain"] = True
    if not updates:
        return person
    return PersonProfile.model_validate({**person.model_dump(exclude_unset=True), **updates})


def open_run(overrides: Overrides | None = None, env: Environment | None = None) -> RunContext:
    """Load everything a command needs, in the environment of this run."""
    env = env or current_environment()
    o = overrides or Overrides()
    config = load_config(env.home.config_file)
    person, warnings = load_profile_lenient(env.home.profile_file)
    person = apply_overrides(person, o, warnings)
    requested = o.language or person.language or env.environ.get("HOMECARE_LANG")
    language = choose_language(requested, env)
    for warning in warnings:
        env.stderr.write(f"homecare: {warning}\n")
    provider = load_provider(o.provider or env.environ.get("HOMECARE_PROVIDER") or config.provider)
    pm = get_plugin_manager(plugin_dirs=env.home.plugin_dirs, disabled=config.disabled_plugins)
    return RunContext(env, config, person, provider, language, pm, profile_warnings=tuple(warnings))
