"""The signed report: verify passes on a fresh one, names the part that changed,
and fails after any single byte changes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from homecare.session.compare import compare
from homecare.session.keys import key_path, load_or_create_key, public_key_text
from homecare.session.report import build_document, verify_file

from .sessions import session

KEY = Ed25519PrivateKey.generate()
BEFORE = session(dns_ok=False, signal=-72)
AFTER = session(session_id="b" * 32, fixes=("Moved the router <b>up</b>",))
DOCUMENT = build_document(AFTER, compare(BEFORE, AFTER), KEY)


def test_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    first = load_or_create_key(tmp_path / "data")
    mode = stat.S_IMODE(key_path(tmp_path / "data").stat().st_mode)
    assert mode == 0o600
    assert public_key_text(load_or_create_key(tmp_path / "data")) == public_key_text(first)


def test_fresh_report_verifies_and_carries_the_public_key() -> None:
    result = verify_file(DOCUMENT)
    assert result.ok, result.problems
    assert result.public_key == public_key_text(KEY)
    assert verify_file(DOCUMENT, trusted=public_key_text(KEY)).ok


def test_another_expected_key_is_refused(tmp_path: Path) -> None:
    other = public_key_text(load_or_create_key(tmp_path))
    assert "signed by another key" in " ".join(verify_file(DOCUMENT, trusted=other).problems)


def test_a_changed_figure_names_its_step() -> None:
    doc = json.loads(DOCUMENT)
    doc["session"]["steps"][1]["metrics"][0]["value"] = -40.0
    edited = (json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
    problems = verify_file(edited).problems
    assert problems == ["part 'step:room@kitchen' does not match its signed digest"]


def test_a_changed_fix_names_the_session_header() -> None:
    doc = json.loads(DOCUMENT)
    doc["session"]["fixes"] = ["Nothing"]
    edited = (json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
    assert verify_file(edited).problems == ["part 'session' does not match its signed digest"]


def test_a_dropped_step_is_named() -> None:
    doc = json.loads(DOCUMENT)
    del doc["session"]["steps"][2]
    edited = (json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
    assert (
        "part 'step:room@bedroom' does not match its signed digest" in verify_file(edited).problems
    )


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_single_byte_change_fails(data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(DOCUMENT) - 1), label="position")
    byte = data.draw(st.integers(min_value=0, max_value=255).filter(lambda b: b != DOCUMENT[position]),
                     label="byte")  # fmt: skip
    changed = DOCUMENT[:position] + bytes([byte]) + DOCUMENT[position + 1 :]
    assert not verify_file(changed).ok
