"""``homecare setup``: how a person wants to be helped, in under a minute.

Every question shows its default and Enter keeps it. Every answer is also an
option, so support can script it (``homecare setup --skill beginner --lang es
--yes``); with ``--yes``, or when nobody is at the keyboard, nothing is asked.
Consent is stored with the moment it was given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import typer

from homecare.cli.environment import current_environment
from homecare.context import Environment
from homecare.i18n import _
from homecare.vocabulary import SKILLS, THEMES, UNITS, VERBOSITIES


@dataclass
class SetupAnswers:
    """What was given on the command line; None: ask (or keep)."""

    skill: str | None = None
    language: str | None = None
    theme: str | None = None
    verbosity: str | None = None
    units: str | None = None
    symbols: bool | None = None
    share: bool | None = None
    offers: bool | None = None
    yes: bool = False


def register(app: typer.Typer) -> None:
    app.command("setup", help=_("Tell homecare how you want to be helped (about a minute)."))(setup)


def setup(
    skill: str = typer.Option(
        None, "--skill", help=_("beginner, intermediate, expert or technician.")
    ),
    lang: str = typer.Option(None, "--lang", help=_("Language (en, es, de, ...).")),
    theme: str = typer.Option(None, "--theme", help=_("default, high-contrast or monochrome.")),
    verbosity: str = typer.Option(None, "--verbosity", help=_("brief, normal or detailed.")),
    units: str = typer.Option(None, "--units", help=_("Speeds in mbit (Mbit/s) or mbyte (MB/s).")),
    symbols: bool = typer.Option(None, "--symbols/--no-symbols", help=_("Show ✔ ✖ ⚠ symbols.")),
    share: bool = typer.Option(
        None,
        "--share/--no-share",
        help=_("Share an anonymous copy of each check with your provider."),
    ),
    offers: bool = typer.Option(
        None,
        "--offers/--no-offers",
        help=_("Show your provider's offers that fix a problem found."),
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help=_("Ask nothing; keep what is not given.")),
) -> int:
    return run_setup(
        SetupAnswers(skill, lang, theme, verbosity, units, symbols, share, offers, yes),
        current_environment(),
    )


def run_setup(answers: SetupAnswers, env: Environment) -> int:
    """Validate, ask what is missing (if someone is there), save, summarise."""
    from homecare.cli.profile_cmd import describe_profile, read_profile, write_profile
    from homecare.cli.run_context import choose_language, shipped_languages
    from homecare.errors import UsageError
    from homecare.i18n import normalise

    languages = shipped_languages(env)
    _check_choice(_("skill level"), answers.skill, SKILLS)
    _check_choice(_("theme"), answers.theme, THEMES)
    _check_choice(_("verbosity"), answers.verbosity, VERBOSITIES)
    _check_choice(_("units"), answers.units, UNITS)
    if answers.language is not None and normalise(answers.language) not in languages:
        raise UsageError(
            _("Unknown language '{lang}'. Available: {known}.").format(
                lang=answers.language, known=", ".join(languages)
            )
        )
    person = read_profile(env)
    choose_language(answers.language or person.language or env.environ.get("HOMECARE_LANG"), env)
    current: dict[str, Any] = person.model_dump(exclude_unset=True)
    given: dict[str, Any] = {
        k: v
        for k, v in {
            "skill": answers.skill,
            "language": normalise(answers.language) if answers.language else None,
            "theme": answers.theme,
            "verbosity": answers.verbosity,
            "units": answers.units,
            "symbols": answers.symbols,
        }.items()
        if v is not None
    }
    share, offers = answers.share, answers.offers
    if not answers.yes and env.stdin_isatty:
        asker = _Asker(env)
        given = asker.preferences(person, given, languages)
        if share is None:
            share = asker.confirm(
                _(
                    "Share an anonymous copy of each check with your provider, so they can spot "
                    "problems in your area?"
                ),
                bool(person.consent.share),
            )
        if offers is None:
            offers = asker.confirm(
                _("After a problem is fixed, may your provider show an offer related to it?"),
                person.consent.offers,
            )
    from homecare.store.profile import PersonProfile

    updated = PersonProfile.model_validate({**current, **given})
    c = person.consent  # record an answer that changes something or was never recorded
    changed_share = (
        share if share is not None and (share != c.share or not c.share_given_at) else None
    )
    changed_offers = (
        offers if offers is not None and (offers != c.offers or not c.offers_given_at) else None
    )
    if changed_share is not None or changed_offers is not None:
        updated = updated.with_consent(share=changed_share, offers=changed_offers)
    if share is not None:  # "a copy of each check": sharing chosen here is automatic
        consent = updated.consent.model_copy(update={"auto_share": share})
        updated = updated.model_copy(update={"consent": consent})
    path = write_profile(env, updated)
    choose_language(updated.language, env, warn=False)
    env.stdout.write(_("Saved to {path}.").format(path=path) + "\n")
    env.stdout.write("\n".join(describe_profile(updated)) + "\n")
    return 0


def _check_choice(label: str, value: str | None, choices: tuple[str, ...]) -> None:
    from homecare.errors import UsageError

    if value is not None and value not in choices:
        raise UsageError(
            _("Unknown {what} '{value}'. Choose one of: {choices}.").format(
                what=label, value=value, choices=", ".join(choices)
            )
        )


class _Asker:
    """The questions, drawn with rich on the environment's streams.

    Answers are read a line at a time from ``env.stdin`` (rich's own prompts
    treat the newline of a piped Enter as an invalid choice); an empty line
    or the end of input keeps the default, and a wrong answer is asked again
    once before the default is kept, so nobody is stuck in a loop.
    """

    def __init__(self, env: Environment) -> None:
        from rich.console import Console

        self.env = env
        self.console = Console(file=env.stdout, no_color=not env.color_allowed, highlight=False)

    def line(self, question: str, hint: str, default: str) -> str:
        from rich.text import Text

        prompt = Text(question + " ")
        prompt.append(f"[{hint}]", style="bold")
        prompt.append(f" ({default}): ", style="bold")
        self.console.print(prompt, end="")
        answer = self.env.stdin.readline()
        if not answer.endswith("\n"):
            self.console.print()  # end of input: keep the screen tidy
        return answer.strip()

    def choice(self, question: str, choices: tuple[str, ...] | list[str], default: str) -> str:

        for _attempt in range(2):
            answer = self.line(question, "/".join(choices), default)
            if not answer:
                return default
            if answer in choices:
                return answer
            self.console.print(
                _("Please choose one of: {choices}.").format(choices=", ".join(choices)),
                markup=False,
            )
        return default

    def confirm(self, question: str, default: bool) -> bool:

        yes, no = _("yes"), _("no")
        y, n = _("y"), _("n")  # the one-letter answers, as typed in this language
        for _attempt in range(2):
            answer = self.line(question, f"{y}/{n}", y if default else n).lower()
            if not answer:
                return default
            if answer in {"y", "yes", yes, y}:
                return True
            if answer in {"n", "no", no, n}:
                return False
            self.console.print(
                _("Please answer {yes} or {no}.").format(yes=yes, no=no), markup=False
            )
        return default

    def preferences(
        self, person: Any, given: dict[str, Any], languages: list[str]
    ) -> dict[str, Any]:
        """Ask for every preference not given; Enter keeps the current value.

        A default the person never chose (verbosity follows the skill level)
        stays unchosen when Enter is pressed, so it keeps following it.
        """
        from homecare.advise.personas import load_persona
        from homecare.cli.run_context import choose_language
        from homecare.i18n import current_language

        out = dict(given)
        self.console.print(_("Press Enter to keep the value in brackets."), markup=False)

        def ask(
            key: str,
            question: str,
            choices: tuple[str, ...] | list[str],
            default: str,
            after: Callable[[str], None] | None = None,
        ) -> None:
            if key in out:
                return
            answer = self.choice(question, choices, default)
            if answer != default or key in person.model_fields_set:
                out[key] = answer
            if after:
                after(answer)

        ask("skill", _("How much do you know about networks?"), SKILLS, person.skill)
        lang_default = person.language or current_language()

        def switch(lang: str) -> None:
            out["language"] = lang  # always stored: the locale may change later
            choose_language(lang, self.env, warn=False)

        ask("language", _("Language"), languages, lang_default, after=switch)
        ask("theme", _("Colours"), THEMES, person.theme)
        skill = str(out.get("skill", person.skill))
        verbosity_default = (
            person.verbosity
            if "verbosity" in person.model_fields_set
            else load_persona(skill).verbosity
        )
        ask("verbosity", _("How much detail?"), VERBOSITIES, verbosity_default)
        ask("units", _("Speeds in Mbit/s (mbit) or MB/s (mbyte)?"), UNITS, person.units)
        if "symbols" not in out:
            out["symbols"] = self.confirm(_("Show symbols such as ✔ and ✖?"), person.symbols)
        return out
