"""Ctrl-C says so in one line and exits 130 (it used to exit 130 without a word)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from homecare.cli.app import run
from homecare.context import Environment
from homecare.status import ExitStatus
from homecare.store import history


def test_ctrl_c_says_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(history.History, "open", interrupted)
    err = io.StringIO()
    env = Environment(
        stdout=io.StringIO(), stderr=err, environ={"HOMECARE_HOME": str(tmp_path), "LANG": "C"}
    )
    assert run(["history"], env) == ExitStatus.INTERRUPTED
    assert err.getvalue() == "Interrupted.\n"
