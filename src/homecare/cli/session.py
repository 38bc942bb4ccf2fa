"""What every command needs, loaded once: environment, config, profiles, plugins.

Per-run overrides (``--skill expert``) are applied here so no command has to
know where a preference came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pluggy

from homecare.advise.catalogue import Catalogue
from homecare.context import Environment
from homecare.i18n import activate
from homecare.plugins import REPO_PLUGINS_DIR, get_plugin_manager
from homecare.profiles.provider import ProviderProfile, load_provider
from homecare.render.base import RenderOptions
from homecare.store.config import Config, load_config
from homecare.store.profile import PersonProfile, load_profile


@dataclass
class Overrides:
    skill: str | None = None
    language: str | None = None
    theme: str | None = None
    verbosity: str | None = None
    plain: bool = False
    provider: str | None = None


@dataclass
class Session:
    env: Environment
    config: Config
    person: PersonProfile
    provider: ProviderProfile
    language: str
    pm: pluggy.PluginManager
    _catalogue: Catalogue | None = field(default=None, repr=False)

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = Catalogue.load()
        return self._catalogue

    def render_options(self) -> RenderOptions:
        p = self.person
        expert = p.skill in ("expert", "technician")
        return RenderOptions(
            color=self.env.color_allowed and not p.plain,
            width=self.env.width,
            verbosity=p.verbosity,
            skill=p.skill,
            theme=p.theme,
            symbols=p.symbols and not p.plain,
            units=p.units,
            show_evidence=expert or p.verbosity == "detailed",
            show_commands=expert,
        )


def open_session(overrides: Overrides | None = None, env: Environment | None = None) -> Session:
    env = env or Environment()
    o = overrides or Overrides()
    config = load_config(env.home.config_file)
    person = load_profile(env.home.profile_file)
    updates: dict[str, object] = {}
    for name in ("skill", "theme", "verbosity"):
        value = getattr(o, name)
        if value is not None:
            updates[name] = value
    if o.plain:
        updates["plain"] = True
    if updates:
        person = person.model_validate({**person.model_dump(), **updates})
    language = activate(o.language or person.language or env.environ.get("HOMECARE_LANG"))
    provider = load_provider(o.provider or env.environ.get("HOMECARE_PROVIDER") or config.provider)
    pm = get_plugin_manager(
        plugin_dirs=(REPO_PLUGINS_DIR, env.home.plugins_dir), disabled=config.disabled_plugins
    )
    return Session(env, config, person, provider, language, pm)
