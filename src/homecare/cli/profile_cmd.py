"""``homecare profile``: show, change one field, or reset the person's profile.

``set`` validates the value before anything is written, so a typo is a
one-line error and never a broken profile; consent changes carry the time.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from homecare.cli.environment import current_environment
from homecare.context import Environment
from homecare.i18n import _
from homecare.vocabulary import SKILLS, THEMES, UNITS, VERBOSITIES

if TYPE_CHECKING:  # the model (pydantic) loads only when a command runs
    from homecare.store.profile import PersonProfile

BOOLEAN_KEYS = ("symbols", "plain", "share", "offers")
CHOICE_KEYS = {
    "skill": SKILLS,
    "theme": THEMES,
    "verbosity": (*VERBOSITIES, "auto"),
    "units": UNITS,
}
KEYS = ("skill", "language", "theme", "verbosity", "units", *BOOLEAN_KEYS)
_TRUE = {"yes", "y", "true", "on", "1", "si", "sí", "ja"}
_FALSE = {"no", "n", "false", "off", "0", "nein"}


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help=_("Show or change how homecare helps you."),
        invoke_without_command=True,
        no_args_is_help=False,
    )
    group.callback(invoke_without_command=True)(show)
    group.command("set", help=_("Change one setting: homecare profile set skill expert"))(set_key)
    group.command("reset", help=_("Forget every setting and consent."))(reset)
    app.add_typer(group, name="profile")


def show(ctx: typer.Context) -> None:
    """Show the profile (when no sub-command is given)."""
    if ctx.invoked_subcommand is None:
        env = current_environment()
        env.stdout.write("\n".join(describe_profile(read_profile(env), env)) + "\n")


def set_key(
    key: str = typer.Argument(..., help=_("One of: {keys}.").format(keys=", ".join(KEYS))),
    value: str = typer.Argument(..., help=_("The new value ('auto' for language/verbosity).")),
) -> int:
    return run_set(key, value, current_environment())


def reset(yes: bool = typer.Option(False, "--yes", "-y", help=_("Do not ask."))) -> int:
    return run_reset(current_environment(), confirm=not yes)


def read_profile(env: Environment) -> PersonProfile:
    """The stored profile; bad fields are reported and fall back to defaults."""
    from homecare.store.profile import load_profile_lenient

    person, warnings = load_profile_lenient(env.home.profile_file)
    for warning in warnings:
        env.stderr.write(f"homecare: {warning}\n")
    return person


def write_profile(env: Environment, person: PersonProfile) -> Path:
    """Save only what the person chose; say where a damaged file was kept."""
    from homecare.store.profile import save_profile

    path = env.home.profile_file
    aside = save_profile(path, person, exclude_unset=True)
    if aside is not None:
        env.stderr.write(
            "homecare: "
            + _("Your old profile could not be read; it was kept as {path}.").format(path=aside)
            + "\n"
        )
    return path


def describe_profile(person: PersonProfile, env: Environment | None = None) -> list[str]:
    """The profile as lines a person can read (and a technician can copy)."""
    from homecare.advise.personas import load_persona
    from homecare.i18n import current_language

    def yes_no(value: bool | None) -> str:
        return _("not asked yet") if value is None else (_("yes") if value else _("no"))

    def when(value: Any) -> str:
        return f" ({value:%Y-%m-%d %H:%M} UTC)" if value is not None else ""

    set_fields = person.model_fields_set
    language = person.language or _("from your computer ({lang})").format(lang=current_language())
    verbosity = (
        shown_value(person.verbosity)
        if "verbosity" in set_fields
        else _("{value} (from the skill level)").format(
            value=shown_value(load_persona(person.skill).verbosity)
        )
    )
    c = person.consent
    rows = [
        (_("Skill level"), shown_value(person.skill)),
        (_("Language"), language),
        (_("Colours"), shown_value(person.theme)),
        (_("Detail"), verbosity),
        (_("Speed units"), shown_value(person.units)),
        (_("Symbols"), yes_no(person.symbols)),
        (_("Plain output"), yes_no(person.plain)),
        (_("Share results with your provider"), yes_no(c.share) + when(c.share_given_at)),
        (_("Offers from your provider"), yes_no(c.offers) + when(c.offers_given_at)),
    ]
    lines = [f"{label}: {value}" for label, value in rows]
    if env is not None:
        lines.append(_("Stored in {path}").format(path=env.home.profile_file))
    return lines


def value_labels() -> dict[str, str]:
    """Profile values in the person's language (the stored value stays English)."""
    return {
        "beginner": _("beginner"),
        "intermediate": _("intermediate"),
        "expert": _("expert"),
        "technician": _("technician"),
        "default": _("default colours"),
        "high-contrast": _("high contrast"),
        "monochrome": _("no colours"),
        "brief": _("brief"),
        "normal": _("normal"),
        "detailed": _("detailed"),
        "mbit": _("Mbit/s"),
        "mbyte": _("MB/s"),
    }


def shown_value(value: str) -> str:
    """'Einsteiger (beginner)': the word in the person's language, and the value
    'homecare profile set' takes, when they differ."""
    label = value_labels().get(value, value)
    return value if label == value else f"{label} ({value})"


def run_set(key: str, value: str, env: Environment) -> int:
    """Validate and store one field."""
    from homecare.cli.run_context import shipped_languages
    from homecare.errors import UsageError
    from homecare.i18n import normalise
    from homecare.store.profile import PersonProfile

    if key not in KEYS:
        raise UsageError(
            _("Unknown setting '{key}'. Settings: {keys}.").format(key=key, keys=", ".join(KEYS))
        )
    person = read_profile(env)
    data: dict[str, Any] = person.model_dump(exclude_unset=True)
    if key in CHOICE_KEYS:
        if value not in CHOICE_KEYS[key]:
            raise UsageError(
                _("Unknown {what} '{value}'. Choose one of: {choices}.").format(
                    what=key, value=value, choices=", ".join(CHOICE_KEYS[key])
                )
            )
        if value == "auto":
            data.pop(key, None)
        else:
            data[key] = value
    elif key == "language":
        languages = shipped_languages(env)
        if value == "auto":
            data.pop("language", None)
        elif normalise(value) in languages:
            data["language"] = normalise(value)
        else:
            raise UsageError(
                _("Unknown language '{lang}'. Available: {known}.").format(
                    lang=value, known=", ".join(languages)
                )
            )
    else:
        flag = _boolean(value)
        if flag is None:
            raise UsageError(_("'{value}' is not yes or no.").format(value=value))
        if key in ("share", "offers"):
            updated = PersonProfile.model_validate(data).with_consent(**{key: flag})
            write_profile(env, updated)
            env.stdout.write(_("{key} is now {value}.").format(key=key, value=value) + "\n")
            return 0
        data[key] = flag
    write_profile(env, PersonProfile.model_validate(data))
    env.stdout.write(_("{key} is now {value}.").format(key=key, value=value) + "\n")
    return 0


def run_reset(env: Environment, confirm: bool) -> int:
    """Forget the profile; asks first when someone is at the keyboard."""

    path = env.home.profile_file
    if confirm and env.interactive:
        from rich.console import Console
        from rich.prompt import Confirm

        console = Console(file=env.stdout, highlight=False)
        if not Confirm.ask(
            _("Forget all your settings and consent?"),
            console=console,
            stream=env.stdin,
            default=False,
        ):
            return 0
    path.unlink(missing_ok=True)
    env.stdout.write(_("Your profile is back to the defaults.") + "\n")
    return 0


def _boolean(value: str) -> bool | None:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None
