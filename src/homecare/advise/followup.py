"""After the advice: which steps the person did, and whether it helped.

What is asked and how answers are read lives here; the terminal side (who
asks, and whether asking is allowed at all) stays in the CLI. Step numbers
the person sees are the catalogue's own numbers (done steps are hidden, not
renumbered), so what they type is what is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from homecare.i18n import _

Ask = Callable[[str], str]
Say = Callable[[str], None]


@dataclass(frozen=True)
class Markable:
    """One finding's shown steps, by their catalogue numbers (as shown)."""

    code: str
    title: str
    numbers: tuple[int, ...]


def remaining_numbers(step_count: int, done: set[int]) -> list[int]:
    """Catalogue step numbers (1-based) not yet done, in order."""
    return [n for n in range(1, step_count + 1) if n not in done]


def parse_step_numbers(answer: str, shown: Sequence[int] | int) -> list[int] | None:
    """'1 3' or '1,3' -> [1, 3]; '' -> []; None when something is not a shown step.
    *shown* is the shown numbers (or their count, for steps 1..n)."""
    numbers = set(range(1, shown + 1)) if isinstance(shown, int) else set(shown)
    parts = answer.replace(",", " ").split()
    out: list[int] = []
    for part in parts:
        if not part.isdigit() or int(part) not in numbers:
            return None
        if int(part) not in out:
            out.append(int(part))
    return out


def parse_score(answer: str) -> int | None:
    """'1'..'5' -> the score; anything else (Enter included) -> None."""
    text = answer.strip()
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


def ask_steps_done(items: Sequence[Markable], ask: Ask, say: Say) -> dict[str, list[int]]:
    """Ask per finding which shown steps were done; catalogue numbers per code.

    A wrong answer is explained and asked once more; a second wrong answer
    counts as skipped, so nobody gets stuck in a loop.
    """
    done: dict[str, list[int]] = {}
    for item in items:
        if not item.numbers:
            continue
        question = _("{title}: mark steps you did (e.g. 1 3), Enter to skip").format(
            title=item.title
        )
        for attempt in range(2):
            picked = parse_step_numbers(ask(question), item.numbers)
            if picked is not None:
                if picked:
                    done[item.code] = picked
                break
            if attempt == 0:
                say(
                    _("Please type step numbers from {numbers}, or press Enter.").format(
                        numbers=", ".join(str(n) for n in item.numbers)
                    )
                )
    return done


def ask_feedback(ask: Ask, say: Say | None = None) -> int | None:
    """The one closing question; None when skipped. An answer outside 1-5 is
    explained and asked once more, never dropped without a word."""
    question = _("Did this solve your problem? 1 = not at all, 5 = completely (Enter to skip)")
    for attempt in range(2):
        answer = ask(question)
        if not answer.strip():
            return None
        score = parse_score(answer)
        if score is not None:
            return score
        if attempt == 0 and say is not None:
            say(_("Please type a number from 1 (not at all) to 5 (completely), or press Enter."))
    return None
