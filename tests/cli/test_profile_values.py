"""``homecare profile`` shows values in the person's language (they stayed English)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def show(tmp_path: Path, language: str) -> str:
    env = {**os.environ, "HOMECARE_HOME": str(tmp_path), "HOMECARE_LANG": language}
    for args in (["set", "skill", "beginner"], ["set", "theme", "high-contrast"], []):
        proc = subprocess.run(
            [sys.executable, "-m", "homecare", "profile", *args],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_german_profile_values_are_german(tmp_path: Path) -> None:
    text = show(tmp_path, "de")
    assert "Einsteiger (beginner)" in text  # the word, and what 'profile set' takes
    assert "hoher Kontrast (high-contrast)" in text


def test_english_values_are_not_repeated(tmp_path: Path) -> None:
    text = show(tmp_path, "en")
    assert "Skill level: beginner\n" in text
    assert "high contrast (high-contrast)" in text
