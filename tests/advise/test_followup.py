"""Marking steps done and the closing question: asked only at a console."""

from __future__ import annotations

import json
from typing import Any

import pytest

from homecare.advise.followup import (
    Markable,
    ask_steps_done,
    parse_score,
    parse_step_numbers,
    remaining_numbers,
)
from homecare.store.history import History
from tests import canned
from tests.cli_harness import Home, Result


def last_id(home: Home) -> str:
    with History.open(home.root / "data" / "history.sqlite3") as h:
        latest = h.latest()
        assert latest is not None
        return latest.id


def interactive(home: Home, answers: str, **overrides: Any) -> Result:
    canned.set_scenario(gw_rtt=45.0, dns_ok=False)
    return home.check(stdin=answers, tty=True, **overrides)


def test_parsing() -> None:
    assert parse_step_numbers("1 3", 3) == [1, 3]
    assert parse_step_numbers("3,1, 3", 3) == [3, 1]
    assert parse_step_numbers("", 3) == []
    assert parse_step_numbers("4", 3) is None
    assert parse_step_numbers("one", 3) is None
    assert parse_step_numbers("0", 3) is None
    assert [parse_score(s) for s in ("1", " 5 ", "", "6", "x")] == [1, 5, None, None, None]
    assert remaining_numbers(4, {2}) == [1, 3, 4]


def test_shown_numbers_are_the_catalogue_numbers() -> None:
    # steps 1 and 3 were done: 2 and 4 are shown as "2." and "4.", not renumbered
    item = Markable(code="x.y", title="T", numbers=(2, 4))
    answers = iter(["4"])
    said: list[str] = []
    assert ask_steps_done([item], lambda _q: next(answers), said.append) == {"x.y": [4]}
    answers = iter(["1", ""])  # 1 was not shown: explained, asked again
    assert ask_steps_done([item], lambda _q: next(answers), said.append) == {}
    assert said == ["Please type step numbers from 2, 4, or press Enter."]


def test_an_out_of_range_score_is_explained_and_asked_again() -> None:
    from homecare.advise.followup import ask_feedback

    said: list[str] = []
    answers = iter(["9", "4"])
    assert ask_feedback(lambda _q: next(answers), said.append) == 4
    assert said and "1 (not at all) to 5 (completely)" in said[0]
    questions: list[str] = []

    def ask(question: str) -> str:
        questions.append(question)
        return ""

    assert ask_feedback(ask, said.append) is None
    assert "1 = not at all, 5 = completely" in questions[0]


def test_a_wrong_answer_is_explained_once_then_skipped() -> None:
    item = Markable(code="x.y", title="T", numbers=(1, 2))
    answers = iter(["7", "nine"])
    said: list[str] = []
    assert ask_steps_done([item], lambda _q: next(answers), said.append) == {}
    assert len(said) == 1 and "1" in said[0] and "2" in said[0]


def test_interactive_check_marks_steps_and_records_feedback(home: Home) -> None:
    # dns.failing is shown first (critical), then lan.latency.high
    result = interactive(home, "2\n1 3\n5\n")
    assert "mark steps you did (e.g. 1 3), Enter to skip" in result.out
    words = " ".join(result.out.split())  # the console wraps the question
    assert "Did this solve your problem? 1 = not at all, 5 = completely (Enter to skip)" in words
    check_id = last_id(home)
    with History.open(home.root / "data" / "history.sqlite3") as h:
        assert h.steps_done("dns.failing") == {2}
        assert h.steps_done("lan.latency.high") == {1, 3}
        assert h.feedback(check_id) == 5


def test_next_check_numbers_only_the_remaining_steps(home: Home) -> None:
    interactive(home, "2\n\n\n")  # dns.failing step 2 done
    result = interactive(home, "1\n\n\n")  # now only step 1 is shown, as "1"
    assert result.code == 1
    with History.open(home.root / "data" / "history.sqlite3") as h:
        assert h.steps_done("dns.failing") == {1, 2}
    # all done: the advice escalates and there is nothing left to mark
    result = interactive(home, "\n")
    assert "You already tried the usual steps" in result.out
    assert result.out.count("mark steps you did") == 1  # only lan.latency.high


def test_enter_skips_everything(home: Home) -> None:
    interactive(home, "\n\n\n")
    with History.open(home.root / "data" / "history.sqlite3") as h:
        assert h.steps_done("dns.failing") == set()
        assert h.feedback(last_id(home)) is None


def test_end_of_input_is_a_skip_not_a_hang(home: Home) -> None:
    result = interactive(home, "")
    assert result.code == 1
    with History.open(home.root / "data" / "history.sqlite3") as h:
        assert h.feedback(last_id(home)) is None


def test_questions_are_in_the_persons_language(home: Home) -> None:
    result = interactive(home, "\n\n4\n", language="de")
    assert (
        "Hat das Ihr Problem gelöst? 1 = gar nicht, 5 = vollständig (Eingabetaste zum Überspringen)"
        in " ".join(result.out.split())  # the console wraps the question
    )
    assert "Vielen Dank." in result.out


@pytest.mark.parametrize(
    ("case", "kwargs"),
    [
        ("json", {"output": "json"}),
        ("plain flag", {"plain": True}),
        ("plain format", {"output": "plain"}),
        ("markdown", {"output": "markdown"}),
        ("not saved", {"save": False}),
    ],
)
def test_never_asked_outside_an_interactive_console(
    home: Home, case: str, kwargs: dict[str, Any]
) -> None:
    canned.set_scenario(gw_rtt=45.0, dns_ok=False)
    env = home.env(stdin="2\n1\n5\n", tty=True)
    save = bool(kwargs.pop("save", True))
    result = home.check(env=env, save=save, **kwargs)
    _assert_not_asked(home, result, case)


def test_never_asked_when_stdin_is_not_a_terminal(home: Home) -> None:
    canned.set_scenario(gw_rtt=45.0, dns_ok=False)
    env = home.env(stdin="2\n1\n5\n", stdout_tty=True)
    _assert_not_asked(home, home.check(env=env), "piped stdin")


def test_never_asked_in_ci(home: Home) -> None:
    canned.set_scenario(gw_rtt=45.0, dns_ok=False)
    env = home.env(stdin="2\n1\n5\n", tty=True, CI="true")
    _assert_not_asked(home, home.check(env=env), "CI")


def _assert_not_asked(home: Home, result: Result, case: str) -> None:
    assert "Did this solve" not in result.out, case
    assert "mark steps" not in result.out, case
    assert result.env.stdin.read() == "2\n1\n5\n", case  # nothing was read
    with History.open(home.root / "data" / "history.sqlite3") as h:
        assert h.steps_done("dns.failing") == set(), case
        rows = h.summaries()
        for row in rows:
            assert h.feedback(row.id) is None, case


def test_json_output_stays_pure_json(home: Home) -> None:
    canned.set_scenario(gw_rtt=45.0)
    result = home.check(output="json", stdin="5\n", tty=True)
    json.loads(result.out)
