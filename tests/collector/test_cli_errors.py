"""``homecare-collector`` turns an operator's mistake into one line and an exit code
(issue 12 item 10): no traceback, and no empty database made where one was meant."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from homecare.collector.cli import main
from homecare.share.support_code import from_upload_id

CODE = from_upload_id("5f0c8a3e-0d4b-4c1e-9a61-2b7d3c9e4f10")


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


def test_show_without_a_database_does_not_create_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HOMECARE_COLLECTOR_DATABASE_URL", raising=False)
    # it used to create an empty homecare-collector.sqlite3 here and answer "no result"
    assert main(["show", CODE]) == 2
    assert "no database at homecare-collector.sqlite3" in one_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_database_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.sqlite3"
    assert main(["insights", "--db", str(missing)]) == 2
    assert f"no database at {missing}" in one_line(capsys)
    assert not missing.exists()
    assert main(["token", "list", "--db", str(missing)]) == 2
    one_line(capsys)


def test_a_file_that_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not SQLite\n" * 100)
    assert main(["insights", "--db", str(junk)]) == 1
    assert "cannot use the database" in one_line(capsys)


def test_a_bad_database_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--database-url", "not a url"]) == 2
    assert "not a usable database URL" in one_line(capsys)
    assert main(["migrate", "--database-url", "nosuchdb://x/y"]) == 2
    one_line(capsys)


def test_a_port_out_of_range(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", str(tmp_path / "c.sqlite3"), "--port", "99999"]) == 2
    assert "--port 99999 is not a port" in one_line(capsys)


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "homecare.collector", "show", CODE,
         "--db", str(tmp_path / "missing.sqlite3")],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_scrubbed_probe_messages_say_they_were_scrubbed() -> None:
    from homecare.collector.render import _scrubbed

    text = _scrubbed("no or tool found on device failed not found")
    assert text.startswith(" (message, identifying words removed:")
    assert _scrubbed(None) == ""
