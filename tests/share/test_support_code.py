"""Support codes: readable, tolerant to how people type them, and the check
character catches every single substitution and adjacent transposition."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homecare.share.support_code import (
    ALPHABET,
    DATA_LENGTH,
    InvalidSupportCode,
    from_upload_id,
    is_valid,
    parse,
)

uuids = st.uuids().map(str)


def body(code: str) -> str:
    return code[3:].replace("-", "")


def test_format_and_alphabet() -> None:
    code = from_upload_id("12345678-1234-5678-1234-567812345678")
    assert code.startswith("HC-") and len(code) == 12 and code[7] == "-"
    assert not set(body(code)) & set("01ILOSU5")
    assert from_upload_id("12345678-1234-5678-1234-567812345678") == code


@given(uuids)
def test_round_trip_tolerant(upload_id: str) -> None:
    code = from_upload_id(upload_id)
    assert parse(code) == code
    assert parse(code.lower()) == code
    assert parse(" ".join(body(code))) == code
    assert parse(body(code)) == code
    assert parse("hc " + body(code)[:4] + "  " + body(code)[4:]) == code


@given(uuids, st.integers(0, DATA_LENGTH), st.sampled_from(ALPHABET))
def test_single_substitution_detected(upload_id: str, pos: int, ch: str) -> None:
    b = body(from_upload_id(upload_id))
    if b[pos] == ch:
        return
    assert not is_valid(b[:pos] + ch + b[pos + 1 :])


@given(uuids, st.integers(0, DATA_LENGTH - 1))
def test_adjacent_transposition_detected(upload_id: str, pos: int) -> None:
    b = body(from_upload_id(upload_id))
    if b[pos] == b[pos + 1]:
        return
    assert not is_valid(b[:pos] + b[pos + 1] + b[pos] + b[pos + 2 :])


def test_exhaustive_single_errors_for_some_codes() -> None:
    for _ in range(50):
        b = body(from_upload_id(str(uuid.uuid4())))
        for pos in range(len(b)):
            for ch in ALPHABET:
                if ch != b[pos]:
                    assert not is_valid(b[:pos] + ch + b[pos + 1 :])


@pytest.mark.parametrize(
    "text", ["", "HC-", "HC-1234-5678", "HC-ABCD-EFG", "HC-ABCD-EFGHJ", "hello"]
)
def test_invalid(text: str) -> None:
    with pytest.raises(InvalidSupportCode):
        parse(text)
